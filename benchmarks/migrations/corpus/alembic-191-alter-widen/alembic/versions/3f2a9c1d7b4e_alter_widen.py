"""alter widen"""

import sqlalchemy as sa
from alembic import op

revision = "3f2a9c1d7b4e"
down_revision = "9e8d7c6b5a41"


def upgrade():
    op.execute("SET lock_timeout = '2s'")
    op.alter_column(
        "users", "display_name", existing_type=sa.String(length=100), type_=sa.String(length=255)
    )


def downgrade():
    op.alter_column(
        "users", "display_name", existing_type=sa.String(length=255), type_=sa.String(length=100)
    )
