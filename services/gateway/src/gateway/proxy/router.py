from __future__ import annotations

from fastapi import APIRouter, Request, Response

from gateway.proxy import service

router = APIRouter()


@router.api_route(
    "/{path:path}",
    methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
    include_in_schema=False,
)
async def forward(request: Request, path: str) -> Response:  # noqa: ARG001 - the path is read from the URL
    """Everything under /api/v1 the gateway does not answer itself goes to the service owning it."""
    return await service.forward(request)
