"""The deploy workflow review: read every workflow in .github/workflows with line numbers,
find the ones that deploy, and report what the launch bar asks of a deploy; run zizmor
(offline) on every workflow for the security part.

One module per area holds its rules and their detection: :mod:`.deploy` (the deploy jobs
and what they lack), :mod:`.shell` (secrets printed to the log) and :mod:`.zizmor`
(zizmor's audits); :mod:`.reader` reads the files. Workflows that do not deploy get only
the secret-echo rule and zizmor's audits.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from launchready_ci.checks.base import Check
from launchready_ci.checks.workflows import deploy, shell
from launchready_ci.checks.workflows import zizmor as audits
from launchready_ci.checks.workflows.reader import WORKFLOWS, Workflow, read_workflows
from launchready_ci.context import RunContext
from launchready_ci.errors import CheckSkipped
from launchready_ci.findings import Finding

__all__ = ["AUTO", "WorkflowsCheck"]

#: ``WorkflowsCheck(zizmor=AUTO)`` looks for zizmor on PATH, then next to Python.
AUTO = "auto"


class WorkflowsCheck(Check):
    """Deploy workflows: the launch bar's asks of a deploy, and zizmor on every workflow.

    Not in CHECKS: ``launchready audit`` runs it.
    """

    id = "workflows"
    title = "Deploy workflows"
    config_key = "workflows"
    needs_config = False
    rules = (*deploy.RULES, *shell.RULES, *audits.RULES)

    def __init__(self, zizmor: str | None = AUTO) -> None:
        #: The zizmor executable; AUTO finds it, None runs without it.
        self.zizmor = audits.find_zizmor() if zizmor == AUTO else zizmor

    def run(self, ctx: RunContext, section: Mapping[str, Any]) -> Iterator[Finding]:
        workflows, invalid = read_workflows(ctx.root)
        if not workflows and not invalid:
            raise CheckSkipped(f"no workflows in {WORKFLOWS}")
        has_rollback_workflow = any(
            deploy.is_rollback_name(f"{w.file} {w.data.get('name', '')}") for w in workflows
        )
        deploying: list[str] = []
        for wf in workflows:
            jobs = deploy.deploy_jobs(wf.data, wf.file)
            if jobs:
                deploying.append(wf.file)
                yield from deploy.deploy_findings(wf, jobs, has_rollback_workflow)
            yield from shell.echo_findings(wf)
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
            version, results = audits.run_zizmor(self.zizmor, root, [w.path for w in workflows])
        except audits.ZizmorFailed as exc:
            return [], f"zizmor failed ({exc}): its security audits did not run"
        by_path = {w.path: w for w in workflows}
        found = [f for f in (audits.zizmor_finding(x, by_path) for x in results) if f is not None]
        return found, f"zizmor {version}: {len(found)} findings"
