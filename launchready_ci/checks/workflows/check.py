"""The deploy workflow review: read every workflow in .github/workflows with line numbers,
find the ones that deploy, and report what the launch bar asks of a deploy; run zizmor
(offline) on every workflow for the security part.

A job deploys when :func:`deploy_jobs` says so: it names an environment, its id, name or a
step's name says deploy/release, or a step runs a known deploy command. Workflows that do
not deploy get only the secret-echo rule and zizmor's audits.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from launchready_ci.checks.base import Check
from launchready_ci.checks.workflows import rules as r
from launchready_ci.checks.workflows.shell import echoed_secrets, secret_env
from launchready_ci.checks.workflows.zizmor import ZizmorFailed, find_zizmor, run_zizmor
from launchready_ci.config.yamlpos import LoadedYaml, format_key_path, load_yaml
from launchready_ci.context import RunContext
from launchready_ci.errors import CheckSkipped, ConfigError
from launchready_ci.findings import Confidence, Finding, Location, Severity

__all__ = [
    "AUTO",
    "Workflow",
    "WorkflowsCheck",
    "deploy_jobs",
    "read_workflows",
]

WORKFLOWS = ".github/workflows"
#: ``WorkflowsCheck(zizmor=AUTO)`` looks for zizmor on PATH, then next to Python.
AUTO = "auto"

# --- which jobs deploy -------------------------------------------------------------------

_DEPLOY_NAME = re.compile(r"deploy|release|publish[-_ ]?to[-_ ]?prod", re.I)
#: Names that say deploy/release but are not one: release-note bots, the checks after it.
_NOT_DEPLOY_NAME = re.compile(
    r"release[-_ ]?(?:draft|please|notes)|smoke|health[- ]?check|verif|roll[- ]?back|revert",
    re.I,
)
_DEPLOY_COMMAND = re.compile(
    r"""\bvercel\b[^\n;&|]*(?:\bdeploy\b|--prod\b)
    | \b(?:fly|flyctl)\s+deploy\b
    | \bkubectl\b[^\n;&|]*\b(?:apply|rollout\s+(?!undo|status|history)\w)
    | \bheroku\b
    | \bnetlify\s+deploy\b
    | \brailway\s+up\b
    | \brender\s+deploys?\b
    | \baws\s+ecs\s+update-service\b
    | \bgcloud\s+(?:run\s+|app\s+)deploy\b
    | \b(?:serverless|sls)\s+deploy\b
    | \bterraform\s+apply\b""",
    re.X,
)
_ROLLBACK_COMMAND = re.compile(
    r"\blaunchready\s+rollback\b|\b(?:vercel|heroku|helm|fly|flyctl)\b[^\n;&|]*\brollback\b"
    r"|\brollout\s+undo\b"
)
_ROLLBACK_ACTION = re.compile(r"/actions/rollback(?:@|$)", re.I)
_ROLLBACK_NAME = re.compile(r"roll[-_ ]?back|revert", re.I)
_SMOKE_ACTION = re.compile(r"/actions/smoke-test(?:@|$)", re.I)
_SMOKE_COMMAND = re.compile(r"\blaunchready\s+smoke\s+run\b")
_SMOKE_NAME = re.compile(r"smoke|health[-_ ]?check|verif(?:y|ies|ication)", re.I)


def deploy_jobs(data: Mapping[str, Any], file_name: str) -> list[str]:
    """The ids of the jobs of a workflow that deploy (the heuristic, in one place).

    A job deploys when it names an ``environment:``, its id or name or one of its steps'
    names says deploy/release/publish-to-prod, or a step runs a known deploy command or a
    deploy action. When no job does but the workflow's name does, every job counts.
    """
    jobs = _jobs(data)
    found = [
        jid
        for jid, job in jobs.items()
        if "environment" in job
        or _named_deploy(jid)
        or _named_deploy(job.get("name"))
        or any(_named_deploy(s.get("name")) or _runs_deploy(s) for _, s in _steps(job))
    ]
    if not found and _named_deploy(data.get("name") or file_name):
        found = list(jobs)
    return found


def _named_deploy(name: object) -> bool:
    return (
        isinstance(name, str)
        and _DEPLOY_NAME.search(name) is not None
        and _NOT_DEPLOY_NAME.search(name) is None
    )


def _runs_deploy(step: Mapping[str, Any]) -> bool:
    uses = step.get("uses")
    if isinstance(uses, str) and "deploy" in uses.split("@", 1)[0].lower():
        return True
    run = step.get("run")
    return isinstance(run, str) and any(
        _DEPLOY_COMMAND.search(line) and not _ROLLBACK_COMMAND.search(line)
        for line in run.splitlines()
    )


def _is_smoke(step: Mapping[str, Any]) -> bool:
    return _matches(step, _SMOKE_ACTION, _SMOKE_COMMAND, _SMOKE_NAME)


def _is_rollback(step: Mapping[str, Any]) -> bool:
    return _matches(step, _ROLLBACK_ACTION, _ROLLBACK_COMMAND, _ROLLBACK_NAME)


def _matches(
    step: Mapping[str, Any],
    action: re.Pattern[str],
    command: re.Pattern[str],
    name: re.Pattern[str],
) -> bool:
    uses, run, label = step.get("uses"), step.get("run"), step.get("name")
    return (
        (isinstance(uses, str) and action.search(uses) is not None)
        or (isinstance(run, str) and command.search(run) is not None)
        or (isinstance(label, str) and name.search(label) is not None)
    )


def _jobs(data: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    jobs = data.get("jobs")
    if not isinstance(jobs, dict):
        return {}
    return {str(k): v for k, v in jobs.items() if isinstance(v, dict)}


def _steps(job: Mapping[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    steps = job.get("steps")
    if not isinstance(steps, list):
        return []
    return [(i, s) for i, s in enumerate(steps) if isinstance(s, dict)]


def _deploy_step(job: Mapping[str, Any]) -> int | None:
    """The index of the step that deploys: a deploy command, else a step named for it."""
    steps = _steps(job)
    for i, step in steps:
        if _runs_deploy(step):
            return i
    named = [(i, str(s.get("name"))) for i, s in steps if _named_deploy(s.get("name"))]
    for i, name in named:
        if re.match(r"\W*(?:deploy|release|publish)", name, re.I):
            return i
    return named[0][0] if named else None


def _downstream(jobs: Mapping[str, Mapping[str, Any]], root: str) -> list[str]:
    """The jobs that need ``root``, directly or through other jobs."""
    out: list[str] = []
    reached = {root}
    changed = True
    while changed:
        changed = False
        for jid, job in jobs.items():
            needs = job.get("needs")
            names = {needs} if isinstance(needs, str) else set(needs or ())
            if jid not in reached and names & reached:
                reached.add(jid)
                out.append(jid)
                changed = True
    return out


# --- workflows ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Workflow:
    """One workflow file, parsed, with the positions of its keys."""

    path: str  # relative to the repository root, "/" separators
    doc: LoadedYaml
    lines: tuple[str, ...]

    @property
    def file(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def data(self) -> dict[str, Any]:
        return self.doc.data if isinstance(self.doc.data, dict) else {}

    @property
    def jobs(self) -> dict[str, dict[str, Any]]:
        return _jobs(self.data)

    def line(self, *key: str | int) -> int | None:
        """The line of a key (``"jobs", "deploy"``) or of a list item (``..., "steps", 2``)."""
        path = format_key_path(key)
        pos = self.doc.key_positions.get(path) or self.doc.positions.get(path)
        return pos[0] if pos else None

    def at(self, *key: str | int) -> Location:
        return Location(path=self.path, start_line=self.line(*key) or 1)


def read_workflows(root: Path) -> tuple[list[Workflow], list[str]]:
    """Every ``.github/workflows/*.yml|*.yaml`` (what GitHub runs), and the names of the
    files that could not be read as YAML."""
    folder = root / WORKFLOWS
    files = (
        sorted(p for p in folder.iterdir() if p.suffix in (".yml", ".yaml") and p.is_file())
        if folder.is_dir()
        else []
    )
    workflows: list[Workflow] = []
    invalid: list[str] = []
    for file in files:
        rel = f"{WORKFLOWS}/{file.name}"
        try:
            raw = file.read_bytes()
            doc = load_yaml(raw, rel)
        except (OSError, ConfigError):
            invalid.append(file.name)
            continue
        if not isinstance(doc.data, dict):
            invalid.append(file.name)
            continue
        lines = tuple(raw.decode("utf-8").splitlines())
        workflows.append(Workflow(rel, doc, lines))
    return workflows, invalid


class WorkflowsCheck(Check):
    """Deploy workflows: the launch bar's asks of a deploy, and zizmor on every workflow.

    Not in CHECKS: ``launchready audit`` runs it.
    """

    id = "workflows"
    title = "Deploy workflows"
    config_key = "workflows"
    needs_config = False
    rules = (
        r.DeployAnyBranch,
        r.DeployWithoutEnvironment,
        r.DeployWithoutConcurrency,
        r.DeployWithoutSmokeTest,
        r.DeployWithoutRollback,
        r.SecretEchoed,
        r.PermissionsNotSet,
        r.Zizmor,
    )

    def __init__(self, zizmor: str | None = AUTO) -> None:
        #: The zizmor executable; AUTO finds it, None runs without it.
        self.zizmor = find_zizmor() if zizmor == AUTO else zizmor

    def run(self, ctx: RunContext, section: Mapping[str, Any]) -> Iterator[Finding]:
        workflows, invalid = read_workflows(ctx.root)
        if not workflows and not invalid:
            raise CheckSkipped(f"no workflows in {WORKFLOWS}")
        has_rollback_workflow = any(
            _ROLLBACK_NAME.search(f"{w.file} {w.data.get('name', '')}") for w in workflows
        )
        deploying: list[str] = []
        for wf in workflows:
            jobs = deploy_jobs(wf.data, wf.file)
            if jobs:
                deploying.append(wf.file)
                yield from _deploy_findings(wf, jobs, has_rollback_workflow)
            yield from _echo_findings(wf)
        zizmor_note = ""
        if workflows:
            found, zizmor_note = self._zizmor(ctx.root, workflows)
            yield from found
        self.scope = (
            f"{len(workflows)} workflows, {len(deploying)} deploys"
            + (f" ({', '.join(deploying)})" if deploying else "")
            + (f"; not valid YAML, skipped: {', '.join(invalid)}" if invalid else "")
            + (f"; {zizmor_note}" if zizmor_note else "")
        )

    def _zizmor(self, root: Path, workflows: Sequence[Workflow]) -> tuple[list[Finding], str]:
        if self.zizmor is None:
            return [], "zizmor not installed: its security audits did not run"
        try:
            version, results = run_zizmor(self.zizmor, root, [w.path for w in workflows])
        except ZizmorFailed as exc:
            return [], f"zizmor failed ({exc}): its security audits did not run"
        by_path = {w.path: w for w in workflows}
        found = [f for f in (_zizmor_finding(x, by_path) for x in results) if f is not None]
        return found, f"zizmor {version}: {len(found)} findings"


def _label(wf: Workflow) -> str:
    name = wf.data.get("name")
    return f"{wf.file} ({name})" if isinstance(name, str) and name else wf.file


def _step_label(index: int, step: Mapping[str, Any]) -> str:
    for key in ("name", "id", "uses"):
        if isinstance(step.get(key), str):
            return f"step {step[key]!r}"
    return f"step {index + 1}"


def _deploy_findings(
    wf: Workflow, deploy: Sequence[str], has_rollback_workflow: bool
) -> Iterator[Finding]:
    data, jobs = wf.data, wf.jobs
    names = ", ".join(deploy)
    yield from _trigger_findings(wf, names)
    steps_anywhere = [s for job in jobs.values() for _, s in _steps(job)]
    rollback = (
        has_rollback_workflow
        or any(_is_rollback(s) for s in steps_anywhere)
        or any(_ROLLBACK_NAME.search(f"{jid} {j.get('name', '')}") for jid, j in jobs.items())
    )
    for jid in deploy:
        job = jobs[jid]
        where = f"{_label(wf)}, job {jid}"
        at_job = wf.at("jobs", jid)
        step_index = _deploy_step(job)
        at_step = wf.at("jobs", jid, "steps", step_index) if step_index is not None else at_job
        calls = "uses" in job  # a reusable workflow: its own file has the steps
        if not calls and "environment" not in job:
            yield r.DeployWithoutEnvironment.finding(
                f"{where}: deploys without `environment:`: no protection rules, no "
                "environment secrets, no deployment history",
                at_job,
                content=f"{jid}:environment",
            )
        if "concurrency" not in data and "concurrency" not in job:
            yield r.DeployWithoutConcurrency.finding(
                f"{where}: neither the workflow nor the job sets `concurrency:`; two deploys "
                "can run at once and the older one can finish last",
                at_job,
                content=f"{jid}:concurrency",
            )
        if not calls and not _smoke_tested(jobs, jid, step_index):
            after = "after the deploy step" if step_index is not None else "in or after the job"
            yield r.DeployWithoutSmokeTest.finding(
                f"{where}: nothing checks the release {after} (no smoke-test action, "
                "`launchready smoke run` or smoke/health-check step)",
                at_step,
                content=f"{jid}:smoke",
            )
        if not calls and not rollback:
            yield r.DeployWithoutRollback.finding(
                f"{where}: no rollback step in the workflow and no rollback workflow in "
                f"{WORKFLOWS}",
                at_step,
                content=f"{jid}:rollback",
            )
        if "permissions" not in data and "permissions" not in job:
            yield r.PermissionsNotSet.finding(
                f"{where}: no `permissions:` on the workflow or the job; the GITHUB_TOKEN "
                "gets the repository default, which may be read-write",
                at_job,
                content=f"{jid}:permissions",
            )


def _smoke_tested(jobs: Mapping[str, Mapping[str, Any]], jid: str, step_index: int | None) -> bool:
    after = [s for i, s in _steps(jobs[jid]) if step_index is None or i > step_index]
    later = _downstream(jobs, jid)
    return any(_is_smoke(s) for s in after) or any(
        _SMOKE_NAME.search(f"{d} {jobs[d].get('name', '')}")
        or _SMOKE_ACTION.search(str(jobs[d].get("uses", "")))
        or any(_is_smoke(s) for _, s in _steps(jobs[d]))
        for d in later
    )


def _trigger_findings(wf: Workflow, deploy: str) -> Iterator[Finding]:
    on = wf.data.get("on")
    triggers: Mapping[str, Any]
    if isinstance(on, str):
        triggers = {on: None}
    elif isinstance(on, list):
        triggers = {str(t): None for t in on}
    else:
        triggers = on if isinstance(on, dict) else {}
    where = f"{_label(wf)}, deploy job(s) {deploy}"
    for event, spec in triggers.items():
        at = wf.at("on", event) if isinstance(on, dict) else wf.at("on")
        if event == "push" and not _filtered(spec):
            yield r.DeployAnyBranch.finding(
                f"{where}: runs on a push to any branch (no `branches:` filter), so "
                "unreviewed code reaches production",
                at,
                content="push",
            )
        elif event in ("pull_request", "pull_request_target"):
            target = event == "pull_request_target"
            yield r.DeployAnyBranch.finding(
                f"{where}: runs on `{event}`, deploying code from pull requests before review"
                + (", with the base repository's secrets" if target else ""),
                at,
                content=event,
                severity=Severity.ERROR if target else None,
            )


def _filtered(spec: object) -> bool:
    """Whether a ``push:`` trigger is limited to some branches (or to tags only)."""
    if not isinstance(spec, dict):
        return False
    branches = spec.get("branches")
    if isinstance(branches, str):
        branches = [branches]
    if isinstance(branches, list) and branches:
        return not all(str(b) in ("*", "**") for b in branches)
    return "branches-ignore" not in spec and ("tags" in spec or "tags-ignore" in spec)


def _echo_findings(wf: Workflow) -> Iterator[Finding]:
    for jid, job in wf.jobs.items():
        for i, step in _steps(job):
            script = step.get("run")
            if not isinstance(script, str):
                continue
            bound = secret_env(wf.data.get("env"), job.get("env"), step.get("env"))
            echoes = echoed_secrets(script, bound)
            if not echoes:
                continue
            lines = _script_lines(wf, ("jobs", jid, "steps", i, "run"), script)
            for echo in echoes:
                shown = ", ".join(
                    f"{n} (bound to {bound[n[1:]]})" if n.startswith("$") and n[1:] in bound else n
                    for n in echo.names
                )
                verb = "traces commands with" if echo.command.startswith("set") else "prints"
                yield r.SecretEchoed.finding(
                    f"{_label(wf)}, job {jid}, {_step_label(i, step)}: `{echo.command}` "
                    f"{verb} {shown} to the job log",
                    Location(path=wf.path, start_line=lines[echo.index]),
                    content=f"{jid}:{_step_label(i, step)}:{echo.command}:{','.join(echo.names)}",
                )


def _script_lines(wf: Workflow, key: tuple[str | int, ...], script: str) -> list[int]:
    """The file line of each line of a ``run:`` script (the ``run:`` line when a line
    cannot be found as written, as in a quoted or folded scalar)."""
    start = wf.line(*key) or 1
    script_lines = script.splitlines()
    end = min(len(wf.lines), start + 2 * len(script_lines) + 2)
    cursor = start - 1
    out: list[int] = []
    for text in script_lines:
        wanted = text.strip()
        found = start
        if wanted:
            for j in range(cursor, end):
                if wanted in wf.lines[j]:
                    found, cursor = j + 1, j
                    break
        out.append(found)
    return out


_ZIZMOR_SEVERITY = {"high": Severity.ERROR, "medium": Severity.WARNING}
_ZIZMOR_CONFIDENCE = {"high": Confidence.HIGH, "medium": Confidence.MEDIUM}


def _zizmor_finding(result: Mapping[str, Any], workflows: Mapping[str, Workflow]) -> Finding | None:
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
    where = _label(wf)
    if len(route) >= 2 and route[0] == "jobs":
        where += f", job {route[1]}"
        job = wf.jobs.get(str(route[1]), {})
        if len(route) >= 4 and route[2] == "steps" and isinstance(route[3], int):
            steps = dict(_steps(job))
            if route[3] in steps:
                where += f", {_step_label(route[3], steps[route[3]])}"
    annotation = str(symbolic.get("annotation") or "")
    url = str(result.get("url") or "https://docs.zizmor.sh/audits/")
    line = int(point["row"]) + 1 if isinstance(point.get("row"), int) else 1
    end_line = int(end["row"]) + 1 if isinstance(end.get("row"), int) else None
    return r.Zizmor.finding(
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
