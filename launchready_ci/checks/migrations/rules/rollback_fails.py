from __future__ import annotations

from launchready_ci.findings import Confidence, Severity
from launchready_ci.rules import Rule, register


@register
class RollbackFails(Rule):
    """A migration's down part fails, or leaves the database so that its up part no longer applies.

    Why
    ---
    A down migration is the plan for a bad release: revert the schema, deploy the
    previous version. It is run for real only on the day it is needed, so a broken one is
    found then, under pressure. The dry run proves it: after the migrations under test
    apply, their down migrations (dbmate's `-- migrate:down`, goose's `-- +goose Down`,
    golang-migrate's `NAME.down.sql`) run in reverse order, then the ups run again. A down
    that fails is reported on its failing statement; a down that forgets something (a
    table, an index, a type) shows up when its up can no longer apply, and is reported on
    the up statement that then fails.

    Remediation
    -----------
    Make the down migration undo exactly what the up did, in reverse order, with
    `IF EXISTS` where the up used `IF NOT EXISTS`. For example, an up of
    `CREATE TABLE invites (...); CREATE INDEX invites_email_idx ON invites (email);`
    needs a down of `DROP INDEX IF EXISTS invites_email_idx; DROP TABLE IF EXISTS invites;`.
    Where a change cannot be undone (a dropped column's data), say so in the down part
    and leave it empty rather than write one that fails.

    References
    ----------
    - https://github.com/amacneil/dbmate#creating-migrations
    - https://pressly.github.io/goose/documentation/annotations/
    """

    id = "migrations/rollback-fails"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": (
            "-- migrate:up\nCREATE TABLE invites (id bigint);\n"
            "-- migrate:down\nDROP TABLE invitations;",
        ),
        "good": (
            "-- migrate:up\nCREATE TABLE invites (id bigint);\n"
            "-- migrate:down\nDROP TABLE invites;",
        ),
    }
