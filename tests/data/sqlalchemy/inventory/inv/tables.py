"""Plain tables (no server defaults): DDL that retort normalises without a
database (src/autogen/model_normalize.h), so this set checks that path
against create_all() too."""
import enum

import sqlalchemy as sa

metadata = sa.MetaData(schema="inventory")


class Kind(enum.Enum):
    raw = "raw"
    finished = "finished"


warehouse = sa.Table(
    "warehouse",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(8), nullable=False, unique=True),
    sa.Column("name", sa.String(100), nullable=False, comment="shown on labels"),
    sa.Column("active", sa.Boolean, nullable=False),
    comment="storage sites",
)

item = sa.Table(
    "item",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("sku", sa.String(32), nullable=False),
    sa.Column("kind", sa.Enum(Kind, name="item_kind", schema="inventory"), nullable=False),
    sa.Column("weight", sa.Numeric(10, 3)),
    sa.Column(
        "warehouse_id",
        sa.ForeignKey("inventory.warehouse.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.UniqueConstraint("warehouse_id", "sku"),
)

movement = sa.Table(
    "movement",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True),
    sa.Column("item_id", sa.ForeignKey("inventory.item.id"), nullable=False),
    sa.Column("delta", sa.Integer, nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("movement_item_at", "item_id", "at"),
)
