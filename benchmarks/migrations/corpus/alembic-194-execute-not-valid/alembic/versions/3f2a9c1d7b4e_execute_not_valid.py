"""execute not valid"""

from alembic import op

revision = "3f2a9c1d7b4e"
down_revision = "9e8d7c6b5a41"


def upgrade():
    op.execute("SET lock_timeout = '2s'")
    op.execute(
        "ALTER TABLE orders ADD CONSTRAINT fk_orders_coupon FOREIGN KEY (coupon_id) "
        "REFERENCES coupons (id) NOT VALID"
    )


def downgrade():
    op.drop_constraint("fk_orders_coupon", "orders", type_="foreignkey")
