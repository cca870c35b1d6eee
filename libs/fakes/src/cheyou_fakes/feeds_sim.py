"""``python -m cheyou_fakes.feeds_sim`` (``make feeds-sim``): both fake feed providers against a platform.

Starts the fake violation and weather providers (``cheyou_fakes.feeds``), points their pushes at the
gateway's ingestion endpoints and sends, signed: violations for plates of members the platform knows
(looked up as ops) and for plates nobody has; the Fuzhou typhoon season — a level-2 (orange) typhoon
alert for 350100 — with a level-4 rainstorm advisory for the same city and a road-icing alert for a
region without members; then one push again byte for byte (answered as a repeated delivery). It prints
what the platform answered and, as ops, the feed items it recorded (matched, or skipped with the reason).

``--serve`` keeps both providers running afterwards (Ctrl-C stops them) with their pull APIs on fixed
ports, for a notify-svc started with ``NOTIFY_FEED_VIOLATIONS_PULL_URL=http://127.0.0.1:8194/feed/items``
(and ``NOTIFY_FEED_WEATHER_PULL_URL=http://127.0.0.1:8195/feed/items``, tokens
``NOTIFY_FEED_*_PULL_TOKEN=cheyou-dev-feed-token``). The signing secrets are notify-svc's development ones
unless ``NOTIFY_FEED_VIOLATIONS_SECRET`` / ``NOTIFY_FEED_WEATHER_SECRET`` are set.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import time
from contextlib import ExitStack
from typing import Any

import httpx

from cheyou_fakes import feeds
from cheyou_fakes.server import running


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


STAFF_PASSWORD = os.environ.get("CHEYOU_DEMO_STAFF_PASSWORD", "cheyou-demo-2026")


def _unknown_plate(rng: random.Random) -> str:
    """A plate of a province no demo member drives in (闽 is Fujian; 琼 is Hainan)."""
    return "琼B" + "".join(rng.choice("0123456789") for _ in range(5))


async def _ops(gateway: str, username: str) -> httpx.AsyncClient | None:
    client = httpx.AsyncClient(base_url=f"{gateway}/api/v1", timeout=20)
    signed_in = await client.post(
        "/auth/staff/login", json={"username": username, "password": STAFF_PASSWORD}
    )
    if signed_in.status_code != 200:
        _say(f"(could not sign in as {username}: {signed_in.status_code}; members' plates unknown)")
        await client.aclose()
        return None
    client.headers["Authorization"] = f"Bearer {signed_in.json()['access_token']}"
    return client


async def _known_plates(ops: httpx.AsyncClient | None, region: str, count: int) -> list[str]:
    if ops is None:
        return []
    found = await ops.get("/members", params={"status": "verified", "region_code": region[:4], "limit": 50})
    if found.status_code != 200:
        return []
    plates = [v["plate"] for m in found.json()["items"] for v in m.get("vehicles", [])]
    return plates[:count]


def _summary(provider: str, pushes: list[dict[str, Any]]) -> None:
    for record in pushes:
        answer = record["answer"]
        _say(f"  {provider:<10} push {record['headers']['webhook-id'][:16]}… → {record['status']} {answer}")


async def simulate(arguments: argparse.Namespace, urls: dict[str, str]) -> None:
    rng = random.Random(arguments.seed)
    gateway = arguments.gateway.rstrip("/")
    ops = await _ops(gateway, arguments.ops)
    try:
        known = await _known_plates(ops, arguments.region, arguments.known)
        async with httpx.AsyncClient(timeout=30) as http:
            for provider, url in urls.items():
                await http.post(
                    f"{url}/_fake/push-url", json={"url": f"{gateway}/api/v1/feed-webhooks/{provider}"}
                )
            plates = known + [_unknown_plate(rng) for _ in range(arguments.unknown)]
            violations = [feeds.violation(plate, offence=n) for n, plate in enumerate(plates)]
            _say(f"violations: {len(known)} for members' plates, {arguments.unknown} for plates nobody has")
            sent = (await http.post(f"{urls['violations']}/_fake/items", json={"items": violations})).json()
            _summary("violations", sent["pushes"])
            alerts = [
                feeds.weather_alert(arguments.region, "typhoon", 2),
                feeds.weather_alert(arguments.region, "rainstorm", 4),
                feeds.weather_alert("810000", "freezing", 3, headline="道路结冰黄色预警"),
            ]
            _say(
                f"weather: typhoon level 2 and rainstorm level 4 for {arguments.region};"
                " road icing for 810000"
            )
            sent = (await http.post(f"{urls['weather']}/_fake/items", json={"items": alerts})).json()
            _summary("weather", sent["pushes"])
            again = (await http.post(f"{urls['violations']}/_fake/repush", json={"index": 0})).json()
            _say("the first violations push again, byte for byte:")
            _summary("violations", [again])
        if ops is not None:
            await asyncio.sleep(0.5)  # the outbox relay and the consumers are quick, not instant
            recorded = await ops.get("/feeds/items", params={"limit": 20})
            if recorded.status_code == 200:
                _say("recorded (newest first):")
                for item in recorded.json()["items"]:
                    outcome = "matched" if item["status"] == "matched" else f"skipped ({item['reason']})"
                    _say(
                        f"  {item['provider']:<10} {item['subject']:<10} {outcome:<26}"
                        f" {item['matched']} member(s)"
                    )
            else:
                _say(f"(feed items: {recorded.status_code} {recorded.text[:200]})")
    finally:
        if ops is not None:
            await ops.aclose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m cheyou_fakes.feeds_sim", description=__doc__)
    parser.add_argument("--gateway", default=os.environ.get("CHEYOU_GATEWAY_URL", "http://127.0.0.1:8080"))
    parser.add_argument("--ops", default="ops1", help="Staff account to look up plates and list items.")
    parser.add_argument("--region", default="350100", help="The city of the typhoon (GB/T 2260).")
    parser.add_argument("--known", type=int, default=3, help="Violations for members' plates.")
    parser.add_argument("--unknown", type=int, default=2, help="Violations for plates nobody has.")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--serve", action="store_true", help="Keep serving the pull APIs afterwards.")
    parser.add_argument("--violations-port", type=int, default=8194)
    parser.add_argument("--weather-port", type=int, default=8195)
    arguments = parser.parse_args(argv)
    secrets = {
        "violations": os.environ.get("NOTIFY_FEED_VIOLATIONS_SECRET", feeds.DEV_SECRETS["violations"]),
        "weather": os.environ.get("NOTIFY_FEED_WEATHER_SECRET", feeds.DEV_SECRETS["weather"]),
    }
    ports = {"violations": arguments.violations_port, "weather": arguments.weather_port}
    with ExitStack() as stack:
        urls = {
            provider: stack.enter_context(
                running(
                    feeds.create_app(provider, secret=secrets[provider].split(",")[0]),
                    port=ports[provider] if arguments.serve else 0,
                )
            )
            for provider in ("violations", "weather")
        }
        asyncio.run(simulate(arguments, urls))
        if arguments.serve:
            _say(f"serving the pull APIs: {urls['violations']}/feed/items, {urls['weather']}/feed/items")
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass


if __name__ == "__main__":
    main()
