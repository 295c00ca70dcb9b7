"""branch labels computed by a call

Revision ID: 33cc44dd55ee
Revises: 22bb33cc44dd
Create Date: 2024-05-03 10:00:00.000000

"""
from alembic import op

revision = "33cc44dd55ee"
down_revision = "22bb33cc44dd"
branch_labels = tuple(["billing"])
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
