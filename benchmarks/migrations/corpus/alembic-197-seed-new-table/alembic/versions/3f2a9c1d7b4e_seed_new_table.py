"""seed new table"""

import sqlalchemy as sa
from alembic import op

revision = "3f2a9c1d7b4e"
down_revision = "9e8d7c6b5a41"


def upgrade():
    plans = op.create_table(
        "plans",
        sa.Column("code", sa.String(length=20), primary_key=True),
        sa.Column("price_cents", sa.Integer(), nullable=False),
    )
    op.bulk_insert(
        plans, [{"code": "free", "price_cents": 0}, {"code": "pro", "price_cents": 1200}]
    )


def downgrade():
    op.drop_table("plans")
