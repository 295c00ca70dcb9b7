"""longer, required titles

Revision ID: 7b3d5f1e9c62
Revises: 2f7a1c9e5d34
Create Date: 2024-03-20 12:41:05.978233

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "7b3d5f1e9c62"
down_revision = "2f7a1c9e5d34"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE notes SET title = 'Untitled' WHERE title IS NULL")
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.alter_column(
            "title",
            existing_type=sa.String(100),
            type_=sa.String(200),
            nullable=False,
        )
        batch_op.create_unique_constraint("uq_notes_title", ["title"])


def downgrade() -> None:
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.drop_constraint("uq_notes_title", type_="unique")
        batch_op.alter_column(
            "title",
            existing_type=sa.String(200),
            type_=sa.String(100),
            nullable=True,
        )
