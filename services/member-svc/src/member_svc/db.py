"""The declarative base of member-svc's own database (engine and sessions come from ``cheyou_kit.db``)."""

from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
