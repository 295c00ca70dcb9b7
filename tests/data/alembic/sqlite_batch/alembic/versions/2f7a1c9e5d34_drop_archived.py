"""drop notes.archived

Archiving moved to tags ("archive").

Revision ID: 2f7a1c9e5d34
Revises: 9e4b2d6f8a13
Create Date: 2024-03-11 07:58:30.644812

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "2f7a1c9e5d34"
down_revision = "9e4b2d6f8a13"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.drop_column("archived")


def downgrade() -> None:
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("archived", sa.Boolean(), nullable=False, server_default=sa.false())
        )
