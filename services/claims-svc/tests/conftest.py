import io
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from cheyou_events import sealing
from cheyou_events.catalogue.member import MemberContactChanged, MemberPolicyChanged
from cheyou_events.catalogue.policy import PolicyIssued, PolicyLine, VehicleKind
from cheyou_events.testing import read_topic
from cheyou_fakes import running, sms
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities, service_fixtures
from claims_svc.config import Settings
from claims_svc.contacts import service as contacts
from claims_svc.cover import service as cover
from claims_svc.main import create_app
from PIL import ExifTags, Image
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

identities, _kit_service_settings, client, session = service_fixtures(
    Settings, create_app, Path(__file__).parents[1]
)


@pytest.fixture(scope="session")
def sms_url() -> Iterator[str]:
    """The fake SMS provider (the other party's liability codes go there), served over HTTP."""
    with running(sms.create_app()) as url:
        yield url


@pytest.fixture(scope="session")
async def service_settings(
    _kit_service_settings: Settings, tmp_path_factory: pytest.TempPathFactory, sms_url: str
) -> Settings:
    """The kit's settings (which also created the platform's topics), a storage directory, the fake SMS."""
    return _kit_service_settings.model_copy(
        update={"storage_dir": tmp_path_factory.mktemp("claims-files"), "sms_api_base_url": sms_url}
    )


def other_phone() -> str:
    """A mobile number of its own for one test (codes sent to one number are limited per hour)."""
    return f"139{uuid.uuid4().int % 10**8:08d}"


@pytest.fixture(scope="session")
async def db(service_settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions that commit, for arranging data the app under test must see."""
    engine = create_async_engine(service_settings.sqlalchemy_url)
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()


@dataclass
class Vehicle:
    policy_no: str
    plate: str
    starts_on: date
    ends_on: date


def policy_changed(
    member_id: uuid.UUID, vehicle: Vehicle, *, status: str = "active", changed_at: datetime | None = None
) -> MemberPolicyChanged:
    """What member-svc says when it matched one of the member's policies."""
    return MemberPolicyChanged(
        member_id=str(member_id),
        policy_no=vehicle.policy_no,
        change="issued" if status == "active" else "cancelled",
        line="commercial",
        status=status,
        premium_fen=320_000,
        starts_on=vehicle.starts_on,
        ends_on=vehicle.ends_on,
        plate=vehicle.plate,
        changed_at=changed_at or datetime(2025, 12, 20, tzinfo=UTC),
    )


SINGLE_VEHICLE_REQUIRED = [
    "front_view",
    "rear_view",
    "contact_point",
    "side_view",
    "own_driving_licence",
    "own_vehicle_licence",
    "own_vin",
    "damage_closeup",
    "odometer",
]


def jpeg(
    *,
    taken_at: datetime | None = None,
    gps: tuple[float, float] | None = (26.0745, 119.2965),
    size: tuple[int, int] = (64, 48),
    fmt: str = "JPEG",
) -> bytes:
    """A small real image with the EXIF a phone camera writes (local capture time, GPS)."""
    image = Image.new("RGB", size, (180, 40, 40))
    exif = Image.Exif()
    taken = (taken_at or datetime.now(UTC)).astimezone(ZoneInfo("Asia/Shanghai"))
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = taken.strftime("%Y:%m:%d %H:%M:%S")
    if gps is not None:

        def dms(value: float) -> tuple[float, float, float]:
            degrees = int(value)
            minutes = int((value - degrees) * 60)
            return (float(degrees), float(minutes), round((value - degrees - minutes / 60) * 3600, 4))

        exif.get_ifd(ExifTags.IFD.GPSInfo).update({1: "N", 2: dms(gps[0]), 3: "E", 4: dms(gps[1])})
    buffer = io.BytesIO()
    image.save(buffer, fmt, exif=exif)
    return buffer.getvalue()


class Arrange:
    """Builds the world a test needs: insured vehicles (the cover projection) and reported claims."""

    def __init__(
        self,
        db: async_sessionmaker[AsyncSession],
        client: httpx.AsyncClient,
        identities: Identities,
        sms_url: str,
    ) -> None:
        self.db = db
        self.client = client
        self.identities = identities
        self.sms_url = sms_url

    other_phone = staticmethod(other_phone)

    async def sms_to(self, phone: str) -> list[dict[str, Any]]:
        """Every text the fake SMS provider delivered to the phone, oldest first."""
        async with httpx.AsyncClient() as http:
            response = await http.get(f"{self.sms_url}/_fake/messages", params={"phone": phone})
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    async def code_sent_to(self, phone: str) -> str:
        """The liability code of the last text the other party's phone received."""
        code: str = (await self.sms_to(phone))[-1]["template_param"]["code"]
        return code

    async def member_phone(self, member_id: uuid.UUID, phone: str) -> None:
        """What member-svc's ``member.contact_changed`` says of the member's phone (projected directly)."""
        async with self.db() as s:
            await contacts.record_contact(
                s,
                MemberContactChanged(
                    member_id=str(member_id),
                    phone_sealed=sealing.seal(phone, partition_key=str(member_id), field="phone"),
                    changed_at=datetime.now(UTC),
                ),
                Settings(),
            )
            await s.commit()

    async def proposed(
        self, member: uuid.UUID, phone: str | None = None, **overrides: Any
    ) -> tuple[dict[str, Any], str]:
        """A two-vehicle claim with a phone of its own for the other party (unless given) and an equal
        split proposed: ``(claim, the other party's phone)``."""
        phone = phone or other_phone()
        claim = await self.claim(
            member, other_party={"name": "李四", "phone": phone, "plate": "闽A88888"}, **overrides
        )
        response = await self.client.post(
            f"/api/v1/claims/{claim['id']}/liability",
            json={"member_scenarios": ["lane_change"], "other_scenarios": ["signal_violation"]},
            headers=self.member(member),
        )
        assert response.status_code == 200, response.text
        return claim, phone

    async def code_requested(self, member: uuid.UUID, claim_id: str) -> httpx.Response:
        return await self.client.post(
            f"/api/v1/claims/{claim_id}/liability/confirmation-requests", headers=self.member(member)
        )

    async def vehicle(
        self,
        *,
        starts_on: date = date(2026, 1, 1),
        ends_on: date = date(2026, 12, 31),
        with_plate: bool = True,
        held_by: uuid.UUID | None = None,
    ) -> Vehicle:
        """An insured vehicle (the core feed's policy) and, with ``held_by``, the member holding it."""
        vehicle = Vehicle(
            policy_no=f"PDAA{uuid.uuid4().hex[:12].upper()}",
            plate=f"闽A{uuid.uuid4().hex[:5].upper()}",
            starts_on=starts_on,
            ends_on=ends_on,
        )
        async with self.db() as s:
            await cover.record_policy(
                s,
                PolicyIssued(
                    policy_no=vehicle.policy_no,
                    customer_no=f"C{uuid.uuid4().hex[:10]}",
                    line=PolicyLine.COMMERCIAL,
                    vehicle_kind=VehicleKind.HOUSEHOLD_CAR,
                    premium_fen=320_000,
                    starts_on=starts_on,
                    ends_on=ends_on,
                    branch_code="350100",
                    issued_at=datetime(2025, 12, 20, tzinfo=UTC),
                    plate=vehicle.plate if with_plate else None,
                    vin=f"LSV{uuid.uuid4().hex[:14].upper()}",
                ),
            )
            await s.commit()
        if held_by is not None:
            await self.hold(held_by, vehicle)
        return vehicle

    async def hold(self, member_id: uuid.UUID, vehicle: Vehicle) -> None:
        """Record that the member holds the vehicle's policy (member-svc's projection, arranged directly)."""
        async with self.db() as s:
            await cover.record_member_policy(s, policy_changed(member_id, vehicle))
            await s.commit()

    def member(self, member_id: uuid.UUID | None = None) -> dict[str, str]:
        return self.identities.headers("claims-svc", Role.MEMBER, member_id=member_id or uuid.uuid4())

    def staff(self, role: Role, staff_id: str = "ops1") -> dict[str, str]:
        return self.identities.headers("claims-svc", role, subject=staff_id, staff_id=staff_id)

    @staticmethod
    def report_body(vehicle: Vehicle, **overrides: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "policy_no": vehicle.policy_no,
            "loss_at": (datetime.now(UTC) - timedelta(minutes=30)).isoformat(),
            "location": {
                "latitude": 26.0745,
                "longitude": 119.2965,
                "address": "福州市鼓楼区五四路与东街口交叉口",
            },
            "accident_type": "two_vehicle",
            "loss_cause": "collision",
            "weather": "sunny",
            "other_party": {"name": "李四", "phone": "13800008000", "plate": "闽A88888", "insurer": "某财险"},
        }
        body.update(overrides)
        return body

    async def claim(
        self, member_id: uuid.UUID, vehicle: Vehicle | None = None, **overrides: Any
    ) -> dict[str, Any]:
        vehicle = vehicle or await self.vehicle()
        await self.hold(member_id, vehicle)
        response = await self.client.post(
            "/api/v1/claims", json=self.report_body(vehicle, **overrides), headers=self.member(member_id)
        )
        assert response.status_code == 201, response.text
        claim: dict[str, Any] = response.json()
        return claim

    jpeg = staticmethod(jpeg)
    policy_changed = staticmethod(policy_changed)

    async def upload(
        self, member: uuid.UUID, claim_id: str, slot: str, data: bytes | None = None
    ) -> httpx.Response:
        return await self.client.post(
            f"/api/v1/claims/{claim_id}/survey/photos",
            data={"slot": slot},
            files={"file": ("photo.jpg", data if data is not None else jpeg(), "image/jpeg")},
            headers=self.member(member),
        )

    async def photographed(self, member: uuid.UUID, **overrides: Any) -> dict[str, Any]:
        """A single-vehicle claim with every required photo, not yet submitted."""
        claim = await self.claim(member, accident_type="single_vehicle", other_party=None, **overrides)
        for slot in SINGLE_VEHICLE_REQUIRED:
            response = await self.upload(member, claim["id"], slot)
            assert response.status_code == 201, response.text
        return claim

    async def submitted(self, member: uuid.UUID, **overrides: Any) -> dict[str, Any]:
        """A single-vehicle claim with every required photo, submitted to the surveyors."""
        claim = await self.photographed(member, **overrides)
        response = await self.client.post(
            f"/api/v1/claims/{claim['id']}/survey/submission", headers=self.member(member)
        )
        assert response.status_code == 200, response.text
        submitted: dict[str, Any] = response.json()
        return submitted

    async def taken(self, member: uuid.UUID, surveyor: str = "surveyor1", **overrides: Any) -> dict[str, Any]:
        claim = await self.submitted(member, **overrides)
        response = await self.client.post(
            f"/api/v1/surveys/{claim['id']}/assignment", headers=self.staff(Role.SURVEYOR, surveyor)
        )
        assert response.status_code == 200, response.text
        return claim

    async def confirmed(
        self, member: uuid.UUID, amount_fen: int = 350_000, **overrides: Any
    ) -> dict[str, Any]:
        claim = await self.taken(member, **overrides)
        response = await self.client.post(
            f"/api/v1/surveys/{claim['id']}/confirmation",
            json={"amount_fen": amount_fen},
            headers=self.staff(Role.SURVEYOR, "surveyor1"),
        )
        assert response.status_code == 200, response.text
        confirmed: dict[str, Any] = response.json()
        return confirmed


@pytest.fixture
async def arrange(
    db: async_sessionmaker[AsyncSession], client: httpx.AsyncClient, identities: Identities, sms_url: str
) -> Arrange:
    return Arrange(db, client, identities, sms_url)


async def claims_events(bootstrap: str, claim_id: str) -> list[dict[str, Any]]:
    """Every event claims-svc published on ``claims.events`` about one claim, in order."""
    records = await read_topic(bootstrap, "claims.events")
    found = []
    for record in records:
        body = json.loads(record.value)
        if body.get("claim_id") == claim_id:
            headers = {k: v.decode() for k, v in record.headers}
            found.append({"type": headers["ce_type"], "key": record.key.decode(), **body})
    return found


Published = Callable[[str], Awaitable[list[dict[str, Any]]]]
"""Reads the events claims-svc published about one claim (the ``published`` fixture)."""


@pytest.fixture
def published(service_settings: Settings) -> Published:
    """Reads what claims-svc's outbox relay put on ``claims.events`` about one claim."""

    async def read(claim_id: str) -> list[dict[str, Any]]:
        return await claims_events(service_settings.kafka_bootstrap_servers, claim_id)

    return read
