"""currency per invoice

Revision ID: 55ee66ff7788
Revises: 44dd55ee66ff
Create Date: 2024-05-05 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = "55ee66ff7788"
down_revision = "44dd55ee66ff"
branch_labels = None
depends_on = None

DEFAULT_CURRENCY = {"eu": "EUR", "us": "USD"}


def upgrade():
    region = "uk"
    op.add_column(
        "invoices",
        sa.Column("currency", sa.String(3), server_default=DEFAULT_CURRENCY[region]),
    )


def downgrade():
    raise NotImplementedError("currency cannot be removed once invoices use it")
