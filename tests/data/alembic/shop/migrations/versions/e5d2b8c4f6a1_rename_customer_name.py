"""rename customers.name to full_name, drop fax

Revision ID: e5d2b8c4f6a1
Revises: c7a1e5b93d02
Create Date: 2023-04-11 08:51:19.660128

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "e5d2b8c4f6a1"
down_revision = "c7a1e5b93d02"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column("customers", "name", new_column_name="full_name")
    op.drop_column("customers", "fax")


def downgrade() -> None:
    op.add_column("customers", sa.Column("fax", sa.String(32), nullable=True))
    op.alter_column("customers", "full_name", new_column_name="name")
