"""use the legacy models

Revision ID: 44dd55ee66ff
Revises: 33cc44dd55ee
Create Date: 2024-05-04 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

from billing_legacy.models import Invoice  # the package was removed in 2023

revision = "44dd55ee66ff"
down_revision = "33cc44dd55ee"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_invoices_number", Invoice.__tablename__, ["number"])


def downgrade():
    op.drop_index("ix_invoices_number", table_name=Invoice.__tablename__)
