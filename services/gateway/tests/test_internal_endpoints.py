"""The services' /metrics and /readyz are not reachable through the gateway (security issue 17, Low): it
forwards only /api/v1/… paths it knows, and refuses dot segments however they are encoded (a plain
``/../`` is resolved by the client and the ingress before it arrives). The gateway's own /metrics and
/readyz are kept off the public ingress (tests/deploy/test_security.py)."""

from __future__ import annotations

import httpx
import pytest

from .sign_in import bearer


@pytest.mark.parametrize(
    "raw_path",
    [
        "/api/v1/metrics",
        "/api/v1/readyz",
        "/api/v1/members/%2e%2e/%2e%2e/%2e%2e/readyz",
        "/api/v1/members/%2E%2E%2F%2E%2E%2F%2E%2E%2Fmetrics",
        "/api/v1//metrics",
    ],
)
async def test_a_services_metrics_or_readiness_is_never_forwarded(
    client: httpx.AsyncClient, raw_path: str
) -> None:
    headers = await bearer(client, "admin")
    url = client.base_url.copy_with(raw_path=raw_path.encode())

    response = await client.get(url, headers=headers)

    assert response.status_code in {400, 404}
    assert "http_request_duration_seconds" not in response.text
    assert '"checks"' not in response.text
