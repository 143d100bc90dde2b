"""What a check gets to work with: the repository, its config, the GitHub environment."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from launchready_ci.config.model import Config

__all__ = ["GitHubEnv", "RunContext"]


@dataclass(frozen=True)
class GitHubEnv:
    """The parts of the GitHub Actions environment launchready reads."""

    actions: bool = False
    event_name: str | None = None
    sha: str | None = None
    ref: str | None = None
    repository: str | None = None
    server_url: str = "https://github.com"
    run_id: str | None = None
    step_summary: str | None = None
    output: str | None = None
    workspace: str | None = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> GitHubEnv:
        env = os.environ if environ is None else environ
        return cls(
            actions=env.get("GITHUB_ACTIONS") == "true",
            event_name=env.get("GITHUB_EVENT_NAME"),
            sha=env.get("GITHUB_SHA"),
            ref=env.get("GITHUB_REF"),
            repository=env.get("GITHUB_REPOSITORY"),
            server_url=env.get("GITHUB_SERVER_URL", "https://github.com"),
            run_id=env.get("GITHUB_RUN_ID"),
            step_summary=env.get("GITHUB_STEP_SUMMARY") or None,
            output=env.get("GITHUB_OUTPUT") or None,
            workspace=env.get("GITHUB_WORKSPACE") or None,
        )

    @property
    def run_url(self) -> str | None:
        if self.repository and self.run_id:
            return f"{self.server_url}/{self.repository}/actions/runs/{self.run_id}"
        return None


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class RunContext:
    """Shared inputs of every check. Injectable clock and environment for tests."""

    root: Path
    config: Config
    github: GitHubEnv = field(default_factory=GitHubEnv)
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    clock: Callable[[], dt.datetime] = _utcnow

    def relpath(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return path.as_posix()
