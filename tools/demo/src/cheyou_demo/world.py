"""The 2014 Fuzhou world, loaded through the platform's public API at a chosen scale.

Everything goes through the gateway the way its users would do it, so every service does its own work
and emits its own events:

1. setup — customer managers (gateway staff accounts + member-svc profiles), the seed's alliance merchants
   with contracts, the points reward and the seed's activities (ops);
2. members — registration with a manager's invite code (ops, WeChat channel), then the reviewers work the
   verification queue: callback, approve;
3. policies — the core system's feed (``POST /policy-feed``, admin): one commercial household-car policy
   per policyholder, its premium in the band of the member's tier under tier rules v1, so member-svc
   rates the tier the seed counts (prospective customers hold none);
4. orders — members book privileges; merchants (API keys issued by ops) accept, start and complete them
   through the merchant API; fuel discounts are fulfilled in-house at once;
5. redemptions — members spend their welcome points on a reward;
6. activities — members sign up, staff scan their QR code at the door (attendance = participation);
7. claims — members report claims (一键报案) on their policies.

Counts are ``Figures.scaled(scale)`` exactly. Dates: the world's "year" is the 300 days before the load
(policies start then, claims' loss times fall in it); orders, redemptions and claim reports carry the
load's own timestamps and the activities start the day after it, so the ops report's default period
(the 365 days before now to 30 days ahead) covers a fresh world.
"""

from __future__ import annotations

import asyncio
import random
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any

from cheyou_demo.client import Caller, Gateway, LoadError, MemberCaller, OutcomeUnknown
from cheyou_demo.figures import NAMED_PRIVILEGES, TIERS, Figures, scale_count
from cheyou_demo.people import id_number, phone_number, plate

# Premium bands (fen) inside each tier's contribution band under tier rules v1 (member-svc migration
# 0003: three-star ≥ 6,000 yuan, four-star ≥ 12,000, five-star ≥ 25,000). A policy that started less
# than a year ago, with no renewal or second line, contributes exactly its premium.
PREMIUM_BANDS = {
    "ordinary": (150_000, 560_000),
    "three_star": (620_000, 1_150_000),
    "four_star": (1_230_000, 2_400_000),
    "five_star": (2_550_000, 6_000_000),
}
MANAGERS_2014 = 60
"""Customer managers in the full world (the seed gives no figure: about 400 customers each)."""
WELCOME_POINTS = 100
"""privilege-svc's welcome points (points rule ``welcome``): the reward costs exactly that."""

# Per privilege: the tiers that may book it and each tier's yearly quota (None = unlimited), from
# privilege-svc's catalogue terms (migration 0002).
QUOTAS: dict[str, dict[str, int | None]] = {
    "annual_inspection_agency": {"ordinary": None, "three_star": 1, "four_star": 1, "five_star": 2},
    "car_wash": {"ordinary": None, "three_star": 6, "four_star": 12, "five_star": 24},
    "fuel_discount": {"ordinary": None, "three_star": None, "four_star": None, "five_star": None},
    "after_drinking_driving": {"three_star": 2, "four_star": 4, "five_star": 6},
    "rescue_towing": {"ordinary": None, "three_star": None, "four_star": None, "five_star": None},
    "rescue_jump_start": {"ordinary": None, "three_star": None, "four_star": None, "five_star": None},
    "rescue_tyre": {"ordinary": None, "three_star": None, "four_star": None, "five_star": None},
    "inspection_driving": {"ordinary": 1, "three_star": 1, "four_star": 1, "five_star": 2},
    "violation_agency": {"ordinary": None, "three_star": 6, "four_star": 12, "five_star": None},
}
OTHER_PRIVILEGES = (
    "rescue_towing",
    "rescue_jump_start",
    "rescue_tyre",
    "inspection_driving",
    "violation_agency",
)

# The seed's alliance merchants that fulfil the privileges above (merchant-svc seeds four more itself).
MERCHANTS = (
    ("亿心宜行E代驾福州站", "designated_driving", ["after_drinking_driving", "inspection_driving"]),
    (
        "福建邮政速递车务",
        "car_affairs",
        ["annual_inspection_agency", "violation_agency", "express_licence_renewal"],
    ),
    ("吉诺汽车服务洗车中心", "car_wash", ["car_wash"]),
    ("吉诺汽车服务道路救援", "rescue", ["rescue_towing", "rescue_jump_start", "rescue_tyre"]),
)

# The seed's activities (section 二(二)), with privilege-svc's activity kinds.
ACTIVITIES = (
    ("保险知识讲座", "insurance_lecture"),
    ("汽车养护课堂", "car_maintenance"),
    ("家庭保洁体验", "home_cleaning"),
    ("车友自驾游", "self_drive_tour"),
    ("摄影课堂", "photography_class"),
    ("瑜珈羽毛球健身场", "fitness"),
    ("篮球联谊赛", "ball_game"),
    ("宴遇单身派对", "singles_party"),
    ("积木限时搭建创意亲子嘉年华", "family_carnival"),
    ("周末年检专场", "inspection_session"),
    ("规范交通我带头", "traffic_safety"),
    ("人保公益捐赠", "charity"),
    ("中秋博饼抽奖", "lottery"),
    ("砸金蛋", "lottery"),
    ("免费观影", "movie"),
    ("积分换购秒杀抢购", "flash_sale"),
)

REGIONS = ("350102", "350103", "350104", "350105", "350111", "350121", "350181", "350182")
INTERESTS = ("photography", "self_drive", "sports", "family", "travel", "food", "yoga", "badminton",
             "basketball", "charity", "cars", "movies", "lectures")  # fmt: skip
SURNAMES = "林陈黄张吴王郑李刘杨何许周徐朱高郭"
GIVEN = ("晓东", "丽华", "建平", "秀英", "志强", "海燕", "伟", "芳", "敏", "静", "磊", "婷", "鑫", "斌",
         "燕玲", "文辉", "明华", "雪梅", "建国", "春生")  # fmt: skip
STREETS = ("鼓楼区五四路158号", "台江区八一七中路88号", "仓山区金山大道618号", "晋安区福马路166号",
           "马尾区江滨东大道68号", "鼓楼区东街口", "台江区宝龙广场", "仓山区万达广场")  # fmt: skip


@dataclass
class Person:
    tier: str
    name: str
    id_number: str
    phone: str
    gender: str
    openid: str
    plate: str
    region_code: str
    interests: list[str]
    manager_code: str = ""
    member_id: str = ""
    policy_no: str = ""
    premium_fen: int = 0


@dataclass
class Stage:
    """One kind of object: how many, how long; a progress line every few seconds."""

    name: str
    total: int
    done: int = 0
    seconds: float = 0.0
    _started: float = 0.0
    _printed: float = 0.0

    def start(self) -> None:
        self._started = self._printed = time.monotonic()

    def advance(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if now - self._printed >= 5:
            self._printed = now
            rate = self.done / max(now - self._started, 1e-9)
            _say(f"  {self.name}: {self.done:,}/{self.total:,} ({rate:.1f}/s)")

    def finish(self) -> None:
        self.seconds = time.monotonic() - self._started
        _say(f"  {self.name}: {self.done:,} in {self.seconds:.1f}s ({self.rate:.1f}/s)")

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0


@dataclass
class LoadResult:
    scale: float
    figures: Figures
    started_at: datetime
    seconds: float = 0.0
    stages: list[Stage] = field(default_factory=list)
    throttled: int = 0
    logins: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "scale": self.scale,
            "figures": self.figures.as_dict(),
            "started_at": self.started_at.isoformat(),
            "seconds": round(self.seconds, 1),
            "stages": [
                {
                    "name": s.name,
                    "count": s.done,
                    "seconds": round(s.seconds, 1),
                    "per_second": round(s.rate, 1),
                }
                for s in self.stages
            ],
            "rate_limited_answers": self.throttled,
            "logins": self.logins,
        }


def _say(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


async def _together(*jobs: Coroutine[Any, Any, None]) -> None:
    """Run side by side; the first failure cancels the others and is raised as itself."""
    try:
        async with asyncio.TaskGroup() as group:
            for job in jobs:
                group.create_task(job)
    except BaseExceptionGroup as failed:
        raise failed.exceptions[0] from None


async def _bounded(limit: int, jobs: Iterable[Callable[[], Awaitable[None]]]) -> None:
    """Run the jobs with at most ``limit`` at a time; the first failure stops the rest."""
    iterator = iter(jobs)

    async def worker() -> None:
        for job in iterator:
            await job()

    await _together(*(worker() for _ in range(limit)))


class World:
    """The plan of one world (people, who uses what) and the coroutines that make it real."""

    def __init__(self, gateway: Gateway, figures: Figures, *, seed: int, scale: float) -> None:
        self.gw = gateway
        self.figures = figures
        self.rng = random.Random(seed)
        # People are new every run (an ID, phone or openid is one member's for good); ``seed`` fixes
        # only who uses what.
        self.identities = random.Random()
        self.scale = scale
        self.today = date.today()
        self.now = datetime.now(UTC)
        self.people: list[Person] = []
        self._ids: set[str] = set()
        self._phones: set[str] = set()
        self._members: dict[str, MemberCaller] = {}
        self._member_signed_at: dict[str, float] = {}
        self._merchants: dict[str, Caller] = {}
        self._merchant_lock = asyncio.Lock()
        self.reward_id = ""
        self.activities: list[str] = []

    # --- people ----------------------------------------------------------------------------------

    def _identity(self, person: Person | None, tier: str) -> Person:
        rng = self.identities
        male = rng.random() < 0.6
        while True:
            number = id_number(rng, birth_year=rng.randrange(1955, 1997), male=male)
            if number not in self._ids:
                break
        while True:
            phone = phone_number(rng)
            if phone not in self._phones:
                break
        self._ids.add(number)
        self._phones.add(phone)
        fresh = Person(
            tier=tier,
            name=rng.choice(SURNAMES) + rng.choice(GIVEN),
            id_number=number,
            phone=phone,
            gender="male" if male else "female",
            openid=f"o-fz2014-{uuid.uuid4().hex[:20]}",
            plate=plate(rng),
            region_code=rng.choice(REGIONS),
            interests=rng.sample(INTERESTS, rng.randrange(0, 4)),
        )
        if person is not None:
            fresh.manager_code = person.manager_code
        return fresh

    def plan_people(self, manager_codes: list[str]) -> None:
        for tier in TIERS:
            for _ in range(self.figures.members[tier]):
                person = self._identity(None, tier)
                person.manager_code = self.rng.choice(manager_codes)
                self.people.append(person)
        self.rng.shuffle(self.people)

    @property
    def policyholders(self) -> list[Person]:
        return [p for p in self.people if p.tier != "prospective"]

    async def member(self, person: Person) -> MemberCaller:
        """The member's own session (signed in through WeChat, again after ten minutes)."""
        caller = self._members.get(person.member_id)
        if caller is None or time.monotonic() - self._member_signed_at[person.member_id] > 600:
            caller = await self.gw.member(person.openid)
            self._members[person.member_id] = caller
            self._member_signed_at[person.member_id] = time.monotonic()
        return caller

    # --- 1. setup --------------------------------------------------------------------------------

    async def managers(self, admin: Caller, ops: Caller) -> list[str]:
        """Customer managers: a staff account each and a member-svc profile; their invite codes."""
        count = max(2, scale_count(MANAGERS_2014, self.scale))
        codes: list[str] = []
        for i in range(1, count + 1):
            username = f"fz-manager-{i:03d}"
            created = await admin.response(
                "POST",
                "/auth/staff",
                json={
                    "username": username,
                    "display_name": self.rng.choice(SURNAMES) + self.rng.choice(GIVEN),
                    "role": "manager",
                    "password": "cheyou-demo-2026",
                },
                expect=(201, 409),
            )
            del created  # 409: an earlier load made this account; the profile below is an upsert
            profile = await ops.call(
                "PUT",
                f"/managers/{username}",
                json={
                    "display_name": f"客户经理{i:03d}",
                    "team": f"福州营业{(i - 1) % 6 + 1}部",
                    "unit_code": f"FZ{(i - 1) % 6 + 1:02d}",
                    "staff_number": f"FZ2014{i:04d}",
                    "phone": f"0591-8700{i:04d}",
                },
            )
            codes.append(profile["invite_code"])
        return codes

    async def merchants(self, ops: Caller) -> None:
        """The seed's alliance merchants in Fuzhou, contracted and active (once: found by name)."""
        names: set[str] = set()
        cursor: str | None = None
        while True:
            page = await ops.call(
                "GET", "/merchants", params={"limit": 200, **({"cursor": cursor} if cursor else {})}
            )
            names.update(m["name"] for m in page["items"])
            cursor = page.get("next_cursor")
            if not cursor:
                break
        for name, category, privileges in MERCHANTS:
            if name in names:
                continue
            merchant = await ops.call(
                "POST", "/merchants", json={"name": name, "category": category, "city_codes": ["350100"]}
            )
            await ops.call(
                "POST",
                f"/merchants/{merchant['id']}/contracts",
                json={
                    "privilege_ids": privileges,
                    "city_codes": ["350100"],
                    "unit_price_fen": 5_000,
                    "starts_on": (self.today - timedelta(days=1)).isoformat(),
                    "ends_on": (self.today + timedelta(days=730)).isoformat(),
                    "max_open_orders": 5_000,
                },
            )
            await ops.call(
                "POST", f"/merchants/{merchant['id']}/status", json={"status": "active", "reason": "联盟签约"}
            )

    async def logins(self, ops: Caller, holder_hash: Callable[[str], str]) -> dict[str, Any]:
        """Whom a newcomer can sign in as (the README's "Log in to the demo"): a member of each tier (their
        phone for the SMS code, their WeChat openid — offered by name on the fake WeChat authorize page — and
        the holder hash a policy event names them by) and an administrator of a merchant that fulfilled
        orders: their phone (staff sign in with an SMS code) and an API key issued now (shown once)."""
        members = {}
        for tier in TIERS:
            person = next((p for p in self.people if p.tier == tier and p.member_id), None)
            if person is not None:
                members[tier] = {
                    "member_id": person.member_id,
                    "name": person.name,
                    "phone": person.phone,
                    "wechat_openid": person.openid,
                    "plate": person.plate,
                    "policy_no": person.policy_no or None,
                    # What the core system names the holder by in a policy event (POST /policy-feed).
                    "holder_id_hash": holder_hash(person.id_number),
                }
                await self.gw.offer_openid(person.openid, f"演示会员 {tier} · {person.name}")
        if self._merchants:  # a merchant that fulfilled orders in this load: its order list is not empty
            merchant_id = next(iter(self._merchants))
        else:
            page = await ops.call("GET", "/merchants", params={"limit": 200})
            merchant_id = next(m["id"] for m in page["items"] if m["name"] == MERCHANTS[0][0])
        name = (await ops.call("GET", f"/merchants/{merchant_id}"))["name"]
        for _ in range(50):  # one merchant user per phone number: an earlier load may hold this one
            phone = phone_number(self.rng)
            created = await ops.response(
                "POST",
                f"/merchants/{merchant_id}/users",
                json={"name": "演示管理员", "phone": phone, "role": "merchant_admin"},
                expect=(201, 409),
            )
            if created.status_code == 201:
                user = created.json()
                break
        else:
            raise LoadError("no free phone number for the demo merchant administrator")
        key = await ops.call(
            "POST",
            f"/merchants/{merchant_id}/users/{user['id']}/api-keys",
            json={"label": "demo login"},
            expect=(201,),
        )
        merchant = {
            "merchant_id": merchant_id,
            "name": name,
            "user_id": user["id"],
            "role": "merchant_admin",
            "phone": phone,
            "api_key": key["key"],
        }
        return {"members": members, "merchant": merchant}

    async def reward(self, ops: Caller) -> None:
        if not self.figures.services["points_redemptions"]:
            return
        reward = await ops.call(
            "POST",
            "/rewards",
            json={
                "name": "积分换购 · 精致洗车服务",
                "kind": "service",
                "description": "会员积分兑换的精致洗车一次",
                "tier_prices": dict.fromkeys(TIERS, WELCOME_POINTS),
                "stock": self.figures.services["points_redemptions"],
                "per_member_limit": 1,
            },
        )
        self.reward_id = reward["id"]

    async def create_activities(self, ops: Caller) -> list[int]:
        """The seed's activities, starting the day after the load; how many attend each."""
        total = self.figures.participations
        shares = [
            total // len(ACTIVITIES) + (1 if i < total % len(ACTIVITIES) else 0)
            for i in range(len(ACTIVITIES))
        ]
        opening = datetime.combine(self.today + timedelta(days=1), datetime.min.time(), UTC) + timedelta(
            hours=1
        )
        for i, ((title, kind), share) in enumerate(zip(ACTIVITIES, shares, strict=True)):
            if not share:
                continue
            starts = opening + timedelta(hours=i)
            activity = await ops.call(
                "POST",
                "/activities",
                json={
                    "title": title,
                    "kind": kind,
                    "description": "福州人保之友俱乐部会员活动",
                    "place": "福州市" + self.rng.choice(STREETS),
                    "starts_at": starts.isoformat(),
                    "ends_at": (starts + timedelta(hours=3)).isoformat(),
                    "capacity": share,
                },
            )
            self.activities.append(activity["id"])
        return [s for s in shares if s]

    # --- 2. members ------------------------------------------------------------------------------

    async def register(self, ops: Caller, index: int, stage: Stage) -> None:
        person = self.people[index]
        for _ in range(5):
            body = {
                "name": person.name,
                "id_number": person.id_number,
                "phone": person.phone,
                "gender": person.gender,
                "region_code": person.region_code,
                "interests": person.interests,
                "vehicles": [{"plate": person.plate}],
                "channel": "wechat",
                "manager_code": person.manager_code,
            }
            response = await ops.response("POST", "/members", json=body, expect=(201, 409))
            if response.status_code == 201:
                person.member_id = response.json()["member_id"]
                # The member binds WeChat with an authorization code (ops cannot name an openid).
                await self.gw.bind_wechat(person.phone, person.openid)
                stage.advance()
                return
            # Someone (an earlier load) has this ID, phone or openid: a new identity.
            person = self.people[index] = self._identity(person, person.tier)
        raise LoadError(f"could not register a fresh identity for row {index}")

    async def verify(
        self, reviewers: list[Caller], expected: int, stage: Stage, registered: asyncio.Event
    ) -> None:
        """The reviewers work the queue until every member of this world is verified. An application
        of someone outside this world (known for sure once ``registered`` is set) is put back for a
        callback in an hour, so the world's counts are its own."""
        ours = {p.member_id for p in self.people if p.member_id}
        verified: set[str] = set()

        async def reviewer(caller: Caller) -> None:
            idle = 0.05
            while len(verified) < expected:
                try:
                    claimed = await caller.response("POST", "/applications/claim", expect=(200, 404))
                except OutcomeUnknown:
                    # Perhaps leased to us with the answer lost: the lease runs out and the task comes back.
                    await asyncio.sleep(1.0)
                    continue
                if claimed.status_code == 404:  # the queue is empty for now: registrations are still coming
                    ours.update(p.member_id for p in self.people if p.member_id)
                    await asyncio.sleep(idle)
                    idle = min(idle * 2, 1.0)
                    continue
                idle = 0.05
                task = claimed.json()
                if task["member_id"] not in ours:
                    ours.update(p.member_id for p in self.people if p.member_id)
                if task["member_id"] not in ours and not registered.is_set():
                    # Perhaps ours, its registration's answer still on the way: give it back for now.
                    await caller.call("POST", f"/applications/{task['task_id']}/release")
                    await asyncio.sleep(0.3)
                    continue
                if task["member_id"] not in ours:
                    retry_at = datetime.now(UTC) + timedelta(hours=1)
                    await caller.call(
                        "POST",
                        f"/applications/{task['task_id']}/callbacks",
                        json={
                            "outcome": "unreachable",
                            "notes": "无人接听",
                            "retry_at": retry_at.isoformat(),
                        },
                        expect=(201,),
                    )
                    continue
                task_path = f"/applications/{task['task_id']}"

                async def called(path: str = task_path, before: int = task["attempts"]) -> bool:
                    return bool((await caller.call("GET", path))["attempts"] > before)

                await caller.effect(
                    "POST",
                    f"{task_path}/callbacks",
                    json={"outcome": "reached", "notes": "电话核实一致"},
                    expect=(201,),
                    done=called,
                )

                async def approved(path: str = task_path) -> bool:
                    return bool((await caller.call("GET", path))["status"] == "approved")

                await caller.effect(
                    "POST", f"{task_path}/approve", expect=(200,), ambiguous=(409,), done=approved
                )
                verified.add(task["member_id"])
                stage.advance()

        await asyncio.gather(*(reviewer(r) for r in reviewers))

    # --- 3. policies -----------------------------------------------------------------------------

    def policy_event(self, person: Person, holder_id_hash: str) -> dict[str, Any]:
        low, high = PREMIUM_BANDS[person.tier]
        person.premium_fen = self.rng.randrange(low, high, 100)
        person.policy_no = f"PDAA{self.today:%Y}3501{uuid.uuid4().hex[:12].upper()}"
        return {
            "type": "cheyou.policy.issued.v1",
            "id": str(uuid.uuid4()),
            "data": {
                "policy_no": person.policy_no,
                "customer_no": f"C35{uuid.uuid4().hex[:12].upper()}",
                "line": "commercial",
                "vehicle_kind": "household_car",
                "premium_fen": person.premium_fen,
                "starts_on": (self.today - timedelta(days=300)).isoformat(),
                "ends_on": (self.today + timedelta(days=64)).isoformat(),
                "branch_code": "350100",
                "issued_at": (self.now - timedelta(days=301)).isoformat(),
                "holder_id_hash": holder_id_hash,
                "plate": person.plate,
            },
        }

    # --- 4. orders -------------------------------------------------------------------------------

    def plan_orders(self) -> list[tuple[Person, str]]:
        """Who books what: the seed's counts per privilege, within each tier's terms and yearly quota."""
        wanted = {code: self.figures.services[code] for code in NAMED_PRIVILEGES}
        others = self.figures.services["other_services"]
        for i, code in enumerate(OTHER_PRIVILEGES):
            wanted[code] = others // len(OTHER_PRIVILEGES) + (1 if i < others % len(OTHER_PRIVILEGES) else 0)
        used: dict[tuple[str, str], int] = defaultdict(int)
        plan: list[tuple[Person, str]] = []
        for code, count in wanted.items():
            quotas = QUOTAS[code]
            eligible = [p for p in self.people if p.tier in quotas]
            capacity = sum(q if (q := quotas[p.tier]) is not None else count for p in eligible)
            if count > capacity:
                raise LoadError(
                    f"{count} {code} orders exceed what this world's members may book ({capacity})"
                )
            placed = 0
            while placed < count:
                person = self.rng.choice(eligible)
                quota = quotas[person.tier]
                if quota is not None and used[(person.member_id, code)] >= quota:
                    continue
                used[(person.member_id, code)] += 1
                plan.append((person, code))
                placed += 1
        self.rng.shuffle(plan)
        return plan

    def _booking(self, person: Person, code: str) -> dict[str, Any]:
        rng = self.rng
        body: dict[str, Any] = {"privilege_code": code, "city_code": "350100"}
        appointment = datetime.now(UTC) + timedelta(days=rng.randrange(1, 14), hours=rng.randrange(0, 10))
        fields = {
            "annual_inspection_agency": ("appointment_at", "vehicle_plate", "pickup_address"),
            "car_wash": ("appointment_at", "vehicle_plate"),
            "fuel_discount": ("vehicle_plate",),
            "after_drinking_driving": ("pickup_address", "destination_address"),
            "rescue_towing": ("pickup_address", "vehicle_plate"),
            "rescue_jump_start": ("pickup_address", "vehicle_plate"),
            "rescue_tyre": ("pickup_address", "vehicle_plate"),
            "inspection_driving": ("appointment_at", "pickup_address", "vehicle_plate"),
            "violation_agency": ("vehicle_plate",),
        }[code]
        values = {
            "appointment_at": appointment.isoformat(),
            "vehicle_plate": person.plate,
            "pickup_address": "福州市" + rng.choice(STREETS),
            "destination_address": "福州市" + rng.choice(STREETS),
        }
        body.update({f: values[f] for f in fields})
        return body

    async def _merchant(self, ops: Caller, merchant_id: str) -> Caller:
        async with self._merchant_lock:
            if merchant_id not in self._merchants:
                key = await ops.call(
                    "POST", f"/merchants/{merchant_id}/api-keys", json={"label": "demo-2014"}
                )
                self._merchants[merchant_id] = self.gw.merchant(key["key"])
            return self._merchants[merchant_id]

    async def order(self, ops: Caller, person: Person, code: str, stage: Stage) -> None:
        member = await self.member(person)
        # 422 while privilege-svc has not yet projected the member's tier (the privilege is not offered).
        order = await member.call(
            "POST", "/orders", json=self._booking(person, code), lagging=(404, 422), within=180
        )
        order_id = order["id"]
        if order["status"] == "awaiting_payment":  # an ordinary member pays the discounted price
            await member.pay(order_id)
            # WeChat Pay's notification decides: then the order is dispatched, or done at once (a fuel
            # discount needs no merchant).
            order = await self._until(
                lambda: member.call("GET", f"/orders/{order_id}"),
                lambda o: o["status"] != "awaiting_payment",
                f"payment of {order_id}",
            )
        if order["status"] != "completed":
            fulfilment = await self._dispatched(ops, order_id)
            merchant = await self._merchant(ops, fulfilment["merchant_id"])
            await merchant.call("POST", f"/merchant-api/orders/{order_id}/accept", json={})
            await merchant.call("POST", f"/merchant-api/orders/{order_id}/start")
            await merchant.call(
                "POST", f"/merchant-api/orders/{order_id}/complete", json={"notes": "服务完成"}
            )
            await self._until(
                lambda: member.call("GET", f"/orders/{order_id}"),
                lambda o: o["status"] == "completed",
                f"order {order_id}",
            )
        stage.advance()

    async def _dispatched(self, ops: Caller, order_id: str) -> dict[str, Any]:
        async def look() -> dict[str, Any] | None:
            response = await ops.response("GET", f"/fulfilments/{order_id}", expect=(200, 404))
            return response.json() if response.status_code == 200 else None

        found: dict[str, Any] = await self._until(
            look,
            lambda f: f is not None and f["status"] == "dispatched" and bool(f.get("merchant_id")),
            f"dispatch of {order_id}",
        )
        return found

    @staticmethod
    async def _until(
        probe: Callable[[], Awaitable[Any]], done: Callable[[Any], bool], what: str, within: float = 180
    ) -> Any:
        deadline = time.monotonic() + within
        delay = 0.1
        while True:
            value = await probe()
            if done(value):
                return value
            if time.monotonic() > deadline:
                raise LoadError(f"{what}: not done after {within:.0f}s (last seen: {value})")
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, 2.0)

    # --- 5. redemptions, 6. activities, 7. claims ------------------------------------------------

    async def redeem(self, person: Person, stage: Stage) -> None:
        member = await self.member(person)

        async def redeemed() -> bool:
            page = await member.call("GET", "/rewards/redemptions", params={"reward_id": self.reward_id})
            return bool(page["items"])

        # 404/422 until privilege-svc knows the member and has credited the welcome points; 409/422 also
        # when an earlier attempt did redeem (one per member): ``redeemed`` tells which.
        await member.effect(
            "POST",
            f"/rewards/{self.reward_id}/redemptions",
            json={},
            expect=(201,),
            ambiguous=(404, 409, 422),
            done=redeemed,
        )
        stage.advance()

    async def attend(self, ops: Caller, activity_id: str, person: Person, stage: Stage) -> None:
        member = await self.member(person)
        found: list[str] = []

        async def signed_up() -> bool:
            async for items in ops.pages(f"/activities/{activity_id}/signups", {"limit": 200}):
                found.extend(s["id"] for s in items if s["member_id"] == person.member_id)
            return bool(found)

        # 404 until privilege-svc knows the member; 409 when an earlier attempt did sign up.
        answer = await member.effect(
            "POST",
            f"/activities/{activity_id}/signups",
            json={},
            expect=(201,),
            ambiguous=(404, 409, 422),
            done=signed_up,
        )
        signup_id = answer.json()["id"] if answer is not None else found[0]
        qr = await member.call("GET", f"/activities/{activity_id}/signups/{signup_id}/qr")
        await ops.call("POST", f"/activities/{activity_id}/check-ins", json={"code": qr["code"]})
        stage.advance()

    def plan_claims(self) -> list[tuple[Person, datetime]]:
        """The claims, spread over the policyholders and over the year, a member's losses days apart."""
        holders = self.policyholders
        total = self.figures.services["fast_claims"]
        if total and not holders:
            raise LoadError("claims need policyholders")
        per_member: dict[int, int] = defaultdict(int)
        for i in range(total):
            per_member[i % len(holders)] += 1
        plan: list[tuple[Person, datetime]] = []
        first = datetime.combine(self.today - timedelta(days=298), datetime.min.time(), UTC)
        for index, n in per_member.items():
            days = (
                sorted(self.rng.sample(range(0, 296), n))
                if n <= 296
                else sorted(self.rng.choices(range(296), k=n))
            )
            for k, day in enumerate(days):
                loss_at = first + timedelta(days=day, hours=self.rng.randrange(0, 12), minutes=k * 150 % 720)
                plan.append((holders[index], loss_at))
        self.rng.shuffle(plan)
        return plan

    async def claim(self, person: Person, loss_at: datetime, stage: Stage) -> None:
        member = await self.member(person)
        rng = self.rng

        async def reported() -> bool:
            async for items in member.pages("/claims", {"limit": 100}):
                if any(
                    c["policy_no"] == person.policy_no and datetime.fromisoformat(c["loss_at"]) == loss_at
                    for c in items
                ):
                    return True
            return False

        await member.effect(
            "POST",
            "/claims",
            json={
                "policy_no": person.policy_no,
                "plate": person.plate,
                "loss_at": loss_at.isoformat(),
                "location": {
                    "latitude": round(26.02 + rng.random() * 0.1, 5),
                    "longitude": round(119.25 + rng.random() * 0.12, 5),
                    "address": "福州市" + rng.choice(STREETS),
                },
                "accident_type": rng.choice(["two_vehicle", "single_vehicle"]),
                "loss_cause": rng.choice(["collision", "scrape", "scrape", "falling_object"]),
            },
            expect=(201,),
            # 403 "not the policy holder" / 422 "no cover" until claims-svc has projected the policy
            ambiguous=(403, 404, 422),
            done=reported,
        )
        stage.advance()


async def load(
    gateway_url: str,
    wechat_url: str,
    holder_hash: Callable[[str], str],
    *,
    sms_url: str | None = None,
    scale: float,
    concurrency: int = 16,
    seed: int = 2014,
) -> LoadResult:
    """Load a world of ``Figures.scaled(scale)`` through the gateway; returns the measured stages."""
    figures = Figures.scaled(scale)
    result = LoadResult(scale=scale, figures=figures, started_at=datetime.now(UTC))
    began = time.monotonic()
    gw = Gateway(gateway_url, wechat_url, sms=sms_url, concurrency=concurrency)
    world = World(gw, figures, seed=seed, scale=scale)
    try:
        admin, ops = await gw.staff("admin"), await gw.staff("ops1")
        reviewers = [await gw.staff("reviewer1"), await gw.staff("reviewer2")]

        def stage(name: str, total: int) -> Stage:
            made = Stage(name, total)
            result.stages.append(made)
            _say(f"{name}: {total:,}")
            made.start()
            return made

        setup = stage("setup (managers, merchants, reward, activities)", 1)
        codes = await world.managers(admin, ops)
        await world.merchants(ops)
        await world.reward(ops)
        shares = await world.create_activities(ops)
        setup.advance()
        setup.finish()

        world.plan_people(codes)
        members = stage("members registered", len(world.people))
        verified = stage("members verified", len(world.people))

        registered = asyncio.Event()

        async def registering() -> None:
            await _bounded(
                concurrency, (partial(world.register, ops, i, members) for i in range(len(world.people)))
            )
            members.finish()
            registered.set()

        async def verifying() -> None:
            # Each reviewer account works with a few parallel sessions of the queue.
            desks = [r for r in reviewers for _ in range(max(1, concurrency // 2))]
            await world.verify(desks, len(world.people), verified, registered)
            verified.finish()

        await _together(registering(), verifying())

        holders = world.policyholders
        policies = stage("policies fed", len(holders))
        events = [world.policy_event(p, holder_hash(p.id_number)) for p in holders]
        # Batches of 50: member-svc takes a batch in one request, beside its own consumers of the feed,
        # and a batch of 200 under the full load passed the gateway's 10 s five times in a row.
        batches = [events[i : i + 50] for i in range(0, len(events), 50)]

        async def resend() -> bool:
            # The events carry their own ids and every consumer keeps an inbox: sending a batch whose
            # answer was lost again (under a new Idempotency-Key) applies nothing twice.
            return False

        async def feed(batch: list[dict[str, Any]]) -> None:
            await admin.effect(
                "POST", "/policy-feed", json={"events": batch}, expect=(202,), done=resend, within=600
            )
            policies.advance(len(batch))

        await _bounded(min(concurrency, 4), (partial(feed, b) for b in batches))
        policies.finish()

        # The members' year: four independent kinds of use, run side by side (orders wait on Kafka round
        # trips between privilege-svc and merchant-svc, claims keep claims-svc busy meanwhile). Every
        # verified member may redeem welcome points and join activities, prospective customers too;
        # orders and claims need a policy.
        orders_plan = world.plan_orders()
        redeemers = world.rng.sample(world.people, figures.services["points_redemptions"])
        attendance = [
            (a, p)
            for a, n in zip(world.activities, shares, strict=True)
            for p in world.rng.sample(world.people, n)
        ]
        claims_plan = world.plan_claims()
        small = max(2, concurrency // 4)
        uses: list[tuple[Stage, int, Callable[..., Awaitable[None]], list[tuple[Any, ...]]]] = [
            (
                stage("orders completed", len(orders_plan)),
                concurrency,
                world.order,
                [(ops, p, c) for p, c in orders_plan],
            ),
            (stage("points redemptions", len(redeemers)), small, world.redeem, [(p,) for p in redeemers]),
            (
                stage("activity participations", len(attendance)),
                small,
                world.attend,
                [(ops, a, p) for a, p in attendance],
            ),
            (
                stage("claims reported", len(claims_plan)),
                concurrency,
                world.claim,
                [(p, t) for p, t in claims_plan],
            ),
        ]

        async def use(
            made: Stage, limit: int, act: Callable[..., Awaitable[None]], calls: list[tuple[Any, ...]]
        ) -> None:
            await _bounded(limit, (partial(act, *args, made) for args in calls))
            made.finish()

        await _together(*(use(*u) for u in uses))
        result.logins = await world.logins(ops, holder_hash)
    finally:
        result.throttled = gw.throttled
        result.seconds = time.monotonic() - began
        await gw.aclose()
    return result
