"""The front ends, served on the API's own origin: the member H5 at ``/h5/`` and the console at ``/console/``.

Each is a single-page app built by Vite into ``web/<app>/dist``: files under ``assets/`` carry a content
hash in their names and are cached for a year; any other path is the app's ``index.html`` (the app's
router reads the path), which is never cached, so a new build reaches every phone on its next visit.
Both go out gzip-compressed to a browser that accepts it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import anyio
from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import RedirectResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

log = logging.getLogger(__name__)

IMMUTABLE = "public, max-age=31536000, immutable"
# The pages run our scripts only; Vant and Element Plus set inline styles; photos preview as blob: URLs.
# WeChat's JS-SDK is loaded from WeChat's own host inside its in-app browser.
# Images from other origins only where configured: the map tiles of the member H5's "near me" page.
_CSP = (
    "default-src 'self'; script-src 'self' https://res.wx.qq.com; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:{images}; font-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
FRONTEND_CSP = _CSP.format(images="")
# An origin a CSP source may name: scheme, host (a leading "*." for subdomains), optional port; nothing
# that could end the directive or add another (no spaces, semicolons, commas or quotes).
IMAGE_ORIGIN = re.compile(r"^https://(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)+(:[0-9]{1,5})?$")


def frontend_csp(image_origins: Sequence[str] = ()) -> str:
    """The pages' CSP, letting images come from ``image_origins`` too (each checked by ``IMAGE_ORIGIN``)."""
    for origin in image_origins:
        if not IMAGE_ORIGIN.match(origin):
            raise ValueError(f"not an https origin a CSP may name: {origin!r}")
    return _CSP.format(images="".join(f" {origin}" for origin in image_origins))


APPS = {"h5": "member-h5", "console": "console"}


class SinglePageApp(StaticFiles):
    """Static files with the app's ``index.html`` for every path that is not a file."""

    def __init__(self, *, csp: str = FRONTEND_CSP, **options: Any) -> None:
        super().__init__(**options)
        self.csp = csp

    async def check_config(self) -> None:
        """A front end not built yet is a 404 (``get_response``), not a server error."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        if self.directory is None or not await anyio.Path(self.directory).is_dir():
            raise HTTPException(404, "this front end is not built: `make install` builds it")
        try:
            response = await super().get_response(path, scope)
        except HTTPException as missing:
            if missing.status_code != 404 or path.startswith("assets/"):
                raise
            response = await super().get_response("index.html", scope)
        if path.startswith("assets/") and response.status_code == 200:
            response.headers["Cache-Control"] = IMMUTABLE
        else:
            response.headers["Cache-Control"] = "no-cache"
        response.headers["Content-Security-Policy"] = self.csp
        return response


def default_web_root() -> Path:
    """``web/`` of the checkout the gateway runs from (a container image sets ``GATEWAY_WEB_ROOT``)."""
    return Path(__file__).resolve().parents[5] / "web"


def mount_frontends(app: FastAPI, web_root: Path, image_origins: Sequence[str] = ()) -> None:
    """Mount each front end that has been built (``make install`` builds them); say which are missing.
    ``image_origins``: where the pages may load images from besides their own origin (map tiles)."""
    csp = frontend_csp(image_origins)
    for prefix, folder in APPS.items():
        dist = web_root / folder / "dist"
        if not (dist / "index.html").is_file():
            log.warning("front end %s not built yet (no %s): `make install` builds it", folder, dist)
        app.add_api_route(
            f"/{prefix}",
            lambda prefix=prefix: RedirectResponse(f"/{prefix}/"),
            include_in_schema=False,
        )
        # Compressed on the way out (a phone on a mobile network downloads about a third of the bytes).
        files = GZipMiddleware(SinglePageApp(directory=dist, check_dir=False, csp=csp), minimum_size=1024)
        app.mount(f"/{prefix}/", files, name=f"frontend-{folder}")
