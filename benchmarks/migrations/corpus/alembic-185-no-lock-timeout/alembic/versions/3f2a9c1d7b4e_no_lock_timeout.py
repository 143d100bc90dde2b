"""no lock timeout"""

import sqlalchemy as sa
from alembic import op

revision = "3f2a9c1d7b4e"
down_revision = "9e8d7c6b5a41"


def upgrade():
    op.add_column("users", sa.Column("nickname", sa.String(length=50), nullable=True))


def downgrade():
    op.drop_column("users", "nickname")
