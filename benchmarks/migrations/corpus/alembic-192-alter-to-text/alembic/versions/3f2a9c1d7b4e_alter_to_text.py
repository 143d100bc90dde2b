"""alter to text"""

import sqlalchemy as sa
from alembic import op

revision = "3f2a9c1d7b4e"
down_revision = "9e8d7c6b5a41"


def upgrade():
    op.execute("SET lock_timeout = '2s'")
    op.alter_column("posts", "summary", existing_type=sa.String(length=500), type_=sa.Text())


def downgrade():
    op.alter_column("posts", "summary", existing_type=sa.Text(), type_=sa.String(length=500))
