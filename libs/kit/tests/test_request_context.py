from __future__ import annotations

import httpx
from cheyou_kit.errors import install_problem_handlers
from cheyou_kit.observability import HTTP_LATENCY, METRICS_ROUTE, REQUEST_ID_HEADER, install_request_context
from fastapi import FastAPI, Request


def _app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    install_request_context(app, "ctx-test")

    @app.get("/things/{thing_id}")
    async def thing(thing_id: int, request: Request) -> dict[str, object]:
        return {"id": thing_id, "request_id": request.state.request_id}

    @app.get("/forward/{rest:path}")
    async def forward(rest: str, request: Request) -> dict[str, str]:
        setattr(request.state, METRICS_ROUTE, "/forwarded/{id}")
        return {"rest": rest}

    @app.get("/broken")
    async def broken() -> None:
        raise RuntimeError("a bug")

    return app


def _count(method: str, route: str, status: str) -> float:
    for metric in HTTP_LATENCY.collect():
        for sample in metric.samples:
            labels = sample.labels
            if (
                sample.name.endswith("_count")
                and labels["service"] == "ctx-test"
                and (labels["method"], labels["route"], labels["status"]) == (method, route, status)
            ):
                return sample.value
    return 0.0


async def _client() -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=_app(), raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://test")


async def test_a_request_gets_an_id_in_its_state_and_response_or_keeps_the_callers() -> None:
    async with await _client() as client:
        fresh = await client.get("/things/7")
        given = await client.get("/things/8", headers={REQUEST_ID_HEADER: "from-the-gateway"})

    assert fresh.status_code == 200
    assert len(fresh.headers[REQUEST_ID_HEADER]) == 32
    assert fresh.json()["request_id"] == fresh.headers[REQUEST_ID_HEADER]
    assert given.headers[REQUEST_ID_HEADER] == "from-the-gateway"
    assert given.json()["request_id"] == "from-the-gateway"


async def test_latency_is_observed_under_the_route_template_the_handler_or_router_names() -> None:
    before = (
        _count("GET", "/things/{thing_id}", "200"),
        _count("GET", "/forwarded/{id}", "200"),
        _count("GET", "unmatched", "404"),
        _count("GET", "/broken", "500"),
    )
    async with await _client() as client:
        await client.get("/things/1")
        await client.get("/forward/a/b")
        await client.get("/nowhere")
        broken = await client.get("/broken")

    assert broken.status_code == 500
    after = (
        _count("GET", "/things/{thing_id}", "200"),
        _count("GET", "/forwarded/{id}", "200"),
        _count("GET", "unmatched", "404"),
        _count("GET", "/broken", "500"),
    )
    assert [a - b for a, b in zip(after, before, strict=True)] == [1, 1, 1, 1]
