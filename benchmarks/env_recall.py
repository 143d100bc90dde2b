#!/usr/bin/env python3
"""Recall and precision of `launchready env init` against the variables a project declares.

    env_recall.py --launchready BIN [--judgements FILE] NAME=PATH [NAME=PATH ...]
                  [--docs NAME=PATH] [--sample 40] [--json OUT]

NAME is one of the repositories of SOURCES (saleor, documenso, formbricks, supabase-auth);
PATH is its working tree at the pinned commit (a git repository, so `git grep` works).
`--docs saleor=PATH` points at a checkout of saleor's documentation (saleor/saleor-docs),
whose setup pages list saleor's variables.

Method
------
1. *Declared* names: the keys of the project's env templates (`KEY=` lines, also when
   commented out: a template documents optional variables that way), turbo.json's
   `globalEnv`, `globalPassThroughEnv`, `tasks.*.env` and `tasks.*.passThroughEnv`
   (no wildcards), the keys of env schema files (a TypeScript `ProcessEnv` interface,
   a t3-env/zod object), and the setup docs: the first column of Markdown tables whose
   header starts with "Variable" or "Name", and headings that are a name in backticks.
2. *Drafted* names: the keys of the inventory that `launchready env init --output TMP
   --force` writes (the command as a user runs it).
3. *Statically read*: a declared name counts for recall when the code reads it with the
   name written out. A drafted name is such a read (precision checks that separately).
   A declared name that was not drafted is looked up with one `git grep -w` over the
   repository's code (docs, templates and the declaration files themselves excluded) and
   judged by hand in the judgements file: `read` (the code reads it: a miss of ours) or
   `not_read` with the reason (no code mentions it, only a third-party library reads it,
   it is built at run time ...). A miss not yet judged counts as read (against us) and
   is listed. Names that no code file mentions at all are not read.
   recall = |declared ∩ drafted| / (|declared ∩ drafted| + |misses judged or assumed read|)
4. *Precision*: a seeded random sample of drafted names (`--sample`, default 40, all
   when fewer), each judged by hand in the judgements file under `precision`: `ok` when
   the application, its deploy files or its CI need the variable from the environment,
   else `wrong: reason` (a name from a test fixture, a doc snippet, a vendored file ...).
   Unjudged sample names are listed and left out of the ratio.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

NAME = re.compile(r"[A-Z][A-Z0-9_]*")
_ASSIGN = re.compile(r"^[ \t]*#?[ \t]*(?:export[ \t]+)?([A-Z][A-Z0-9_]*)[ \t]*=")
_HEADING = re.compile(r"^#{2,6}\s+`([A-Z][A-Z0-9_]*)`\s*$")
_SCHEMA_KEY = re.compile(r"^[ \t]*['\"]?([A-Z][A-Z0-9_]*)['\"]?\??[ \t]*:", re.M)

#: Per repository: declaration files by kind (paths or globs inside the repository;
#: "docs:" paths are inside the --docs checkout).
SOURCES: dict[str, dict[str, list[str]]] = {
    "saleor": {
        "dotenv": [".env.example", ".devcontainer/backend.env", ".devcontainer/common.env"],
        "docs:": [
            "docs/setup/configuration.mdx",
            "docs/setup/media-s3.mdx",
            "docs/setup/media-gcs.mdx",
            "docs/setup/monitoring-sentry.mdx",
        ],
    },
    "documenso": {
        "dotenv": [".env.example"],
        "turbo": ["turbo.json"],
        "schema": ["packages/tsconfig/process-env.d.ts"],
        "docs": [
            "apps/docs/content/docs/self-hosting/configuration/**/*.mdx",
            "apps/docs/content/docs/self-hosting/deployment/*.mdx",
        ],
    },
    "formbricks": {
        "dotenv": [".env.example"],
        "turbo": ["turbo.json", "apps/web/turbo.json"],
        "schema": ["apps/web/lib/env.ts"],
        "docs": ["docs/self-hosting/configuration/**/*.mdx", "docs/self-hosting/setup/*.mdx"],
    },
    "supabase-auth": {"dotenv": ["example.env"]},
}

#: Repositories whose code builds names from struct fields (Go envconfig): a declared
#: name is not dropped for want of a literal mention; only a hand judgement drops it.
DERIVED_NAMES = {"supabase-auth"}

#: Files never searched for reads: documentation, templates, lock files, translations.
CODE_EXCLUDES = [
    ":(exclude,glob)**/*.md",
    ":(exclude,glob)**/*.mdx",
    ":(exclude,glob)**/*.env*",
    ":(exclude,glob)**/.env*",
    ":(exclude,glob)**/*.lock",
    ":(exclude,glob)**/package-lock.json",
    ":(exclude,glob)**/pnpm-lock.yaml",
    ":(exclude,glob)**/locales/**",
    ":(exclude,glob)**/i18n/**",
    ":(exclude,glob)**/CHANGELOG*",
]


def _files(root: Path, patterns: list[str]) -> list[Path]:
    out: list[Path] = []
    for pattern in patterns:
        found = sorted(root.glob(pattern)) if any(c in pattern for c in "*?[") else [root / pattern]
        out.extend(p for p in found if p.is_file())
    return out


def declared(name: str, root: Path, docs: Path | None) -> dict[str, str]:
    """Declared name -> the first file that declares it (relative)."""
    out: dict[str, str] = {}

    def add(var: str, where: str) -> None:
        if NAME.fullmatch(var) and var not in out:
            out[var] = where

    spec = SOURCES[name]
    for kind, patterns in spec.items():
        base = docs if kind == "docs:" else root
        if base is None:
            raise SystemExit(f"{name}: needs --docs {name}=PATH")
        for path in _files(base, patterns):
            rel = ("docs:" if kind == "docs:" else "") + path.relative_to(base).as_posix()
            text = path.read_text(encoding="utf-8", errors="replace")
            if kind == "dotenv":
                for line in text.splitlines():
                    m = _ASSIGN.match(line)
                    if m:
                        add(m.group(1), rel)
            elif kind == "turbo":
                data = json.loads(text)
                lists = [data.get("globalEnv"), data.get("globalPassThroughEnv")]
                for task in (data.get("tasks") or data.get("pipeline") or {}).values():
                    lists += [task.get("env"), task.get("passThroughEnv")]
                for items in lists:
                    for var in items or ():
                        if "*" not in var and not var.startswith("!"):
                            add(var, rel)
            elif kind == "schema":
                for m in _SCHEMA_KEY.finditer(text):
                    add(m.group(1), rel)
            else:  # docs
                for var in _doc_names(text):
                    add(var, rel)
    return out


def _doc_names(text: str) -> list[str]:
    names: list[str] = []
    in_table = False
    for line in text.splitlines():
        m = _HEADING.match(line.strip())
        if m:
            names.append(m.group(1))
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if "|" in line else []
        if not cells:
            in_table = False
            continue
        first = cells[0].strip("`* ")
        if re.match(r"(?:env(?:ironment)?\s+)?(?:variable|name)", first, re.I):
            in_table = True
            continue
        if in_table and NAME.fullmatch(first):
            names.append(first)
    return names


def drafted(launchready: str, root: Path) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "inventory.yml"
        subprocess.run(
            [launchready, "env", "init", "--root", str(root), "--output", str(out), "--force"],
            check=True,
            capture_output=True,
        )
        data = yaml.safe_load(out.read_text(encoding="utf-8")) or {}
    return sorted((data.get("variables") or {}).keys())


def code_hits(root: Path, names: list[str], skip: set[str]) -> dict[str, list[str]]:
    """name -> up to 3 `path:line` where a code file mentions it as a word."""
    if not names:
        return {}
    pathspec = ["--", ".", *CODE_EXCLUDES, *(f":(exclude){p}" for p in sorted(skip))]
    proc = subprocess.run(
        ["git", "-C", str(root), "grep", "-n", "-o", "-w", "-I", "-E", "|".join(names), *pathspec],
        capture_output=True,
        text=True,
        errors="replace",
        check=False,
    )
    hits: dict[str, list[str]] = {}
    for line in proc.stdout.splitlines():
        path, lineno, word = line.split(":", 2)
        if word in names and len(hits.setdefault(word, [])) < 3:
            hits[word].append(f"{path}:{lineno}")
    return hits


def measure(
    name: str, root: Path, docs: Path | None, launchready: str, judged: dict, sample: int
) -> dict:
    decl = declared(name, root, docs)
    draft = drafted(launchready, root)
    got = sorted(set(decl) & set(draft))
    missed = sorted(set(decl) - set(draft))
    skip = {w for w in decl.values() if not w.startswith("docs:")}
    hits = code_hits(root, missed, skip)
    mine = judged.get(name, {})
    read_j, not_read_j = mine.get("read") or {}, mine.get("not_read") or {}
    misses_read, unjudged, excluded = [], [], {}
    for var in missed:
        if var in not_read_j:
            excluded[var] = not_read_j[var]
        elif var not in hits and var not in read_j and name not in DERIVED_NAMES:
            excluded[var] = "no code file mentions it"
        else:
            misses_read.append(var)
            if var not in read_j:
                unjudged.append({"name": var, "declared_in": decl[var], "hits": hits.get(var)})
    denominator = len(got) + len(misses_read)
    rng = random.Random(f"{name}-precision")
    picked = sorted(rng.sample(draft, min(sample, len(draft))))
    verdicts = mine.get("precision") or {}
    ok = [v for v in picked if str(verdicts.get(v, "")).startswith("ok")]
    wrong = {v: verdicts[v] for v in picked if str(verdicts.get(v, "")).startswith("wrong")}
    pending = [v for v in picked if v not in verdicts]
    checked = len(ok) + len(wrong)
    return {
        "repo": name,
        "declared": len(decl),
        "drafted": len(draft),
        "found": len(got),
        "missed_read": misses_read,
        "unjudged_misses": unjudged,
        "not_read": excluded,
        "recall": round(len(got) / denominator, 3) if denominator else None,
        "precision_sample": picked,
        "precision_wrong": wrong,
        "precision_pending": pending,
        "precision": round(len(ok) / checked, 3) if checked else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repos", nargs="+", metavar="NAME=PATH")
    parser.add_argument("--launchready", default="launchready")
    parser.add_argument(
        "--judgements", type=Path, default=Path(__file__).with_name("env_recall_judgements.yml")
    )
    parser.add_argument("--docs", action="append", default=[], metavar="NAME=PATH")
    parser.add_argument("--sample", type=int, default=40)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    judged = yaml.safe_load(args.judgements.read_text()) if args.judgements.exists() else {}
    docs = dict(d.split("=", 1) for d in args.docs)
    results = []
    for spec in args.repos:
        name, _, path = spec.partition("=")
        doc = Path(docs[name]) if name in docs else None
        results.append(measure(name, Path(path), doc, args.launchready, judged or {}, args.sample))
    for r in results:
        print(
            f"{r['repo']:<14} declared {r['declared']:>4}  drafted {r['drafted']:>4}  "
            f"recall {r['recall']}  ({r['found']} found, {len(r['missed_read'])} missed, "
            f"{len(r['unjudged_misses'])} unjudged)  precision {r['precision']} "
            f"({len(r['precision_wrong'])} wrong of "
            f"{len(r['precision_sample']) - len(r['precision_pending'])} checked)"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
