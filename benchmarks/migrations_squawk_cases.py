#!/usr/bin/env python3
"""squawk's own rule tests as a benchmark: ours and squawk's CLI against squawk's verdicts.

squawk (sbdchd/squawk) tests each rule in ``crates/squawk_linter/src/rules/<rule>.rs``: a
``#[test]`` function holds a SQL string and calls ``lint_ok(sql, Rule::X)`` or
``lint_errors(sql, Rule::X)`` (``*_with`` variants take settings: ``pg_version``,
``assume_in_transaction``). Each call is one case: the SQL, the squawk rule, and its
expected verdict (flagged or not). This script reads them from a squawk checkout given
on the command line (the SQL is read at run time, never stored here), then:

- runs squawk's CLI on each case with the case's settings and reads whether the case's
  rule fired;
- runs ``launchready migrations check`` once per group of settings over all cases (each
  case in a folder of its own) and reads whether one of the mapped rules fired;
- scores both against the test's verdict on the rules where the two tools share a policy
  (``MAPPING``), and lists the cases where ours disagrees on purpose (``POLICY``).

    .venv/bin/pip install squawk-cli==2.70.0
    .venv/bin/python benchmarks/migrations_squawk_cases.py SQUAWK_CHECKOUT
        [--squawk PATH] [--launchready CMD] [--out FILE] [--list] [--keep DIR]

Not part of CI: it needs a squawk checkout and squawk's CLI. Prints a Markdown table per
squawk rule and writes every case's verdicts with ``--out``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent

#: squawk rule -> our rules that cover the same hazard with the same policy. A case counts
#: as flagged by us when one of them reports a finding on its file.
MAPPING: dict[str, tuple[str, ...]] = {
    "adding-field-with-default": ("volatile-default", "table-rewrite"),
    "adding-foreign-key-constraint": ("constraint-without-not-valid",),
    "adding-not-nullable-field": ("set-not-null",),
    "adding-serial-primary-key-field": ("unique-without-index",),
    "adding-required-field": ("not-null-without-default",),
    "ban-alter-domain-with-add-constraint": ("constraint-without-not-valid",),
    "ban-concurrent-index-creation-in-transaction": ("concurrent-in-transaction",),
    "ban-drop-column": ("breaking-change",),
    "ban-drop-database": ("table-rewrite",),
    "ban-drop-not-null": ("breaking-change",),  # a notice there
    "ban-drop-table": ("breaking-change",),
    "ban-duplicate-column-assignments": ("duplicate-assignment",),
    "ban-truncate-cascade": ("table-rewrite",),
    "ban-uncommitted-transaction": ("uncommitted-transaction",),
    "changing-column-type": ("column-type-change",),
    "constraint-missing-not-valid": ("constraint-without-not-valid",),
    "disallowed-unique-constraint": ("unique-without-index",),
    "identifier-too-long": ("identifier-too-long",),
    "renaming-column": ("breaking-change",),
    "renaming-table": ("breaking-change",),
    "require-concurrent-index-creation": ("index-not-concurrent",),
    "require-concurrent-index-deletion": ("index-not-concurrent",),
    "require-concurrent-partition-detach": ("detach-partition-not-concurrent",),
    "require-concurrent-reindex": ("table-rewrite",),
    "require-lock-timeout": ("missing-lock-timeout",),
    "prefer-repack": ("table-rewrite",),
    "transaction-nesting": ("nested-transaction",),
}
#: squawk rules about style or house policy, not a lock, a rewrite or a failed deploy:
#: not scored.
NOT_SHARED = {
    "ban-char-field": "style: char(n) is a type choice",
    "ban-create-domain-with-constraint": "creating a domain locks nothing; squawk bans it "
    "because a later ALTER DOMAIN is hard, which ours reports when it happens",
    "prefer-bigint-over-int": "style (ours: int-primary-key, a notice on keys only)",
    "prefer-bigint-over-smallint": "style",
    "prefer-identity": "style",
    "prefer-robust-stmts": "style: IF NOT EXISTS",
    "prefer-text-field": "style",
    "prefer-timestamp-tz": "style",
    "require-enum-value-ordering": "style",
    "require-table-schema": "house policy (opt-in in squawk)",
    "require-statement-timeout": "house policy: statement_timeout is not about a lock",
}
#: (squawk rule, test function) -> why ours deliberately disagrees with squawk's verdict.
#: Each reason is also on our rule's page. These cases are reported, not scored.
POLICY: dict[tuple[str, str], str] = {
    ("adding-field-with-default", "default_random_with_args_err"): (
        "volatile-default: a call is judged by the function's name (now() is stable); "
        "now(123) does not exist, which the dry run reports"
    ),
    ("adding-field-with-default", "docs_example_error_on_pg_11"): (
        "volatile-default: PostgreSQL 11 stores a constant default without a rewrite "
        "(squawk warns up to 11 inclusive)"
    ),
    ("adding-foreign-key-constraint", "add_foreign_key_constraint_not_valid_validate"): (
        "constraint-without-not-valid: VALIDATE in the transaction that added the key NOT "
        "VALID keeps the add's lock through the scan; squawk reports the same file under "
        "constraint-missing-not-valid, ours has one rule for both"
    ),
    ("ban-concurrent-index-creation-in-transaction", "assuming_in_transaction_ok"): (
        "concurrent-in-transaction: a tool that wraps each file in a transaction fails "
        "even on a file of one statement (the one-statement exception is for tools that "
        "send the file as one query, Prisma and golang-migrate, which ours tells apart)"
    ),
    (
        "ban-concurrent-index-creation-in-transaction",
        "squawk_disable_assume_in_transaction_overrides",
    ): (
        "concurrent-in-transaction: squawk's own directive; ours reads the tools' markers "
        "(dbmate transaction:false, goose NO TRANSACTION) and launchready.yml"
    ),
    ("transaction-nesting", "squawk_disable_assume_in_transaction_allows_begin_commit"): (
        "nested-transaction: squawk's own directive (see above)"
    ),
    ("ban-truncate-cascade", "ok"): (
        "table-rewrite: every TRUNCATE deletes every row in every environment the "
        "migration reaches, with or without CASCADE"
    ),
    ("prefer-repack", "cluster_below_pg19_ok"): (
        "table-rewrite: CLUSTER rewrites under ACCESS EXCLUSIVE on every version; squawk's "
        "rule is about the REPACK command of PostgreSQL 19"
    ),
    ("prefer-repack", "vacuum_full_below_pg19_ok"): "table-rewrite: as CLUSTER",
    ("require-concurrent-reindex", "reindex_system_ok"): (
        "table-rewrite: REINDEX SYSTEM cannot run concurrently and locks the catalogs; a "
        "migration has no business doing it"
    ),
    ("require-timeout-settings", "err_other_ddl_operations"): (
        "missing-lock-timeout: CREATE TYPE locks no existing table"
    ),
    ("require-timeout-settings", "err_comment_on_explains_lock_impact"): (
        "missing-lock-timeout: COMMENT ON takes SHARE UPDATE EXCLUSIVE, which lets reads "
        "and writes go on while it waits"
    ),
    ("require-timeout-settings", "err_vacuum_full_false_uses_non_full_lock"): (
        "missing-lock-timeout: plain VACUUM takes SHARE UPDATE EXCLUSIVE (as COMMENT ON)"
    ),
    ("require-timeout-settings", "err_lock_access_share_uses_correct_article"): (
        "missing-lock-timeout: ACCESS SHARE conflicts only with ACCESS EXCLUSIVE; waiting "
        "for it queues no read or write"
    ),
}

_RULE_NAMES = {
    # Rule:: enum variant -> kebab name (where the kebab is not the plain conversion)
    "AddingSerialPrimaryKeyField": "adding-serial-primary-key-field",
    "AddingNotNullableField": "adding-not-nullable-field",
    "DisallowedUniqueConstraint": "disallowed-unique-constraint",
    "PreferTimestampTz": "prefer-timestamp-tz",
}


def kebab(variant: str) -> str:
    return _RULE_NAMES.get(variant) or re.sub(r"(?<!^)(?=[A-Z])", "-", variant).lower()


@dataclass(frozen=True)
class Case:
    rule: str  # squawk rule (kebab), as in the call's Rule::X
    source: str  # rules/<file>.rs
    test: str  # the #[test] function
    index: int  # the call's position in the function (0, 1, ...)
    sql: str
    flagged: bool  # squawk's expected verdict: lint_errors (True) or lint_ok
    pg_version: int | None  # None: squawk's default (15)
    assume_in_transaction: bool
    expects: tuple[str, ...] = ()  # rules named in an inline snapshot, when there is one

    @property
    def id(self) -> str:
        return f"{self.rule}::{self.test}" + (f"#{self.index}" if self.index else "")


# --- reading the Rust tests -----------------------------------------------------------

_STRING = re.compile(r'r(?P<h>#*)"(?P<raw>.*?)"(?P=h)|"(?P<esc>(?:[^"\\]|\\.)*)"', re.S)
_CALL = re.compile(r"\b(?P<name>[a-z_][a-z0-9_]*)\s*\(")
_FN = re.compile(r"(?P<attr>#\[test\]\s*)?(?:pub(?:\(crate\))?\s+)?fn\s+(?P<name>\w+)\s*\(")


def _unescape(text: str) -> str:
    return re.sub(
        r"\\(n|t|r|\\|\"|'|0|\n\s*)",
        lambda m: {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "0": "\0"}.get(
            m.group(1), ""
        ),
        text,
    )


def _literal(m: re.Match[str]) -> str:
    return m.group("raw") if m.group("raw") is not None else _unescape(m.group("esc"))


def _matching(text: str, start: int, open_: str = "(", close: str = ")") -> int:
    """Index just after the bracket that closes the one at ``start`` (strings skipped)."""
    depth, i = 0, start
    while i < len(text):
        m = _STRING.match(text, i) if text[i] in 'r"' else None
        if m and (text[i] == '"' or (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_"))):
            i = m.end()
            continue
        if text[i] == open_:
            depth += 1
        elif text[i] == close:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return len(text)


def _split_args(args: str) -> list[str]:
    out, depth, cur, i = [], 0, [], 0
    while i < len(args):
        m = _STRING.match(args, i) if args[i] in 'r"' else None
        if m:
            cur.append(args[i : m.end()])
            i = m.end()
            continue
        c = args[i]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        if c == "," and depth == 0:
            out.append("".join(cur).strip())
            cur = []
        else:
            cur.append(c)
        i += 1
    if "".join(cur).strip():
        out.append("".join(cur).strip())
    return out


def _functions(text: str) -> list[tuple[str, bool, str]]:
    """(name, is_test, body) for each fn in the file's test module."""
    mod = text.find("mod test")
    text = text[mod:] if mod >= 0 else ""
    out = []
    for m in _FN.finditer(text):
        brace = text.find("{", m.end())
        if brace < 0:
            continue
        body = text[brace : _matching(text, brace, "{", "}")]
        out.append((m.group("name"), bool(m.group("attr")), body))
    return out


def _settings(expr: str, body: str, helpers: dict[str, str]) -> tuple[int | None, bool]:
    """(pg_version, assume_in_transaction) from a LinterSettings expression."""
    expr = expr.strip().lstrip("&")
    source = expr
    if re.fullmatch(r"\w+", expr):  # a variable: its let
        let = re.search(rf"let\s+(?:mut\s+)?{expr}\s*=\s*(.*?);\s*\n", body, re.S)
        source = let.group(1) if let else ""
    call = re.fullmatch(r"(\w+)\(\)", source.strip())
    if call and call.group(1) in helpers:
        source = helpers[call.group(1)]
    version = re.search(r'pg_version:\s*"(\d+)', source)
    tx = re.search(r"assume_in_transaction:\s*true", source) is not None
    return (int(version.group(1)) if version else None), tx


def _sql_arg(arg: str, body: str, before: int) -> str | None:
    arg = arg.strip().lstrip("&")
    m = _STRING.fullmatch(arg)
    if m:
        return _literal(m)
    if re.fullmatch(r"\w+", arg):
        lets = list(re.finditer(rf"let\s+{arg}\s*=\s*", body[:before]))
        if lets:
            m = _STRING.match(body, lets[-1].end())
            if m:
                return _literal(m)
    return None


_BASE = {"lint_ok": False, "lint_errors": True, "lint_ok_with": False, "lint_errors_with": True}


def cases_of(path: Path) -> list[Case]:
    text = path.read_text(encoding="utf-8")
    fns = _functions(text)
    file_rule = Counter(re.findall(r"Rule::(\w+)", text[text.find("mod test") :])).most_common(1)
    default_rule = file_rule[0][0] if file_rule else ""
    settings_helpers = {n: b for n, t, b in fns if not t and "LinterSettings" in b}
    #: local wrappers: name -> (flagged, rule variant, settings source or None)
    wrappers: dict[str, tuple[bool, str, str | None]] = {}
    for name, is_test, body in fns:
        if is_test or name in _BASE:
            continue
        for m in _CALL.finditer(body):
            base = m.group("name")
            if base in _BASE:
                args = _split_args(body[m.end() : _matching(body, m.end() - 1) - 1])
                rule = next((a for a in args if a.startswith("Rule::")), "")
                settings = "settings" if base.endswith("_with") else None
                wrappers[name] = (_BASE[base], rule.removeprefix("Rule::"), settings)
                break
    out: list[Case] = []
    for name, is_test, body in fns:
        if not is_test:
            continue
        index = 0
        for m in _CALL.finditer(body):
            call = m.group("name")
            if call not in _BASE and call not in wrappers:
                continue
            if body[max(0, m.start() - 2) : m.start()].endswith("::") and call not in _BASE:
                continue
            close = _matching(body, m.end() - 1)
            args = _split_args(body[m.end() : close - 1])
            if not args:
                continue
            sql = _sql_arg(args[0], body, m.start())
            if sql is None:
                continue
            if call in _BASE:
                flagged = _BASE[call]
                rule = next((a for a in args if a.startswith("Rule::")), "")
                rule = rule.removeprefix("Rule::") or default_rule
                settings_expr = args[1] if call.endswith("_with") and len(args) > 1 else None
            else:
                flagged, rule, with_settings = wrappers[call]
                rule = rule or default_rule
                settings_expr = args[1] if with_settings and len(args) > 1 else None
            version, tx = (None, False)
            if settings_expr is not None:
                version, tx = _settings(settings_expr, body, settings_helpers)
            expects: tuple[str, ...] = ()
            snap = re.match(r"\s*,\s*@", body[close:]) or re.search(
                r",\s*@(?=r?#*\")", body[close:]
            )
            if flagged and snap:
                tail = body[close + snap.end() - 1 :]
                lit = _STRING.match(tail, 1)
                if lit:
                    expects = tuple(sorted(set(re.findall(r"\w+\[([a-z-]+)\]", _literal(lit)))))
            elif flagged:
                snapfile = (
                    path.parent
                    / "snapshots"
                    / f"squawk_linter__rules__{path.stem}__test__{name}.snap"
                )
                if snapfile.is_file():
                    found = re.findall(r"\w+\[([a-z-]+)\]", snapfile.read_text("utf-8"))
                    expects = tuple(sorted(set(found)))
            out.append(
                Case(
                    kebab(rule),
                    f"rules/{path.name}",
                    name,
                    index,
                    sql,
                    flagged,
                    version,
                    tx,
                    expects,
                )
            )
            index += 1
    return out


def extract(checkout: Path) -> list[Case]:
    rules = checkout / "crates" / "squawk_linter" / "src" / "rules"
    if not rules.is_dir():
        raise SystemExit(f"{checkout}: not a squawk checkout (no {rules})")
    cases = []
    for path in sorted(rules.glob("*.rs")):
        if path.name != "mod.rs":
            cases.extend(cases_of(path))
    return cases


def scored_rule(case: Case) -> str | None:
    """The squawk rule whose verdict is scored for the case: require-timeout-settings
    expands to the lock and statement timeouts, of which only the first is shared."""
    if case.rule == "require-timeout-settings":
        return "require-lock-timeout"
    return case.rule


def expected(case: Case) -> bool:
    """squawk's verdict on the scored rule."""
    if case.rule == "require-timeout-settings" and case.flagged:
        return "require-lock-timeout" in case.expects
    return case.flagged


# --- running the tools ------------------------------------------------------------------


def run_squawk(exe: str, cases: list[Case], work: Path) -> dict[str, set[str]]:
    """case id -> squawk rules its CLI reports on the case's file."""
    found: dict[str, set[str]] = {}
    for i, case in enumerate(cases):
        path = work / "squawk" / f"case{i:04d}.sql"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(case.sql, encoding="utf-8")
        cmd = [exe, "--reporter", "json"]
        if case.pg_version:
            cmd.append(f"--pg-version={case.pg_version}")
        if case.assume_in_transaction:
            cmd.append("--assume-in-transaction")
        rule = scored_rule(case) or case.rule
        include = ["require-table-schema"] if rule == "require-table-schema" else []
        if include:
            cmd.append(f"--include={','.join(include)}")
        proc = subprocess.run(
            [*cmd, str(path)], capture_output=True, text=True, timeout=60, check=False
        )
        try:
            rules = {v["rule_name"] for v in json.loads(proc.stdout or "[]")}
        except json.JSONDecodeError:
            rules = {"<error>"}
        found[case.id] = rules
    return found


def run_ours(exe: list[str], cases: list[Case], work: Path) -> dict[str, set[str]]:
    """case id -> our rules (without the ``migrations/`` prefix) reported on its file; one
    run per group of settings, each case a migrations folder of its own."""
    groups: dict[tuple[int, bool], list[int]] = defaultdict(list)
    for i, case in enumerate(cases):
        groups[(case.pg_version or 15, case.assume_in_transaction)].append(i)
    found: dict[str, set[str]] = {c.id: set() for c in cases}
    for (version, tx), members in sorted(groups.items()):
        root = work / f"ours-pg{version}-{'tx' if tx else 'notx'}"
        for i in members:
            path = root / "cases" / f"c{i:04d}" / "migrations" / "0001_case.sql"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(cases[i].sql, encoding="utf-8")
        (root / "launchready.yml").write_text(
            "migrations:\n"
            "  paths: ['cases/*/migrations/*.sql']\n"
            f"  postgres_version: {version}\n"
            f"  wrapped_in_transaction: {'true' if tx else 'false'}\n",
            encoding="utf-8",
        )
        report = root / "report.json"
        cmd = [*exe, "migrations", "check", "--root", str(root), "--json", str(report)]
        subprocess.run(
            [*cmd, "--fail-on", "never", "-q", "--no-summary", "--no-annotations"],
            cwd=root,
            capture_output=True,
            timeout=600,
            check=False,
            env={k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"},
        )
        if not report.is_file():
            raise SystemExit(f"{' '.join(cmd)} wrote no report")
        data = json.loads(report.read_text(encoding="utf-8"))
        for f in data["findings"]:
            if f.get("suppressed"):
                continue
            m = re.match(r"cases/c(\d{4})/", f["location"].get("path") or "")
            if m:
                found[cases[int(m.group(1))].id].add(f["rule_id"].removeprefix("migrations/"))
    return found


# --- scoring ----------------------------------------------------------------------------


def score(
    cases: list[Case], squawk: dict[str, set[str]], ours: dict[str, set[str]]
) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    for case in cases:
        rule = scored_rule(case)
        if rule not in MAPPING:
            continue
        want = expected(case)
        squawk_says = rule in squawk.get(case.id, set())
        ours_says = bool(set(MAPPING[rule]) & ours.get(case.id, set()))
        policy = POLICY.get((case.rule, case.test))
        rows.append(
            {
                "case": case.id,
                "rule": rule,
                "expected": want,
                "squawk": squawk_says,
                "ours": ours_says,
                "policy": policy,
                "ours_rules": sorted(ours.get(case.id, set())),
            }
        )
    scored = [r for r in rows if not r["policy"]]
    per_rule: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for r in scored:
        c = per_rule[r["rule"]]
        c["n"] += 1
        c["ours"] += r["ours"] == r["expected"]
        c["squawk"] += r["squawk"] == r["expected"]
    n = len(scored)
    return {
        "cases": len(rows),
        "scored": n,
        "policy_differences": len(rows) - n,
        "ours_agree": sum(r["ours"] == r["expected"] for r in scored),
        "ours_agree_all": sum(r["ours"] == r["expected"] for r in rows),
        "squawk_agree_all": sum(r["squawk"] == r["expected"] for r in rows),
        "squawk_agree": sum(r["squawk"] == r["expected"] for r in scored),
        "per_rule": {k: dict(v) for k, v in sorted(per_rule.items())},
        "rows": rows,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkout", type=Path, help="a squawk checkout (sbdchd/squawk)")
    parser.add_argument("--squawk", default=str(BIN / "squawk"), help="squawk's CLI")
    parser.add_argument(
        "--launchready", default=str(BIN / "launchready"), help="our CLI (a command line)"
    )
    parser.add_argument("--out", type=Path, help="write every case's verdicts as JSON")
    parser.add_argument("--list", action="store_true", help="only list the extracted cases")
    parser.add_argument("--keep", type=Path, help="keep the case files in this folder")
    args = parser.parse_args()
    cases = extract(args.checkout)
    if args.list:
        for case in cases:
            print(json.dumps(asdict(case)))
        return 0
    squawk = shutil.which(args.squawk) or args.squawk
    if not Path(squawk).exists():
        print(f"squawk not found at {args.squawk} (pip install squawk-cli)", file=sys.stderr)
        return 2
    version = subprocess.run([squawk, "--version"], capture_output=True, text=True, check=False)
    with tempfile.TemporaryDirectory(prefix="squawk-cases-") as tmp:
        work = args.keep or Path(tmp)
        sq = run_squawk(squawk, cases, work)
        ours = run_ours(args.launchready.split(), cases, work)
    result = score(cases, sq, ours)
    result["squawk_version"] = version.stdout.strip()
    result["extracted"] = len(cases)
    result["by_rule_extracted"] = dict(Counter(c.rule for c in cases))
    n = result["scored"]
    print(
        f"{len(cases)} cases extracted; {result['cases']} on shared-policy rules, "
        f"{result['policy_differences']} of them deliberate policy differences; {n} scored"
    )
    print(f"| rule | cases | ours | {result['squawk_version']} |")
    print("|---|---:|---:|---:|")
    for rule, c in result["per_rule"].items():
        print(f"| {rule} | {c['n']} | {c.get('ours', 0)} | {c.get('squawk', 0)} |")
    print(
        f"| **all** | {n} | **{result['ours_agree'] / n:.3f}** | "
        f"**{result['squawk_agree'] / n:.3f}** |"
    )
    total = result["cases"]
    print(
        f"with the {result['policy_differences']} deliberate differences counted as "
        f"disagreements: ours {result['ours_agree_all'] / total:.3f}, squawk "
        f"{result['squawk_agree_all'] / total:.3f} of {total}"
    )
    for r in result["rows"]:
        if r["policy"]:
            print(f"- {r['case']}: {r['policy']}")
    if args.out:
        args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
