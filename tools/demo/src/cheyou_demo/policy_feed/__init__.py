"""The insurer's core policy system, simulated: realistic customers and the policy events it feeds us.

``python -m cheyou_demo.policy_feed`` puts them on ``core.policy.events`` or posts them to the policy feed;
``bench/member_tier_reevaluation.py`` makes its members from ``customers``. Deterministic for a seed.
Customers hold 1–3 policies (household-car commercial + compulsory as a pair, sometimes non-motor); ~70%
renew at the end of the term, ~3% cancel, ~5% are endorsed, the rest lapse. ``holder_id_hash`` is
computed with the hash key member-svc uses, as the core system does.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from cheyou_events import Envelope
from cheyou_events.catalogue.policy import (
    PolicyCancelled,
    PolicyEndorsed,
    PolicyEvent,
    PolicyIssued,
    PolicyLapsed,
    PolicyLine,
    PolicyRenewed,
    VehicleKind,
)
from stdnum.cn import ric

from cheyou_demo.people import vin_check_digit

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建文辉力斌宇浩凯鹏晨欣怡婷雪琳"
REGIONS = ("350102", "350103", "350104", "350105", "350111", "350121", "350122", "350181", "350182")
UNITS = ("FZ01", "FZ02", "FZ03", "FZ04", "FZ05", "FZ06")
MANAGERS = ("manager1", "manager2", None, None, None)
CHANNELS = ("agent", "direct", "dealer", "online", "bancassurance")
_VIN_CHARS = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
_PLATE_CHARS = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"


@dataclass
class Customer:
    customer_no: str
    name: str
    id_number: str
    phone: str
    region_code: str
    plate: str
    vin: str
    unit: str
    manager_id: str | None
    policies: list[dict[str, Any]] = field(default_factory=list)


_BIRTH_DAYS = 16_425  # 45 years from 1955


def _id_number(index: int, region: str) -> str:
    """Unique per index (for up to 16 million customers): the (birth date, sequence) pair is a bijection
    of the index (7919 is prime to 16,425), the region is free."""
    born = date(1955, 1, 1) + timedelta(days=(index // 1000) * 7919 % _BIRTH_DAYS)
    body = f"{region}{born:%Y%m%d}{index % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def _phone(rng: random.Random, index: int) -> str:
    """Unique per index: 7919 is prime to 10⁹."""
    return f"1{rng.choice('3578')}{index * 7919 % 10**9:09d}"


def _vin(rng: random.Random) -> str:
    body = "L" + "".join(rng.choice(_VIN_CHARS) for _ in range(16))
    return body[:8] + vin_check_digit(body[:8] + "0" + body[9:]) + body[9:]


def _plate(rng: random.Random) -> str:
    if rng.random() < 0.15:  # new-energy plates: D/F + 5
        return "闽A" + rng.choice("DF") + rng.choice(_PLATE_CHARS) + f"{rng.randrange(10000):04d}"
    return "闽A" + "".join(rng.choice(_PLATE_CHARS) for _ in range(5))


def customers(count: int, seed: int = 2014, *, start: int = 0) -> Iterator[Customer]:
    """``count`` customers (numbers ``start`` … ``start + count - 1``), the same for the same seed."""
    for index in range(start, start + count):
        rng = random.Random(seed * 1_000_003 + index)
        region = rng.choice(REGIONS)
        customer = Customer(
            customer_no=f"C{index:09d}",
            name=rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
            id_number=_id_number(index, region),
            phone=_phone(rng, index),
            region_code=region,
            plate=_plate(rng),
            vin=_vin(rng),
            unit=rng.choice(UNITS),
            manager_id=rng.choice(MANAGERS),
        )
        customer.policies = _policies(rng, index)
        yield customer


def _policies(rng: random.Random, index: int) -> list[dict[str, Any]]:
    """The customer's current policies: commercial + compulsory for the car, maybe non-motor."""
    years = rng.choice((0, 0, 1, 1, 2, 3, 4, 5, 6, 8))
    starts = date(2026, 1, 1) + timedelta(days=rng.randrange(330))
    policies = []
    lines = [(PolicyLine.COMMERCIAL, rng.randrange(180_000, 900_000))]
    lines.append((PolicyLine.COMPULSORY, rng.choice((95_000, 95_000, 110_000))))
    if rng.random() < 0.12:
        lines.append((PolicyLine.NON_MOTOR, rng.randrange(20_000, 300_000)))
    for n, (line, premium) in enumerate(lines):
        policies.append(
            {
                "policy_no": f"P{index:09d}{n}",
                "line": line,
                "premium_fen": premium,
                "starts_on": starts,
                "ends_on": starts + timedelta(days=364),
                "renewals": years if line != PolicyLine.NON_MOTOR else 0,
                "vehicle_kind": VehicleKind.HOUSEHOLD_CAR
                if line != PolicyLine.NON_MOTOR
                else VehicleKind.OTHER,
            }
        )
    return policies


def events(
    count: int, hash_id: Callable[[str], str], seed: int = 2014, *, renewals: bool = True
) -> Iterator[Envelope[PolicyEvent]]:
    """The core feed for ``count`` customers: each policy issued, then renewed, endorsed, cancelled or
    lapsed."""
    for customer in customers(count, seed):
        rng = random.Random(f"{seed}:{customer.customer_no}")
        holder = hash_id(customer.id_number)
        for policy in customer.policies:
            common = {
                "customer_no": customer.customer_no,
                "line": policy["line"],
                "vehicle_kind": policy["vehicle_kind"],
                "premium_fen": policy["premium_fen"],
                "branch_code": "350100",
                "holder_id_hash": holder,
                "plate": customer.plate if policy["line"] != PolicyLine.NON_MOTOR else None,
                "vin": customer.vin if policy["line"] != PolicyLine.NON_MOTOR else None,
                "channel": rng.choice(CHANNELS),
                "selling_unit": customer.unit,
                "selling_manager_id": customer.manager_id,
            }
            starts, ends = policy["starts_on"] - timedelta(days=365), policy["ends_on"] - timedelta(days=365)
            issued_at = datetime.combine(starts - timedelta(days=3), time(10), UTC)
            first = PolicyIssued(
                policy_no=policy["policy_no"] + "-0",
                starts_on=starts,
                ends_on=ends,
                issued_at=issued_at,
                **common,
            )
            yield Envelope.new(first, source="core-policy-simulator", time=issued_at)
            if not renewals:
                continue
            fate = rng.random()
            at = datetime.combine(ends - timedelta(days=10), time(15), UTC)
            if fate < 0.70:
                renewed = PolicyRenewed(
                    policy_no=policy["policy_no"] + "-1",
                    previous_policy_no=first.policy_no,
                    starts_on=policy["starts_on"],
                    ends_on=policy["ends_on"],
                    renewed_at=at,
                    **{**common, "premium_fen": int(policy["premium_fen"] * rng.uniform(0.9, 1.15))},
                )
                yield Envelope.new(renewed, source="core-policy-simulator", time=at)
            elif fate < 0.75:
                endorsed = PolicyEndorsed(
                    policy_no=first.policy_no,
                    customer_no=customer.customer_no,
                    endorsement_no=f"E{uuid.UUID(int=rng.getrandbits(128)).hex[:12]}",
                    reason="vehicle changed",
                    plate=_plate(rng),
                    holder_id_hash=holder,
                    endorsed_at=at - timedelta(days=100),
                )
                yield Envelope.new(endorsed, source="core-policy-simulator", time=endorsed.endorsed_at)
            elif fate < 0.78:
                cancelled = PolicyCancelled(
                    policy_no=first.policy_no,
                    customer_no=customer.customer_no,
                    reason="vehicle sold",
                    refund_fen=policy["premium_fen"] // 3,
                    cancelled_at=at - timedelta(days=120),
                    holder_id_hash=holder,
                )
                yield Envelope.new(cancelled, source="core-policy-simulator", time=cancelled.cancelled_at)
            else:
                lapsed = PolicyLapsed(
                    policy_no=first.policy_no,
                    customer_no=customer.customer_no,
                    ended_on=ends,
                    holder_id_hash=holder,
                    lapsed_at=datetime.combine(ends + timedelta(days=1), time(0), UTC),
                )
                yield Envelope.new(lapsed, source="core-policy-simulator", time=lapsed.lapsed_at)
