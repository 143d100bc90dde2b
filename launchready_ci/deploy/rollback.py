"""``launchready rollback``: after a failed smoke test, put the last good release back the
way the repository's ``rollback:`` section says, unless a guard says not to.

The guards, in order (each one's verdict goes into the log of what happened):

1. the smoke test failed in at least ``min_failed_runs`` runs (one bad probe is noise);
2. the failed deploy is not itself a rollback (``--rollback-of``, or the event's
   ``inputs.rollback-of`` / deployment ``payload.launchready.rollback_of``): rolling a
   rollback back would flap between two broken releases, so a human decides;
3. there is a target: ``--target``, else the newest successful GitHub deployment of
   the environment at another commit;
4. it was not already triggered for this deploy (idempotency key ``ENV:SHA``, looked up
   where the strategy leaves a trace, and matched exactly: the deployments' payload key,
   the dispatched runs' run-name ``rollback of <SHA>`` (what the starter workflow's
   run-name makes of the ``rollback-of`` input; a deploy titled "deploy <SHA>" is not
   one), or the state file for a command);
5. the target is not already live (the smoke spec's readiness version, polled now);
6. the commits between the target and the failed release add no migration marked
   ``launchready: irreversible`` (``--force`` overrides): old code on a schema it does
   not know can do more harm than the failed release.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from launchready_ci.errors import CheckError, UsageError
from launchready_ci.github.api import GitHubAPI

__all__ = [
    "Decision",
    "Plan",
    "Rollback",
    "RollbackResult",
    "rollback_key",
    "rollback_run_name",
]

IRREVERSIBLE_MARK = "launchready: irreversible"
ROLLBACK_TASK = "deploy"
DEFAULT_MIN_FAILED = 2


@dataclass(frozen=True)
class Decision:
    step: str
    verdict: str  # ok, skip, refuse, act, fail, info
    detail: str


@dataclass
class RollbackResult:
    outcome: str  # rolled-back, would-roll-back, not-needed, skipped, refused, failed
    target: str | None
    reason: str
    log: list[Decision] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.outcome in ("refused", "failed") else 0


@dataclass(frozen=True)
class Plan:
    strategy: str
    environment: str
    deployed: str  # the failed release's commit
    smoke: Mapping[str, Any]  # the smoke results file
    target: str | None = None
    rollback_of: str | None = None  # set when the failed deploy was itself a rollback
    force: bool = False
    dry_run: bool = False
    min_failed_runs: int = DEFAULT_MIN_FAILED
    command: str | None = None
    workflow: str | None = None
    workflow_ref: str = "main"
    timeout: float = 600.0
    state_file: Path | None = None
    migration_globs: tuple[str, ...] = ()
    run_url: str | None = None


def rollback_key(environment: str, deployed: str) -> str:
    return f"{environment}:{deployed}"


def rollback_run_name(deployed: str) -> str:
    """The run-name of a dispatched rollback: the starter workflow sets it from the
    ``rollback-of`` input (``run-name: ... format('rollback of {0}', inputs.rollback-of)``),
    and the guard matches it exactly."""
    return f"rollback of {deployed}"


class Rollback:
    def __init__(
        self,
        plan: Plan,
        *,
        root: Path,
        api: GitHubAPI | None,
        live_version: Any = None,  # () -> str | None: the version serving now
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.plan = plan
        self.root = root
        self.api = api
        self.live_version = live_version
        self.environ = dict(os.environ if environ is None else environ)
        self.log: list[Decision] = []
        if api is not None:  # each retry and wait goes into the log where it happened
            api.on_retry = lambda text: self.note("GitHub API", "info", text)

    def note(self, step: str, verdict: str, detail: str) -> None:
        self.log.append(Decision(step, verdict, detail))

    def result(self, outcome: str, target: str | None, reason: str) -> RollbackResult:
        return RollbackResult(outcome, target, reason, self.log)

    def run(self) -> RollbackResult:
        """Every guard, then the action; a GitHub or command failure anywhere ends in a
        ``failed`` result with the log so far (never an exception)."""
        try:
            return self._run()
        except CheckError as exc:
            self.note("stopped", "fail", str(exc))
            return self.result("failed", None, str(exc))

    def _run(self) -> RollbackResult:
        plan = self.plan
        smoke = plan.smoke
        runs, failed = int(smoke.get("runs", 0)), int(smoke.get("failed_runs", 0))
        if smoke.get("passed"):
            self.note("smoke test", "skip", f"passed in all {runs} runs")
            return self.result("not-needed", None, "the smoke test passed")
        needed = max(1, min(plan.min_failed_runs, runs or 1))
        if failed < needed:
            self.note(
                "failed runs",
                "skip",
                f"{failed} of {runs} runs failed; the rollback needs {needed}",
            )
            return self.result("not-needed", None, f"only {failed} of {runs} runs failed")
        self.note("failed runs", "ok", f"{failed} of {runs} runs failed (needs {needed})")

        if plan.rollback_of:
            self.note(
                "rollback of a rollback",
                "refuse",
                f"{_short(plan.deployed)} was itself a rollback of {_short(plan.rollback_of)}; "
                "rolling it back would bring back the release that failed first",
            )
            return self.result(
                "refused", None, "the failed deploy is a rollback: a human has to decide"
            )
        self.note("rollback of a rollback", "ok", f"{_short(plan.deployed)} is a normal deploy")

        target = self._target()
        if target is None and plan.strategy != "command":
            return self.result("failed", None, "no earlier successful deployment to return to")
        key = rollback_key(plan.environment, plan.deployed)
        earlier = self._already_triggered(key)
        if earlier:
            self.note("idempotency", "skip", f"already triggered for {key}: {earlier}")
            return self.result("skipped", target, f"already triggered: {earlier}")
        self.note("idempotency", "ok", f"no rollback yet for {key}")

        if target is not None and self.live_version is not None:
            from launchready_ci.checks.smoke.engine import versions_match

            live = self.live_version()
            if live is not None and versions_match(live, target):
                self.note("live version", "skip", f"{live} is live already: nothing to do")
                return self.result("skipped", target, f"the target {_short(target)} is live")
            shown = live if live is not None else "unknown"
            self.note("live version", "ok", f"live: {shown}; target {_short(target)}")

        blocked = self._irreversible(target)
        if blocked:
            if not plan.force:
                self.note(
                    "irreversible migrations",
                    "refuse",
                    f"{', '.join(blocked)} marked `{IRREVERSIBLE_MARK}`; --force to roll back "
                    "anyway",
                )
                return self.result(
                    "refused", target, "the failed release ran a migration marked irreversible"
                )
            self.note(
                "irreversible migrations", "ok", f"{', '.join(blocked)}: overridden by --force"
            )

        if plan.dry_run:
            self.note(plan.strategy, "info", "dry run: " + self._describe(target))
            return self.result("would-roll-back", target, self._describe(target))
        done = self._act(target, key)
        self.note(plan.strategy, "act", done)
        self._record(key, target)
        return self.result("rolled-back", target, done)

    # -- the guards ------------------------------------------------------------------

    def _target(self) -> str | None:
        plan = self.plan
        if plan.target:
            self.note("target", "ok", f"{plan.target} (given)")
            return plan.target
        if self.api is None:
            verdict = "info" if plan.strategy == "command" else "fail"
            self.note(
                "target", verdict, "no --target and no GitHub token to look up the last good deploy"
            )
            return None
        api = self.api
        params = {"environment": plan.environment}
        for deployment in api.paginate(api.repo_path("deployments"), params):
            if deployment["sha"] == plan.deployed:
                continue
            statuses = api.request(
                "GET", api.repo_path(f"deployments/{deployment['id']}/statuses"),
                params={"per_page": 100},
            ).json()  # fmt: skip
            # Newest first. A later success marks earlier deployments of a non-production
            # environment inactive: inactive after a success was a good release too.
            states = [s["state"] for s in statuses]
            if states and states[0] in ("success", "inactive") and "success" in states:
                self.note(
                    "target",
                    "ok",
                    f"{_short(deployment['sha'])} ({deployment['ref']}), deployment "
                    f"#{deployment['id']} of {deployment['created_at']}, the last successful one",
                )
                return str(deployment["sha"])
        self.note(
            "target", "fail", f"no successful deployment to {plan.environment} before this one"
        )
        return None

    def _already_triggered(self, key: str) -> str | None:
        plan = self.plan
        if plan.strategy == "deployment" and self.api is not None:
            api = self.api
            for deployment in api.paginate(
                api.repo_path("deployments"), {"environment": plan.environment}
            ):
                payload = deployment.get("payload") or {}
                if isinstance(payload, str):
                    try:
                        payload = json.loads(payload)
                    except ValueError:
                        payload = {}
                mark = payload.get("launchready", {}) if isinstance(payload, dict) else {}
                if isinstance(mark, dict) and mark.get("key") == key:
                    return f"deployment #{deployment['id']} of {deployment['created_at']}"
            return None
        if plan.strategy == "workflow" and self.api is not None and plan.workflow:
            api = self.api
            runs = api.request(
                "GET",
                api.repo_path(f"actions/workflows/{plan.workflow}/runs"),
                params={"event": "workflow_dispatch", "per_page": 100},
            ).json()
            title = rollback_run_name(plan.deployed)
            for run in runs.get("workflow_runs", []):
                if str(run.get("display_title", "")).strip() == title:
                    return f"run #{run.get('run_number', run['id'])} of {run['created_at']}"
            return None
        state = self._state()
        if key in state:
            return f"{state[key].get('at', 'earlier')} (state file)"
        return None

    def _state(self) -> dict[str, Any]:
        path = self.plan.state_file
        if path is None or not path.is_file():
            return {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _record(self, key: str, target: str | None) -> None:
        path = self.plan.state_file
        if path is None:
            return
        import datetime as dt

        from launchready_ci.fileio import atomic_write

        state = self._state()
        state[key] = {"target": target, "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, json.dumps(state, indent=2) + "\n")

    def _irreversible(self, target: str | None) -> list[str]:
        from launchready_ci.checks.files import matches_any
        from launchready_ci.checks.migrations.check import DEFAULT_PATHS
        from launchready_ci.git import changed_paths

        plan = self.plan
        if target is None:
            self.note("irreversible migrations", "info", "no target commit to compare with")
            return []
        try:
            changed = changed_paths(self.root, target, plan.deployed)
        except UsageError as exc:  # a shallow clone, a target not fetched
            detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            self.note(
                "irreversible migrations",
                "info",
                f"could not list the changes since {_short(target)} ({detail}); "
                "checkout with fetch-depth: 0 to have this guard",
            )
            return []
        globs = plan.migration_globs or tuple(DEFAULT_PATHS)
        migrations = sorted(p for p in changed if matches_any(p, globs))
        marked = []
        for rel in migrations:
            try:
                text = (self.root / rel).read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            if IRREVERSIBLE_MARK in text:
                marked.append(rel)
        if not marked:
            self.note(
                "irreversible migrations",
                "ok",
                f"{len(migrations)} migration(s) since {_short(target)}, none marked irreversible",
            )
        return marked

    # -- acting ----------------------------------------------------------------------

    def _describe(self, target: str | None) -> str:
        plan = self.plan
        to = _short(target) if target else "the previous release"
        if plan.strategy == "command":
            return f"run `{plan.command}` to put back {to}"
        if plan.strategy == "workflow":
            return (
                f"dispatch {plan.workflow} on {plan.workflow_ref} with ref={to}, "
                f"rollback-of={_short(plan.deployed)}"
            )
        return (
            f"mark the deployment of {_short(plan.deployed)} failed and create a deployment "
            f"of {to} to {plan.environment}"
        )

    def _act(self, target: str | None, key: str) -> str:
        plan = self.plan
        if plan.strategy == "command":
            return self._command(target)
        api = self.api
        if api is None:
            raise UsageError(f"the {plan.strategy} strategy needs a GitHub token: set GITHUB_TOKEN")
        assert target is not None
        if plan.strategy == "workflow":
            api.request(
                "POST",
                api.repo_path(f"actions/workflows/{plan.workflow}/dispatches"),
                json={
                    "ref": plan.workflow_ref,
                    "inputs": {"ref": target, "rollback-of": plan.deployed},
                },
            )
            return self._describe(target).replace("dispatch", "dispatched", 1)
        return self._deployment(api, target, key)

    def _deployment(self, api: GitHubAPI, target: str, key: str) -> str:
        plan = self.plan
        failed = None
        params = {"environment": plan.environment, "sha": plan.deployed}
        for deployment in api.paginate(api.repo_path("deployments"), params):
            failed = deployment
            break
        text = []
        if failed is not None:
            api.request(
                "POST",
                api.repo_path(f"deployments/{failed['id']}/statuses"),
                json={
                    "state": "failure",
                    "description": "smoke test failed: rolled back by launchready",
                    "log_url": plan.run_url or "",
                    "environment": plan.environment,
                },
            )
            text.append(f"marked deployment #{failed['id']} failed")
        created = api.request(
            "POST",
            api.repo_path("deployments"),
            json={
                "ref": target,
                "task": ROLLBACK_TASK,
                "environment": plan.environment,
                "auto_merge": False,
                "required_contexts": [],
                "description": f"rollback of {_short(plan.deployed)} (smoke test failed)",
                "payload": {"launchready": {"rollback_of": plan.deployed, "key": key}},
                "production_environment": plan.environment == "production",
            },
        ).json()
        if "id" not in created:  # 202: GitHub merged the default branch first, or refused
            raise CheckError(f"GitHub did not create the deployment: {created.get('message')}")
        text.append(f"created deployment #{created['id']} of {_short(target)}")
        return "; ".join(text)

    def _command(self, target: str | None) -> str:
        plan = self.plan
        assert plan.command is not None
        env = {
            **self.environ,
            "LAUNCHREADY_ROLLBACK_TARGET": target or "",
            "LAUNCHREADY_ROLLBACK_FROM": plan.deployed,
            "LAUNCHREADY_ROLLBACK_ENVIRONMENT": plan.environment,
        }
        try:
            done = subprocess.run(
                ["bash", "-c", plan.command],
                cwd=self.root,
                env=env,
                timeout=plan.timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise CheckError(f"the command did not finish in {plan.timeout:g} s") from None
        except OSError as exc:
            raise CheckError(f"the command could not start: {exc.strerror}") from None
        if done.returncode != 0:
            raise CheckError(f"the command exited with status {done.returncode}")
        return f"ran `{plan.command}` (exit 0)"


def _short(sha: str | None) -> str:
    if sha and len(sha) == 40 and all(c in "0123456789abcdef" for c in sha):
        return sha[:12]
    return sha or "?"
