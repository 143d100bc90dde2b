"""Finding environment-variable references in a large monorepo: launchready against grep.

Generates a synthetic monorepo (seeded, so every run builds the same bytes): TypeScript,
JavaScript, Python, Go and Ruby packages under ``packages/``, ``apps/``, ``services/`` and
``libs/``, with docs, JSON, CSS, shell, SQL, Dockerfiles, compose files, workflows and
``.env.example`` templates, plus a gitignored ``node_modules`` tree full of reads that both
tools must skip. A fraction of the code files read variables in each language's idiom, and
a smaller fraction only *mention* them in comments and strings. The tree is a git repository
with one commit, as in a checkout on a runner.

Then it times, interleaved and after a warm-up:

- ``read_uses(root)`` in a fresh interpreter (so start-up and imports count), with git's
  file list (the default in a work tree) and with the plain directory walk (``GIT_DIR``
  pointed nowhere); the child also reports the in-process scan time;
- ``grep -rEn`` with one extended regex that covers the readers' idioms, over the same
  tree with ``--exclude-dir=node_modules --exclude-dir=.git``;
- ``git grep -En`` with the same regex, for reference (tracked files; it runs threads).

    python benchmarks/env_scan.py                      # 50,000 files, 3 runs after 1 warm-up
    python benchmarks/env_scan.py --files 10000,50000 --runs 5
    python benchmarks/env_scan.py --files 2000 --profile always

Stdlib only. Every child has a timeout, no new run starts after ``--budget`` seconds, and the
generated trees are deleted at the end (``--dir`` keeps them and reuses them next time).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import math
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from _timing import Sample, run_timed, summarize

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_OUT = HERE / "results" / "env_scan.json"
READERS_DIR = REPO / "launchready_ci" / "checks" / "env_inventory" / "readers"
MANIFEST = "env-scan-manifest.json"  # kept inside .git/, so that no tool reads it
GENERATOR_VERSION = 2

# One extended regex for grep and git grep, an alternative per idiom the readers know.
# grep matches lines wherever they are (comments, strings, docs); the readers parse.
GREP_PARTS: dict[str, str] = {
    "javascript": r"process\.env|import\.meta\.env|Bun\.env|Deno\.env\.(get|has)\(",
    "python": r"os\.environ|getenv\(",
    "go": r"os\.(Getenv|LookupEnv)\(|env:\"",
    "ruby": r"ENV(\[|\.(fetch|key\?|has_key\?|include\?|member\?))",
    "dockerfile": r"^[[:space:]]*(ENV|ARG)[[:space:]]",
    "compose": r"^[[:space:]]*-[[:space:]]*[A-Za-z_][A-Za-z0-9_]*=|:[[:space:]]*\$\{[A-Za-z_]",
    "workflow": r"\$\{\{[[:space:]]*(env|secrets|vars)\.",
    "dotenv": r"^[[:space:]]*(export[[:space:]]+)?[A-Za-z_][A-Za-z0-9_]*=",
}
GREP_PATTERN = "|".join(GREP_PARTS.values())
EXCLUDE_DIRS = ("node_modules", ".git")
OURS = "launchready (git ls-files)"
GREP = "grep -rEn (LC_ALL=C)"

# --------------------------------------------------------------------------- generation

NOUNS = (  # noqa: SIM905 (a word list reads better as one string)
    "user order invoice account session payload config client result item cache event "
    "handler request response token record queue batch price customer product cart payment "
    "refund report metric schedule job task message channel team member role policy plan "
    "subscription webhook upload image template locale region tenant project"
).split()
VERBS = (  # noqa: SIM905 (a word list reads better as one string)
    "get load fetch build parse render create update delete sync send validate format "
    "resolve compute merge apply handle check list find"
).split()
FILLER = "the a of for with when if we this that is to from and not yet only once".split()  # noqa: SIM905
ENV_STEMS = (  # noqa: SIM905 (a word list reads better as one string)
    "DATABASE_URL REDIS_URL API_KEY API_URL SENTRY_DSN STRIPE_SECRET_KEY LOG_LEVEL PORT HOST "
    "JWT_SECRET S3_BUCKET AWS_REGION SMTP_HOST SMTP_PASSWORD FEATURE_FLAGS CACHE_TTL "
    "TIMEOUT_MS WORKER_COUNT OTEL_EXPORTER_OTLP_ENDPOINT SESSION_SECRET WEBHOOK_SECRET "
    "PUBLIC_URL CDN_URL SEARCH_URL QUEUE_URL ADMIN_EMAIL RATE_LIMIT MAX_UPLOAD_MB"
).split()
ENV_PREFIXES = ("", "", "", "BILLING_", "AUTH_", "SEARCH_", "NOTIFY_", "PAYMENTS_", "VITE_")
ENV_NAMES = [p + s for p in dict.fromkeys(ENV_PREFIXES) for s in ENV_STEMS]
ENV_WEIGHTS = [1 / (i + 1) for i in range(len(ENV_NAMES))]  # a few names are everywhere
VALUES = ("info", "https://api.example.test", "3000", "redis://localhost:6379/0", "eu-west-1")

# Share of files by kind (percent). Each code kind is (language, suffix).
MIX: dict[str, float] = {
    ".ts": 16, ".tsx": 8, ".js": 9, ".mjs": 1, ".jsx": 1,  # 35 % JS/TS
    ".py": 25, ".go": 10, ".rb": 5,
    ".md": 4, ".json": 4, ".css": 2,
    "Dockerfile": 1, "compose": 0.5, "workflow": 0.2, ".env.example": 0.5,
    ".sh": 2.5, ".html": 2.5, ".sql": 2.5, ".txt": 2.3, ".svg": 3,
}  # fmt: skip
LANGUAGE = {
    ".ts": "javascript", ".tsx": "javascript", ".js": "javascript", ".mjs": "javascript",
    ".jsx": "javascript", ".py": "python", ".go": "go", ".rb": "ruby",
}  # fmt: skip
GROUPS = ("packages", "apps", "services", "libs")

# Templates: %x% %y% %z% identifiers, %v% verb, %k% key, %C% Capitalized, %n% number,
# %s% sentence, %N% %M% variable names, %V% a value. A token repeated in one template
# stands for the same word. Each read/decoy template says how many names it reads/mentions.
Template = tuple[str, int, int]  # text, reads, mentions (comment/string only)

PY_STMTS = (
    '%x% = %y%.get("%k%", %n%)',
    "if %x% is None:\n    %x% = %n%",
    "%x% = [%z% for %z% in %y% if %z%]",
    'logger.info("%s%: %s", %x%)',
    "# %s%",
    '%x% = {"%k%": %y%, "id": %n%}',
    "for %z% in %y%:\n    %x%.append(%z%)",
    '%x% = f"{%y%}/%k%/{%z%}"',
    "try:\n    %x% = int(%y%)\nexcept ValueError:\n    %x% = 0",
    'with open(%y%, encoding="utf-8") as fh:\n    %x% = fh.read()',
    "%x% = sorted(%y%, key=lambda r: r.%k%)",
    'assert %x% is not None, "%s%"',
    "%x% = %y% * %n% + len(%z%)",
)
PY_READS: tuple[Template, ...] = (
    ('%x% = os.environ["%N%"]', 1, 0),
    ('%x% = os.environ.get("%N%", "%V%")', 1, 0),
    ('%x% = os.getenv("%N%")', 1, 0),
    ('%x% = int(os.getenv("%N%", "%n%"))', 1, 0),
    ('if "%N%" in os.environ:\n    %x% = True', 1, 0),
)
PY_DECOYS: tuple[Template, ...] = (
    ('# %x% used to come from os.environ["%N%"]', 0, 1),
    ("%x% = \"export %N%, then read it with os.getenv('%N%')\"", 0, 1),
)
PY_HEADER = (
    '"""%s%."""\n\nfrom __future__ import annotations\n\nimport logging\nimport os\n'
    "from pathlib import Path\n\nlogger = logging.getLogger(__name__)\n"
)
PY_OPEN = 'def %v%_%x%(%y%, %z%=None):\n    """%s%."""'

JS_STMTS = (
    "const %x% = await fetch(`${baseUrl}/%k%/${%y%}`);",
    "const %x% = %y%.map((%z%) => %z%.%k%);",
    "if (!%x%) {\n  return null;\n}",
    "// %s%",
    "const %x% = { %k%: %y%, id: %n% };",
    "for (const %z% of %y%) {\n  %x%.push(%z%);\n}",
    "const %x% = /^[a-z0-9-]+$/i.test(%y%);",
    'logger.info("%s%", { %k%: %x% });',
    "/* %s% */",
    "const %x% = `%k%-${%y%.length}`;",
    "try {\n  %x% = JSON.parse(%y%);\n} catch (err) {\n  %x% = undefined;\n}",
    "const %x% = %y% / %n% + %z%.length;",
)
JS_READS: tuple[Template, ...] = (
    ("const %x% = process.env.%N%;", 1, 0),
    ('const %x% = process.env.%N% ?? "%V%";', 1, 0),
    ('const %x% = Number(process.env["%N%"] || %n%);', 1, 0),
    ("const { %N%, %M% } = process.env;", 2, 0),
    ("const %x% = import.meta.env.%N%;", 1, 0),
    ('if (!process.env.%N%) {\n  throw new Error("missing %k%");\n}', 1, 0),
)
JS_DECOYS: tuple[Template, ...] = (
    ("// TODO: drop process.env.%N% after the %k% migration", 0, 1),
    ('logger.warn("set process.env.%N% to enable %k%");', 0, 1),
)
JS_HEADER = 'import { %y%, %z% } from "./%k%";\nimport { logger } from "../logger";\n'
TSX_HEADER = 'import React, { useMemo } from "react";\nimport { List } from "./%k%";\n'
TS_OPEN = "export async function %v%%C%(%y%: string, %z%?: number): Promise<unknown> {"
JS_OPEN = "export async function %v%%C%(%y%, %z%) {"
TSX_COMPONENT = (
    "export function %C%Panel({ %y%, %z% }: Props) {\n"
    "  const %x% = useMemo(() => %y%.filter(Boolean), [%y%]);\n"
    "  return (\n"
    '    <section className="%k%-panel">\n'
    "      <h2>%s%</h2>\n"
    "      <List items={%x%} onSelect={%z%} />\n"
    "    </section>\n"
    "  );\n"
    "}"
)

GO_STMTS = (
    "%x% := strings.TrimSpace(%y%)",
    'if %x% == "" {\n\treturn "", fmt.Errorf("%s%")\n}',
    "// %s%",
    "for _, %z% := range %y% {\n\t%x% = append(%x%, %z%)\n}",
    '%x% := fmt.Sprintf("%k%-%d", %n%)',
    "%x% := len(%y%) * %n%",
)
GO_READS: tuple[Template, ...] = (
    ('%x% := os.Getenv("%N%")', 1, 0),
    ('%x%, ok := os.LookupEnv("%N%")\nif !ok {\n\t%x% = "%V%"\n}', 1, 0),
)
GO_DECOYS: tuple[Template, ...] = (('// the caller sets os.Getenv("%N%") first', 0, 1),)
GO_HEADER = 'package %k%\n\nimport (\n\t"fmt"\n\t"os"\n\t"strings"\n)\n'
GO_OPEN = "func %C%(%y% string, %z% []string) (string, error) {"

RB_STMTS = (
    "%x% = %y%.fetch(:%k%, %n%)",
    "return if %x%.nil?",
    "# %s%",
    "%x% = %y%.map { |%z%| %z%.%k% }",
    '%x% = "#{%y%}/%k%"',
    'Rails.logger.info("%s%")',
)
RB_READS: tuple[Template, ...] = (
    ('%x% = ENV["%N%"]', 1, 0),
    ('%x% = ENV.fetch("%N%")', 1, 0),
    ('%x% = ENV.fetch("%N%", "%V%")', 1, 0),
)
RB_DECOYS: tuple[Template, ...] = (('# ENV["%N%"] moved to credentials.yml', 0, 1),)


@dataclass
class Tally:
    """What the generator planted: reads and comment/string mentions, by language."""

    reads: Counter[str] = field(default_factory=Counter)
    mentions: Counter[str] = field(default_factory=Counter)
    files: Counter[str] = field(default_factory=Counter)
    bytes: Counter[str] = field(default_factory=Counter)


class Writer:
    """Fills templates and assembles files; all randomness comes from one seeded Random."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.tally = Tally()
        self._token = re.compile(r"%([A-Za-z])%")
        self._pools: dict[str, list[str]] = {}

    # words ----------------------------------------------------------------------------
    def word(self, kind: str, snake: bool) -> str:
        r = self.rng
        if kind in "xyz":
            a, b = r.choice(NOUNS), r.choice(NOUNS)
            return f"{a}_{b}" if snake else a + b.capitalize()
        if kind == "v":
            return r.choice(VERBS)
        if kind == "k":
            return r.choice(NOUNS)
        if kind == "C":
            return r.choice(NOUNS).capitalize() + r.choice(NOUNS).capitalize()
        if kind == "n":
            return str(r.randint(1, 5000))
        if kind == "s":
            words = r.choices(NOUNS + VERBS + FILLER * 3, k=r.randint(5, 12))
            return " ".join(words).capitalize()
        if kind in "NM":
            return r.choices(ENV_NAMES, ENV_WEIGHTS)[0]
        if kind == "V":
            return r.choice(VALUES)
        raise ValueError(kind)

    def fill(self, template: str, snake: bool = True) -> str:
        chosen: dict[str, str] = {}

        def sub(m: re.Match[str]) -> str:
            key = m.group(1)
            if key not in chosen:
                chosen[key] = self.word(key, snake)
                if key == "M":  # two names in one destructuring: keep them apart
                    while chosen[key] == chosen.get("N"):
                        chosen[key] = self.word(key, snake)
            return chosen[key]

        return self._token.sub(sub, template)

    # code blocks ----------------------------------------------------------------------
    def _block(self, lang: str, suffix: str, extra: list[str]) -> str:
        """One function (or component) with random statements and ``extra`` among them."""
        r = self.rng
        snake = lang in ("python", "ruby")
        stmts_t = {"python": PY_STMTS, "javascript": JS_STMTS, "go": GO_STMTS}.get(lang, RB_STMTS)
        if suffix in (".tsx", ".jsx") and not extra and r.random() < 0.5:
            return self.fill(TSX_COMPONENT, snake=False)
        body = [self.fill(r.choice(stmts_t), snake) for _ in range(r.randint(3, 12))]
        for e in extra:
            body.insert(r.randint(0, len(body)), e)
        if lang == "python":
            opener, ind, close = self.fill(PY_OPEN), "    ", "    return %x%"
        elif lang == "javascript":
            opener = self.fill(TS_OPEN if suffix in (".ts", ".tsx") else JS_OPEN, snake=False)
            ind, close = "  ", "  return %x%;\n}"
        elif lang == "go":
            opener, ind, close = self.fill(GO_OPEN, snake=False), "\t", '\treturn %x%, ""\n}'
        else:
            opener, ind, close = self.fill("  def %v%_%x%(%y%)"), "    ", "    %x%\n  end"
        lines = [opener]
        for stmt in body:
            lines.extend(ind + line for line in stmt.split("\n"))
        lines.append(self.fill(close, snake))
        return "\n".join(lines)

    def _pool(self, lang: str, suffix: str) -> list[str]:
        """Blocks without reads, made once and reused: filling templates is the slow part."""
        key = f"{lang}{suffix}"
        if key not in self._pools:
            self._pools[key] = [self._block(lang, suffix, []) for _ in range(600)]
        return self._pools[key]

    def code(self, lang: str, suffix: str, size: int, reads: int, mentions: int) -> str:
        r = self.rng
        snake = lang in ("python", "ruby")
        read_t, decoy_t = {
            "python": (PY_READS, PY_DECOYS),
            "javascript": (JS_READS, JS_DECOYS),
            "go": (GO_READS, GO_DECOYS),
            "ruby": (RB_READS, RB_DECOYS),
        }[lang]
        special: list[str] = []
        planted = 0
        while planted < reads:
            text, n, _ = r.choice(read_t)
            special.append(self.fill(text, snake))
            planted += n
        for _ in range(mentions):
            text, _, _ = r.choice(decoy_t)
            special.append(self.fill(text, snake))
        self.tally.reads[lang] += planted
        self.tally.mentions[lang] += mentions
        header = {
            "python": PY_HEADER,
            "go": GO_HEADER,
            "ruby": "# frozen_string_literal: true\n\nclass %C%Service",
        }.get(lang, TSX_HEADER if suffix in (".tsx", ".jsx") else JS_HEADER)
        parts = [self.fill(header, snake)]
        total = len(parts[0])
        pool = self._pool(lang, suffix)
        while total < size or special:
            if special and (total >= size or r.random() < 0.3):
                take = [special.pop() for _ in range(min(len(special), r.randint(1, 2)))]
                block = self._block(lang, suffix, take)
            else:
                block = r.choice(pool)
            parts.append(block)
            total += len(block) + 2
        if lang == "ruby":
            parts.append("end")
        sep = "\n\n\n" if lang == "python" else "\n\n"
        return sep.join(parts) + "\n"

    # other kinds ------------------------------------------------------------------------
    def lines_until(self, size: int, make: Callable[[], str], head: str = "") -> str:
        out, total = [head] if head else [], len(head)
        while total < size:
            chunk = make()
            out.append(chunk)
            total += len(chunk) + 1
        return "\n".join(out) + "\n"

    def markdown(self, size: int) -> str:
        r = self.rng

        def chunk() -> str:
            roll = r.random()
            if roll < 0.15:
                return "## " + self.fill("%s%")
            if roll < 0.2:  # docs show how to set things: grep finds these, we do not read .md
                self.tally.mentions["markdown"] += 1
                return self.fill("```sh\nexport %N%=%V%\n```\n\nThe app reads `process.env.%N%`.")
            return " ".join(self.fill("%s%.") for _ in range(r.randint(2, 6)))

        return self.lines_until(size, chunk, self.fill("# %C%\n"))

    def json_doc(self, size: int) -> str:
        r = self.rng
        rows = []
        total = 0
        while total < size:
            row = json.dumps(
                {"id": r.randint(1, 10**6), "name": self.fill("%x%"), "tags": r.sample(NOUNS, 3)}
            )
            rows.append("  " + row)
            total += len(row) + 4
        return "[\n" + ",\n".join(rows) + "\n]\n"

    def css(self, size: int) -> str:
        return self.lines_until(
            size, lambda: self.fill(".%k%-%x% {\n  display: flex;\n  margin: %n%px;\n}\n")
        )

    def shell(self, size: int) -> str:
        r = self.rng

        def chunk() -> str:
            if r.random() < 0.15:
                self.tally.reads["shell"] += 1
                return self.fill('export %N%="${%N%:-%V%}"')
            return self.fill(r.choice(('echo "%s%"', '%k%_dir="$(pwd)/%k%"', "cd %k% && make")))

        return self.lines_until(size, chunk, "#!/usr/bin/env bash\nset -euo pipefail\n")

    def simple(self, size: int, template: str, head: str = "") -> str:
        return self.lines_until(size, lambda: self.fill(template), head)

    def dockerfile(self) -> str:
        r = self.rng
        lines = ["FROM node:20-alpine AS build", "WORKDIR /app"]
        for _ in range(r.randint(1, 3)):
            lines.append(self.fill("ARG %N%"))
        lines += ["COPY package.json ./", "RUN npm ci", "COPY . .", "RUN npm run build", ""]
        lines += ["FROM node:20-alpine", "WORKDIR /app"]
        envs = r.randint(1, 4)
        lines.append("ENV " + " ".join(self.fill("%N%=%V%") for _ in range(envs)))
        lines += ["COPY --from=build /app/dist ./dist", 'CMD ["node", "dist/main.js"]']
        self.tally.reads["dockerfile"] += len([x for x in lines if x.startswith("ARG")]) + envs
        return "\n".join(lines) + "\n"

    def compose(self) -> str:
        r = self.rng
        out = ["services:"]
        for _ in range(r.randint(1, 4)):
            out += [self.fill("  %k%:"), self.fill("    image: %k%:latest"), "    environment:"]
            n = r.randint(1, 5)
            if r.random() < 0.5:
                out += [self.fill("      - %N%=%V%") for _ in range(n)]
            else:
                out += [self.fill("      %N%: ${%N%}") for _ in range(n)]
            self.tally.reads["compose"] += n
        return "\n".join(out) + "\n"

    def workflow(self) -> str:
        r = self.rng
        out = [self.fill("name: %k%"), "on: [push]", "permissions: {}", "jobs:", "  test:"]
        out += ["    runs-on: ubuntu-latest", "    env:"]
        n = r.randint(1, 4)
        out += [self.fill("      %N%: ${{ secrets.%N% }}") for _ in range(n)]
        out += ["    steps:", "      - run: npm ci", "      - run: npm test", "        env:"]
        m = r.randint(1, 3)
        out += [self.fill("          %N%: ${{ vars.%N% }}") for _ in range(m)]
        self.tally.reads["workflow"] += n + m
        return "\n".join(out) + "\n"

    def dotenv(self) -> str:
        r = self.rng
        n = r.randint(3, 25)
        self.tally.reads["dotenv"] += n
        return "\n".join(self.fill("# %s%\n%N%=%V%") for _ in range(n)) + "\n"


def size_for(rng: random.Random, kind: str) -> int:
    """Mostly 1-8 KB (log-uniform), 4 % 8-64 KB, 0.3 % 64-384 KB; docs a little smaller."""
    lo, hi = (300, 8192) if kind in (".md", ".json", ".txt", ".svg", ".css") else (1024, 8192)
    roll = rng.random()
    if roll < 0.003:
        lo, hi = 65536, 393216
    elif roll < 0.043:
        lo, hi = 8192, 65536
    return int(math.exp(rng.uniform(math.log(lo), math.log(hi))))


def allocate(total: int) -> list[str]:
    """Exactly ``total`` kinds in the proportions of MIX (largest remainder)."""
    weight = sum(MIX.values())
    exact = {k: total * v / weight for k, v in MIX.items()}
    counts = {k: int(v) for k, v in exact.items()}
    for k in sorted(exact, key=lambda k: exact[k] - counts[k], reverse=True)[
        : total - sum(counts.values())
    ]:
        counts[k] += 1
    return [k for k, n in counts.items() for _ in range(n)]


@dataclass
class Package:
    root: str
    lang: str
    dirs: list[str]  # every directory
    code_dirs: list[str]  # the source tree and tests


def layout(rng: random.Random, files: int) -> list[Package]:
    """Packages of one main language each, with nested source directories."""
    langs = ["javascript", "python", "go", "ruby"]
    shares = [35, 25, 10, 5]
    packages: list[Package] = []
    names: set[str] = set()
    for _ in range(max(8, files // 250)):
        name = f"{rng.choice(NOUNS)}-{rng.choice(NOUNS)}"
        while name in names:
            name = f"{rng.choice(NOUNS)}-{rng.choice(NOUNS)}-{len(names)}"
        names.add(name)
        root = f"{rng.choice(GROUPS)}/{name}"
        lang = rng.choices(langs, shares)[0]
        src = {"python": f"src/{name.replace('-', '_')}", "go": "internal", "ruby": "lib"}.get(
            lang, "src"
        )
        dirs = [src, "tests", "docs", "scripts"]
        for _ in range(max(4, files // len(names) // 1000 + rng.randint(4, 16))):
            parent = rng.choice(dirs[:1] + [d for d in dirs if d.startswith(src)])
            if parent.count("/") < 5:
                dirs.append(f"{parent}/{rng.choice(NOUNS)}")
        dirs = sorted(set(dirs))
        code = [d for d in dirs if d.startswith(src) or d == "tests"]
        packages.append(Package(root, lang, dirs, code))
    return packages


def generate(root: Path, files: int, seed: int, env_fraction: float, node_modules: int) -> dict:
    """Write the tree under ``root`` (which must be empty) and commit it; return a manifest."""
    rng = random.Random(f"{seed}:{files}")
    w = Writer(rng)
    packages = layout(rng, files)
    by_lang: dict[str, list[Package]] = {}
    for p in packages:
        by_lang.setdefault(p.lang, []).append(p)
    kinds = allocate(files)
    rng.shuffle(kinds)
    used: set[str] = set()

    def unique(path: str) -> str:
        """``path``, or on a clash the same name one directory down: a renamed
        ``Dockerfile`` or ``.env.example`` would no longer be one."""
        directory, _, name = path.rpartition("/")
        i = 1
        while path in used:
            path = f"{directory}/{rng.choice(NOUNS)}-{i}/{name}"
            i += 1
        used.add(path)
        return path

    def put(path: str, text: str, kind: str) -> None:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        target.write_bytes(data)
        w.tally.files[kind] += 1
        w.tally.bytes[kind] += len(data)

    for i, kind in enumerate(kinds):
        if kind == "workflow":
            put(unique(f".github/workflows/{rng.choice(NOUNS)}-{i}.yml"), w.workflow(), kind)
            continue
        lang = LANGUAGE.get(kind)
        pkg = rng.choice(by_lang.get(lang, packages)) if lang else rng.choice(packages)
        if lang is not None:
            reads = rng.choice((1, 1, 1, 2, 2, 3, 4)) if rng.random() < env_fraction else 0
            mentions = 1 if rng.random() < env_fraction / 3 else 0
            directory = rng.choice(pkg.code_dirs)
            if kind in (".tsx", ".jsx", ".go"):
                name = w.fill("%C%") if kind != ".go" else w.fill("%x%").lower()
            else:
                name = w.fill("%x%" if kind in (".py", ".rb") else "%k%-%k%")
            text = w.code(lang, kind, size_for(rng, kind), reads, mentions)
            put(unique(f"{pkg.root}/{directory}/{name}{kind}"), text, lang)
            continue
        where = rng.choice(("", "deploy", "config")) if kind != ".md" else rng.choice(("", "docs"))
        base = f"{pkg.root}/{where}".rstrip("/")
        size = size_for(rng, kind)
        if kind == "Dockerfile":
            name = rng.choice(("Dockerfile", "Dockerfile.dev", w.fill("%k%.Dockerfile")))
            put(unique(f"{base}/{name}"), w.dockerfile(), kind)
        elif kind == "compose":
            name = rng.choice(("docker-compose.yml", "compose.yaml", "docker-compose.dev.yml"))
            put(unique(f"{base}/{name}"), w.compose(), kind)
        elif kind == ".env.example":
            name = rng.choice((".env.example", ".env.example", ".env.sample", "local.env.example"))
            put(unique(f"{base}/{name}"), w.dotenv(), kind)
        elif kind == ".md":
            put(unique(f"{base}/{w.fill('%k%').upper()}.md"), w.markdown(size), kind)
        elif kind == ".json":
            put(unique(f"{pkg.root}/{rng.choice(pkg.dirs)}/{w.fill('%x%')}.json"),
                w.json_doc(size), kind)  # fmt: skip
        elif kind == ".css":
            put(unique(f"{pkg.root}/{rng.choice(pkg.dirs)}/{w.fill('%k%')}.css"), w.css(size), kind)
        elif kind == ".sh":
            put(unique(f"{pkg.root}/scripts/{w.fill('%v%-%k%')}.sh"), w.shell(size), kind)
        else:
            template = {
                ".html": '<div class="%k%-%x%"><p>%s%</p></div>',
                ".sql": "SELECT id, %k% FROM %k%s WHERE id = %n%;",
                ".txt": "%s%.",
                ".svg": '<path d="M%n% %n%L%n% %n%" stroke="#%n%"/>',
            }[kind]
            head = '<svg xmlns="http://www.w3.org/2000/svg">' if kind == ".svg" else ""
            directory = rng.choice(pkg.dirs)
            put(unique(f"{pkg.root}/{directory}/{w.fill('%x%')}{kind}"),
                w.simple(size, template, head), kind)  # fmt: skip

    # Dependencies: gitignored, full of reads, never to be scanned.
    truth = Tally(Counter(w.tally.reads), Counter(w.tally.mentions))
    w.tally.reads.clear()
    w.tally.mentions.clear()
    homes = ["", *(p.root + "/" for p in rng.sample(packages, min(5, len(packages))))]
    for i in range(node_modules):
        dep = f"{rng.choice(homes)}node_modules/{rng.choice(NOUNS)}-{rng.choice(VERBS)}"
        reads = rng.randint(1, 3) if rng.random() < 0.3 else 0
        text = w.code("javascript", ".js", size_for(rng, ".js"), reads, 0)
        sub = rng.choice(("", "lib/", "dist/", "dist/esm/"))
        put(unique(f"{dep}/{sub}{w.fill('%k%')}-{i}.js"), text, "node_modules")
    (root / ".gitignore").write_text("node_modules/\n", encoding="utf-8")

    git = ["git", "-C", str(root), "-c", "user.name=bench", "-c", "user.email=bench@invalid"]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True, timeout=60)
    subprocess.run([*git, "add", "-A"], check=True, timeout=1800)
    subprocess.run([*git, "commit", "-q", "-m", "synthetic monorepo"], check=True, timeout=1800)
    tally = w.tally
    return {
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "files": files,
        "env_fraction": env_fraction,
        "node_modules_files": node_modules,
        "packages": len(packages),
        "files_by_kind": dict(sorted(tally.files.items())),
        "bytes_by_kind": dict(sorted(tally.bytes.items())),
        "tracked_bytes": sum(v for k, v in tally.bytes.items() if k != "node_modules"),
        "planted_reads": dict(sorted(truth.reads.items())),
        "planted_mentions": dict(sorted(truth.mentions.items())),
        "node_modules_reads": sum(tally.reads.values()),
    }


def prepare(args: argparse.Namespace, files: int, scratch: Path) -> tuple[Path, dict]:
    """A tree for ``files`` files: reused from ``--dir`` when its manifest matches."""
    root = scratch / f"monorepo-{files}"
    want = {
        "generator_version": GENERATOR_VERSION,
        "seed": args.seed,
        "files": files,
        "env_fraction": args.env_fraction,
        "node_modules_files": node_modules_count(args, files),
    }
    manifest_path = root / ".git" / MANIFEST
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if all(manifest.get(k) == v for k, v in want.items()):
            print(f"reusing {root}")
            return root, manifest
        shutil.rmtree(root)
    elif root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    print(f"generating {files} files in {root} ...", flush=True)
    started = time.perf_counter()
    manifest = generate(root, files, args.seed, args.env_fraction, want["node_modules_files"])
    manifest["generate_s"] = time.perf_counter() - started
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(f"  done in {manifest['generate_s']:.1f} s", flush=True)
    return root, manifest


def node_modules_count(args: argparse.Namespace, files: int) -> int:
    return files // 10 if args.node_modules is None else args.node_modules


# --------------------------------------------------------------------------- measurement

# Run in a fresh interpreter: wall time includes start-up and imports, as in a CI step.
SCAN_CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
from collections import Counter
from pathlib import Path
from launchready_ci.checks.env_inventory.readers import read_uses
t1 = time.perf_counter()
uses = list(read_uses(Path(sys.argv[1])))
t2 = time.perf_counter()
json.dump({
    "import_s": t1 - t0,
    "scan_s": t2 - t1,
    "uses": len(uses),
    "files_with_uses": len({u.path for u in uses}),
    "distinct_names": len({u.name for u in uses}),
    "by_kind": dict(Counter(u.kind for u in uses)),
    "per_path": dict(Counter(u.path for u in uses)),
}, sys.stdout)
"""

PROFILE_CHILD = r"""
import cProfile, json, pstats, sys, time
from pathlib import Path
from launchready_ci.checks.env_inventory.readers import read_uses
prof = cProfile.Profile()
t0 = time.perf_counter()
prof.enable()
n = sum(1 for _ in read_uses(Path(sys.argv[1])))
prof.disable()
total = time.perf_counter() - t0
rows = [
    {"function": f, "file": p, "line": ln, "calls": nc, "tottime_s": tt, "cumtime_s": ct}
    for (p, ln, f), (cc, nc, tt, ct, _) in pstats.Stats(prof).stats.items()
]
json.dump({"uses": n, "profiled_s": total, "rows": rows}, sys.stdout)
"""


@dataclass
class Tool:
    name: str
    argv: list[str]
    env: dict[str, str]
    parse: Callable[[bytes], dict[str, object]]
    ok_codes: tuple[int, ...] = (0,)
    samples: list[Sample] = field(default_factory=list)


def classify(path: str) -> str:
    """The generator's kind of a path: the language a planted read was written in."""
    name = path.rpartition("/")[2]
    if "node_modules/" in path:
        return "node_modules"
    if path.startswith((".github/workflows/", "./.github/workflows/")):
        return "workflow"
    if name.startswith(("docker-compose", "compose.")):
        return "compose"
    if "Dockerfile" in name:
        return "dockerfile"
    if name in (".env.example", ".env.sample") or name.endswith(".env.example"):
        return "dotenv"
    suffix = name[name.rfind(".") :] if "." in name else name
    return LANGUAGE.get(suffix) or {".sh": "shell", ".md": "markdown"}.get(suffix, "other")


def grep_counts(out: bytes) -> dict[str, object]:
    paths = [line.split(b":", 1)[0].decode("utf-8", "replace") for line in out.splitlines()]
    return {
        "matching_lines": len(paths),
        "files_with_matches": len(set(paths)),
        "lines_by_kind": dict(Counter(classify(p) for p in paths).most_common()),
    }


def scan_counts(out: bytes) -> dict[str, object]:
    try:
        data: dict[str, object] = json.loads(out)
    except ValueError:
        return {"error": out[-500:].decode("utf-8", "replace")}
    per_path = data.pop("per_path", {})
    assert isinstance(per_path, dict)
    by_kind: Counter[str] = Counter()
    for path, n in per_path.items():
        by_kind[classify(path)] += n
    data["uses_by_file_kind"] = dict(by_kind.most_common())
    return data


def tools_for(root: Path, python: str, with_walk: bool, with_git_grep: bool) -> list[Tool]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed tool has its .pyc files
    walk_env = {**env, "GIT_DIR": str(root / "no-such-git-dir")}  # git fails -> os.walk
    # GNU grep is ~10x slower on this pattern in a UTF-8 locale (the line-anchored
    # alternatives leave its fast DFA path), so it runs in both: C is the fairest baseline,
    # C.UTF-8 is what a runner's shell gives you.
    c_env = {**env, "LC_ALL": "C"}
    utf8_env = {**env, "LC_ALL": "C.UTF-8"}
    excludes = [f"--exclude-dir={d}" for d in EXCLUDE_DIRS]
    scan = [python, "-c", SCAN_CHILD, str(root)]
    tools = [Tool(OURS, scan, env, scan_counts)]
    if with_walk:
        tools.append(Tool("launchready (os.walk)", scan, walk_env, scan_counts))
    grep = ["grep", "-rEn", *excludes, "-e", GREP_PATTERN, "."]
    tools.append(Tool(GREP, grep, c_env, grep_counts, (0, 1)))
    tools.append(Tool("grep -rEn (LC_ALL=C.UTF-8)", grep, utf8_env, grep_counts, (0, 1)))
    if with_git_grep:
        argv = ["git", "--no-pager", "grep", "-En", "-e", GREP_PATTERN]
        tools.append(Tool("git grep -En (LC_ALL=C)", argv, c_env, grep_counts, (0, 1)))
    return tools


def profile(root: Path, python: str, timeout: float, top: int) -> dict[str, object]:
    """cProfile of one in-process scan: where the time goes, by function."""
    sample = run_timed(
        [python, "-c", PROFILE_CHILD, str(root)], cwd=root, env=os.environ, timeout=timeout
    )
    if sample.returncode != 0:
        return {"error": sample.stderr or f"exit {sample.returncode}"}
    data = json.loads(sample.stdout)
    rows = data.pop("rows")

    def short(row: dict) -> dict:
        """Paths from the repository or the standard library, without the machine's prefix."""
        path = str(row["file"])
        if "launchready_ci/" in path:
            path = "launchready_ci/" + path.split("launchready_ci/", 1)[1]
        elif re.search(r"/lib/python3\.\d+/", path):
            path = re.split(r"/lib/python3\.\d+/", path, maxsplit=1)[1]
        return {**row, "file": path}

    by_tottime = sorted(rows, key=lambda r: r["tottime_s"], reverse=True)[:top]
    by_cumtime = sorted(rows, key=lambda r: r["cumtime_s"], reverse=True)[:top]
    return {
        **data,
        "note": "cProfile slows pure-Python code down, so shares matter more than seconds",
        "top_tottime": [short(r) for r in by_tottime],
        "top_cumtime": [short(r) for r in by_cumtime],
    }


def bench_one(
    args: argparse.Namespace, files: int, scratch: Path, python: str, deadline: float
) -> dict[str, object]:
    root, manifest = prepare(args, files, scratch)
    digest_before = sources_digest()
    cpu_before = cpu_reference(python)
    tools = tools_for(root, python, not args.no_walk, not args.no_git_grep)
    for _ in range(args.warmup):  # also fills the page cache for every tool alike
        for tool in tools:
            run_timed(tool.argv, cwd=root, env=tool.env, timeout=args.timeout)
    for run in range(args.runs):
        if run and time.monotonic() > deadline:
            print(f"  budget spent: stopping after {run} runs")
            break
        for tool in tools:  # interleaved, so that drift hits every tool alike
            sample = run_timed(tool.argv, cwd=root, env=tool.env, timeout=args.timeout)
            tool.samples.append(sample)
            state = "killed" if sample.returncode is None else f"exit {sample.returncode}"
            print(f"  run {run + 1}: {tool.name:<28}{sample.seconds:8.2f} s  {state}", flush=True)

    results: dict[str, dict[str, object]] = {}
    for tool in tools:
        good = [s for s in tool.samples if s.returncode in tool.ok_codes]
        last = good[-1] if good else None
        entry: dict[str, object] = {
            "argv": [a if a != SCAN_CHILD else "<SCAN_CHILD>" for a in tool.argv],
            "env_override": {k: tool.env[k] for k in ("GIT_DIR", "LC_ALL") if k in tool.env},
            "seconds": summarize([s.seconds for s in good]),
            "samples_s": [s.seconds for s in tool.samples],
            "exit_codes": [s.returncode for s in tool.samples],
            "counts": tool.parse(last.stdout) if last else None,
        }
        if tool.parse is scan_counts and good:
            parsed = [scan_counts(s.stdout) for s in good]
            entry["in_process_scan_s"] = summarize([float(p["scan_s"]) for p in parsed])  # type: ignore[arg-type]
            entry["import_s"] = summarize([float(p["import_s"]) for p in parsed])  # type: ignore[arg-type]
        failed = [s for s in tool.samples if s.returncode not in tool.ok_codes]
        if failed:
            entry["failure_stderr"] = failed[-1].stderr
        results[tool.name] = entry

    def median(name: str) -> float | None:
        s = results.get(name, {}).get("seconds")
        return s["median"] if isinstance(s, dict) else None

    ours, grep = median(OURS), median(GREP)
    ratios = {}
    for name in results:
        m = median(name)
        if m is not None and grep and name != GREP:
            ratios[f"{name} / {GREP}"] = m / grep
    digest_after = sources_digest()
    cpu_after = cpu_reference(python)
    if digest_after != digest_before:
        print("  WARNING: the readers changed while this size was timed; rerun it")
    out: dict[str, object] = {
        "sources_digest": {"before": digest_before, "after": digest_after},
        "sources_changed_during_run": digest_after != digest_before,
        "cpu_reference_s": {"before": cpu_before, "after": cpu_after, "loop": CALIBRATION},
        "tree": dict(manifest),
        "tools": results,
        "ratios_median": ratios,
    }
    wants_profile = args.profile == "always" or (
        args.profile == "auto" and ours is not None and ours > args.target
    )
    if wants_profile:
        print("  profiling one in-process scan (cProfile) ...", flush=True)
        out["profile"] = {"sources_digest": sources_digest()}
        out["profile"].update(profile(root, python, args.timeout, args.top))  # type: ignore[attr-defined]
    return out


# --------------------------------------------------------------------------- reporting


CALIBRATION = (
    "import time; t = time.perf_counter(); sum(range(10**7)); print(time.perf_counter() - t)"
)


def cpu_reference(python: str) -> float | None:
    """Seconds for a fixed pure-Python loop (best of 3): how fast this machine was just
    then. On a shared VM it drifts, and the absolute times drift with it."""
    best = None
    for _ in range(3):
        proc = subprocess.run(
            [python, "-c", CALIBRATION], capture_output=True, text=True, timeout=60, check=False
        )
        with contextlib.suppress(ValueError):
            t = float(proc.stdout)
            best = t if best is None else min(best, t)
    return best


def sources_digest() -> str:
    """A hash of the code under test, to notice edits made while the benchmark runs."""
    h = hashlib.sha256()
    package = REPO / "launchready_ci"
    for path in sorted([*READERS_DIR.glob("*.py"), *package.glob("checks/*.py")]):
        h.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def git_state() -> dict[str, object]:
    def git(*a: str) -> str:
        try:
            proc = subprocess.run(
                ["git", "-C", str(REPO), *a],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return ""
        return proc.stdout.strip()

    readers = git("status", "--porcelain", "--", str(READERS_DIR))
    return {
        "commit": git("rev-parse", "HEAD"),
        "short": git("log", "-1", "--format=%h"),
        "dirty": bool(git("status", "--porcelain")),
        "readers_changed": readers.splitlines(),
        "reader_modules": sorted(p.stem for p in READERS_DIR.glob("*.py")),
        "sources_digest": sources_digest(),
    }


def tool_version(argv: list[str]) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return out.splitlines()[0] if out else ""


def machine(python: str) -> dict[str, object]:
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": tool_version([python, "-c", "import platform; print(platform.python_version())"]),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "loadavg_1_5_15": os.getloadavg(),
        "grep": tool_version(["grep", "--version"]),
        "git": tool_version(["git", "--version"]),
        "locale": os.environ.get("LC_ALL") or os.environ.get("LANG") or "",
        "repo": git_state(),
    }


def print_table(files: int, result: dict[str, object]) -> None:
    tree = result["tree"]
    tools = result["tools"]
    assert isinstance(tree, dict) and isinstance(tools, dict)
    mb = tree["tracked_bytes"] / 1e6
    planted = sum(tree["planted_reads"].values())
    print(f"\n{files} files ({mb:.0f} MB tracked, {tree['node_modules_files']} in node_modules);")
    print(f"planted reads {planted}, comment/string/doc mentions "
          f"{sum(tree['planted_mentions'].values())}; seconds")  # fmt: skip
    cpu = result.get("cpu_reference_s") or {}
    if isinstance(cpu, dict) and cpu.get("before") and cpu.get("after"):
        print(f"CPU reference loop {cpu['before']:.3f} s before, {cpu['after']:.3f} s after")
    print(f"{'tool':<30}{'median':>8}{'min':>8}{'max':>8}  found")
    for name, entry in tools.items():
        s = entry["seconds"]
        counts = entry["counts"] or {}
        if "uses" in counts:
            found = f"{counts['uses']} uses in {counts['files_with_uses']} files"
            scan = entry.get("in_process_scan_s")
            if scan:
                found += f" (in-process scan {scan['median']:.2f} s)"
        else:
            found = (
                f"{counts.get('matching_lines', '?')} lines in "
                f"{counts.get('files_with_matches', '?')} files"
            )
        if s is None:
            print(f"{name:<30}{'failed':>8}  {entry['exit_codes']}")
            continue
        print(f"{name:<30}{s['median']:8.2f}{s['min']:8.2f}{s['max']:8.2f}  {found}")
    for label, ratio in result["ratios_median"].items():
        print(f"  {label}: {ratio:.2f}x")
    ours = (tools.get(OURS) or {}).get("counts") or {}
    grep = (tools.get(GREP) or {}).get("counts") or {}
    found, lines = ours.get("uses_by_file_kind", {}), grep.get("lines_by_kind", {})
    reads, mentions = tree["planted_reads"], tree["planted_mentions"]
    print(f"\n{'kind':<14}{'planted':>9}{'mentions':>10}{'launchready':>13}{'grep lines':>12}")
    for kind in sorted({*reads, *mentions, *found, *lines}):
        print(
            f"{kind:<14}{reads.get(kind, 0):>9}{mentions.get(kind, 0):>10}"
            f"{found.get(kind, 0):>13}{lines.get(kind, 0):>12}"
        )
    prof = result.get("profile")
    if isinstance(prof, dict) and "top_tottime" in prof:
        print(f"  cProfile, {prof['profiled_s']:.1f} s profiled; top functions by own time:")
        for row in prof["top_tottime"][:12]:
            print(
                f"    {row['tottime_s']:7.2f} s own {row['cumtime_s']:7.2f} s cum "
                f"{row['calls']:>10}  {row['function']}  ({row['file']}:{row['line']})"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", default="50000", help="tree size(s), comma-separated (50000)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per tool (3)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs first (1)")
    parser.add_argument("--seed", type=int, default=20261128, help="generator seed")
    parser.add_argument(
        "--env-fraction", type=float, default=0.08, help="share of code files that read (0.08)"
    )
    parser.add_argument("--node-modules", type=int, help="files in node_modules (files/10)")
    parser.add_argument("--dir", type=Path, help="keep trees here and reuse them next time")
    parser.add_argument("--python", help="interpreter with launchready_ci (default: .venv's)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per child (600)")
    parser.add_argument(
        "--budget", type=float, default=3600.0, help="no new run after this many s (3600)"
    )
    parser.add_argument("--no-walk", action="store_true", help="skip the os.walk variant")
    parser.add_argument("--no-git-grep", action="store_true", help="skip git grep")
    parser.add_argument(
        "--profile",
        choices=("auto", "always", "never"),
        default="auto",
        help="cProfile one scan: auto = when the median is over --target",
    )
    parser.add_argument("--target", type=float, default=5.0, help="seconds at 50k (5)")
    parser.add_argument("--top", type=int, default=20, help="profile rows to keep (20)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON results file")
    args = parser.parse_args(argv)
    sizes = [int(x) for x in args.files.split(",") if x.strip()]
    if args.runs < 1 or not sizes or min(sizes) < 10:
        parser.error("--runs must be >= 1 and --files >= 10")
    for tool in ("grep", "git"):
        if shutil.which(tool) is None:
            sys.exit(f"env_scan.py: `{tool}` not found")
    venv_python = REPO / ".venv" / "bin" / "python"
    python = args.python or (str(venv_python) if venv_python.exists() else sys.executable)

    deadline = time.monotonic() + args.budget
    scratch = args.dir.resolve() if args.dir else Path(tempfile.mkdtemp(prefix="env-scan-"))
    report: dict[str, object] = {
        "benchmark": "env_scan",
        "machine": machine(python),
        "config": {
            "runs": args.runs,
            "warmup": args.warmup,
            "python": python,
            "grep_pattern": GREP_PATTERN,
            "grep_parts": GREP_PARTS,
            "exclude_dirs": list(EXCLUDE_DIRS),
            "page_cache": "warm: not dropped; the warm-up run of each tool reads the tree first",
        },
        "sizes": {},
    }
    try:
        for files in sizes:
            if time.monotonic() > deadline:
                print(f"budget spent: skipping {files}")
                continue
            result = bench_one(args, files, scratch, python, deadline)
            report["sizes"][str(files)] = result  # type: ignore[index]
            print_table(files, result)
            if not args.dir:
                shutil.rmtree(scratch / f"monorepo-{files}", ignore_errors=True)
    finally:
        if not args.dir:
            shutil.rmtree(scratch, ignore_errors=True)
    report["machine"]["loadavg_after"] = os.getloadavg()  # type: ignore[index]
    report["machine"]["repo_after"] = git_state()  # type: ignore[index]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
