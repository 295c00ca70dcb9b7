"""tighten constraints

Phone numbers are unique, wish lists point at real products, quantities are
positive. Product titles no longer need to be unique, and nobody queries
orders by placed_at alone.

Revision ID: 2a9c4e7b1d35
Revises: e5d2b8c4f6a1
Create Date: 2023-05-02 14:27:53.118302

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "2a9c4e7b1d35"
down_revision = "e5d2b8c4f6a1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_unique_constraint("uq_customers_phone", "customers", ["phone"])
    op.create_foreign_key(
        "fk_wishlists_product_id_products",
        "wishlists",
        "products",
        ["product_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.create_check_constraint(
        "ck_order_items_quantity_positive", "order_items", "quantity > 0"
    )
    op.drop_constraint("uq_products_title", "products", type_="unique")
    op.drop_index("ix_orders_placed_at", table_name="orders")


def downgrade() -> None:
    op.create_index("ix_orders_placed_at", "orders", ["placed_at"])
    op.create_unique_constraint("uq_products_title", "products", ["title"])
    op.drop_constraint(
        "ck_order_items_quantity_positive", "order_items", type_="check"
    )
    op.drop_constraint(
        "fk_wishlists_product_id_products", "wishlists", type_="foreignkey"
    )
    op.drop_constraint("uq_customers_phone", "customers", type_="unique")
