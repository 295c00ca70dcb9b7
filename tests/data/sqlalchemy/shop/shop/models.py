import enum

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.orm import relationship

from shop.db import Base, metadata


class OrderStatus(enum.Enum):
    new = "new"
    paid = "paid"
    shipped = "shipped"
    cancelled = "cancelled"


order_number_seq = sa.Sequence("order_number_seq", start=1000, metadata=metadata)


class Customer(Base):
    __tablename__ = "customer"
    __table_args__ = (
        sa.CheckConstraint("char_length(country) = 2", name="country_code"),
        {"comment": "people who buy things"},
    )

    id = sa.Column(sa.BigInteger, sa.Identity(), primary_key=True)
    email = sa.Column(sa.String(255), nullable=False, unique=True)
    name = sa.Column(sa.Text, nullable=False, comment="display name")
    country = sa.Column(sa.String(2), nullable=False, server_default="NL")
    is_active = sa.Column(sa.Boolean, nullable=False, server_default=sa.true())
    newsletter = sa.Column(sa.Boolean, nullable=False, server_default=sa.text("false"))
    created_at = sa.Column(
        sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")
    )
    preferences = sa.Column(pg.JSONB, nullable=False, server_default=sa.text("'{}'::jsonb"))
    tags = sa.Column(pg.ARRAY(sa.Text), nullable=False, server_default="{}")

    orders = relationship("Order", back_populates="customer")


# An expression index (named: the convention would call it ix_customer_email).
sa.Index("ix_customer_lower_email", sa.func.lower(Customer.email), unique=True)


class Product(Base):
    __tablename__ = "product"
    __table_args__ = (
        sa.CheckConstraint("price >= 0", name="price_not_negative"),
        sa.UniqueConstraint("sku", name="product_sku_key"),
    )

    id = sa.Column(sa.Integer, sa.Identity(always=True, start=100), primary_key=True)
    sku = sa.Column(sa.String(32), nullable=False)
    title = sa.Column(sa.String(200), nullable=False, index=True)
    price = sa.Column(sa.Numeric(12, 2), nullable=False, server_default="0")
    weight_grams = sa.Column(sa.Integer)
    public_id = sa.Column(
        pg.UUID(as_uuid=True), nullable=False, server_default=sa.text("gen_random_uuid()")
    )
    discontinued = sa.Column(sa.Boolean, nullable=False, server_default="false")


class Order(Base):
    __tablename__ = "order"  # a reserved word: SQLAlchemy quotes it

    id = sa.Column(sa.BigInteger, sa.Identity(), primary_key=True)
    number = sa.Column(
        sa.Integer, order_number_seq, nullable=False, unique=True,
        server_default=order_number_seq.next_value(),
    )
    customer_id = sa.Column(
        sa.ForeignKey("customer.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    status = sa.Column(
        sa.Enum(OrderStatus, name="order_status"), nullable=False, server_default="new"
    )
    placed_at = sa.Column(sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())
    note = sa.Column(sa.Text, comment="written by the customer")

    customer = relationship(Customer, back_populates="orders")
    lines = relationship("OrderLine", back_populates="order")


# A partial index: open orders by date.
sa.Index(
    "ix_order_open_placed_at",
    Order.placed_at,
    postgresql_where=Order.status.in_([OrderStatus.new, OrderStatus.paid]),
)


class OrderLine(Base):
    __tablename__ = "order_line"

    order_id = sa.Column(sa.ForeignKey("order.id", ondelete="CASCADE"), primary_key=True)
    line_no = sa.Column(sa.SmallInteger, primary_key=True)
    product_id = sa.Column(sa.ForeignKey("product.id"), nullable=False, index=True)
    quantity = sa.Column(sa.Integer, nullable=False, server_default=sa.text("1"))
    unit_price = sa.Column(sa.Numeric(12, 2), nullable=False)
    total = sa.Column(sa.Numeric(14, 2), sa.Computed("quantity * unit_price"))

    order = relationship(Order, back_populates="lines")

    __table_args__ = (
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.Index(None, "quantity", "product_id"),
    )
