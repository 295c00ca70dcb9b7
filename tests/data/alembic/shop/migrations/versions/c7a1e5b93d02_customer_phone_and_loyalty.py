"""customer phone and loyalty points

Also fixes products.weight_grams, which the CSV import created as text.

Revision ID: c7a1e5b93d02
Revises: 8b4d7e2f1a90
Create Date: 2023-04-02 11:05:37.004417

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "c7a1e5b93d02"
down_revision = "8b4d7e2f1a90"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("customers", sa.Column("phone", sa.String(32), nullable=True))
    op.add_column(
        "customers",
        sa.Column("loyalty_points", sa.Integer(), server_default="0", nullable=False),
    )
    op.alter_column(
        "products",
        "weight_grams",
        existing_type=sa.String(16),
        type_=sa.Integer(),
        postgresql_using="weight_grams::integer",
    )
    op.alter_column("customers", "name", existing_type=sa.String(200), nullable=False)
    op.alter_column(
        "orders",
        "status",
        existing_type=sa.String(20),
        server_default="pending",
    )


def downgrade() -> None:
    op.alter_column(
        "orders",
        "status",
        existing_type=sa.String(20),
        server_default="new",
    )
    op.alter_column("customers", "name", existing_type=sa.String(200), nullable=True)
    op.alter_column(
        "products",
        "weight_grams",
        existing_type=sa.Integer(),
        type_=sa.String(16),
    )
    op.drop_column("customers", "loyalty_points")
    op.drop_column("customers", "phone")
