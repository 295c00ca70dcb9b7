"""order statuses reference table

Revision ID: 9d3a6c2e8f17
Revises: 5e8f1b3c7a24
Create Date: 2023-07-03 13:44:09.902771

"""
from alembic import op
import sqlalchemy as sa

from shopdb.seeds import ORDER_STATUSES

# revision identifiers, used by Alembic.
revision = "9d3a6c2e8f17"
down_revision = "5e8f1b3c7a24"
branch_labels = None
depends_on = None


def upgrade() -> None:
    statuses = op.create_table(
        "order_statuses",
        sa.Column("code", sa.String(20), primary_key=True),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("is_final", sa.Boolean(), nullable=False),
    )
    print("loading %d order statuses" % len(ORDER_STATUSES))
    op.bulk_insert(statuses, ORDER_STATUSES)
    op.execute("UPDATE orders SET status = 'pending' WHERE status = 'new'")
    op.create_foreign_key(
        "fk_orders_status_order_statuses",
        "orders",
        "order_statuses",
        ["status"],
        ["code"],
    )


def downgrade() -> None:
    op.drop_constraint("fk_orders_status_order_statuses", "orders", type_="foreignkey")
    op.drop_table("order_statuses")
