"""inventory: stock movements

Revision ID: 8f0a2c4e6b71
Revises: 3b5d7f9a1c2e
Create Date: 2023-09-26 16:57:10.218843

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "8f0a2c4e6b71"
down_revision = "3b5d7f9a1c2e"
branch_labels = None
depends_on = None


def upgrade(schema=None) -> None:
    op.create_table(
        "stock_movements",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("delta", sa.Integer(), nullable=False),
        sa.Column(
            "moved_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        schema=schema,
    )
    op.create_foreign_key(
        "fk_stock_movements_item_id_items",
        "stock_movements",
        "items",
        ["item_id"],
        ["id"],
        source_schema=schema,
        referent_schema=schema,
    )


def downgrade(schema=None) -> None:
    op.drop_constraint(
        "fk_stock_movements_item_id_items",
        "stock_movements",
        type_="foreignkey",
        schema=schema,
    )
    op.drop_table("stock_movements", schema=schema)
