from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from cheyou_fakes import feeds, running
from standardwebhooks.webhooks import Webhook
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


@pytest.fixture(scope="module")
def receiver() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A platform stand-in that keeps what it was pushed, headers and bytes."""
    received: list[dict[str, Any]] = []

    async def accept(request: Request) -> JSONResponse:
        received.append({"headers": dict(request.headers), "body": await request.body()})
        return JSONResponse({"received": 1})

    with running(Starlette(routes=[Route("/push", accept, methods=["POST"])])) as url:
        yield f"{url}/push", received


@pytest.fixture
def weather(receiver: tuple[str, list[dict[str, Any]]]) -> Iterator[httpx.Client]:
    receiver[1].clear()
    with (
        running(feeds.create_app("weather", token="t0ken", push_url=receiver[0])) as url,
        httpx.Client(base_url=url) as client,
    ):
        yield client


def test_pushes_are_signed_the_standard_webhooks_way(
    weather: httpx.Client, receiver: tuple[str, list[dict[str, Any]]]
) -> None:
    alert = feeds.weather_alert("350100", "typhoon", 2)

    answer = weather.post("/_fake/items", json={"items": [alert]}).json()

    assert [p["status"] for p in answer["pushes"]] == [200]
    [pushed] = receiver[1]
    verified = Webhook(feeds.DEV_SECRETS["weather"]).verify(pushed["body"], pushed["headers"])
    assert verified == {"items": [alert]}


def test_a_push_repeated_is_the_same_bytes_and_headers(
    weather: httpx.Client, receiver: tuple[str, list[dict[str, Any]]]
) -> None:
    weather.post("/_fake/items", json={"items": [feeds.weather_alert("350100")]})
    weather.post("/_fake/repush", json={"index": 0})

    first, again = receiver[1]
    assert first["body"] == again["body"]
    assert {k: first["headers"][k] for k in ("webhook-id", "webhook-timestamp", "webhook-signature")} == {
        k: again["headers"][k] for k in ("webhook-id", "webhook-timestamp", "webhook-signature")
    }


def test_large_batches_go_in_pushes_of_forty(
    weather: httpx.Client, receiver: tuple[str, list[dict[str, Any]]]
) -> None:
    alerts = [feeds.weather_alert("350100") for _ in range(feeds.PUSH_BATCH + 1)]
    weather.post("/_fake/items", json={"items": alerts})
    assert [len(httpx.Response(200, content=p["body"]).json()["items"]) for p in receiver[1]] == [40, 1]
    assert all(len(p["body"]) < 16 * 1024 for p in receiver[1])


def test_the_pull_api_pages_with_a_cursor_and_wants_the_token(weather: httpx.Client) -> None:
    alerts = [feeds.weather_alert("350100") for _ in range(3)]
    weather.post("/_fake/items", json={"items": alerts, "push": False})

    assert weather.get("/feed/items").status_code == 401
    auth = {"Authorization": "Bearer t0ken"}
    first = weather.get("/feed/items", params={"limit": 2}, headers=auth).json()
    second = weather.get(
        "/feed/items", params={"limit": 2, "cursor": first["next_cursor"]}, headers=auth
    ).json()
    third = weather.get(
        "/feed/items", params={"limit": 2, "cursor": second["next_cursor"]}, headers=auth
    ).json()

    assert [a["id"] for a in first["items"] + second["items"]] == [a["id"] for a in alerts]
    assert third == {"items": [], "next_cursor": second["next_cursor"]}


def test_pulls_can_be_made_to_fail(weather: httpx.Client) -> None:
    auth = {"Authorization": "Bearer t0ken"}
    weather.post("/_fake/fail-pulls", json={"count": 1, "status": 502})
    assert weather.get("/feed/items", headers=auth).status_code == 502
    assert weather.get("/feed/items", headers=auth).status_code == 200


def test_items_are_in_the_platforms_shape() -> None:
    violation = feeds.violation("闽A12345", offence=1)
    assert violation["offence"] == "违反道路交通信号灯通行"
    assert (violation["fine_fen"], violation["points"]) == (20000, 6)
    assert datetime.fromisoformat(violation["occurred_at"]) < datetime.now(UTC)
    alert = feeds.weather_alert("350100", "typhoon", 2)
    assert alert["headline"] == "福州市气象台发布台风橙色预警信号"
