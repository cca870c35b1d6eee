"""The demo merchants of Fuzhou (city 350100), created once at start-up when ``MERCHANT_SEED_DEMO`` is on."""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from merchant_svc.merchants import repository, service
from merchant_svc.merchants.models import Category, MerchantStatus
from merchant_svc.merchants.schemas import ContractCreate, MerchantCreate
from merchant_svc.pii import PiiCipher

log = logging.getLogger(__name__)

FUZHOU = "350100"
# Privilege codes are privilege-svc's catalogue codes (its migration 0002): orders carry them.

DEMO: list[tuple[MerchantCreate, ContractCreate]] = [
    (
        MerchantCreate(name="福州e代驾", category=Category.DESIGNATED_DRIVING, city_codes=[FUZHOU]),
        ContractCreate(
            privilege_ids=["after_drinking_driving", "inspection_driving"],
            city_codes=[FUZHOU],
            unit_price_fen=9_900,
            starts_on=date(2026, 1, 1),
            ends_on=date(2028, 12, 31),
            accept_within_minutes=10,
            complete_within_minutes=180,
            max_open_orders=200,
        ),
    ),
    (
        MerchantCreate(name="吉诺汽车救援", category=Category.RESCUE, city_codes=[FUZHOU]),
        ContractCreate(
            privilege_ids=["rescue_towing", "rescue_jump_start", "rescue_fuel_delivery", "rescue_tyre"],
            city_codes=[FUZHOU],
            unit_price_fen=15_000,
            starts_on=date(2026, 1, 1),
            ends_on=date(2028, 12, 31),
            accept_within_minutes=5,
            complete_within_minutes=90,
            max_open_orders=100,
        ),
    ),
    (
        MerchantCreate(name="洁亮洗车连锁", category=Category.CAR_WASH, city_codes=[FUZHOU]),
        ContractCreate(
            privilege_ids=["car_wash"],
            city_codes=[FUZHOU],
            unit_price_fen=2_500,
            starts_on=date(2026, 1, 1),
            ends_on=date(2028, 12, 31),
            accept_within_minutes=60,
            complete_within_minutes=24 * 60,
            max_open_orders=500,
        ),
    ),
    (
        MerchantCreate(name="车务通代办", category=Category.CAR_AFFAIRS, city_codes=[FUZHOU]),
        ContractCreate(
            privilege_ids=[
                "annual_inspection_agency",
                "violation_agency",
                "licence_agency",
                "green_label_agency",
                "express_licence_renewal",
            ],
            city_codes=[FUZHOU],
            unit_price_fen=8_000,
            starts_on=date(2026, 1, 1),
            ends_on=date(2028, 12, 31),
            accept_within_minutes=120,
            complete_within_minutes=3 * 24 * 60,
            max_open_orders=300,
        ),
    ),
]


async def seed_demo(session: AsyncSession, cipher: PiiCipher) -> int:
    """Create the missing demo merchants (active, one contract each); returns how many were created."""
    created = 0
    for merchant_data, contract_data in DEMO:
        if await repository.get_by_name(session, merchant_data.name) is not None:
            continue
        merchant = await service.create(session, cipher, merchant_data)
        await service.add_contract(session, merchant.id, contract_data)
        await service.change_status(session, merchant.id, MerchantStatus.ACTIVE, "demo merchant")
        created += 1
    return created


class DemoSeed:
    """A start-up step: seeds the demo merchants, so ``make dev`` can dispatch Fuzhou orders at once."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], cipher: PiiCipher) -> None:
        self._sessions = sessions
        self._cipher = cipher

    async def start(self) -> None:
        # Serialised across replicas by a transaction-scoped advisory lock on a fixed key.
        async with self._sessions() as session, session.begin():
            await repository.lock_seed(session)
            created = await seed_demo(session, self._cipher)
        if created:
            log.info("seeded %d demo merchants", created)

    async def stop(self) -> None:
        return None
