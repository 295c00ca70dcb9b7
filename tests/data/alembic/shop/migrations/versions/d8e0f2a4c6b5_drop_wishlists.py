"""drop wishlists

Nobody used them.

Revision ID: d8e0f2a4c6b5
Revises: 7f0b2d4e6a83
Create Date: 2024-01-09 15:13:40.067281

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "d8e0f2a4c6b5"
down_revision: Union[str, None] = "7f0b2d4e6a83"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.drop_table("wishlists")


def downgrade() -> None:
    op.create_table(
        "wishlists",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["catalog_items.id"],
            name="fk_wishlists_product_id_products",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", "product_id"),
    )
