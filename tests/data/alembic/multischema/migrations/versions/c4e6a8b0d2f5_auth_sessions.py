"""auth: sessions

Unqualified names: env.py sets the search_path to the schema being migrated.

Revision ID: c4e6a8b0d2f5
Revises: 6d2b8e0f4a13
Create Date: 2023-10-02 09:03:48.561990

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "c4e6a8b0d2f5"
down_revision = "6d2b8e0f4a13"
branch_labels = None
depends_on = None


def upgrade(schema=None) -> None:
    op.create_table(
        "sessions",
        sa.Column("token", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.execute("ALTER TABLE users ADD COLUMN last_login_at timestamptz")


def downgrade(schema=None) -> None:
    op.execute("ALTER TABLE users DROP COLUMN last_login_at")
    op.drop_table("sessions")
