import sqlalchemy as sa

from app.schemas.base import Base
from app.schemas.enums import PersonStatus, person_status


class Person(Base):
    __tablename__ = "person"
    __table_args__ = (
        sa.Index("person_name_idx", "last_name", "first_name"),
        {"schema": "participants"},
    )

    id = sa.Column(sa.Integer, primary_key=True)
    first_name = sa.Column(sa.String(80), nullable=False)
    last_name = sa.Column(sa.String(80), nullable=False)
    email = sa.Column(sa.String(255), nullable=False, unique=True)
    status = sa.Column(person_status, nullable=False, server_default=PersonStatus.active.value)
    is_customer = sa.Column(sa.Boolean, nullable=False, server_default=sa.true())
    created_at = sa.Column(
        sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    )
