"""create index concurrently in tx"""

from alembic import op

revision = "3f2a9c1d7b4e"
down_revision = "9e8d7c6b5a41"


def upgrade():
    op.create_index("ix_users_email", "users", ["email"], unique=True, postgresql_concurrently=True)


def downgrade():
    op.drop_index("ix_users_email", table_name="users")
