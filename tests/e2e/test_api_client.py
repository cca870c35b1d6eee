"""The front ends' typed client matches the live API: ``web/api/src/schema.d.ts`` is what openapi-typescript
generates from the platform's merged OpenAPI. A route or schema the services change fails here (and then
``vue-tsc`` in ``make lint`` shows which page it breaks), never in a member's browser."""

import subprocess
from pathlib import Path

import httpx
from cheyou_devinfra.platform import Service

REPO = Path(__file__).resolve().parents[2]
WEB = REPO / "web"
COMMITTED = WEB / "api" / "src" / "schema.d.ts"


def test_the_committed_api_client_is_generated_from_the_live_openapi(
    services: dict[str, Service], tmp_path: Path
) -> None:
    spec = httpx.get(f"{services['gateway'].url}/openapi.json", timeout=30)
    assert spec.status_code == 200, spec.text
    (tmp_path / "openapi.json").write_bytes(spec.content)
    generated = tmp_path / "schema.d.ts"
    subprocess.run(
        ["npx", "--no-install", "openapi-typescript", str(tmp_path / "openapi.json"), "-o", str(generated)],
        cwd=WEB,
        check=True,
        capture_output=True,
    )
    fresh = REPO / ".dev" / "artifacts" / "api" / "schema.d.ts"
    fresh.parent.mkdir(parents=True, exist_ok=True)
    fresh.write_text(generated.read_text())
    assert generated.read_text() == COMMITTED.read_text(), (
        "web/api/src/schema.d.ts is not what the live OpenAPI generates: regenerate it with "
        f"`make api-client` against a platform running this code, or take {fresh}"
    )
