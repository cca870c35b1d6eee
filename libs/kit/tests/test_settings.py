"""Secrets as files (issue 23, item 7): Kubernetes mounts a Secret's keys as files; the settings read them.
A route reads the app's own settings through the service's SettingsDep."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Annotated, ClassVar

import httpx
import pytest
from cheyou_kit.settings import SECRETS_DIR_VARIABLE, ServiceSettings, settings_dependency
from fastapi import Depends, FastAPI
from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict


class DemoSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DEMO_", extra="ignore", populate_by_name=True)
    service_name: ClassVar[str] = "demo-svc"
    database_name: ClassVar[str] = "demo"
    default_port: ClassVar[int] = 8999

    signing_key: SecretStr = SecretStr("dev-signing-key")


@pytest.fixture(autouse=True)
def _clean(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DEMO_SIGNING_KEY", "REDIS_URL", SECRETS_DIR_VARIABLE):
        monkeypatch.delenv(name, raising=False)


def test_a_secret_is_read_from_a_file_named_like_its_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service, platform = tmp_path / "service", tmp_path / "platform"
    service.mkdir()
    platform.mkdir()
    (service / "DEMO_SIGNING_KEY").write_text("a-key-from-the-mounted-secret")
    (platform / "REDIS_URL").write_text("rediss://:pw@redis.cheyou:6380/0")
    monkeypatch.setenv(SECRETS_DIR_VARIABLE, f"{service}:{platform}")

    settings = DemoSettings()

    assert settings.signing_key.get_secret_value() == "a-key-from-the-mounted-secret"
    assert settings.redis_url == "rediss://:pw@redis.cheyou:6380/0"  # a platform-wide one, no prefix


def test_a_variable_that_is_set_wins_over_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "DEMO_SIGNING_KEY").write_text("from-the-file")
    monkeypatch.setenv(SECRETS_DIR_VARIABLE, str(tmp_path))
    monkeypatch.setenv("DEMO_SIGNING_KEY", "from-the-environment")

    assert DemoSettings().signing_key.get_secret_value() == "from-the-environment"


def test_without_the_directory_setting_only_the_environment_counts(tmp_path: Path) -> None:
    (tmp_path / "DEMO_SIGNING_KEY").write_text("never-read")

    assert DemoSettings().signing_key.get_secret_value() == "dev-signing-key"


class OtherSettings(ServiceSettings):
    service_name: ClassVar[str] = "other-svc"
    database_name: ClassVar[str] = "other"
    default_port: ClassVar[int] = 8998


DemoSettingsDep = Annotated[DemoSettings, Depends(settings_dependency(DemoSettings))]


def _app(settings: ServiceSettings) -> FastAPI:
    app = FastAPI()
    app.state.resources = SimpleNamespace(settings=settings)  # what the kit's lifespan opened

    @app.get("/key")
    async def key(settings: DemoSettingsDep) -> str:
        return settings.signing_key.get_secret_value()

    return app


async def test_a_route_gets_the_settings_its_app_was_built_with() -> None:
    app = _app(DemoSettings(signing_key=SecretStr("this-app's-key")))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as client:
        assert (await client.get("/key")).json() == "this-app's-key"


async def test_an_app_built_with_another_service_s_settings_is_refused() -> None:
    app = _app(OtherSettings())
    transport = httpx.ASGITransport(app, raise_app_exceptions=True)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        with pytest.raises(TypeError, match="OtherSettings"):
            await client.get("/key")
