"""The front ends on the API's origin: the app's index.html for any path under /h5/ (never cached), hashed
assets cached for a year and compressed, missing assets a 404, a CSP of the pages' own; /docs offline."""

from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from gateway.frontends.docs import serve_docs_offline
from gateway.frontends.static import FRONTEND_CSP, IMMUTABLE, mount_frontends


@pytest.fixture
def web_root(tmp_path: Path) -> Path:
    dist = tmp_path / "member-h5" / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text('<!doctype html><div id="app"></div>')
    (dist / "assets" / "index-AbC123.js").write_text("console.log('车友');\n" * 200)
    return tmp_path


@pytest.fixture
async def http(web_root: Path) -> httpx.AsyncClient:
    app = FastAPI()
    serve_docs_offline(app)
    mount_frontends(app, web_root)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def test_any_page_of_the_h5_is_its_index_never_cached(http: httpx.AsyncClient) -> None:
    for path in ("/h5/", "/h5/me", "/h5/claims/123/survey"):
        answer = await http.get(path)
        assert answer.status_code == 200, path
        assert 'id="app"' in answer.text
        assert answer.headers["cache-control"] == "no-cache"
        assert answer.headers["content-security-policy"] == FRONTEND_CSP


async def test_hashed_assets_are_cached_for_a_year_and_compressed(http: httpx.AsyncClient) -> None:
    answer = await http.get("/h5/assets/index-AbC123.js", headers={"Accept-Encoding": "gzip"})
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == IMMUTABLE
    assert answer.headers["content-encoding"] == "gzip"
    assert "车友" in answer.text  # httpx decodes it again


async def test_a_missing_asset_is_a_404_not_the_index(http: httpx.AsyncClient) -> None:
    assert (await http.get("/h5/assets/gone-123.js")).status_code == 404


async def test_a_front_end_not_built_yet_is_a_404_not_a_crash(http: httpx.AsyncClient) -> None:
    assert (await http.get("/console/")).status_code == 404


async def test_the_api_docs_load_swagger_ui_from_here(http: httpx.AsyncClient) -> None:
    page = await http.get("/docs")
    assert page.status_code == 200
    assert "/docs/assets/swagger-ui-bundle.js" in page.text
    assert "cdn" not in page.text.lower()
    script = await http.get("/docs/assets/swagger-ui-bundle.js")
    assert script.status_code == 200
    assert len(script.content) > 100_000


async def test_map_tiles_may_come_from_the_configured_origins_only(web_root: Path) -> None:
    app = FastAPI()
    mount_frontends(app, web_root, ["https://*.tiles.example.cn", "https://tiles.example.cn:8443"])
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")

    csp = (await http.get("/h5/nearby")).headers["content-security-policy"]

    assert "img-src 'self' data: blob: https://*.tiles.example.cn https://tiles.example.cn:8443;" in csp
    assert csp.count("script-src") == 1


@pytest.mark.parametrize(
    "origin",
    [
        "https://tiles.example.cn; script-src *",  # a second directive smuggled in
        "https://tiles.example.cn 'unsafe-inline'",
        "http://tiles.example.cn",  # not over TLS
        "*",
        "https://tiles.example.cn/{z}/{x}/{y}.png",  # a URL, not an origin
    ],
)
def test_an_origin_that_would_bend_the_policy_is_refused(web_root: Path, origin: str) -> None:
    with pytest.raises(ValueError, match="origin"):
        mount_frontends(FastAPI(), web_root, [origin])
