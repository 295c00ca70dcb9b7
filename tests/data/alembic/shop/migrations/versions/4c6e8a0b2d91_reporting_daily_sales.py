"""reporting: daily sales

Starts the reporting branch: a summary table filled by the nightly job and a
view over the orders.

Revision ID: 4c6e8a0b2d91
Revises:
Create Date: 2023-07-12 09:31:27.518840

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "4c6e8a0b2d91"
down_revision = None
branch_labels = ("reporting",)
depends_on = "8b4d7e2f1a90"


def upgrade() -> None:
    op.create_table(
        "daily_sales",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("revenue", sa.Numeric(14, 2), nullable=False),
    )
    op.execute(
        """
        CREATE VIEW open_orders AS
            SELECT o.id, o.customer_id, o.total
            FROM orders o
            WHERE o.status IN ('new', 'pending');
        COMMENT ON VIEW open_orders IS 'orders not paid yet';
        """
    )


def downgrade() -> None:
    op.execute("DROP VIEW open_orders")
    op.drop_table("daily_sales")
