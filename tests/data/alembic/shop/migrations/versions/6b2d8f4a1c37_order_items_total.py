"""orders.items_total, with an opt-in backfill

Run with `alembic -x backfill=yes upgrade head` to fill it for past orders.

Revision ID: 6b2d8f4a1c37
Revises: 0e6a3c9f2b58
Create Date: 2024-02-20 08:09:33.731652

"""
from typing import Sequence, Union

from alembic import context, op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = "6b2d8f4a1c37"
down_revision: Union[str, None] = "0e6a3c9f2b58"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column("orders", sa.Column("items_total", sa.Numeric(12, 2), nullable=True))
    if context.get_x_argument(as_dictionary=True).get("backfill") == "yes":
        _backfill_items_total()


def _backfill_items_total() -> None:
    conn = op.get_bind()
    totals = conn.execute(
        sa.text(
            "SELECT order_id, sum(quantity * unit_price) AS total "
            "FROM order_items GROUP BY order_id"
        )
    )
    for order_id, total in totals:
        conn.execute(
            sa.text("UPDATE orders SET items_total = :total WHERE id = :id"),
            {"total": total, "id": order_id},
        )


def downgrade() -> None:
    op.drop_column("orders", "items_total")
