"""alter type bigint"""

import sqlalchemy as sa
from alembic import op

revision = "3f2a9c1d7b4e"
down_revision = "9e8d7c6b5a41"


def upgrade():
    op.execute("SET lock_timeout = '2s'")
    op.alter_column("events", "id", existing_type=sa.Integer(), type_=sa.BigInteger())


def downgrade():
    op.alter_column("events", "id", existing_type=sa.BigInteger(), type_=sa.Integer())
