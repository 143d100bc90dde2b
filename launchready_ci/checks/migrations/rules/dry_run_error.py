from __future__ import annotations

from launchready_ci.findings import Confidence, Severity
from launchready_ci.rules import Rule, register


@register
class DryRunError(Rule):
    """A migration fails when the dry run applies it to PostgreSQL.

    Why
    ---
    What fails on the dry-run database fails on production at deploy time, with the
    earlier statements of a non-transactional migration already applied. The finding is
    on the statement that failed, with PostgreSQL's message and SQLSTATE (a missing
    table, a type mismatch, a NOT NULL column added to a table with rows...).

    Remediation
    -----------
    Fix the statement, or the earlier migration it depends on, and rerun the dry run.

    References
    ----------
    - https://www.postgresql.org/docs/current/errcodes-appendix.html
    """

    id = "migrations/dry-run-error"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("ALTER TABLE no_such_table ADD COLUMN x int;",),
        "good": ("ALTER TABLE users ADD COLUMN x int;",),
    }
