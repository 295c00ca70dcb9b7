"""Types shared by several schemas' tables."""
import enum

import sqlalchemy as sa


class PersonStatus(enum.Enum):
    active = "active"
    inactive = "inactive"
    banned = "banned"


# In public, used by participants.person and work_shop.mechanic.
person_status = sa.Enum(PersonStatus, name="person_status")
