"""zizmor, the security part of the workflow review: run it offline over the workflow
files and read its JSON (its findings are reported as they are, not re-implemented)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from launchready_ci.checks.workflows.reader import Workflow, label, step_label, steps_of
from launchready_ci.config.yamlpos import format_key_path
from launchready_ci.findings import Confidence, Finding, Location, Severity
from launchready_ci.rules import Rule, register

__all__ = ["RULES", "Zizmor", "ZizmorFailed", "find_zizmor", "run_zizmor", "zizmor_finding"]


@register
class Zizmor(Rule):
    """zizmor found a security problem in a workflow (its audit id is in the message).

    Why
    ---
    Workflows run with the repository's secrets and token. zizmor audits them for the
    known ways that goes wrong: unpinned third-party actions, credentials persisted by
    `actions/checkout`, template injection of attacker-controlled values into scripts,
    dangerous triggers, excessive permissions. launchready runs it offline on every
    workflow and reports each finding with zizmor's severity (high → error, medium →
    warning, low and informational → notice).

    Remediation
    -----------
    Follow the linked zizmor audit page. Ignore a finding that does not apply with a
    `# zizmor: ignore[<audit>]` comment on its line, or in `.github/zizmor.yml`; both are
    honoured here.

    References
    ----------
    - https://docs.zizmor.sh/audits/
    - https://docs.zizmor.sh/usage/#ignoring-results
    """

    id = "workflows/zizmor"
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    examples = {
        "bad": (
            "on: {push: {branches: [main]}}\n"
            "permissions: {}\n"
            "jobs:\n"
            "  build:\n"
            "    runs-on: ubuntu-latest\n"
            "    permissions: {contents: read}\n"
            "    steps:\n"
            "      - uses: actions/checkout@v4\n",
        ),
        "good": (
            "on: {push: {branches: [main]}}\n"
            "permissions: {}\n"
            "jobs:\n"
            "  build:\n"
            "    runs-on: ubuntu-latest\n"
            "    permissions: {contents: read}\n"
            "    steps:\n"
            "      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2\n"
            "        with: {persist-credentials: false}\n",
        ),
    }


#: This area's rules.
RULES: tuple[type[Rule], ...] = (Zizmor,)


ZIZMOR_TIMEOUT = 120.0


class ZizmorFailed(Exception):
    """zizmor did not run, or did not give JSON."""


def find_zizmor() -> str | None:
    """The zizmor executable on PATH, else the one installed next to this Python."""
    return shutil.which("zizmor") or shutil.which("zizmor", path=str(Path(sys.executable).parent))


def _reason(stderr: str) -> str:
    """zizmor's own ``error:`` line (``error: no inputs collected``), else its last line
    before any stack trace."""
    head = stderr.partition("Stack backtrace:")[0]
    lines = [line.strip() for line in head.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error:")]
    return (errors or lines or [""])[-1][:200]


def run_zizmor(exe: str, root: Path, paths: Sequence[str]) -> tuple[str, list[dict[str, Any]]]:
    """zizmor's version and its JSON findings on ``paths`` (relative to ``root``), offline.

    zizmor reads ``.github/zizmor.yml`` and ``# zizmor: ignore[...]`` comments itself.
    """

    def call(*args: str) -> subprocess.CompletedProcess[str]:
        try:
            return subprocess.run(
                [exe, *args],
                cwd=root,
                capture_output=True,
                text=True,
                timeout=ZIZMOR_TIMEOUT,
                check=False,
                # A runner with RUST_BACKTRACE=1 (or anyhow's RUST_LIB_BACKTRACE=1, which
                # wins over it) would end zizmor's error with a stack trace.
                env={
                    **os.environ,
                    "RUST_BACKTRACE": "0",
                    "RUST_LIB_BACKTRACE": "0",
                    "NO_COLOR": "1",
                },
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise ZizmorFailed(type(exc).__name__) from None

    version_proc = call("--version")
    version = version_proc.stdout.strip().removeprefix("zizmor").strip() or "?"
    proc = call("--offline", "--format", "json", *paths)
    # 0: no findings; 10-14: findings of the highest severity (see zizmor's exit codes).
    if proc.returncode != 0 and not 10 <= proc.returncode <= 14:
        raise ZizmorFailed(f"exit {proc.returncode}: {_reason(proc.stderr)}".rstrip(": "))
    try:
        results = json.loads(proc.stdout or "[]")
    except ValueError:
        raise ZizmorFailed("output is not JSON") from None
    if not isinstance(results, list):
        raise ZizmorFailed("unexpected JSON output")
    return version, [x for x in results if isinstance(x, dict) and not x.get("ignored")]


# --- findings ---------------------------------------------------------------------------

_ZIZMOR_SEVERITY = {"high": Severity.ERROR, "medium": Severity.WARNING}

_ZIZMOR_CONFIDENCE = {"high": Confidence.HIGH, "medium": Confidence.MEDIUM}


def zizmor_finding(result: Mapping[str, Any], workflows: Mapping[str, Workflow]) -> Finding | None:
    ident = str(result.get("ident") or "unknown")
    desc = str(result.get("desc") or "")
    det = result.get("determinations") or {}
    locations = [loc for loc in result.get("locations") or () if isinstance(loc, dict)]
    primary = next(
        (loc for loc in locations if loc.get("symbolic", {}).get("kind") == "Primary"),
        locations[0] if locations else None,
    )
    if primary is None:
        return None
    symbolic, concrete = primary.get("symbolic") or {}, primary.get("concrete") or {}
    path = _zizmor_path(symbolic.get("key"))
    if path is None or path not in workflows:
        return None
    wf = workflows[path]
    point = (concrete.get("location") or {}).get("start_point") or {}
    end = (concrete.get("location") or {}).get("end_point") or {}
    route = [
        next(iter(part.values()))
        for part in (symbolic.get("route") or {}).get("route") or ()
        if isinstance(part, dict) and part
    ]
    where = label(wf)
    if len(route) >= 2 and route[0] == "jobs":
        where += f", job {route[1]}"
        job = wf.jobs.get(str(route[1]), {})
        if len(route) >= 4 and route[2] == "steps" and isinstance(route[3], int):
            steps = dict(steps_of(job))
            if route[3] in steps:
                where += f", {step_label(route[3], steps[route[3]])}"
    annotation = str(symbolic.get("annotation") or "")
    url = str(result.get("url") or "https://docs.zizmor.sh/audits/")
    line = int(point["row"]) + 1 if isinstance(point.get("row"), int) else 1
    end_line = int(end["row"]) + 1 if isinstance(end.get("row"), int) else None
    return Zizmor.finding(
        f"{where}: zizmor {ident}: {desc}" + (f" ({annotation})" if annotation else ""),
        Location(
            path=path,
            start_line=line,
            end_line=end_line if end_line is not None and end_line >= line else None,
            start_column=int(point["column"]) + 1 if isinstance(point.get("column"), int) else None,
        ),
        content=f"{ident}:{format_key_path(route)}",
        severity=_ZIZMOR_SEVERITY.get(str(det.get("severity", "")).lower(), Severity.NOTICE),
        confidence=_ZIZMOR_CONFIDENCE.get(str(det.get("confidence", "")).lower(), Confidence.LOW),
        remediation=f"See zizmor's documentation of {ident}: {url}",
        properties={"zizmor_audit": ident, "zizmor_url": url},
    )


def _zizmor_path(key: object) -> str | None:
    """The input path of a zizmor location key (``{"Local": {"given_path": ...}}``)."""
    if not isinstance(key, dict):
        return None
    local = key.get("Local")
    if not isinstance(local, dict):
        return None
    for field in ("verbatim_path", "given_path", "path"):
        value = local.get(field)
        if isinstance(value, str) and value:
            return Path(value).as_posix().removeprefix("./")
    return None
