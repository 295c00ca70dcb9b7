"""parent taken from a constant

Revision ID: 22bb33cc44dd
Revises: 11aa22bb33cc
Create Date: 2024-05-02 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

PARENT = "11aa22bb33cc"

revision = "22bb33cc44dd"
down_revision = PARENT
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("invoices", sa.Column("paid", sa.Boolean()))


def downgrade():
    op.drop_column("invoices", "paid")
