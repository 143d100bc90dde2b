"""alter drop not null"""

import sqlalchemy as sa
from alembic import op

revision = "3f2a9c1d7b4e"
down_revision = "9e8d7c6b5a41"


def upgrade():
    op.execute("SET lock_timeout = '2s'")
    op.alter_column("users", "phone", existing_type=sa.String(length=32), nullable=True)


def downgrade():
    op.alter_column("users", "phone", existing_type=sa.String(length=32), nullable=False)
