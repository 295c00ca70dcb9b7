"""tags unique per note

The table is given in full (copy_from), so this batch needs no reflection and
renders with --sql too.

Revision ID: d0c8e6a4b2f1
Revises: 7b3d5f1e9c62
Create Date: 2024-04-02 09:15:26.330591

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "d0c8e6a4b2f1"
down_revision = "7b3d5f1e9c62"
branch_labels = None
depends_on = None

tags = sa.Table(
    "tags",
    sa.MetaData(),
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("name", sa.String(40), nullable=False),
    sa.Column("note_id", sa.Integer(), sa.ForeignKey("notes.id"), nullable=False),
    sa.Index("ix_tags_name", "name"),
)


def upgrade() -> None:
    with op.batch_alter_table("tags", copy_from=tags) as batch_op:
        batch_op.create_unique_constraint("uq_tags_note_id_name", ["note_id", "name"])


def downgrade() -> None:
    with op.batch_alter_table("tags", copy_from=tags, recreate="always") as batch_op:
        pass
