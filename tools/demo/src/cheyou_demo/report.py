"""The ops report beside the seed: the branch's two tables (members by tier; value-added services used)
from live data, next to the seed's 2014 figures.

``python -m cheyou_demo.report --gateway http://127.0.0.1:8080 --out .dev/report`` signs in as an ops
user and reads the gateway's ``GET /api/v1/reports/club`` (JSON, and its SVG chart), which composes the
figures from the services that own them (member-svc, privilege-svc, claims-svc). It prints both tables
beside the seed's figures (times ``--scale``) and writes ``report.json`` (the API's answer, the seed and
the expected figures), ``report.csv`` (seed, expected and live per row) and ``report.svg`` (the API's
chart) into ``--out``.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import sys
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cheyou_demo.client import Gateway
from cheyou_demo.figures import Figures


@dataclass
class Report:
    """The gateway's club report: its JSON answer, the figures read from it, and its chart."""

    answer: dict[str, Any]
    chart_svg: str

    @property
    def figures(self) -> Figures:
        return Figures(
            {row["item"]: row["count"] for row in self.answer["members"]["rows"]},
            {row["item"]: row["count"] for row in self.answer["services"]["rows"]},
            self.answer["activity_participations"],
        )

    def rows(self, expected: Figures) -> list[tuple[str, str, str, int, int, int]]:
        """(table, item, name, seed 2014, expected at the scale, live): each table's total, then its rows."""
        seed, want = Figures.seed(), expected
        lines: list[tuple[str, str, str, int, int, int]] = []
        for table, seed_counts, want_counts in (
            ("members", seed.members, want.members),
            ("services", seed.services, want.services),
        ):
            part = self.answer[table]
            total = (sum(seed_counts.values()), sum(want_counts.values()), part["total"])
            lines.append((table, "total", part["name"], *total))
            lines += [
                (table, r["item"], r["name"], seed_counts[r["item"]], want_counts[r["item"]], r["count"])
                for r in part["rows"]
            ]
        live = self.answer["activity_participations"]
        lines.append(
            (
                "activities",
                "participations",
                "会员活动参与人次",
                seed.participations,
                want.participations,
                live,
            )
        )
        return lines


def default_period(now: datetime) -> tuple[datetime, datetime]:
    """The year before now and the month after it (a fresh demo world's activities start tomorrow)."""
    return now - timedelta(days=365), now + timedelta(days=30)


async def collect(
    gateway: str,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    username: str = "ops1",
    password: str | None = None,
) -> Report:
    """Read the club report (and its chart) from the running platform."""
    if since is None or until is None:
        default_since, default_until = default_period(datetime.now(UTC))
        since, until = since or default_since, until or default_until
    window = {"from": since.isoformat(), "to": until.isoformat()}
    gw = Gateway(gateway, "http://127.0.0.1:0", concurrency=2)
    try:
        ops = await gw.staff(username, password)
        answer = await ops.call("GET", "/reports/club", params=window)
        chart = await ops.response("GET", "/reports/club", params={**window, "format": "svg"})
    finally:
        await gw.aclose()
    return Report(answer, chart.text)


# --- output ------------------------------------------------------------------------------------------


def to_csv(report: Report, expected: Figures) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["table", "item", "name", "seed_2014", "expected", "live"])
    writer.writerows(report.rows(expected))
    return out.getvalue()


def to_text(report: Report, expected: Figures, scale: float) -> str:
    answer = report.answer
    period = f"{answer['from'][:10]} to {answer['to'][:10]}"
    lines = [
        f"Club figures, live {period} (as of {answer['as_of'][:16]} UTC)",
        f"{'':<28}{'seed 2014':>12}{f'× {scale:g}':>12}{'live':>12}",
    ]
    for table, _, name, seed, want, live in report.rows(expected):
        mark = "" if live == want else "  ≠"
        padding = " " * (24 - _display_width(name))
        lines.append(f"{table[:3]} {name}{padding}{seed:>12,}{want:>12,}{live:>12,}{mark}")
    return "\n".join(lines) + "\n"


def _display_width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def write(report: Report, out: Path, scale: float) -> list[Path]:
    expected = Figures.scaled(scale)
    body = {
        **report.answer,
        "seed_2014": Figures.seed().as_dict(),
        "expected": {"scale": scale, **expected.as_dict()},
    }
    out.mkdir(parents=True, exist_ok=True)
    files = {
        "report.json": json.dumps(body, ensure_ascii=False, indent=2) + "\n",
        "report.csv": to_csv(report, expected),
        "report.svg": report.chart_svg,
    }
    for name, text in files.items():
        (out / name).write_text(text, encoding="utf-8")
    return [out / name for name in files]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m cheyou_demo.report", description=__doc__.split("\n\n")[0]
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
    args = parser.parse_args(argv)
    since = args.since.replace(tzinfo=args.since.tzinfo or UTC) if args.since else None
    until = args.until.replace(tzinfo=args.until.tzinfo or UTC) if args.until else None
    report = asyncio.run(
        collect(args.gateway, since=since, until=until, username=args.user, password=args.password)
    )
    sys.stdout.write(to_text(report, Figures.scaled(args.scale), args.scale))
    for path in write(report, args.out, args.scale):
        sys.stdout.write(f"wrote {path}\n")


if __name__ == "__main__":
    main()
