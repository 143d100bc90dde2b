from __future__ import annotations

import re
from collections.abc import Iterator

from launchready_ci.checks.migrations import libpg
from launchready_ci.checks.migrations.rules._base import MigrationRule
from launchready_ci.checks.migrations.sql import Stmt
from launchready_ci.findings import Confidence, Severity
from launchready_ci.rules import register

#: NAMEDATALEN - 1: the longest identifier PostgreSQL keeps, in bytes.
MAX_BYTES = 63
#: Words of the statement's text (identifiers, keywords, words in comments and strings):
#: only a statement with one over MAX_BYTES is scanned for its identifier tokens.
_WORD = re.compile(r'"(?:[^"]|"")+"|[^\s"\'(),;.:=<>+\-*/\[\]|!~@#%^&{}\\]+')
_QUOTED = re.compile(r'"(?:[^"]|"")+"')


@register
class IdentifierTooLong(MigrationRule):
    """A name in the migration is longer than 63 bytes, which PostgreSQL truncates.

    Why
    ---
    PostgreSQL keeps 63 bytes of an identifier and cuts the rest with only a NOTICE: the
    table, column, index or constraint is created under a shorter name than the one the
    migration and the application use. A later migration that drops or alters it by the
    full name works (it is truncated the same way), but two long names that share their
    first 63 bytes become the same object ("already exists"), and an ORM or a tool that
    compares names with the catalog sees a difference on every run. Bytes count, not
    characters: 16 emoji are already too long.

    Remediation
    -----------
    Shorten the name to 63 bytes or fewer (a table's constraint and index names are the
    usual culprits when generated from long table and column names).

    References
    ----------
    - https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-IDENTIFIERS
    """

    id = "migrations/identifier-too-long"
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    examples = {
        "bad": (f"CREATE TABLE {'member_' * 10}events (id bigint);",),
        "good": ("CREATE TABLE member_events (id bigint);",),
    }

    @classmethod
    def problems(cls, stmt: Stmt) -> Iterator[str]:
        if _longest(stmt.sql) <= MAX_BYTES:
            return
        words = _WORD.findall(stmt.sql)
        # the longest word decides without a loop in Python: in ASCII a character is a
        # byte; otherwise one may take up to four
        longest = max(map(len, words), default=0)
        if longest <= MAX_BYTES if stmt.sql.isascii() else longest <= MAX_BYTES // 4:
            return
        if not any(
            len(w) > MAX_BYTES // 4 and len(w.encode("utf-8", "surrogatepass")) > MAX_BYTES
            for w in words
        ):
            return
        seen: set[str] = set()
        for raw in _identifiers(stmt.sql):
            name = _unquote(raw)
            size = len(name.encode("utf-8", "surrogatepass"))
            if size > MAX_BYTES and name not in seen:
                seen.add(name)
                shown = name if len(name) <= 80 else name[:77] + "..."
                yield (
                    f"identifier {shown} is {size} bytes: PostgreSQL silently truncates it to "
                    f"{MAX_BYTES}, so the object gets another name than the one written here"
                )


def _longest(sql: str) -> int:
    """At least the byte length of the longest word of ``sql`` (as ``_WORD`` splits it),
    in a third of the time ``_WORD.findall`` takes: an unquoted word lies within a run of
    non-whitespace, and the quoted words are those ``_QUOTED`` finds (both patterns start
    a quoted word at the same quotes, since an unquoted word never holds one)."""
    if sql.isascii():
        longest = max(map(len, sql.split()), default=0)
        if '"' in sql:
            longest = max(longest, max(map(len, _QUOTED.findall(sql)), default=0))
        return longest
    longest = max(map(len, sql.encode("utf-8", "surrogatepass").split()), default=0)
    for word in _QUOTED.findall(sql) if '"' in sql else ():
        longest = max(longest, len(word.encode("utf-8", "surrogatepass")))
    return longest


def _identifiers(sql: str) -> list[str]:
    """The identifier tokens of ``sql`` as written, by PostgreSQL's scanner."""
    data = sql.encode("utf-8", "surrogatepass")
    tokens = libpg.scan(data)
    if tokens is not None:
        return [data[t.start : t.end].decode("utf-8") for t in tokens if t.ident]
    from pglast import parser

    try:
        found = parser.scan(sql)
    except parser.ParseError:
        return []
    return [sql[t.start : t.end + 1] for t in found if t.name == "IDENT"]


def _unquote(raw: str) -> str:
    """The identifier a token names, as written (libpg_query's tree holds it truncated)."""
    if raw.startswith('"') and raw.endswith('"') and len(raw) > 1:
        return raw[1:-1].replace('""', '"')
    if raw[:3].upper() == 'U&"':
        return raw[3:-1].replace('""', '"')
    return raw.lower()
