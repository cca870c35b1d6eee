"""The ops report: the seed's two tables (members by tier; value-added services used) from live data.

``python -m cheyou_devinfra.report --gateway http://127.0.0.1:8080 --out .dev/report`` signs in as an ops
user and reads the services' own report and statistics endpoints through the gateway:

- members by tier (verified): member-svc ``GET /member-reports/members`` (where it is missing, counted
  from ``GET /members?tier=&status=verified`` page by page);
- privilege orders, the other services, points redemptions: privilege-svc ``GET /privileges/usage``;
- activity participations: privilege-svc ``GET /activities/stats``;
- fast claims: claims-svc has no statistics endpoint yet, so ``GET /claims?member_id=`` is read for every
  verified member (one request per member: slow for a big world).

It prints both tables beside the seed's figures (times ``--scale``) and writes ``report.json``,
``report.csv`` and ``report.svg`` (a bar chart of both tables) into ``--out``.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import math
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from cheyou_devinfra.demo_client import Caller, Gateway
from cheyou_devinfra.demo_figures import (
    NAMED_PRIVILEGES,
    SERVICE_NAMES,
    SERVICES,
    TIER_NAMES,
    TIERS,
    Figures,
)


@dataclass
class Report:
    since: datetime
    until: datetime
    figures: Figures
    as_of: datetime
    sources: dict[str, str] = field(default_factory=dict)

    def period_text(self) -> str:
        return f"{self.since:%Y-%m-%d} to {self.until:%Y-%m-%d}"

    def as_dict(self, expected: Figures | None = None, scale: float = 1.0) -> dict[str, Any]:
        body: dict[str, Any] = {
            "as_of": self.as_of.isoformat(),
            "period": {"from": self.since.isoformat(), "to": self.until.isoformat()},
            "live": self.figures.as_dict(),
            "seed_2014": Figures.seed().as_dict(),
            "sources": self.sources,
        }
        if expected is not None:
            body["expected"] = {"scale": scale, **expected.as_dict()}
        return body


def default_period(now: datetime) -> tuple[datetime, datetime]:
    """The year before now and the month after it (a fresh demo world's activities start tomorrow)."""
    return now - timedelta(days=365), now + timedelta(days=30)


async def members_by_tier(ops: Caller, sources: dict[str, str]) -> dict[str, int]:
    response = await ops.response("GET", "/member-reports/members", expect=(200, 404))
    if response.status_code == 200:
        sources["members"] = "GET /member-reports/members (member-svc)"
        counts = dict.fromkeys(TIERS, 0)
        for row in response.json()["rows"]:
            if row["status"] == "verified" and row["tier"] in counts:
                counts[row["tier"]] += int(row["members"])
        return counts
    sources["members"] = "GET /members?tier=&status=verified, counted page by page (member-svc)"
    counts = {}
    for tier in TIERS:
        counts[tier] = 0
        async for items in ops.pages("/members", {"tier": tier, "status": "verified", "limit": 200}):
            counts[tier] += len(items)
    return counts


async def fast_claims(
    ops: Caller, since: datetime, until: datetime, concurrency: int, sources: dict[str, str]
) -> int:
    """Claims reported in the period. claims-svc lists claims per member only, so every verified member's
    list is read (one request per member at least): slow at scale, see the README's 'missing'."""
    sources["fast_claims"] = "GET /claims?member_id= for every verified member (claims-svc has no statistics)"
    members: asyncio.Queue[str | None] = asyncio.Queue(maxsize=concurrency * 4)
    total = 0

    async def produce() -> None:
        async for items in ops.pages("/members", {"status": "verified", "limit": 200}):
            for item in items:
                await members.put(item["member_id"])
        for _ in range(concurrency):
            await members.put(None)

    async def count() -> None:
        nonlocal total
        while (member_id := await members.get()) is not None:
            async for claims in ops.pages("/claims", {"member_id": member_id, "limit": 100}):
                total += sum(since <= datetime.fromisoformat(c["reported_at"]) < until for c in claims)

    await asyncio.gather(produce(), *(count() for _ in range(concurrency)))
    return total


async def collect(
    gateway: str,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    username: str = "ops1",
    password: str | None = None,
    concurrency: int = 16,
) -> Report:
    """Read the two tables from the running platform."""
    as_of = datetime.now(UTC)
    if since is None or until is None:
        default_since, default_until = default_period(as_of)
        since, until = since or default_since, until or default_until
    sources: dict[str, str] = {}
    gw = Gateway(gateway, "http://127.0.0.1:0", concurrency=concurrency)
    try:
        ops = await gw.staff(username, password)
        window = {"from": since.isoformat(), "to": until.isoformat()}
        members = await members_by_tier(ops, sources)
        usage = await ops.call("GET", "/privileges/usage", params=window)
        sources["orders"] = sources["points_redemptions"] = "GET /privileges/usage (privilege-svc)"
        stats = await ops.call("GET", "/activities/stats", params=window)
        sources["activity_participations"] = "GET /activities/stats (privilege-svc)"
        claims = await fast_claims(ops, since, until, concurrency, sources)
    finally:
        await gw.aclose()
    completed = {row["privilege_code"]: int(row["completed"]) for row in usage["privileges"]}
    named = {code: completed.get(code, 0) for code in NAMED_PRIVILEGES}
    services = {
        **named,
        "fast_claims": claims,
        "points_redemptions": int(usage["points_redemptions"]),
        "other_services": int(usage["orders_completed"]) - sum(named.values()),
    }
    return Report(since, until, Figures(members, services, int(stats["participations"])), as_of, sources)


# --- output ------------------------------------------------------------------------------------------


def _rows(report: Report, expected: Figures) -> list[tuple[str, str, str, int, int, int]]:
    """(table, key, name, seed 2014, expected at the scale, live)."""
    seed, live = Figures.seed(), report.figures
    rows = [("members", "total", "会员", seed.members_total, expected.members_total, live.members_total)]
    rows += [
        ("members", t, TIER_NAMES[t], seed.members[t], expected.members[t], live.members[t]) for t in TIERS
    ]
    rows.append(
        (
            "services",
            "total",
            "可统计增值服务",
            seed.services_total,
            expected.services_total,
            live.services_total,
        )
    )
    rows += [
        ("services", k, SERVICE_NAMES[k], seed.services[k], expected.services[k], live.services[k])
        for k in SERVICES
    ]
    rows.append(
        (
            "activities",
            "participations",
            "会员活动参与人次",
            seed.participations,
            expected.participations,
            live.participations,
        )
    )
    return rows


def to_csv(report: Report, expected: Figures) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["table", "item", "name", "seed_2014", "expected", "live"])
    writer.writerows(_rows(report, expected))
    return out.getvalue()


def to_text(report: Report, expected: Figures, scale: float) -> str:
    lines = [
        f"Fuzhou club figures, live {report.period_text()} (as of {report.as_of:%Y-%m-%d %H:%M} UTC)",
        f"{'':<28}{'seed 2014':>12}{f'× {scale:g}':>12}{'live':>12}",
    ]
    for table, _, name, seed, want, live in _rows(report, expected):
        mark = "" if live == want else "  ≠"
        padding = " " * (24 - _display_width(name))
        lines.append(f"{table[:3]} {name}{padding}{seed:>12,}{want:>12,}{live:>12,}{mark}")
    return "\n".join(lines) + "\n"


def _display_width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def to_svg(report: Report, expected: Figures, scale: float) -> str:
    """Two horizontal bar charts; the services use a log scale (claims outnumber the rest 60 to 1)."""
    width, left, bar, gap = 960, 250, 22, 8
    live, parts = report.figures, []
    y = 60

    def panel(title: str, items: list[tuple[str, int, int]], log: bool) -> None:
        nonlocal y
        parts.append(f'<text x="20" y="{y}" font-size="18" font-weight="bold">{escape(title)}</text>')
        y += 14
        top = max([max(v, w) for _, v, w in items] + [1])

        def length(value: int) -> float:
            span = width - left - 140
            if log:
                return span * math.log10(value + 1) / math.log10(top + 1)
            return span * value / top

        for name, value, want in items:
            y += bar + gap
            parts.append(
                f'<text x="{left - 10}" y="{y - 6}" text-anchor="end" font-size="14">{escape(name)}</text>'
            )
            parts.append(
                f'<rect x="{left}" y="{y - bar}" width="{length(value):.1f}" height="{bar}" fill="#c8102e"/>'
            )
            marker = left + length(want)
            parts.append(
                f'<line x1="{marker:.1f}" y1="{y - bar - 3}" x2="{marker:.1f}" y2="{y + 3}" '
                'stroke="#222" stroke-width="2"/>'
            )
            parts.append(
                f'<text x="{left + max(length(value), length(want)) + 8:.1f}" y="{y - 6}" font-size="13">'
                f"{value:,} (seed × {scale:g}: {want:,})</text>"
            )
        y += 50

    panel(
        f"会员等级 · members by tier ({live.members_total:,})",
        [(TIER_NAMES[t], live.members[t], expected.members[t]) for t in TIERS],
        log=False,
    )
    panel(
        f"可统计增值服务 · value-added services ({live.services_total:,}; log scale)",
        [(SERVICE_NAMES[k], live.services[k], expected.services[k]) for k in SERVICES]
        + [("会员活动参与人次", live.participations, expected.participations)],
        log=True,
    )
    header = (
        '<text x="20" y="28" font-size="14" fill="#555">'
        f"福州人保之友俱乐部 · live data {escape(report.period_text())}; "
        "bars: live, black mark: the seed's 2014 figure at this scale</text>"
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{y}" viewBox="0 0 {width} {y}" '
        'font-family="Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif">'
        f'<rect width="100%" height="100%" fill="white"/>{header}{"".join(parts)}</svg>\n'
    )


def write(report: Report, out: Path, scale: float) -> list[Path]:
    expected = Figures.scaled(scale)
    out.mkdir(parents=True, exist_ok=True)
    files = {
        "report.json": json.dumps(report.as_dict(expected, scale), ensure_ascii=False, indent=2) + "\n",
        "report.csv": to_csv(report, expected),
        "report.svg": to_svg(report, expected, scale),
    }
    for name, text in files.items():
        (out / name).write_text(text, encoding="utf-8")
    return [out / name for name in files]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m cheyou_devinfra.report", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--gateway", default="http://127.0.0.1:8080")
    parser.add_argument("--user", default="ops1", help="an ops or admin account")
    parser.add_argument("--password", help="default: the demo staff password")
    parser.add_argument("--from", dest="since", type=datetime.fromisoformat, help="default: a year ago")
    parser.add_argument("--to", dest="until", type=datetime.fromisoformat, help="default: 30 days ahead")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="compare with the seed's figures at this scale"
    )
    parser.add_argument(
        "--out", type=Path, default=Path(".dev/report"), help="where the JSON, CSV and SVG go"
    )
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args(argv)
    since = args.since.replace(tzinfo=args.since.tzinfo or UTC) if args.since else None
    until = args.until.replace(tzinfo=args.until.tzinfo or UTC) if args.until else None
    report = asyncio.run(
        collect(
            args.gateway,
            since=since,
            until=until,
            username=args.user,
            password=args.password,
            concurrency=args.concurrency,
        )
    )
    sys.stdout.write(to_text(report, Figures.scaled(args.scale), args.scale))
    for path in write(report, args.out, args.scale):
        sys.stdout.write(f"wrote {path}\n")


if __name__ == "__main__":
    main()
