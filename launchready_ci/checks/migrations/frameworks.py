"""What the migration tool does with a SQL file: its up and down parts, and its transaction.

Tools told apart by path or by the markers in the file:

==================  =====================================  ============================
tool                how it is recognised                   transaction around the file
==================  =====================================  ============================
dbmate              ``-- migrate:up`` / ``-- migrate:down``  yes, unless ``transaction:false``
goose               ``-- +goose Up`` / ``-- +goose Down``    yes, unless ``+goose NO TRANSACTION``
gobuffalo/pop       ``<n>_NAME.up.sql`` holding Go template    yes, one per file
                    actions, or in a Go module requiring pop
golang-migrate      ``NAME.up.sql`` beside ``NAME.down.sql``  implicit (one multi-statement query)
diesel              ``DIR/up.sql`` beside ``DIR/down.sql``    yes, unless its metadata.toml
                                                           has run_in_transaction=false
Prisma Migrate      ``<ts>_NAME/migration.sql``              implicit (one multi-statement query)
Supabase CLI        ``supabase/migrations/*.sql``            yes, one per file
drizzle-kit         ``drizzle/*.sql``                        yes
anything else       other ``migrations/*.sql``               no (unless configured)
==================  =====================================  ============================

"Implicit": the tool sends the whole file as one query, and PostgreSQL runs a query of
several statements as one transaction; a file holding a single statement runs outside one.
``migrations.wrapped_in_transaction`` in launchready.yml overrides the table for every file
(set it for a tool that wraps files this table cannot tell apart, such as sqlx or knex).

The down part is kept with the lines it has in its file, so that a finding in it points at
the right line; the up part has the down part blanked out, for the same reason. Both
are rendered as the tool renders them (pop's Go templates, Flyway's ``${name}``): see
:mod:`.templates`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from launchready_ci.checks.migrations.templates import POP_NAME, has_go_template, render

__all__ = [
    "Migration",
    "Wrapping",
    "down_path",
    "is_down_file",
    "other_dialect",
    "other_dialect_by_path",
    "read_migration",
]

#: "none" | "transaction" | "implicit" (see the module's table)
Wrapping = str

#: Prisma Migrate's folder per migration, wherever prisma.config.ts puts them
_PRISMA_FOLDER = re.compile(r"(?:^|/)\d{14}_[^/]+/migration\.sql$")
_DBMATE_UP = re.compile(r"^--\s*migrate:up\b(?P<opts>.*)$", re.M)
_DBMATE_DOWN = re.compile(r"^--\s*migrate:down\b.*$", re.M)
_GOOSE_UP = re.compile(r"^--\s*\+goose\s+Up\b.*$", re.M | re.I)
_GOOSE_DOWN = re.compile(r"^--\s*\+goose\s+Down\b.*$", re.M | re.I)
_GOOSE_NO_TX = re.compile(r"^--\s*\+goose\s+NO\s+TRANSACTION\b", re.M | re.I)


@dataclass(frozen=True)
class Migration:
    path: str
    tool: str
    up: str  # the SQL that applies it (the down part blanked, lines kept)
    wrapping: Wrapping
    down: str | None = None  # the SQL that reverts it, where the tool has one
    down_path: str = ""  # the file that holds ``down`` (this one, or NAME.down.sql)


#: A folder named for another database: its SQL is not PostgreSQL's, whatever it parses as
#: (umami keeps ClickHouse migrations in db/clickhouse/migrations beside Prisma's).
_DIALECT_FOLDER = re.compile(
    r"(?i)(?:^|/)[^/]*?(clickhouse|mysql|mariadb|sqlite|mssql|sqlserver|oracle|snowflake"
    r"|bigquery|duckdb|cassandra)[^/]*/"
)
#: Marks of another dialect, read only in a file PostgreSQL's parser refuses.
_DIALECT_MARKS = (
    ("ClickHouse", re.compile(r"(?i)\bENGINE\s*=\s*\w*MergeTree|\bCODEC\(|LowCardinality\(")),
    (
        "MySQL",
        re.compile(r"(?i)\bENGINE\s*=\s*(?:InnoDB|MyISAM)|\bAUTO_INCREMENT\b|CREATE TABLE\s+`"),
    ),
    ("SQLite", re.compile(r"(?i)\bAUTOINCREMENT\b|\bPRAGMA\s+\w+")),
    (
        "SQL Server",
        re.compile(r"(?im)^\s*GO\s*$|\bIDENTITY\s*\(\s*1\s*,\s*1\s*\)|\bNVARCHAR\s*\(\s*MAX"),
    ),
)


_DIALECT_NAMES = {
    "clickhouse": "ClickHouse",
    "mysql": "MySQL",
    "mariadb": "MariaDB",
    "sqlite": "SQLite",
    "mssql": "SQL Server",
    "sqlserver": "SQL Server",
    "oracle": "Oracle",
    "snowflake": "Snowflake",
    "bigquery": "BigQuery",
    "duckdb": "DuckDB",
    "cassandra": "Cassandra",
}


def other_dialect_by_path(rel: str) -> str | None:
    """The database a folder on the path is named for, when it is not PostgreSQL."""
    match = _DIALECT_FOLDER.search(rel)
    return _DIALECT_NAMES[match.group(1).lower()] if match else None


def other_dialect(text: str) -> str | None:
    """The dialect a file PostgreSQL's parser refused is written in, when it shows."""
    return next((name for name, marks in _DIALECT_MARKS if marks.search(text)), None)


def is_down_file(rel: str) -> bool:
    return rel.endswith(".down.sql") or rel.rpartition("/")[2] == "down.sql"


def down_path(rel: str) -> str | None:
    """golang-migrate's ``NAME.down.sql`` for ``NAME.up.sql``, diesel's ``DIR/down.sql``
    for ``DIR/up.sql``."""
    if rel.rpartition("/")[2] == "up.sql":
        return rel[: -len("up.sql")] + "down.sql"
    return rel[: -len(".up.sql")] + ".down.sql" if rel.endswith(".up.sql") else None


def read_migration(
    rel: str,
    text: str,
    *,
    down_text: str | None = None,
    override: bool | None = None,
    pop: bool = False,
    placeholders: Mapping[str, object] | None = None,
) -> Migration:
    """``down_text``: the paired ``.down.sql`` file's text; ``override``: the config's
    ``wrapped_in_transaction``, when set; ``pop``: the project's Go module requires
    gobuffalo/pop; ``placeholders``: the config's values for template placeholders."""
    tool, up, wrapping, down, where = _split(rel, text, down_text, pop)
    up = render(rel, up, placeholders)
    if down is not None:
        down = render(where or rel, down, placeholders)
    if override is not None:
        wrapping = "transaction" if override else "none"
    return Migration(rel, tool, up, wrapping, down, where)


def _split(
    rel: str, text: str, down_text: str | None, pop: bool = False
) -> tuple[str, str, Wrapping, str | None, str]:
    # The marker patterns are anchored at a line start, so re tries them at every
    # offset of the file (5 % of a run on 342 files): a substring test goes first.
    up_mark = _DBMATE_UP.search(text) if "migrate:up" in text else None
    if up_mark:
        opts = up_mark.group("opts").replace(" ", "").lower()
        wrapping = "none" if "transaction:false" in opts else "transaction"
        up, down = _halves(text, _DBMATE_DOWN)
        return "dbmate", up, wrapping, down, rel
    if "+goose" in text.casefold() and _GOOSE_UP.search(text):  # casefold: as re.I does
        wrapping = "none" if _GOOSE_NO_TX.search(text) else "transaction"
        up, down = _halves(text, _GOOSE_DOWN)
        return "goose", up, wrapping, down, rel
    paired = down_path(rel)
    if paired is not None and rel.rpartition("/")[2] == "up.sql":
        return "diesel", text, "transaction", down_text, paired if down_text else ""
    if paired is not None and POP_NAME.search(rel) and (pop or has_go_template(text)):
        return "pop", text, "transaction", down_text, paired if down_text else ""  # migrator.go
    if paired is not None:
        return "golang-migrate", text, "implicit", down_text, paired if down_text else ""
    if rel.endswith("/migration.sql") and (
        "prisma/migrations/" in f"/{rel}" or _PRISMA_FOLDER.search(rel)
    ):
        return "prisma", text, "implicit", None, ""
    if "supabase/migrations/" in f"/{rel}":
        return "supabase", text, "transaction", None, ""
    if "drizzle/" in f"/{rel}":
        return "drizzle", text, "transaction", None, ""
    return "sql", text, "none", None, ""


def _halves(text: str, down_marker: re.Pattern[str]) -> tuple[str, str | None]:
    """(up, down), each the whole file's length in lines with the other part blanked."""
    mark = down_marker.search(text)
    if mark is None:
        return text, None
    head, tail = text[: mark.start()], text[mark.start() :]
    return head + _blank(tail), _blank(head) + tail


def _blank(part: str) -> str:
    return "\n" * part.count("\n")
