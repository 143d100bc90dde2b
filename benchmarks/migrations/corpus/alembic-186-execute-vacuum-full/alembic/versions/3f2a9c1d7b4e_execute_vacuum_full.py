"""execute vacuum full"""

from alembic import op

revision = "3f2a9c1d7b4e"
down_revision = "9e8d7c6b5a41"


def upgrade():
    op.execute("VACUUM FULL audit_log")


def downgrade():
    pass
