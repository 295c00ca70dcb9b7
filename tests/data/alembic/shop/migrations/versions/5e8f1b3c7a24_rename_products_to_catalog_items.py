"""rename products to catalog_items

Revision ID: 5e8f1b3c7a24
Revises: 2a9c4e7b1d35
Create Date: 2023-06-19 10:02:41.275530

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "5e8f1b3c7a24"
down_revision = "2a9c4e7b1d35"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.rename_table("products", "catalog_items")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER SEQUENCE products_id_seq RENAME TO catalog_items_id_seq")
    with op.batch_alter_table("catalog_items") as batch_op:
        batch_op.add_column(
            sa.Column(
                "discontinued",
                sa.Boolean(),
                server_default=sa.false(),
                nullable=False,
            )
        )
        batch_op.alter_column(
            "title", existing_type=sa.String(200), type_=sa.String(300)
        )


def downgrade() -> None:
    with op.batch_alter_table("catalog_items") as batch_op:
        batch_op.alter_column(
            "title", existing_type=sa.String(300), type_=sa.String(200)
        )
        batch_op.drop_column("discontinued")
    op.rename_table("catalog_items", "products")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER SEQUENCE catalog_items_id_seq RENAME TO products_id_seq")
