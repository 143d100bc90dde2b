"""`launchready audit` and `launchready handover`: the ranking, partial configuration, the
dependency map, and the stale-document check, on repositories made in a temp dir."""

from __future__ import annotations

import json
from pathlib import Path

from launchready_ci.checks import load_all
from launchready_ci.config.model import Config
from launchready_ci.findings import Location, Severity
from launchready_ci.reports.audit import classify, dependency_map, rank
from launchready_ci.rules import REGISTRY
from tests.helpers import make_repo, run_cli

load_all()  # registers every rule

STRIPE = "sk_" + "live_" + "4eC39HqLyjWDarjtT1zdp7dcg0Ft"


def _finding(rule_id: str, severity: Severity, message: str = "x") -> object:
    rule = REGISTRY[rule_id]
    return rule.finding(message, Location(path="a.py", start_line=1), severity=severity)


def test_what_stops_sign_up_payment_email_and_deploys_comes_first() -> None:
    findings = [
        _finding("env/missing-owner", Severity.ERROR),
        _finding("domain/cache-static-short", Severity.ERROR),
        _finding("migrations/index-not-concurrent", Severity.ERROR),
        _finding("domain/spf-missing", Severity.ERROR),
        _finding("secrets/provider-credential", Severity.ERROR, "Stripe credential committed"),
        _finding("smoke/assertion-failed", Severity.ERROR, "sign-in › log in: status 500"),
        _finding("domain/dns-record-missing", Severity.WARNING),
    ]
    ranked = [(r.impact, r.finding.rule_id) for r in rank(findings)]  # type: ignore[arg-type]
    assert ranked == [
        ("sign-up", "smoke/assertion-failed"),
        ("payment", "secrets/provider-credential"),
        ("email", "domain/spf-missing"),
        ("deploy", "migrations/index-not-concurrent"),
        ("sign-up", "domain/dns-record-missing"),  # a warning: half the weight
        ("speed", "domain/cache-static-short"),
        ("handover", "env/missing-owner"),
    ]


def test_a_leaked_key_without_a_payment_name_is_a_breach() -> None:
    finding = _finding("secrets/private-key", Severity.ERROR, "RSA private key committed")
    assert classify(finding) == ("breach", "secrets")  # type: ignore[arg-type]


def test_the_actions_checkout_step_is_not_a_payment_page() -> None:
    """The demo's audit ranked zizmor's findings on `actions/checkout@v4` as "stops
    payment": the payment words matched the action's name."""
    step = "deploy.yml (deploy), job deploy, step 'actions/checkout@v4': zizmor artipacked"
    assert classify(_finding("workflows/zizmor", Severity.ERROR, step))[0] != "payment"  # type: ignore[arg-type]
    page = "Stripe Checkout session created with a hard-coded key"
    assert classify(_finding("secrets/provider-credential", Severity.ERROR, page))[0] == "payment"  # type: ignore[arg-type]
    cart = "CREATE INDEX on existing table checkout without CONCURRENTLY blocks every write"
    index = _finding("migrations/index-not-concurrent", Severity.ERROR, cart)
    assert classify(index)[0] == "payment"  # type: ignore[arg-type]


def test_partial_configuration_says_what_is_missing(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "repo",
        {"app/payments.py": f'STRIPE_KEY = "{STRIPE}"\n', "launchready.yml": "version: 1\n"},
    )
    done = run_cli(
        "audit", "--root", str(repo), "--offline", "-q", "--json", str(tmp_path / "a.json"),
        "--output", str(tmp_path / "AUDIT.md"),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads((tmp_path / "a.json").read_text())
    assert report["risks"][0]["rule_id"] == "secrets/provider-credential"
    assert report["risks"][0]["impact"] == "payment"
    areas = {a["area"]: a for a in report["areas"]}
    assert areas["secrets"]["score"] is not None and areas["secrets"]["score"] < 100
    for area in ("dns", "edge", "email"):
        assert areas[area]["score"] is None
        assert "domain: section" in areas[area]["basis"]
    assert [m.split(":")[0] for m in report["not_assessed"]] == [
        "Deploy", "DNS and routing", "Edge and caching", "Email",
    ]  # fmt: skip
    text = (tmp_path / "AUDIT.md").read_text()
    assert "## Dependency map" in text and "```mermaid" in text
    assert "domain: not in launchready.yml" in text
    assert STRIPE not in text and STRIPE not in json.dumps(report)


def test_the_dependency_map_names_the_services() -> None:
    config = Config(
        sections={
            "domain": {
                "apex": "club.example",
                "hosts": [{"name": "app", "cname": "cname.vercel-dns.com"}],
                "mail": [{"domain": "@", "senders": ["postmark"]}],
            },
            "smoke": {"base_url": "https://app.club.example", "journeys": []},
            "uptime": {"checks": [], "incidents": {"contact": "@club/oncall"}},
            "rollback": {"strategy": "command"},
        }
    )
    text = dependency_map(config)
    assert text.startswith("flowchart LR\n")
    for label in (
        '"club.example"', '"Vercel"', '"Email: postmark"', '"App: app.club.example"',
        '"Alerts: @club/oncall"', '"Rollback: command"',
    ):  # fmt: skip
        assert label in text
    assert "not in launchready.yml" not in text


def test_the_dependency_map_marks_the_hosts_with_findings() -> None:
    config = Config(
        sections={
            "domain": {"apex": "club.example", "hosts": [{"name": "app"}, {"name": "api"}]},
            "smoke": {"base_url": "https://app.club.example", "journeys": []},
        }
    )
    host = Location(target="api.club.example", target_kind="hostname")
    findings = [
        REGISTRY["domain/tls-expiry"].finding("expires in 3 days", host),
        REGISTRY["domain/hsts-weak"].finding("max-age too short", host),
        REGISTRY["smoke/assertion-failed"].finding("log in: 500", Location(target="/api/login")),
    ]
    text = dependency_map(config, findings)
    lines = text.splitlines()
    api = next(x for x in lines if '"api.club.example' in x)
    assert api.endswith('["api.club.example ⚠ 2 findings"]')
    node = api.split("[", 1)[0].strip()
    assert f"  style {node} stroke:#cf222e,stroke-width:3px" in lines
    assert '"App: app.club.example ⚠ 1 finding"' in text, "the smoke test's finding is the app's"
    assert not any('"club.example ⚠' in x for x in lines), "the apex has none"
    assert dependency_map(config).count("stroke:#cf222e") == 0


HANDOVER_CONFIG = """\
domain:
  apex: club.example
  hosts: [{name: app, cname: cname.vercel-dns.com}]
uptime:
  checks: [{name: homepage, url: /}]
  incidents: {contact: "@club/oncall"}
"""
INVENTORY = """\
version: 1
variables:
  DATABASE_URL: {purpose: the database, owner: "@club/backend", secret: true, stored_in: Fly secrets}
  SENTRY_DSN: {purpose: errors, secret: false}
"""


def test_handover_is_written_and_its_check_catches_a_stale_copy(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "repo",
        {"launchready.yml": HANDOVER_CONFIG, "env-inventory.yml": INVENTORY},
    )
    missing = run_cli("handover", "--root", str(repo), "--check")
    assert missing.returncode == 1 and "HANDOVER.md is missing" in missing.stderr
    done = run_cli("handover", "--root", str(repo))
    assert done.returncode == 0, done.stderr
    text = (repo / "HANDOVER.md").read_text()
    assert "| 🔒 `DATABASE_URL` | the database | Fly secrets | @club/backend |" in text
    assert "**Nobody owns:** `SENTRY_DSN`." in text
    assert "- Alerts go to: @club/oncall" in text
    assert run_cli("handover", "--root", str(repo), "--check").returncode == 0
    # Live facts below the marker may change without failing the check.
    (repo / "HANDOVER.md").write_text(text + "\n## Live\n\nAs of yesterday.\n")
    assert run_cli("handover", "--root", str(repo), "--check").returncode == 0
    # A new variable in the inventory makes the committed document stale.
    (repo / "env-inventory.yml").write_text(
        INVENTORY + '  STRIPE_SECRET_KEY: {purpose: payments, owner: "@club/web", secret: true}\n'
    )
    stale = run_cli("handover", "--root", str(repo), "--check")
    assert stale.returncode == 1
    assert "HANDOVER.md is stale" in stale.stderr
    assert "+| 🔒 `STRIPE_SECRET_KEY` | payments |" in stale.stderr


def test_the_audit_counts_a_stale_handover_against_the_handover_area(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "repo",
        {"launchready.yml": HANDOVER_CONFIG, "env-inventory.yml": INVENTORY},
    )
    run_cli("handover", "--root", str(repo))
    fresh = run_cli(
        "audit", "--root", str(repo), "--offline", "-q", "--json", str(tmp_path / "1.json")
    )
    assert fresh.returncode == 0, fresh.stderr
    (repo / "HANDOVER.md").write_text("# Handover\n\nout of date\n")
    run_cli("audit", "--root", str(repo), "--offline", "-q", "--json", str(tmp_path / "2.json"))

    def handover(path: Path) -> dict[str, object]:
        areas = json.loads(path.read_text())["areas"]
        return next(a for a in areas if a["area"] == "handover")

    assert "HANDOVER.md" not in str(handover(tmp_path / "1.json")["basis"])
    assert "an up-to-date HANDOVER.md" in str(handover(tmp_path / "2.json")["basis"])


def test_after_init_shipped_migrations_are_not_ranked_but_baselined_keys_are(
    tmp_path: Path,
) -> None:
    """Right after `launchready init` the audit ranked every migration that shipped years
    ago as a deploy risk (supabase/auth: 97 of 170). The baseline's migration findings are
    counted in one line; a committed key it accepted is still a risk; a new migration is."""
    from tests.helpers import git

    repo = make_repo(
        tmp_path / "repo",
        {
            "app/payments.py": f'STRIPE_KEY = "{STRIPE}"\n',
            "db/migrations/0001_users.sql": "CREATE TABLE users (id bigint, email text);\n",
            "db/migrations/0002_idx.sql": "CREATE INDEX users_email_idx ON users (email);\n",
        },
    )
    assert run_cli("init", "--root", str(repo)).returncode == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "launchready init")

    def ranked() -> tuple[list[str], str]:
        out = tmp_path / "a.json"
        done = run_cli("audit", "--root", str(repo), "--offline", "--json", str(out))
        assert done.returncode == 0, done.stdout + done.stderr
        return [r["rule_id"] for r in json.loads(out.read_text())["risks"]], done.stdout

    rules, text = ranked()
    assert "secrets/provider-credential" in rules
    assert not [r for r in rules if r.startswith("migrations/")], rules
    assert "Not ranked: 2 findings of migrations the baseline recorded" in text
    (repo / "db/migrations/0003_idx.sql").write_text("CREATE INDEX users_id_idx ON users (id);\n")
    rules, _ = ranked()
    assert "migrations/index-not-concurrent" in rules
