"""merge reporting into main

Revision ID: 7f0b2d4e6a83
Revises: b1f7d9a3c5e2, 4c6e8a0b2d91
Create Date: 2023-07-12 11:02:15.772310

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "7f0b2d4e6a83"
down_revision = ("b1f7d9a3c5e2", "4c6e8a0b2d91")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
