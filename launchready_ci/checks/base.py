"""The base class of a check: one capability (secrets, env inventory, ...)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from launchready_ci.config.model import Config
from launchready_ci.context import RunContext
from launchready_ci.findings import Finding, Location
from launchready_ci.rules import Rule

__all__ = ["Check", "config_location"]


def config_location(
    config: Config, key: str, target: str, kind: str, *, fallback: str | None = None
) -> Location:
    """The launchready.yml entry at ``key`` (else at ``fallback``) as a finding's location,
    with ``target`` (a hostname, a URL) as its logical target."""
    pos = config.position(key) or (config.position(fallback) if fallback else None)
    if pos is None:
        return Location(target=target, target_kind=kind)
    return Location(
        path=pos.path, start_line=pos.line, end_line=pos.line, target=target, target_kind=kind
    )


class Check:
    """A check yields findings of its rules, or raises ``CheckSkipped`` with a reason.

    ``config_key`` names its section in launchready.yml. A check with
    ``needs_config = True`` is reported as skipped, with ``enable_snippet``, when the
    section is absent.
    """

    id: ClassVar[str]
    title: ClassVar[str]
    config_key: ClassVar[str]
    needs_config: ClassVar[bool] = False
    enable_snippet: ClassVar[str] = ""
    #: A file at the repository root whose presence turns the check on without a section
    #: (``env-inventory.yml`` for the env check).
    enabled_by: ClassVar[str | None] = None
    rules: ClassVar[tuple[type[Rule], ...]] = ()
    #: Set by ``run``: what was looked at and what was skipped ("812 files, 4.1 MB; ...").
    scope: str | None = None
    #: Set by ``run``: a table of what was measured, header row first (the smoke test's
    #: latencies per step); rendered by the reporters as it is.
    measurements: tuple[tuple[str, ...], ...] = ()

    def run(self, ctx: RunContext, section: Mapping[str, Any]) -> Iterable[Finding]:
        raise NotImplementedError

    def files_read(self, ctx: RunContext) -> set[str] | None:
        """The repository files this check reads (repository-relative), so that only
        their inline ``launchready: ignore[...]`` comments can be unused for it; None:
        the repository at large. A live check (the domain, a deployed release) reads
        launchready.yml alone."""
        return None
