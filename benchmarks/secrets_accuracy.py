#!/usr/bin/env python3
"""Accuracy of the secrets engine against stock detect-secrets on a labeled corpus.

The corpus is generated (seeded) into benchmarks/.work/secrets-corpus: realistic files
(Python, JS, YAML, .env, JSON, Markdown, lockfiles, go.sum) with planted secrets of
each provider's real format made of random characters, and decoys that are not secrets
(placeholders, test and publishable keys, hashes, UUIDs, commit SHAs, SRI integrity
values, go.sum lines, base64 images, minified code, ids next to a provider's name).
Every line is labeled. A scanner's prediction is the set of (file, line) it reports;
notices (test/public keys) do not count as a positive for ours. Writes
benchmarks/results/secrets_accuracy.json and deletes the corpus (``--keep`` keeps it).

    .venv/bin/python benchmarks/secrets_accuracy.py [--files 400] [--seed 1]
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import shutil
import subprocess
import sys
import time
import zlib
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

A62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
HEX = "0123456789abcdef"


def rnd(r: random.Random, n: int, alphabet: str = A62) -> str:
    return "".join(r.choice(alphabet) for _ in range(n))


def b62(n: int) -> str:
    out = ""
    while n:
        n, k = divmod(n, 62)
        out = A62[k] + out
    return out.rjust(6, "0")


def b64url(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def jwt(r: random.Random, role: str) -> str:
    head = b64url({"alg": "HS256", "typ": "JWT"})
    body = b64url({"iss": "supabase", "ref": rnd(r, 20).lower(), "role": role, "iat": 1700000000})
    return f"{head}.{body}.{rnd(r, 43)}"


def uuid(r: random.Random) -> str:
    return "-".join(rnd(r, n, HEX) for n in (8, 4, 4, 4, 12))


def _checksummed(prefix: str, r: random.Random) -> str:
    body = rnd(r, 30)
    return prefix + body + b62(zlib.crc32(body.encode()))


def cloudflare(r: random.Random) -> str:
    """cfut_ + 40 characters + the CRC32 of those 40 in hex."""
    body = rnd(r, 40)
    return f"cfut_{body}{zlib.crc32(body.encode()):08x}"


def onesignal(r: random.Random) -> str:
    """os_v2_app_ + lower-case base32 of 64 bytes (the app id, then the key)."""
    return "os_v2_app_" + base64.b32encode(r.randbytes(64)).decode().rstrip("=").lower()


def clerk_publishable(r: random.Random) -> str:
    """pk_live_ + base64 of the Frontend API host and a `$`."""
    host = f"clerk.{rnd(r, 8).lower()}.com$"
    return "pk_live_" + base64.b64encode(host.encode()).decode().rstrip("=")


#: (provider, line factory) for planted secrets: each line holds one real-format value.
Secret = Callable[[random.Random], str]
SECRETS: list[tuple[str, Secret]] = [
    ("stripe", lambda r: f'stripe.api_key = "sk_live_{rnd(r, 99)}"'),
    ("stripe-restricted", lambda r: f"STRIPE_RESTRICTED_KEY=rk_live_{rnd(r, 99)}"),
    ("stripe-webhook", lambda r: f'endpoint_secret = "whsec_{rnd(r, 32)}"'),
    ("postmark", lambda r: f'POSTMARK_SERVER_TOKEN = "{uuid(r)}"'),
    ("postmark-header", lambda r: f'headers["X-Postmark-Server-Token"] = "{uuid(r)}"'),
    ("sendgrid", lambda r: f'sg = SendGridAPIClient("SG.{rnd(r, 22)}.{rnd(r, 43)}")'),
    ("mailgun", lambda r: f"MAILGUN_API_KEY=key-{rnd(r, 32, HEX)}"),
    ("resend", lambda r: f'const resend = new Resend("re_{rnd(r, 8)}_{rnd(r, 24)}");'),
    ("twilio", lambda r: f'TWILIO_API_KEY = "SK{rnd(r, 32, HEX)}"'),
    ("slack-token", lambda r: f"SLACK_BOT_TOKEN=xoxb-{rnd(r, 12, '0123456789')}-{rnd(r, 24)}"),
    (
        "slack-webhook",
        lambda r: (
            f'url: "https://hooks.slack.com/services/T{rnd(r, 8, A62[:36])}/'
            f'B{rnd(r, 10, A62[:36])}/{rnd(r, 24)}"'
        ),
    ),
    ("github", lambda r: f"GH_TOKEN={_checksummed('ghp_', r)}"),
    ("github-oauth", lambda r: f'token = "{_checksummed("gho_", r)}"'),
    ("github-pat", lambda r: f"GITHUB_TOKEN=github_pat_{rnd(r, 22)}_{rnd(r, 59)}"),
    ("npm", lambda r: f"//registry.npmjs.org/:_authToken={_checksummed('npm_', r)}"),
    ("gitlab", lambda r: f"GITLAB_TOKEN=glpat-{rnd(r, 20)}"),
    ("aws", lambda r: f"aws_access_key_id = AKIA{rnd(r, 16, A62[:36].upper())}"),
    ("openai", lambda r: f'OPENAI_API_KEY="sk-proj-{rnd(r, 74)}T3BlbkFJ{rnd(r, 74)}"'),
    ("anthropic", lambda r: f'ANTHROPIC_API_KEY="sk-ant-api03-{rnd(r, 93)}-{rnd(r, 6)}AA"'),
    ("google-api", lambda r: f'firebaseApiKey: "AIza{rnd(r, 35)}"'),
    ("supabase-service", lambda r: f'const admin = createClient(url, "{jwt(r, "service_role")}")'),
    ("fly", lambda r: f"FLY_API_TOKEN=fo1_{rnd(r, 43)}"),
    (
        "db-url",
        lambda r: (
            f"DATABASE_URL=postgres://app:{rnd(r, 20)}@db-{rnd(r, 6).lower()}.prod.net:5432/app"
        ),
    ),
    ("redis-url", lambda r: f'REDIS_URL = "redis://default:{rnd(r, 24)}@cache.prod.net:6379"'),
    ("password", lambda r: f'db_password = "{rnd(r, 18)}"'),
    (
        "private-key",  # a header alone is not a key: header, key material, footer
        lambda r: (
            f'"private_key": "-----BEGIN RSA PRIVATE KEY-----\\nMIIEow{rnd(r, 58, A62 + "+/")}'
            f'\\n{rnd(r, 64, A62 + "+/")}\\n-----END RSA PRIVATE KEY-----\\n"'
        ),
    ),
    ("twilio-auth", lambda r: f'TWILIO_AUTH_TOKEN = "{rnd(r, 32, HEX)}"'),
    ("aws-secret", lambda r: f"aws_secret_access_key = {rnd(r, 40, A62 + '+/')}"),
    ("clerk", lambda r: f"CLERK_SECRET_KEY=sk_live_{rnd(r, 42)}"),
    ("cloudflare", lambda r: f"CLOUDFLARE_API_TOKEN={cloudflare(r)}"),
    ("cloudflare-legacy", lambda r: f'cloudflare_api_token: "{rnd(r, 40, A62 + "_-")}"'),
    ("cloudflare-global", lambda r: f"CF_API_KEY={rnd(r, 37, HEX)}"),
    ("vercel", lambda r: f"VERCEL_TOKEN=vcp_{rnd(r, 56)}"),
    ("vercel-legacy", lambda r: f'vercelToken: "{rnd(r, 24)}"'),
    ("expo", lambda r: f"EXPO_TOKEN={rnd(r, 40, A62 + '_-')}"),
    ("onesignal", lambda r: f'ONESIGNAL_REST_API_KEY = "{onesignal(r)}"'),
    (
        "onesignal-legacy",
        lambda r: (
            "headers = {'Authorization': 'Basic "
            + base64.b64encode(uuid(r).encode()).decode()
            + "'}  # OneSignal"
        ),
    ),
    ("revenuecat", lambda r: f"REVENUECAT_API_KEY=sk_{rnd(r, 29)}"),
    ("auth0", lambda r: f"AUTH0_CLIENT_SECRET={rnd(r, 64, A62 + '_-')}"),
    (
        "fcm",
        lambda r: f'"serverKey": "AAAA{rnd(r, 7)}:APA91b{rnd(r, 134, A62 + "_-")}",',
    ),
    (
        "entra",
        lambda r: f'AZURE_CLIENT_SECRET="{rnd(r, 3)}{r.choice("78")}Q~{rnd(r, 34, A62 + "_~-")}"',
    ),
    (
        "azure-storage",
        lambda r: (
            "AZURE_STORAGE_CONNECTION_STRING=DefaultEndpointsProtocol=https;"
            f"AccountName=members{rnd(r, 6).lower()};"
            f"AccountKey={base64.b64encode(r.randbytes(64)).decode()};"
            "EndpointSuffix=core.windows.net"
        ),
    ),
    ("render", lambda r: f"RENDER_API_KEY=rnd_{rnd(r, 28)}"),
    (
        "jwt-sign",
        lambda r: (
            f"const token = jwt.sign({{ sub: member.id }}, '{rnd(r, 32)}', {{ expiresIn: '7d' }});"
        ),
    ),
]

#: Lines that must not be reported as secrets (notices allowed).
DECOYS: list[tuple[str, Secret]] = [
    ("placeholder", lambda r: 'password = "changeme"'),
    ("placeholder-x", lambda r: f'stripe_key = "sk_live_{"x" * 24}"'),
    ("placeholder-angle", lambda r: 'api_key: "<YOUR_API_KEY>"'),
    ("placeholder-var", lambda r: "SECRET_KEY=${SECRET_KEY}"),
    ("env-ref", lambda r: "const key = process.env.STRIPE_SECRET_KEY;"),
    ("env-ref-py", lambda r: 'token = os.environ["GITHUB_TOKEN"]'),
    ("aws-example", lambda r: "aws_access_key_id = AKIAIOSFODNN7EXAMPLE"),
    ("stripe-test", lambda r: f'stripe.api_key = "sk_test_{rnd(r, 99)}"'),
    ("stripe-publishable", lambda r: f'const stripe = Stripe("pk_live_{rnd(r, 99)}");'),
    ("supabase-anon", lambda r: f'const anon = "{jwt(r, "anon")}";'),
    ("sha256", lambda r: f'checksum = "{rnd(r, 64, HEX)}"'),
    ("uuid", lambda r: f'MEMBER_ID = "{uuid(r)}"'),
    ("commit", lambda r: f"    rev: {rnd(r, 40, HEX)}  # v4.1.0"),
    (
        "sri",
        lambda r: '      "integrity": "sha512-' + base64.b64encode(r.randbytes(64)).decode() + '",',
    ),
    (
        "gosum",
        lambda r: (
            f"github.com/x/{rnd(r, 6).lower()} v1.2.3 h1:"
            + base64.b64encode(r.randbytes(32)).decode()
        ),
    ),
    (
        "image",
        lambda r: (
            '<img src="data:image/png;base64,' + base64.b64encode(r.randbytes(48)).decode() + '">'
        ),
    ),
    ("minified", lambda r: f"var a={rnd(r, 1)}.{rnd(r, 30)}(b,c),d=e.{rnd(r, 24)};"),
    ("local-db", lambda r: "DATABASE_URL=postgres://app:app@localhost:5432/app"),
    ("password-ref", lambda r: "password: ${{ secrets.DB_PASSWORD }}"),
    (
        "aws-secret-example",
        lambda r: "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    ),
    ("clerk-publishable", lambda r: f"NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY={clerk_publishable(r)}"),
    ("revenuecat-public", lambda r: f'Purchases.configure({{ apiKey: "appl_{rnd(r, 27)}" }});'),
    ("wrangler-action", lambda r: f"      - uses: cloudflare/wrangler-action@{rnd(r, 40, HEX)}"),
    ("expo-push-token", lambda r: f'const to = "ExponentPushToken[{rnd(r, 22)}]";'),
    ("onesignal-app-id", lambda r: f'ONESIGNAL_APP_ID = "{uuid(r)}"'),
    ("vercel-project-id", lambda r: f"VERCEL_PROJECT_ID=prj_{rnd(r, 28)}"),
    ("jwt-env", lambda r: "const token = jwt.sign(payload, process.env.JWT_SECRET);"),
]

FILLER = {
    "py": ["import os", "", "def handler(event):", "    return {'ok': True}", "# billing"],
    "js": ["import express from 'express';", "", "export function pay(req, res) {", "}"],
    "yml": ["services:", "  web:", "    image: app:latest", "    ports: ['8000:8000']"],
    "env": ["NODE_ENV=production", "PORT=8000", "LOG_LEVEL=info"],
    "md": ["# Setup", "", "Run `make dev` and open http://localhost:8000.", "- step"],
    "json": ["{", '  "name": "app",', '  "private": true,', "}"],
    "go.sum": ["golang.org/x/text v0.3.0/go.mod h1:NqM8EUOU14njkJ3fqMW+pc6Ldnwhi/IjpwHt7yyuwOQ="],
}
NAMES = {
    "py": "app/mod{}.py",
    "js": "web/src/mod{}.js",
    "yml": "deploy/svc{}.yml",
    "env": "services/s{}/.env.production",
    "md": "docs/page{}.md",
    "json": "config/c{}.json",
    "go.sum": "go{}/go.sum",
}


def generate(root: Path, files: int, seed: int) -> dict[str, dict[int, str]]:
    """Write the corpus; return {path: {line: label}} for planted and decoy lines."""
    r = random.Random(seed)
    if root.exists():
        shutil.rmtree(root)
    labels: dict[str, dict[int, str]] = {}
    kinds = list(NAMES)
    for i in range(files):
        kind = kinds[i % len(kinds)]
        rel = NAMES[kind].format(i)
        lines: list[str] = []
        marks: dict[int, str] = {}
        for _ in range(r.randint(20, 60)):
            lines.append(r.choice(FILLER[kind]))
            roll = r.random()
            if kind == "go.sum":
                if roll < 0.3:
                    lines.append(DECOYS[14][1](r))
                    marks[len(lines)] = "decoy:gosum"
                continue
            if roll < 0.06:
                name, make = r.choice(SECRETS)
                lines.append(make(r))
                marks[len(lines)] = f"secret:{name}"
            elif roll < 0.14:
                name, make = r.choice(DECOYS)
                lines.append(make(r))
                marks[len(lines)] = f"decoy:{name}"
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n")
        labels[rel] = marks
    return labels


def ours(root: Path) -> tuple[set[tuple[str, int]], float]:
    from launchready_ci.checks.secrets.check import scan_files
    from launchready_ci.checks.secrets.rules.test_or_public_key import TestOrPublicKey

    rels = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    start = time.perf_counter()
    found = {
        (rel, d.line)
        for rel, ds in scan_files(root, rels)
        for d in ds
        if d.rule is not TestOrPublicKey
    }
    return found, time.perf_counter() - start


def detect_secrets(root: Path) -> tuple[set[tuple[str, int]], float]:
    exe = Path(sys.executable).with_name("detect-secrets")
    start = time.perf_counter()
    proc = subprocess.run(
        [str(exe), "scan", "--all-files"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=900,
        check=True,
    )
    elapsed = time.perf_counter() - start
    results = json.loads(proc.stdout)["results"]
    found = {(f, s["line_number"]) for f, items in results.items() for s in items}
    return found, elapsed


def score(found: set[tuple[str, int]], labels: dict[str, dict[int, str]]) -> dict[str, object]:
    positives = {
        (f, n) for f, m in labels.items() for n, lab in m.items() if lab.startswith("secret:")
    }
    tp = len(found & positives)
    fp = len(found - positives)
    fn = len(positives - found)
    p = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * rec / (p + rec) if p + rec else 0.0
    missed: dict[str, int] = {}
    for f, n in positives - found:
        missed[labels[f][n]] = missed.get(labels[f][n], 0) + 1
    false: dict[str, int] = {}
    for f, n in found - positives:
        lab = labels.get(f, {}).get(n, "unlabeled")
        false[lab] = false.get(lab, 0) + 1
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": round(p, 4),
        "recall": round(rec, 4),
        "f1": round(f1, 4),
        "missed_by_label": dict(sorted(missed.items())),
        "false_positives_by_label": dict(sorted(false.items())),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=400)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the generated corpus")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "secrets_accuracy.json")
    args = parser.parse_args()
    root = HERE / ".work" / "secrets-corpus"
    labels = generate(root, args.files, args.seed)
    n_secrets = sum(lab.startswith("secret:") for m in labels.values() for lab in m.values())
    n_decoys = sum(lab.startswith("decoy:") for m in labels.values() for lab in m.values())
    result: dict[str, object] = {
        "files": args.files,
        "seed": args.seed,
        "planted_secrets": n_secrets,
        "decoys": n_decoys,
    }
    for name, scanner in (("launchready", ours), ("detect-secrets", detect_secrets)):
        found, seconds = scanner(root)
        result[name] = {**score(found, labels), "seconds": round(seconds, 3)}
    if not args.keep:  # planted secrets, even random ones, should not linger in a checkout
        shutil.rmtree(root)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
