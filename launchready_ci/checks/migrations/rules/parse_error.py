from __future__ import annotations

from launchready_ci.findings import Confidence, Severity
from launchready_ci.rules import Rule, register


@register
class ParseError(Rule):
    """A SQL migration does not parse as PostgreSQL.

    Why
    ---
    The file is read by PostgreSQL's own parser (libpg_query): what fails here fails on
    the database, at deploy time, with the migrations before it already applied. None of
    the other rules can check a file that does not parse.

    Remediation
    -----------
    Fix the syntax at the reported line. A file meant for another database, or a
    template that a tool fills in, can be left out with `migrations.exclude`.

    References
    ----------
    - https://www.postgresql.org/docs/current/sql-commands.html
    """

    id = "migrations/parse-error"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("ALTER TABLE users ADD COLUMNN bio text;",),
        "good": ("ALTER TABLE users ADD COLUMN bio text;",),
    }
