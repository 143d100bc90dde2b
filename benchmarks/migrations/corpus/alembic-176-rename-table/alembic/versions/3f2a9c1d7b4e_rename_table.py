"""rename table"""

from alembic import op

revision = "3f2a9c1d7b4e"
down_revision = "9e8d7c6b5a41"


def upgrade():
    op.execute("SET lock_timeout = '2s'")
    op.rename_table("invoice", "invoices")


def downgrade():
    op.rename_table("invoices", "invoice")
