"""a noisy revision

Writes to stdout in every way it can: print(), sys.stdout, and fd 1.

Revision ID: 66ff77889900
Revises: 55ee66ff7788
Create Date: 2024-05-06 10:00:00.000000

"""
import os
import sys

from alembic import op
import sqlalchemy as sa

revision = "66ff77889900"
down_revision = "55ee66ff7788"
branch_labels = None
depends_on = None

print("noisy: module loaded")
sys.stdout.write("noisy: sys.stdout\n")
os.write(1, b"noisy: fd 1\n")


def upgrade():
    print('{"ok": true, "fake": "a print that looks like a response"}')
    op.create_table("noise", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade():
    print("noisy: downgrade")
    op.drop_table("noise")
