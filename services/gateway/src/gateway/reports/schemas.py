"""The club report: the seed's two tables (members by tier; value-added services used), from live data."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class Row(BaseModel):
    item: str = Field(description="The tier, or the kind of service (a stable key).")
    name: str = Field(description="The row's name in the branch's own tables (Chinese).")
    count: int


class Table(BaseModel):
    name: str
    total: int
    rows: list[Row]


class ClubReport(BaseModel):
    """Verified members per tier as they stand now; services used in ``[from, to)``."""

    model_config = ConfigDict(populate_by_name=True)

    since: datetime = Field(alias="from")
    until: datetime = Field(alias="to")
    as_of: datetime
    members: Table
    services: Table
    activity_participations: int = Field(
        description="Sign-ins at the door of activities starting in the period."
    )
    sources: dict[str, str] = Field(description="Which service endpoint each figure comes from.")
