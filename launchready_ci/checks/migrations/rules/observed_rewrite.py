from __future__ import annotations

from launchready_ci.findings import Confidence, Severity
from launchready_ci.rules import Rule, register


@register
class ObservedRewrite(Rule):
    """The dry run saw a migration statement rewrite an existing table.

    Why
    ---
    `launchready migrations dry-run` compares each table's storage file
    (`pg_class.relfilenode`) before and after every statement: a new file means Postgres
    copied the whole table (and rebuilt its indexes), under an ACCESS EXCLUSIVE lock that
    blocks reads and writes for as long as the copy takes. On production data that is
    minutes for a large table. Volatile defaults, most column type changes, `VACUUM FULL`
    and `CLUSTER` do this.

    Remediation
    -----------
    Use the form that does not rewrite: add the column without the volatile default and
    backfill in batches; add a new column of the new type instead of changing the type;
    use `pg_repack` instead of `VACUUM FULL`/`CLUSTER`.

    References
    ----------
    - https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES
    - https://www.postgresql.org/docs/current/storage-file-layout.html
    """

    id = "migrations/observed-rewrite"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("ALTER TABLE users ALTER COLUMN id TYPE bigint;  -- rewrote users",),
        "good": ("ALTER TABLE users ADD COLUMN created timestamptz DEFAULT now();",),
    }
