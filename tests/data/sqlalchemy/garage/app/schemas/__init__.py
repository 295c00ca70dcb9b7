"""Every model of the garage, so that Base.metadata holds all of them."""
from app.schemas.base import Base
from app.schemas.cars import Brand, Car, FuelType
from app.schemas.participants import Person, PersonStatus
from app.schemas.work_shop import Mechanic, Repair, RepairPart

__all__ = [
    "Base",
    "Brand",
    "Car",
    "FuelType",
    "Mechanic",
    "Person",
    "PersonStatus",
    "Repair",
    "RepairPart",
]
