"""Rules: one small class per rule, registered by id.

The class docstring *is* the rule's documentation. Its first line is the summary; then
sections ``Why``, ``Remediation`` and ``References`` in plain Markdown. ``examples``
holds bad and good snippets that the generic rule test runs.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from launchready_ci import __version__
from launchready_ci.findings import Confidence, Finding, Location, Severity, fingerprint

__all__ = ["DOCS_BASE", "REGISTRY", "Rule", "RuleDoc", "all_rules", "matches", "register"]

#: Where the rule docs are published (docs/rules/<domain>/<name>.md in this repository), at
#: the release tag of the version that runs: the page matches the rule that reported.
DOCS_BASE = f"https://github.com/launchready/launchready-ci/blob/v{__version__}/docs/rules"

_RULE_ID = re.compile(r"^[a-z][a-z0-9-]*/[a-z][a-z0-9-]*$")


@dataclass(frozen=True)
class RuleDoc:
    summary: str
    why: str
    remediation: str
    references: str
    body: str


class Rule:
    """Base class of every rule. Subclasses set the class attributes below."""

    id: ClassVar[str]
    severity: ClassVar[Severity] = Severity.WARNING
    confidence: ClassVar[Confidence] = Confidence.HIGH
    #: Old ids that still resolve to this rule (renames keep an alias).
    aliases: ClassVar[tuple[str, ...]] = ()
    #: ``{"bad": [...], "good": [...]}`` snippets, run by the generic rule test.
    examples: ClassVar[Mapping[str, tuple[str, ...]]] = {}

    @classmethod
    @functools.cache
    def doc(cls) -> RuleDoc:  # parsed once: every finding reads it
        text = inspect.cleandoc(cls.__doc__ or "")
        summary, _, body = text.partition("\n")
        sections = _sections(body)
        return RuleDoc(
            summary=summary.strip(),
            why=sections.get("why", ""),
            remediation=sections.get("remediation", ""),
            references=sections.get("references", ""),
            body=body.strip(),
        )

    @classmethod
    def help_uri(cls) -> str:
        return f"{DOCS_BASE}/{cls.id}.md"

    @classmethod
    def finding(
        cls,
        message: str,
        location: Location,
        *,
        content: str | None = None,
        severity: Severity | None = None,
        confidence: Confidence | None = None,
        remediation: str | None = None,
        properties: Mapping[str, Any] | None = None,
    ) -> Finding:
        """Build a finding of this rule.

        ``content`` is what identifies the problem independent of its line (a hash of a
        secret, a variable name, a hostname); it goes into the fingerprint with the path.
        """
        return Finding(
            rule_id=cls.id,
            message=message,
            severity=severity if severity is not None else cls.severity,
            confidence=confidence if confidence is not None else cls.confidence,
            location=location,
            fingerprint=fingerprint(
                cls.id, location.path or "", location.target or "", content or message
            ),
            remediation=remediation if remediation is not None else cls.doc().remediation,
            help_uri=cls.help_uri(),
            properties=tuple(sorted((properties or {}).items())),
        )


def _sections(body: str) -> dict[str, str]:
    out: dict[str, list[str]] = {}
    current = "intro"
    for line in body.splitlines():
        m = re.match(r"^(Why|Remediation|References|Examples)\s*:?\s*$", line.strip())
        if m and not line.startswith(" "):
            current = m.group(1).lower()
            continue
        if set(line.strip()) <= {"-", "="} and line.strip():
            continue  # underline of a heading
        out.setdefault(current, []).append(line)
    return {k: "\n".join(v).strip() for k, v in out.items()}


class _Registry(Mapping[str, type[Rule]]):
    def __init__(self) -> None:
        self._rules: dict[str, type[Rule]] = {}
        self._aliases: dict[str, str] = {}

    def add(self, rule: type[Rule]) -> None:
        rid = getattr(rule, "id", None)
        if not isinstance(rid, str) or not _RULE_ID.match(rid):
            raise ValueError(f"{rule.__qualname__}: rule id {rid!r} is not '<domain>/<name>'")
        for key in (rid, *rule.aliases):
            if key in self._rules or key in self._aliases:
                raise ValueError(f"duplicate rule id {key!r} ({rule.__qualname__})")
        if not (rule.__doc__ or "").strip():
            raise ValueError(f"{rid}: a rule needs a docstring (its documentation)")
        self._rules[rid] = rule
        for alias in rule.aliases:
            self._aliases[alias] = rid

    def canonical(self, rule_id: str) -> str | None:
        if rule_id in self._rules:
            return rule_id
        return self._aliases.get(rule_id)

    def __getitem__(self, key: str) -> type[Rule]:
        canon = self.canonical(key)
        if canon is None:
            raise KeyError(key)
        return self._rules[canon]

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._rules))

    def __len__(self) -> int:
        return len(self._rules)


REGISTRY = _Registry()

R = TypeVar("R", bound=type[Rule])


def register(rule: R) -> R:
    """Class decorator: add a rule to :data:`REGISTRY` (duplicate ids raise)."""
    REGISTRY.add(rule)
    return rule


_loaded = False


def _load_all() -> None:
    global _loaded
    if not _loaded:
        from launchready_ci import checks

        checks.load_all()  # its explicit imports register the rules

        _loaded = True


def all_rules() -> Mapping[str, type[Rule]]:
    _load_all()
    return REGISTRY


def matches(pattern: str, rule_id: str) -> bool:
    """``secrets/*`` style patterns for ignores; exact ids otherwise."""
    if pattern.endswith("/*"):
        return rule_id.startswith(pattern[:-1])
    return pattern == rule_id or REGISTRY.canonical(pattern) == rule_id
