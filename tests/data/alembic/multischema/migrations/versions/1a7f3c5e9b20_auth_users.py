"""auth: users

Revision ID: 1a7f3c5e9b20
Revises:
Create Date: 2023-09-04 10:15:02.114307

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "1a7f3c5e9b20"
down_revision = None
branch_labels = ("auth",)
depends_on = None


def upgrade(schema=None) -> None:
    op.execute("CREATE SCHEMA IF NOT EXISTS auth")
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(255), nullable=False),
        sa.Column("password_hash", sa.String(128), nullable=False),
        sa.UniqueConstraint("email", name="uq_users_email"),
        schema=schema,
    )


def downgrade(schema=None) -> None:
    op.drop_table("users", schema=schema)
