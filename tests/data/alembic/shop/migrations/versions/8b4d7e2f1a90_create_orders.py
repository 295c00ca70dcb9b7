"""create orders and order items

Revision ID: 8b4d7e2f1a90
Revises: 3f1c2a9d8e47
Create Date: 2023-03-20 16:40:02.331905

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "8b4d7e2f1a90"
down_revision = "3f1c2a9d8e47"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "orders",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), server_default="new", nullable=False),
        sa.Column("total", sa.Numeric(10, 2), nullable=False, server_default="0"),
        sa.Column(
            "placed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name="fk_orders_customer_id_customers",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_orders_customer_id", "orders", ["customer_id"])
    op.create_index("ix_orders_placed_at", "orders", ["placed_at"])
    op.create_index(
        "uq_orders_one_open_per_customer",
        "orders",
        ["customer_id"],
        unique=True,
        postgresql_where=sa.text("status = 'new'"),
    )
    op.create_table(
        "order_items",
        sa.Column("order_id", sa.BigInteger(), sa.ForeignKey("orders.id"), primary_key=True),
        sa.Column("product_id", sa.Integer(), sa.ForeignKey("products.id"), primary_key=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.Numeric(10, 2), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("order_items")
    op.drop_index("uq_orders_one_open_per_customer", table_name="orders")
    op.drop_index("ix_orders_placed_at", table_name="orders")
    op.drop_index("ix_orders_customer_id", table_name="orders")
    op.drop_table("orders")
