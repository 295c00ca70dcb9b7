"""tags

Revision ID: 9e4b2d6f8a13
Revises: 5c1e9a3f7b20
Create Date: 2024-03-05 21:03:47.120968

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "9e4b2d6f8a13"
down_revision = "5c1e9a3f7b20"
branch_labels = None
depends_on = None


def upgrade() -> None:
    tags = op.create_table(
        "tags",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("note_id", sa.Integer(), sa.ForeignKey("notes.id"), nullable=False),
    )
    op.create_index("ix_tags_name", "tags", ["name"])
    op.add_column("notes", sa.Column("pinned", sa.Boolean(), nullable=True))
    op.bulk_insert(
        sa.table("notes", sa.column("id", sa.Integer), sa.column("title", sa.String),
                 sa.column("body", sa.Text)),
        [{"id": 1, "title": "Welcome", "body": "It's your first note."}],
    )
    op.bulk_insert(tags, [{"id": 1, "name": "inbox", "note_id": 1}])


def downgrade() -> None:
    op.execute("DELETE FROM notes WHERE id = 1")
    with op.batch_alter_table("notes") as batch_op:
        batch_op.drop_column("pinned")
    op.drop_index("ix_tags_name", table_name="tags")
    op.drop_table("tags")
