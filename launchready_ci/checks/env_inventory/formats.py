"""Value formats (the inventory's ``format:``) and checking one value against one.

A format is a name or a one-key mapping:

============== =========================================================================
``url``         an absolute URL with a scheme and a host: ``https://api.example.com/v1``
``https-url``   a ``url`` whose scheme is ``https``
``postgres-url`` a PostgreSQL connection URI: ``postgres://`` or ``postgresql://`` (also
                ``postgresql+driver://`` as SQLAlchemy writes it). As in libpq the host may
                be empty (a Unix socket) and may list several ``host:port`` pairs.
``email``       one address ``local@domain``, the domain a hostname with a dot
``hostname``    an RFC 1123 hostname (labels of letters, digits and ``-``, an optional
                final dot), or an IPv4/IPv6 address
``int``         an optional sign and ASCII digits: ``-1``, ``0``, ``8080``
``bool``        ``true``/``false``, ``1``/``0``, ``yes``/``no``, ``on``/``off``, any case
``duration``    number-and-unit pairs: ``500ms``, ``30s``, ``5m``, ``1h30m``, ``1.5h``,
                ``7d``, ``2w`` (units ``ms s m h d w``); or ISO 8601: ``PT5M``, ``P1D``,
                ``P1DT12H``, ``PT0.5S``, ``P2W``. A bare number has no unit and is refused:
                programs disagree on whether ``30`` means seconds or milliseconds.
``string``      any value; says on purpose that no format applies
``{enum: [a, b]}`` exactly one of the listed strings (case matters)
``{regex: '…'}`` a Python regular expression that must match the *whole* value
============== =========================================================================

Every format but ``string`` refuses an empty value and leading or trailing whitespace
(a pasted newline at the end of a key is a classic outage).

:func:`check_format` describes a problem *without the value*: it never repeats, quotes or
abbreviates it, so its text can go into a finding, a log line or an exception.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final
from urllib.parse import SplitResult, urlsplit

from launchready_ci.patterns import PatternError, compile_pattern

__all__ = ["FORMAT_NAMES", "Format", "FormatError", "check_format", "parse_format"]

#: The named formats, in the order the docs list them.
FORMAT_NAMES: Final = (
    "url",
    "https-url",
    "postgres-url",
    "email",
    "hostname",
    "int",
    "bool",
    "duration",
    "string",
)
ENUM: Final = "enum"
REGEX: Final = "regex"


class FormatError(ValueError):
    """A ``format:`` that cannot be used. ``key`` is the sub-key at fault (or "")."""

    def __init__(self, message: str, key: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.key = key


@dataclass(frozen=True)
class Format:
    """A parsed ``format:``: ``name`` is one of :data:`FORMAT_NAMES`, ``enum`` or ``regex``."""

    name: str
    choices: tuple[str, ...] = ()  # for enum
    pattern: str | None = None  # for regex

    def describe(self) -> str:
        if self.name == ENUM:
            return f"enum ({', '.join(self.choices)})"
        if self.name == REGEX:
            return f"regex {self.pattern}"
        return self.name

    def __str__(self) -> str:
        return self.describe()


def parse_format(raw: object) -> Format:
    """The :class:`Format` for a ``format:`` value of the inventory; :class:`FormatError`
    when it is not one (a regex that does not compile, an unknown name ...)."""
    if isinstance(raw, str):
        if raw not in FORMAT_NAMES:
            raise FormatError(f"unknown format {raw!r}; expected one of {', '.join(FORMAT_NAMES)}")
        return Format(raw)
    if not isinstance(raw, Mapping) or len(raw) != 1:
        raise FormatError("expected a format name or a mapping with one key, enum or regex")
    ((key, value),) = raw.items()
    if key == ENUM:
        if (
            isinstance(value, str)
            or not isinstance(value, Sequence)
            or not value
            or not all(isinstance(v, str) for v in value)
        ):
            raise FormatError("expected a non-empty list of strings", ENUM)
        return Format(ENUM, choices=tuple(value))
    if key == REGEX:
        if not isinstance(value, str) or not value:
            raise FormatError("expected a regular expression", REGEX)
        try:
            compile_pattern(value)
        except PatternError as exc:
            raise FormatError(f"the regex does not compile: {exc}", REGEX) from None
        return Format(REGEX, pattern=value)
    raise FormatError(f"unknown key {key!r}; expected enum or regex")


def check_format(fmt: Format, value: str) -> str | None:
    """What is wrong with ``value`` for ``fmt``, or None when it fits.

    The text never contains the value nor any part of it, only words of a fixed
    vocabulary, so that it can be shown anywhere. Never raises for any string.
    """
    if fmt.name == "string":
        return None
    if not value:
        return "is empty"
    if value != value.strip():
        return "has leading or trailing whitespace"
    checker = _CHECKERS.get(fmt.name)
    if checker is None:  # a Format built by hand with an unknown name
        return None
    try:
        return checker(fmt, value)
    except (ValueError, UnicodeError, RecursionError, OverflowError):
        return f"is not a valid {fmt.name} value"


# -- the checkers: (fmt, value) -> problem | None; value is non-empty and stripped ----------

_CONTROL_OR_SPACE = re.compile(r"[\x00-\x20\x7f-\x9f\s]")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")
# Characters that never appear in a URL host, even an internationalised one.
_BAD_HOST_CHARS = re.compile(r"[\s<>\"{}|\\^`/?#@\[\]]")
_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")
_INT = re.compile(r"[+-]?[0-9]+")
_BOOLS = frozenset({"true", "false", "1", "0", "yes", "no", "on", "off"})
_DURATION_SIMPLE = re.compile(r"(?:(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?:ms|s|m|h|d|w))+")
_DURATION_ISO = re.compile(
    r"P(?:(?P<weeks>[0-9]+(?:[.,][0-9]+)?W)"
    r"|(?=[0-9]|T[0-9])(?:[0-9]+(?:[.,][0-9]+)?Y)?(?:[0-9]+(?:[.,][0-9]+)?M)?"
    r"(?:[0-9]+(?:[.,][0-9]+)?D)?"
    r"(?:T(?=[0-9])(?:[0-9]+(?:[.,][0-9]+)?H)?(?:[0-9]+(?:[.,][0-9]+)?M)?"
    r"(?:[0-9]+(?:[.,][0-9]+)?S)?)?)"
)
_POSTGRES_SCHEMES = re.compile(r"postgres|postgresql(?:\+[A-Za-z0-9_]+)?")
_EMAIL_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+|\"[^\"\\\r\n]+\"")


def _split_url(value: str) -> SplitResult | str:
    """The parts of an absolute URL, or a problem."""
    if _CONTROL_OR_SPACE.search(value):
        return "contains spaces or control characters, which a URL cannot hold unencoded"
    scheme, sep, _ = value.partition("://")
    if not sep or not _SCHEME.fullmatch(scheme):
        return "is not a URL (expected scheme://host, such as https://api.example.com)"
    try:
        return urlsplit(value)
    except ValueError:  # brackets that do not hold an IPv6 address
        return "is not a valid URL (a host in brackets must be an IPv6 address)"


def _check_host(host: str) -> str | None:
    if not host:
        return "has no host"
    if host.startswith("["):
        if not host.endswith("]"):
            return "has an invalid host (an IPv6 address needs a closing bracket)"
        try:
            ipaddress.IPv6Address(host[1:-1].split("%", 1)[0])
        except ValueError:
            return "has an invalid IPv6 address as its host"
        return None
    if _BAD_HOST_CHARS.search(host):
        return "has an invalid host"
    return None


def _check_port(netloc_host: str) -> str | None:
    """``host[:port]`` (host possibly a bracketed IPv6 address)."""
    if netloc_host.startswith("["):
        end = netloc_host.find("]")
        host, rest = (
            (netloc_host, "") if end < 0 else (netloc_host[: end + 1], netloc_host[end + 1 :])
        )
        if rest and not rest.startswith(":"):
            return "has an invalid host"
        port = rest[1:]
    else:
        host, _, port = netloc_host.partition(":")
    problem = _check_host(host)
    if problem:
        return problem
    if port and not (port.isascii() and port.isdigit() and int(port) <= 65535):
        return "has a port that is not a number from 0 to 65535"
    return None


def _url(fmt: Format, value: str) -> str | None:
    parts = _split_url(value)
    if isinstance(parts, str):
        return parts
    hostport = parts.netloc.rpartition("@")[2]
    if not hostport:
        return "has no host"
    return _check_port(hostport)


def _https_url(fmt: Format, value: str) -> str | None:
    parts = _split_url(value)
    if isinstance(parts, str):
        return parts
    scheme = parts.scheme.lower()
    if scheme != "https":
        return (
            "is not an https URL (it uses plain http)"
            if scheme == "http"
            else ("is not an https URL (it has another scheme)")
        )
    return _url(fmt, value)


def _postgres_url(fmt: Format, value: str) -> str | None:
    parts = _split_url(value)
    if isinstance(parts, str):
        return "is not a PostgreSQL URL (expected postgres://user@host/db or postgresql://...)"
    if not _POSTGRES_SCHEMES.fullmatch(parts.scheme.lower()):
        return "is not a PostgreSQL URL (the scheme is not postgres or postgresql)"
    hosts = parts.netloc.rpartition("@")[2]
    if not hosts:
        return None  # libpq: no host means the local Unix socket
    for hostport in hosts.split(","):
        problem = _check_port(hostport)
        if problem:
            return problem
    return None


def _is_hostname(text: str) -> bool:
    name = text[:-1] if text.endswith(".") else text
    if not name or len(name) > 253:
        return False
    return all(_LABEL.fullmatch(label) for label in name.split("."))


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _hostname(fmt: Format, value: str) -> str | None:
    if _is_hostname(value) and not value.rstrip(".").replace(".", "").isdigit():
        return None
    if _is_ip(value):
        return None
    return "is not a hostname or IP address (expected letters, digits, - and dots)"


def _email(fmt: Format, value: str) -> str | None:
    local, at, domain = value.rpartition("@")
    problem = "is not an email address (expected name@domain)"
    if not at or not local or len(value) > 254:
        return problem
    if not _EMAIL_LOCAL.fullmatch(local) or local.startswith(".") or local.endswith("."):
        return problem
    if ".." in local and not local.startswith('"'):
        return problem
    if "." not in domain.strip(".") or not _is_hostname(domain) or domain.endswith("."):
        return problem
    return None


def _int(fmt: Format, value: str) -> str | None:
    return None if _INT.fullmatch(value) else "is not an integer"


def _bool(fmt: Format, value: str) -> str | None:
    if value.lower() in _BOOLS:
        return None
    return "is not a boolean (expected true/false, 1/0, yes/no or on/off)"


def _duration(fmt: Format, value: str) -> str | None:
    if _DURATION_SIMPLE.fullmatch(value) or _DURATION_ISO.fullmatch(value.upper()):
        return None
    if re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", value):
        return "is a number without a unit (write 30s, 5m, 1h30m or PT5M)"
    return "is not a duration (such as 500ms, 30s, 5m, 1h30m or PT5M)"


def _enum(fmt: Format, value: str) -> str | None:
    if value in fmt.choices:
        return None
    return f"is not one of the allowed values: {', '.join(fmt.choices)}"


def _regex(fmt: Format, value: str) -> str | None:
    if fmt.pattern is None:
        return None
    try:
        pattern = compile_pattern(fmt.pattern)  # linear time (RE2): values are untrusted
    except PatternError:
        return "cannot be checked: the format's regex does not compile"
    if pattern.fullmatch(value):
        return None
    return f"does not match the regex {fmt.pattern}"


_CHECKERS: Final = {
    "url": _url,
    "https-url": _https_url,
    "postgres-url": _postgres_url,
    "email": _email,
    "hostname": _hostname,
    "int": _int,
    "bool": _bool,
    "duration": _duration,
    ENUM: _enum,
    REGEX: _regex,
}
