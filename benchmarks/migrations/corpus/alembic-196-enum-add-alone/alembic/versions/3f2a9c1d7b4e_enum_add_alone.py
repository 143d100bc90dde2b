"""enum add alone"""

from alembic import op

revision = "3f2a9c1d7b4e"
down_revision = "9e8d7c6b5a41"


def upgrade():
    with op.get_context().autocommit_block():
        op.execute("ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'disputed'")


def downgrade():
    pass
