"""inventory: items

Revision ID: 3b5d7f9a1c2e
Revises:
Create Date: 2023-09-05 11:22:37.640051

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "3b5d7f9a1c2e"
down_revision = None
branch_labels = ("inventory",)
depends_on = None


def upgrade(schema=None) -> None:
    op.execute("CREATE SCHEMA IF NOT EXISTS inventory")
    op.create_table(
        "items",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("sku", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        schema=schema,
    )
    op.create_index("ix_items_sku", "items", ["sku"], unique=True, schema=schema)


def downgrade(schema=None) -> None:
    op.drop_index("ix_items_sku", table_name="items", schema=schema)
    op.drop_table("items", schema=schema)
