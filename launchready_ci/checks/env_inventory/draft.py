"""Draft an inventory from the variables the repository mentions (``launchready env init``).

A new file lists every name, sorted, with ``purpose`` and ``owner`` left empty and
``secret`` guessed with the test the rules use (:func:`looks_secret`, or a GitHub secret
or a URL with a password passed in); a comment on each name says where it is read. A
variable the platform, CI or framework sets (``PORT``, ``VERCEL_URL``, ``CI``,
``NODE_ENV``) gets ``provided:`` instead, and no owner is asked for. Names that only
tests read are left out unless ``include_tests``. An
existing file is never rewritten: the entries it lacks are appended after its last byte,
so everything a person wrote stays as it was, comments and order included. Values are
never written, not even the defaults of ``.env.example``: a template's value may be a
real credential someone pasted by mistake.

Pure functions: the caller reads and writes the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import yaml

from launchready_ci.checks.env_inventory.inventory import load_inventory
from launchready_ci.checks.env_inventory.model import Inventory, Use, UseKind
from launchready_ci.checks.env_inventory.readers.workflows import is_workflow
from launchready_ci.checks.env_inventory.rules._names import (
    NEEDS_ENTRY,
    is_github_builtin,
    named_secret,
    provided_by,
)
from launchready_ci.errors import ConfigError, UsageError

__all__ = ["HEADER", "Draft", "draft", "guess_secret"]

HEADER = (
    "# The environment variables this repository reads: what each is for, who owns it,\n"
    "# whether it is a secret and where it must be set. `launchready env check` compares\n"
    "# it with the code; `launchready env docs` renders it as a table.\n"
    "# Drafted by `launchready env init`: fill in purpose and owner, check every guessed\n"
    "# `secret:`, and add required_in, stored_in and format where they help. Never put a\n"
    "# secret value here.\n"
)

#: Where-comments name at most this many places per variable.
MAX_PLACES = 3

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Draft:
    """The file's new text and the variables added to it (sorted)."""

    text: str
    added: tuple[str, ...]
    kept: int = 0  # entries the file already had

    @property
    def changed(self) -> bool:
        return bool(self.added)


def guess_secret(name: str) -> bool:
    """A guess from the name alone, with the word test env/secret-literal uses
    (:func:`named_secret`): ``STRIPE_SECRET_KEY``, ``DATABASE_URL`` and
    ``NEXT_PUBLIC_STRIPE_SECRET_KEY`` yes (the last is then reported, rightly);
    ``STRIPE_PUBLISHABLE_KEY``, ``NEXT_PRIVATE_SMTP_HOST``, ``NEXT_PUBLIC_POSTHOG_KEY``
    and ``NEXT_PUBLIC_DISABLE_EMAIL_PASSWORD_SIGNIN`` no."""
    return named_secret(name)


def draft(
    uses: Iterable[Use],
    existing: str | None = None,
    path: str = "env-inventory.yml",
    *,
    include_tests: bool = False,
) -> Draft:
    """The inventory text for ``uses``: a new file, or ``existing`` plus missing entries.

    A variable is drafted when the environment must provide it, as for
    env/not-in-inventory: code reads it, a deploy file passes it in, or a workflow takes
    it from GitHub's secrets or variables (GitHub's own variables excepted). Names that
    only a template lists, or that a deploy file sets itself, are left out.

    Raises :class:`ConfigError` when ``existing`` is not a valid inventory and
    :class:`UsageError` when entries cannot be appended without rewriting the file.
    """
    places = _places(uses, include_tests)
    if existing is None:
        names = sorted(places)
        body = _entries(names, places, indent=2, newline="\n") if names else ""
        variables = "variables:\n" if names else "variables: {}\n"
        return Draft(HEADER + "version: 1\n" + variables + body, tuple(names))
    inventory = load_inventory(existing, path)
    missing = sorted(set(places) - set(inventory.entries))
    if not missing:
        return Draft(existing, (), len(inventory.entries))
    text = _append(existing, inventory, missing, places, path)
    return Draft(text, tuple(missing), len(inventory.entries))


def _places(uses: Iterable[Use], include_tests: bool) -> dict[str, list[Use]]:
    """The uses of every variable that needs an entry, by name: something the environment
    must provide (see env/not-in-inventory), outside tests unless ``include_tests``.
    GitHub's own variables count only when code outside workflows reads them."""
    out: dict[str, list[Use]] = {}
    for use in uses:
        if use.kind != UseKind.DYNAMIC:
            out.setdefault(use.name, []).append(use)
    kept: dict[str, list[Use]] = {}
    for name, found in out.items():
        needed = [u for u in found if u.kind in NEEDS_ENTRY and (include_tests or not u.test_only)]
        if not needed:
            continue
        if is_github_builtin(name) and all(is_workflow(u.path) for u in needed):
            continue
        kept[name] = found
    return kept


def _entries(
    names: Sequence[str], places: Mapping[str, list[Use]], *, indent: int, newline: str
) -> str:
    key, field = " " * indent, " " * (indent * 2)
    lines: list[str] = []
    for name in names:
        lines.append(f"{key}{name}:  # {_where(places[name])}")
        stored = any(u.kind in (UseKind.SECRET_REF, UseKind.VAR_REF) for u in places[name])
        provided = None if stored else provided_by(name)
        if provided is not None:
            lines.append(f"{field}provided: {provided}")
            continue
        lines += [
            f"{field}purpose:",
            f"{field}owner:",
            f"{field}secret: {'true' if _is_secret(places[name]) else 'false'}",
        ]
    return "".join(line + newline for line in lines)


def _is_secret(uses: Sequence[Use]) -> bool:
    """The name's guess, or what a deploy file says: a GitHub secret, a URL with a password."""
    secret_kinds = (UseKind.SECRET_REF, UseKind.CREDENTIAL)
    return guess_secret(uses[0].name) or any(u.kind in secret_kinds for u in uses)


#: How the where-comment words each kind of use, in the order it lists them.
_VERBS: tuple[tuple[str, frozenset[str]], ...] = (
    ("read at", frozenset({UseKind.READ})),
    ("passed in at", frozenset({UseKind.PASS})),
    ("taken from GitHub at", frozenset({UseKind.SECRET_REF, UseKind.VAR_REF})),
    ("set at", frozenset({UseKind.SET, UseKind.LITERAL, UseKind.CREDENTIAL})),
    ("listed in", frozenset({UseKind.EXAMPLE})),
)


def _where(uses: Sequence[Use]) -> str:
    parts: list[str] = []
    budget = MAX_PLACES
    for verb, kinds in _VERBS:
        group = [u for u in uses if u.kind in kinds]
        if not group:
            continue
        shown = group[: max(budget, 1)]
        budget -= len(shown)
        text = f"{verb} " + ", ".join(f"{_printable(u.path)}:{u.line}" for u in shown)
        if len(group) > len(shown):
            text += f" (+{len(group) - len(shown)} more)"
        parts.append(text)
    return "; ".join(parts)


def _printable(text: str) -> str:
    return _UNPRINTABLE.sub("?", text)


def _append(
    existing: str,
    inventory: Inventory,
    missing: Sequence[str],
    places: Mapping[str, list[Use]],
    path: str,
) -> str:
    newline = "\r\n" if "\r\n" in existing else "\n"
    base = existing
    if not inventory.entries:
        base = _open_empty_flow_mapping(base)
    if base and not base.endswith("\n"):
        base += newline
    indent = min((e.column - 1 for e in inventory.entries.values()), default=2) or 2
    text = base + _entries(missing, places, indent=indent, newline=newline)
    _check_appended(text, inventory, missing, path)
    return text


def _open_empty_flow_mapping(text: str) -> str:
    """``variables: {}`` (nothing to keep yet) becomes ``variables:`` so entries can follow."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return text
    if not isinstance(root, yaml.MappingNode):
        return text
    for key, value in root.value:
        if (
            getattr(key, "value", None) == "variables"
            and isinstance(value, yaml.MappingNode)
            and value.flow_style
            and not value.value
        ):
            start, end = value.start_mark.index, value.end_mark.index
            return text[:start].rstrip(" \t") + text[end:]
    return text


def _check_appended(text: str, before: Inventory, missing: Sequence[str], path: str) -> None:
    """The appended text must parse to the old entries, unchanged, plus the new ones."""
    try:
        after = load_inventory(text, path)
    except ConfigError:
        after = None
    ok = (
        after is not None
        and list(after.entries) == [*before.entries, *missing]
        and all(after.entries[name] == entry for name, entry in before.entries.items())
    )
    if not ok:
        raise UsageError(
            f"cannot add {len(missing)} variable{'' if len(missing) == 1 else 's'} to {path} "
            "without rewriting it: appending works when `variables:` is the last key of the "
            "file and written in block style (one name per line). Add them by hand, or use "
            f"--force to replace the file with a fresh draft: {', '.join(missing)}"
        )
