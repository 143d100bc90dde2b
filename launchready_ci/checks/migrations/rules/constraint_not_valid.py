from __future__ import annotations

from collections.abc import Iterator

from launchready_ci.checks.migrations.rules._ast import alter_cmds, column_constraints, relname
from launchready_ci.checks.migrations.rules._base import MigrationRule
from launchready_ci.checks.migrations.sql import Stmt, names
from launchready_ci.findings import Confidence, Severity
from launchready_ci.rules import register


@register
class ConstraintWithoutNotValid(MigrationRule):
    """A `FOREIGN KEY` or `CHECK` constraint is added to an existing table without `NOT VALID`.

    Why
    ---
    Adding the constraint checks every existing row while holding a lock that blocks
    writes (SHARE ROW EXCLUSIVE for a foreign key, on both tables; ACCESS EXCLUSIVE for a
    check): on a large table, minutes of failed sign-ups or payments. `VALIDATE
    CONSTRAINT` in the same transaction as the `NOT VALID` add is reported too: the add's
    lock is still held, so the scan blocks writes just the same. Django's
    `AddField(ForeignKey)` and `AddConstraint(CheckConstraint)` and Alembic's
    `create_foreign_key` and `create_check_constraint` add validated constraints. So do
    `ADD COLUMN ... REFERENCES` (the column is new, but the foreign key still takes its
    locks on both tables) and `ALTER DOMAIN ... ADD CONSTRAINT` (every column of the
    domain is checked).

    Deliberate difference from squawk: `VALIDATE` in the transaction that added the
    constraint `NOT VALID` is reported by this one rule, where squawk reports it under
    `constraint-missing-not-valid` and not under `adding-foreign-key-constraint`.

    Remediation
    -----------
    Add it with `NOT VALID` (instant: only new rows are checked), then in a later
    statement or migration `ALTER TABLE ... VALIDATE CONSTRAINT name`, which scans under a
    lock that lets writes go on.

    References
    ----------
    - https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-DESC-VALIDATE-CONSTRAINT
    """

    id = "migrations/constraint-without-not-valid"
    kinds = frozenset({"AlterTableStmt", "AlterDomainStmt"})
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    examples = {
        "bad": (
            "ALTER TABLE invites ADD CONSTRAINT invites_user_fk "
            "FOREIGN KEY (user_id) REFERENCES users (id);",
        ),
        "good": (
            "ALTER TABLE invites ADD CONSTRAINT invites_user_fk "
            "FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\n"
            "ALTER TABLE invites VALIDATE CONSTRAINT invites_user_fk;",
        ),
    }

    @classmethod
    def problems(cls, stmt: Stmt) -> Iterator[str]:

        for relation, cmd in alter_cmds(stmt.node):
            if (
                cmd.subtype == "AT_ValidateConstraint"
                and str(cmd.name or "").lower() in stmt.not_valid_in_tx
            ):
                yield (
                    f"constraint {cmd.name} on {relname(relation)} is validated in the same "
                    "transaction that added it NOT VALID: the ADD's lock is still held, so "
                    "writes wait for the whole scan as if NOT VALID were not there"
                )
                continue
            if stmt.is_new(relation):
                continue
            if cmd.subtype == "AT_AddConstraint":
                constraint = cmd.def_
                if constraint.contype in _KINDS and not constraint.skip_validation:
                    yield (
                        f"{_KINDS[constraint.contype]} constraint on {relname(relation)} is "
                        "added without NOT VALID: every row is checked while writes wait"
                    )
            elif cmd.subtype == "AT_AddColumn" and any(
                c.contype == "CONSTR_FOREIGN" for c in column_constraints(cmd)
            ):
                yield (
                    f"column {cmd.def_.colname} is added to {relname(relation)} with an "
                    "inline REFERENCES: the foreign key is validated (every row read) while "
                    "writes to both tables wait; add the column, then the constraint NOT "
                    "VALID, then VALIDATE it"
                )
        node = stmt.node
        con = node.def_ if node.kind == "AlterDomainStmt" and node.subtype == "C" else None
        if con is not None and con.contype in _KINDS and not con.skip_validation:
            domain = ".".join(names(node.typeName))
            yield (
                f"constraint added to domain {domain} without NOT VALID: every column of "
                "every table using the domain is checked under a lock that blocks writes"
            )


_KINDS = {"CONSTR_FOREIGN": "FOREIGN KEY", "CONSTR_CHECK": "CHECK"}
