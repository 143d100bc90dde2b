from __future__ import annotations

from launchready_ci.findings import Confidence, Severity
from launchready_ci.rules import Rule, register

#: A lock held shorter than this on the dry run, after the file set lock_timeout, is a notice.
BRIEF_SECONDS = 0.1


@register
class ObservedLock(Rule):
    """The dry run saw a migration statement take a lock that blocks writes on an existing table.

    Why
    ---
    This is not a guess from the SQL: `launchready migrations dry-run` ran the statement
    on a disposable PostgreSQL and read `pg_locks`. A SHARE (or stronger) lock blocks
    INSERT, UPDATE and DELETE; ACCESS EXCLUSIVE blocks reads too. The lock is held until
    the migration's transaction commits, so every later statement in the same file adds
    its time to the outage. The finding gives the table, the lock mode and how long it was
    held on the dry-run data, from the statement that took it to the end of the
    transaction (on production data it takes longer).

    A lock held under 100 ms after the file set `lock_timeout`, by a statement that no
    static rule reports, is a notice, not a warning: such a catalog-only change (a
    nullable column, a constant default) holds its lock for an instant whatever the
    table's size, and the timeout makes it give up rather than queue traffic behind a
    long-running query. A statement that a static rule reports (an index build, a scan)
    stays a warning however quick it was on the dry-run data: its time grows with the
    table.

    Remediation
    -----------
    Follow the static rule for the same statement (its page has the safe form), set
    `lock_timeout` so the migration gives up instead of queueing traffic behind it, and
    keep statements that lock hot tables in short migrations of their own.

    References
    ----------
    - https://www.postgresql.org/docs/current/explicit-locking.html#LOCKING-TABLES
    - https://www.postgresql.org/docs/current/view-pg-locks.html
    """

    id = "migrations/observed-lock"
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    examples = {
        "bad": ("ALTER TABLE users ADD COLUMN plan text;  -- took AccessExclusiveLock",),
        "good": ("CREATE INDEX CONCURRENTLY users_plan_idx ON users (plan);",),
    }
