"""``/docs``: Swagger UI from files served here (the assets ship in the ``fastapi-swagger`` wheel), so the
API's documentation renders on a machine without internet."""

from __future__ import annotations

from importlib import resources

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from starlette.responses import HTMLResponse
from starlette.routing import Route
from starlette.staticfiles import StaticFiles

ASSETS = "/docs/assets"


def serve_docs_offline(app: FastAPI) -> None:
    """Replace FastAPI's ``/docs`` (which loads Swagger UI from a CDN) with one that loads it from here."""
    app.router.routes[:] = [
        route for route in app.router.routes if not (isinstance(route, Route) and route.path == "/docs")
    ]

    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} — API",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
            swagger_ui_parameters={
                "persistAuthorization": True,
                "filter": True,
                "displayRequestDuration": True,
            },
        )

    app.add_api_route("/docs", swagger_ui, include_in_schema=False)
    bundle = resources.files("fastapi_swagger") / "resources"
    app.mount(ASSETS, StaticFiles(directory=str(bundle)), name="swagger-ui")
