import sqlalchemy as sa

from app.schemas.base import Base
from app.schemas.enums import person_status


class Mechanic(Base):
    __tablename__ = "mechanic"
    __table_args__ = {"schema": "work_shop"}

    id = sa.Column(sa.Integer, primary_key=True)
    person_id = sa.Column(
        sa.ForeignKey("participants.person.id"), nullable=False, unique=True
    )
    # The same enum as participants.person.status (one type in public).
    status = sa.Column(person_status, nullable=False, server_default="active")
    hourly_rate = sa.Column(sa.Numeric(8, 2), nullable=False, server_default="45.00")


class Repair(Base):
    __tablename__ = "repair"
    __table_args__ = (
        sa.CheckConstraint("finished_at IS NULL OR finished_at >= started_at",
                           name="repair_dates_check"),
        {"schema": "work_shop"},
    )

    id = sa.Column(sa.BigInteger, primary_key=True)
    car_id = sa.Column(sa.ForeignKey("cars.car.id"), nullable=False, index=True)
    mechanic_id = sa.Column(sa.ForeignKey("work_shop.mechanic.id"))
    customer_id = sa.Column(sa.ForeignKey("participants.person.id"), nullable=False)
    started_at = sa.Column(sa.DateTime(timezone=True), nullable=False,
                           server_default=sa.text("now()"))
    finished_at = sa.Column(sa.DateTime(timezone=True))
    description = sa.Column(sa.Text, nullable=False, server_default="")
    paid = sa.Column(sa.Boolean, nullable=False, server_default=sa.false())


class RepairPart(Base):
    __tablename__ = "repair_part"
    __table_args__ = {"schema": "work_shop"}

    repair_id = sa.Column(
        sa.ForeignKey("work_shop.repair.id", ondelete="CASCADE"), primary_key=True
    )
    part_number = sa.Column(sa.String(40), primary_key=True)
    quantity = sa.Column(sa.Integer, nullable=False, server_default=sa.text("1"))
    unit_price = sa.Column(sa.Numeric(10, 2), nullable=False)
