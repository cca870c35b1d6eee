from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from merchant_svc.merchants.models import Category
from merchant_svc.service_points.hours import minutes
from merchant_svc.service_points.models import ServicePointStatus

CoordSys = Literal["gcj02", "wgs84"]
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False, description="Degrees north.")]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False, description="Degrees east.")]
ServiceCode = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_.]{0,63}$", description="A privilege code.")]
CityCode = Annotated[str, Field(pattern=r"^[0-9]{6}$", description="GB/T 2260 city code, e.g. 350100")]
ClockTime = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", examples=["08:30"])]
ClosingTime = Annotated[
    str,
    Field(
        pattern=r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$",
        description="At or before ``opens``: the next day (open past midnight). ``24:00``: midnight.",
    ),
]


class DayHours(BaseModel):
    day: Annotated[int, Field(ge=1, le=7, description="ISO weekday: 1 Monday … 7 Sunday.")]
    opens: ClockTime
    closes: ClosingTime

    @model_validator(mode="after")
    def _not_empty(self) -> DayHours:
        if minutes(self.opens) == minutes(self.closes):
            raise ValueError("closes must differ from opens (00:00–24:00 is open all day)")
        return self


class Offer(BaseModel):
    title: Annotated[str, Field(min_length=1, max_length=60)]
    detail: Annotated[str | None, Field(max_length=200)] = None
    valid_from: date | None = None
    valid_until: date | None = None

    @model_validator(mode="after")
    def _term(self) -> Offer:
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValueError("valid_until must not be before valid_from")
        return self


Hours = Annotated[list[DayHours], Field(max_length=21)]
Offers = Annotated[list[Offer], Field(max_length=10)]
Services = Annotated[list[ServiceCode], Field(min_length=1, max_length=20)]


class ServicePointCreate(BaseModel):
    name: Annotated[str, Field(min_length=1, max_length=120)]
    category: Category | None = Field(default=None, description="Default: the merchant's category.")
    address: Annotated[str, Field(min_length=2, max_length=200)]
    city_code: CityCode
    phone: Annotated[str | None, Field(pattern=r"^[0-9+\-() ]{5,32}$")] = None
    lat: Latitude
    lng: Longitude
    coordsys: CoordSys = Field(
        default="gcj02",
        description="The datum of lat/lng: gcj02 (Chinese maps' coordinate pickers) or wgs84 (GPS); "
        "stored as GCJ-02.",
    )
    services: Services
    hours: Hours
    offers: Offers = Field(default_factory=list)


class ServicePointUpdate(BaseModel):
    """Only what is sent changes; ``lat`` and ``lng`` come together."""

    name: Annotated[str | None, Field(min_length=1, max_length=120)] = None
    category: Category | None = None
    address: Annotated[str | None, Field(min_length=2, max_length=200)] = None
    city_code: CityCode | None = None
    phone: Annotated[str | None, Field(pattern=r"^[0-9+\-() ]{5,32}$")] = None
    lat: Latitude | None = None
    lng: Longitude | None = None
    coordsys: CoordSys = "gcj02"
    services: Services | None = None
    hours: Hours | None = None
    offers: Offers | None = None
    status: ServicePointStatus | None = None
    status_reason: Annotated[str | None, Field(max_length=500)] = None

    @model_validator(mode="after")
    def _both_or_neither(self) -> ServicePointUpdate:
        if (self.lat is None) != (self.lng is None):
            raise ValueError("lat and lng are changed together")
        for name in ("name", "category", "address", "city_code", "services", "hours", "offers", "status"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} may be left out but not null")
        return self


class ServicePointRead(BaseModel):
    """A service point as ops and its merchant see it."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    merchant_id: uuid.UUID
    name: str
    category: Category
    address: str
    city_code: str
    phone: str | None
    lat: float = Field(description="GCJ-02.")
    lng: float = Field(description="GCJ-02.")
    services: list[str]
    hours: list[DayHours]
    offers: list[Offer]
    status: ServicePointStatus
    status_reason: str | None
    created_at: datetime
    updated_at: datetime


class PublicServicePoint(BaseModel):
    """A service point as a member sees it: open now (Asia/Shanghai), the offers valid today."""

    id: uuid.UUID
    merchant_id: uuid.UUID
    merchant_name: str
    name: str
    category: Category
    address: str
    city_code: str
    phone: str | None
    lat: float = Field(description="GCJ-02 (what WeChat's openLocation and Chinese map tiles take).")
    lng: float = Field(description="GCJ-02.")
    services: list[str]
    hours: list[DayHours]
    open_now: bool
    offers: list[Offer]


class NearbyServicePoint(PublicServicePoint):
    distance_m: int = Field(description="Great-circle distance from the searched location, metres.")
