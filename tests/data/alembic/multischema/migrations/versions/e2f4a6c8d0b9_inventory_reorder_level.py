"""inventory: reorder level

Revision ID: e2f4a6c8d0b9
Revises: 8f0a2c4e6b71
Create Date: 2023-11-07 08:36:21.905512

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "e2f4a6c8d0b9"
down_revision = "8f0a2c4e6b71"
branch_labels = None
depends_on = None


def upgrade(**kwargs) -> None:
    schema = kwargs.get("schema")
    op.add_column(
        "items",
        sa.Column("reorder_level", sa.Integer(), server_default="10", nullable=False),
        schema=schema,
    )
    op.execute("UPDATE items SET reorder_level = 0 WHERE sku LIKE 'DISC-%'")


def downgrade(**kwargs) -> None:
    op.drop_column("items", "reorder_level", schema=kwargs.get("schema"))
