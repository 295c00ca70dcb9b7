"""An event-ticketing app: a MetaData with a default schema, UUID keys,
self-referencing and composite foreign keys, an association table, JSONB
with a GIN index, a covering index, and types of many kinds."""
import enum
import uuid

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.orm import declarative_base, relationship

metadata = sa.MetaData(
    schema="events",
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    },
)
Base = declarative_base(metadata=metadata)


class Visibility(enum.Enum):
    PUBLIC = "public"
    UNLISTED = "unlisted"
    PRIVATE = "private"


ticket_number = sa.Sequence("ticket_number_seq", start=1, increment=1, metadata=metadata)

event_tag = sa.Table(
    "event_tag",
    metadata,
    sa.Column("event_id", sa.ForeignKey("event.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("tag", sa.String(40), primary_key=True),
)


class Venue(Base):
    __tablename__ = "venue"
    __table_args__ = {"comment": "where events happen"}

    id = sa.Column(pg.UUID(as_uuid=True), primary_key=True, server_default=sa.text("gen_random_uuid()"))
    name = sa.Column(sa.String, nullable=False)
    city = sa.Column(sa.Text(collation="C"), nullable=False)
    capacity = sa.Column(sa.Integer, sa.CheckConstraint("capacity > 0", name="capacity_positive"))
    location = sa.Column(pg.JSONB)
    parent_id = sa.Column(sa.ForeignKey("venue.id"), comment="a hall inside a building")
    opened_on = sa.Column(sa.Date)
    doors_open = sa.Column(sa.Time, server_default=sa.text("'18:30'"))

    parent = relationship("Venue", remote_side=[id])


class Event(Base):
    __tablename__ = "event"

    id = sa.Column(sa.BigInteger, sa.Identity(start=1, cycle=False), primary_key=True)
    venue_id = sa.Column(sa.ForeignKey("venue.id", ondelete="RESTRICT", deferrable=True,
                                       initially="DEFERRED"), nullable=False)
    title = sa.Column(sa.String(300), nullable=False)
    starts_at = sa.Column(sa.DateTime(timezone=True), nullable=False)
    duration = sa.Column(sa.Interval, nullable=False, server_default=sa.text("'02:00:00'::interval"))
    visibility = sa.Column(
        sa.Enum(Visibility, name="visibility", values_callable=lambda e: [m.value for m in e]),
        nullable=False, server_default="public",
    )
    price_cents = sa.Column(sa.Integer, nullable=False, server_default=sa.text("0"))
    price = sa.Column(sa.Numeric(10, 2), sa.Computed("price_cents / 100.0"))
    details = sa.Column(pg.JSONB, nullable=False, server_default=sa.text("'{}'::jsonb"))
    poster = sa.Column(sa.LargeBinary)
    rating = sa.Column(sa.Float(precision=53))
    cancelled = sa.Column(sa.Boolean, nullable=False, server_default=sa.false())

    __table_args__ = (
        sa.Index(None, "venue_id", "starts_at"),
        sa.Index("ix_event_details", "details", postgresql_using="gin"),
        sa.Index("ix_event_upcoming", "starts_at", postgresql_include=["title"],
                 postgresql_where=sa.text("NOT cancelled")),
        sa.CheckConstraint("price_cents >= 0", name="price_not_negative"),
    )


class Seat(Base):
    __tablename__ = "seat"

    venue_id = sa.Column(sa.ForeignKey("venue.id", ondelete="CASCADE"), primary_key=True)
    row = sa.Column(sa.String(4), primary_key=True)
    number = sa.Column(sa.SmallInteger, primary_key=True)
    accessible = sa.Column(sa.Boolean, nullable=False, server_default="0")


class Ticket(Base):
    __tablename__ = "ticket"

    id = sa.Column(pg.UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    number = sa.Column(sa.BigInteger, ticket_number, server_default=ticket_number.next_value(),
                       nullable=False, unique=True)
    event_id = sa.Column(sa.ForeignKey("event.id"), nullable=False, index=True)
    venue_id = sa.Column(pg.UUID(as_uuid=True), nullable=False)
    seat_row = sa.Column(sa.String(4), nullable=False)
    seat_number = sa.Column(sa.SmallInteger, nullable=False)
    sold_at = sa.Column(sa.DateTime(timezone=True), server_default=sa.func.now())
    holder_email = sa.Column(sa.String(320))

    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["venue_id", "seat_row", "seat_number"],
            ["seat.venue_id", "seat.row", "seat.number"],
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("event_id", "seat_row", "seat_number"),
        sa.Index("ix_ticket_holder_lower", sa.text("lower(holder_email)")),
    )
