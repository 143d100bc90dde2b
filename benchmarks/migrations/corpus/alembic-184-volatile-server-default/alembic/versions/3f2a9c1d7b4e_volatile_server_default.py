"""volatile server default"""

import sqlalchemy as sa
from alembic import op

revision = "3f2a9c1d7b4e"
down_revision = "9e8d7c6b5a41"


def upgrade():
    op.execute("SET lock_timeout = '2s'")
    op.add_column(
        "users",
        sa.Column(
            "api_key", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False
        ),
    )


def downgrade():
    op.drop_column("users", "api_key")
