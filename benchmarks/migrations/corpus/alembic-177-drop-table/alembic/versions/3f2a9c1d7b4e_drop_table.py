"""drop table"""

import sqlalchemy as sa
from alembic import op

revision = "3f2a9c1d7b4e"
down_revision = "9e8d7c6b5a41"


def upgrade():
    op.execute("SET lock_timeout = '2s'")
    op.drop_table("api_tokens")


def downgrade():
    op.create_table("api_tokens", sa.Column("id", sa.BigInteger(), primary_key=True))
