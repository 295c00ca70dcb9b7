"""welcome credit for customers without orders

Revision ID: 0e6a3c9f2b58
Revises: d8e0f2a4c6b5
Create Date: 2024-02-01 10:45:12.390114

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from shopdb.backfill import customers_without_orders

# revision identifiers, used by Alembic.
revision: str = "0e6a3c9f2b58"
down_revision: Union[str, None] = "d8e0f2a4c6b5"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

customers = sa.table(
    "customers",
    sa.column("id", sa.Integer),
    sa.column("welcome_credit", sa.Numeric),
)


def upgrade() -> None:
    op.add_column(
        "customers",
        sa.Column(
            "welcome_credit", sa.Numeric(8, 2), server_default="0", nullable=False
        ),
    )
    for customer_id in customers_without_orders(op.get_bind()):
        op.execute(
            customers.update()
            .where(customers.c.id == customer_id)
            .values(welcome_credit=5)
        )


def downgrade() -> None:
    op.drop_column("customers", "welcome_credit")
