"""Committed dotenv files (``.env``, ``.env.production``, ``prod.env``) with real values.

A dotenv file is judged as a whole: it is a finding when it holds at least one
real-looking value under a secret-looking name (``STRIPE_SECRET_KEY=sk_live_...``,
``DATABASE_URL=postgres://app:pw@db.prod/app``). Templates (``.env.example``,
``.env.sample``...) and files whose secret-looking entries are empty or placeholders are
fine: frameworks such as Next.js commit ``.env.production`` with public defaults on
purpose. Entries are read with python-dotenv's parser; only names and line numbers leave
this module, never a value.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from launchready_ci.checks.secrets.context import NameKind, name_kind, repeats_name, value_problem
from launchready_ci.checks.secrets.filters import is_placeholder
from launchready_ci.checks.secrets.generic import EXAMPLE_HOST

__all__ = ["EnvFileVerdict", "is_dotenv_name", "is_env_file", "judge_env_file"]

_ENV_NAME = re.compile(r"(?:^|/)(?:\.env(?:\.[^/]+)?|[^/]+\.env)$")
_TEMPLATE = re.compile(
    r"(?i)(?:^|[./_-])(?:example|examples|sample|samples|template|tmpl|tpl|dist|defaults?"
    r"|schema|placeholder|ci|test|testing)(?:[._-]|$)"
)
#: Prefixes that frameworks inline into client bundles: public by definition.
_PUBLIC_PREFIX = re.compile(r"^(?:NEXT_PUBLIC_|EXPO_PUBLIC_|VITE_|REACT_APP_|PUBLIC_|NUXT_PUBLIC_)")
_PUBLIC_NAME = re.compile(r"(?i)PUBLISHABLE|PUBLIC_KEY|_ANON_KEY")
_URL_NAME = re.compile(r"(?i)_(?:URL|URI|DSN)$")
#: Hosts to compare with (not to bind to).
_LOCAL_HOSTS = frozenset(
    {"localhost", "127.0.0.1", "0.0.0.0", "::1", "host.docker.internal"}  # noqa: S104
)
_MIN_LEN = 8


def is_dotenv_name(path: str) -> bool:
    """A dotenv file by its name, templates included: ``.env``, ``.env.example``,
    ``deploy/prod.env``."""
    return bool(_ENV_NAME.search(path))


def is_env_file(path: str) -> bool:
    """``.env``, ``.env.production``, ``deploy/prod.env``; not ``.env.example`` and kin."""
    return is_dotenv_name(path) and not _TEMPLATE.search(path.rsplit("/", 1)[-1])


@dataclass(frozen=True)
class EnvFileVerdict:
    names: tuple[str, ...]  # secret-looking names with real-looking values, in file order
    first_line: int
    lines: tuple[int, ...] = ()  # the line of each entry counted


def judge_env_file(
    lines: Sequence[tuple[int, str]], *, skip_lines: frozenset[int] | set[int] = frozenset()
) -> EnvFileVerdict | None:
    """The verdict on a dotenv file's lines ((number, text) pairs); ``None``: no problem.
    Entries on ``skip_lines`` (reported by a line rule already) do not count."""
    from dotenv.parser import parse_stream

    text = "\n".join(t for _, t in lines)
    numbers = [n for n, _ in lines]
    names: list[str] = []
    counted: list[int] = []
    first = 0
    for binding in parse_stream(io.StringIO(text)):
        if binding.key is None or binding.value is None or binding.error:
            continue
        index = binding.original.line - 1
        if 0 <= index < len(numbers) and numbers[index] in skip_lines:
            continue
        if _real_secret(binding.key, binding.value):
            names.append(binding.key)
            if 0 <= index < len(numbers):
                counted.append(numbers[index])
            if not first and 0 <= index < len(numbers):
                first = numbers[index]
    if not names:
        return None
    return EnvFileVerdict(
        tuple(dict.fromkeys(names)), first or (numbers[0] if numbers else 1), tuple(counted)
    )


def _real_secret(name: str, value: str) -> bool:
    value = value.strip()
    if _PUBLIC_PREFIX.match(name) or _PUBLIC_NAME.search(name):
        return False
    if len(value) < _MIN_LEN or is_placeholder(value):
        return False
    if "://" in value:
        return _url_with_password(value)
    if _URL_NAME.search(name):
        return False
    kind = name_kind(name)
    if kind is None:
        return False
    return value_problem(value, kind) is None and not repeats_name(name, value)


def _url_with_password(value: str) -> bool:
    try:
        parts = urlsplit(value)
        host = (parts.hostname or "").lower()
        password = parts.password
    except ValueError:
        return False
    if not password or host in _LOCAL_HOSTS or "." not in host or EXAMPLE_HOST.search(host):
        return False  # a compose service (db, redis), localhost or an example host
    return value_problem(password, NameKind.PASSWORD) is None
