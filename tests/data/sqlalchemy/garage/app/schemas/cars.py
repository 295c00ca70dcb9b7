import enum

import sqlalchemy as sa
from sqlalchemy.orm import relationship

from app.schemas.base import Base


class FuelType(enum.Enum):
    petrol = "petrol"
    diesel = "diesel"
    electric = "electric"
    hybrid = "hybrid"


class Brand(Base):
    __tablename__ = "brand"
    __table_args__ = {"schema": "cars", "comment": "car makers"}

    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String(100), nullable=False, unique=True)
    country = sa.Column(sa.String(2), nullable=False, server_default="DE")

    cars = relationship("Car", back_populates="brand")


class Car(Base):
    __tablename__ = "car"
    __table_args__ = (
        sa.UniqueConstraint("brand_id", "model", "year"),
        sa.CheckConstraint("year >= 1886", name="car_year_check"),
        {"schema": "cars"},
    )

    id = sa.Column(sa.Integer, primary_key=True)
    brand_id = sa.Column(
        sa.ForeignKey("cars.brand.id", ondelete="CASCADE"), nullable=False, index=True
    )
    model = sa.Column(sa.String(100), nullable=False)
    year = sa.Column(sa.SmallInteger, nullable=False)
    # An enum type in the cars schema.
    fuel = sa.Column(
        sa.Enum(FuelType, name="fuel_type", schema="cars"),
        nullable=False,
        server_default=FuelType.petrol.value,
    )
    vin = sa.Column(sa.String(17), unique=True, comment="vehicle identification number")
    owner_id = sa.Column(sa.ForeignKey("participants.person.id", ondelete="SET NULL"))
    registered_at = sa.Column(sa.DateTime(timezone=True), server_default=sa.text("now()"))

    brand = relationship(Brand, back_populates="cars")
