"""add column server default"""

import sqlalchemy as sa
from alembic import op

revision = "3f2a9c1d7b4e"
down_revision = "9e8d7c6b5a41"


def upgrade():
    op.execute("SET lock_timeout = '2s'")
    op.add_column(
        "users", sa.Column("login_count", sa.Integer(), nullable=False, server_default="0")
    )


def downgrade():
    op.drop_column("users", "login_count")
