"""add invoices (never finished)

Revision ID: 11aa22bb33cc
Revises:
Create Date: 2024-05-01 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = "11aa22bb33cc"
down_revision = None


def upgrade():
    op.create_table(
        "invoices",
        sa.Column("id", sa.Integer(), primary_key=True)
        sa.Column("number", sa.String(20)),
    )


def downgrade():
    op.drop_table("invoices")
