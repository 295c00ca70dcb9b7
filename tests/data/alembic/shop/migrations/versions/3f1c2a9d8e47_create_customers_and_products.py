"""create customers and products

The first tables of the shop: customers (with their status as a PostgreSQL
enum), the product catalogue and wish lists.

Revision ID: 3f1c2a9d8e47
Revises:
Create Date: 2023-03-14 09:12:44.918273

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "3f1c2a9d8e47"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customers",
        sa.Column("id", sa.Integer(), sa.Identity(always=True), primary_key=True),
        sa.Column("email", sa.String(255), nullable=False),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("fax", sa.String(32), nullable=True),
        sa.Column(
            "status",
            sa.Enum("active", "suspended", "closed", name="customer_status"),
            server_default="active",
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.UniqueConstraint("email", name="uq_customers_email"),
        sa.CheckConstraint("char_length(email) > 3", name="ck_customers_email_length"),
    )
    op.create_table(
        "products",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("sku", sa.String(32), nullable=False, unique=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("price", sa.Numeric(10, 2), nullable=False),
        sa.Column("weight_grams", sa.String(16), nullable=True),
        sa.CheckConstraint("price >= 0", name="ck_products_price_positive"),
        sa.UniqueConstraint("title", name="uq_products_title"),
    )
    op.create_table(
        "wishlists",
        sa.Column(
            "customer_id",
            sa.Integer(),
            sa.ForeignKey("customers.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("product_id", sa.Integer(), primary_key=True),
        sa.Column("note", sa.Text()),
    )


def downgrade() -> None:
    op.drop_table("wishlists")
    op.drop_table("products")
    op.drop_table("customers")
    postgresql.ENUM(name="customer_status").drop(op.get_bind(), checkfirst=False)
