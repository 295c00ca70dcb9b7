"""auth: roles

Revision ID: 6d2b8e0f4a13
Revises: 1a7f3c5e9b20
Create Date: 2023-09-18 14:40:55.083216

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "6d2b8e0f4a13"
down_revision = "1a7f3c5e9b20"
branch_labels = None
depends_on = None


def upgrade(schema=None) -> None:
    op.add_column(
        "users",
        sa.Column("is_admin", sa.Boolean(), server_default=sa.false(), nullable=False),
        schema=schema,
    )
    op.create_index("ix_users_is_admin", "users", ["is_admin"], schema=schema)


def downgrade(schema=None) -> None:
    op.drop_index("ix_users_is_admin", table_name="users", schema=schema)
    op.drop_column("users", "is_admin", schema=schema)
