"""create unique constraint"""

from alembic import op

revision = "3f2a9c1d7b4e"
down_revision = "9e8d7c6b5a41"


def upgrade():
    op.execute("SET lock_timeout = '2s'")
    op.create_unique_constraint("uq_users_username", "users", ["username"])


def downgrade():
    op.drop_constraint("uq_users_username", "users", type_="unique")
