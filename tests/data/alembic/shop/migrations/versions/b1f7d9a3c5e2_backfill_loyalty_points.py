"""backfill loyalty points from past orders

Ten points per order placed so far.

Revision ID: b1f7d9a3c5e2
Revises: 9d3a6c2e8f17
Create Date: 2023-07-10 17:20:58.441036

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "b1f7d9a3c5e2"
down_revision = "9d3a6c2e8f17"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.text("SELECT customer_id, count(*) AS n FROM orders GROUP BY customer_id")
    ).fetchall()
    for customer_id, n in rows:
        conn.execute(
            sa.text("UPDATE customers SET loyalty_points = :points WHERE id = :id"),
            {"points": n * 10, "id": customer_id},
        )


def downgrade() -> None:
    pass
