"""The base class of a check: one capability (secrets, env inventory, ...)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from launchready_ci.context import RunContext
from launchready_ci.findings import Finding
from launchready_ci.rules import Rule

__all__ = ["Check"]


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
    rules: ClassVar[tuple[type[Rule], ...]] = ()
    #: Set by ``run``: what was looked at and what was skipped ("812 files, 4.1 MB; ...").
    scope: str | None = None

    def run(self, ctx: RunContext, section: Mapping[str, Any]) -> Iterable[Finding]:
        raise NotImplementedError
