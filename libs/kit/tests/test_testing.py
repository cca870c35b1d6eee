"""``service_fixtures`` in pytest runs of their own: each suite's app stops before the next suite's starts.

The inner runs are real pytest processes with the two plugins the services' suites rely on here
(pytest-asyncio, devinfra's; the others are not loaded, for speed); their suites run the kit's real
``client`` fixture on an app whose lifespan writes to a log when it starts and stops. ``service_settings``
is overridden with plain settings: no database or broker is needed to see when an app runs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

CONFTEST = """
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from cheyou_kit.settings import ServiceSettings
from cheyou_kit.testing import service_fixtures
from fastapi import FastAPI


class Settings(ServiceSettings):
    service_name = "{name}"
    database_name = "{name}"
    default_port = 8000


def create_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        with open({log!r}, "a") as log:
            log.write("start {name}\\n")
        yield
        with open({log!r}, "a") as log:
            log.write("stop {name}\\n")

    app = FastAPI(lifespan=lifespan)
    app.get("/up")(lambda: "up")
    return app


_, _, client, _ = service_fixtures(Settings, create_app, Path(__file__).parent)


@pytest.fixture(scope="session")
def service_settings() -> Settings:
    return Settings()
"""

TEST = """
async def test_the_app_answers(client):
    assert (await client.get("/up")).json() == "up"
"""

OPTIONS = (
    "-p",
    "pytest_asyncio.plugin",
    "-p",
    "cheyou_devinfra.pytest_plugin",
    "-p",
    "no:cacheprovider",
    "--import-mode=importlib",
    "-o",
    "asyncio_mode=auto",
    "-o",
    "asyncio_default_fixture_loop_scope=session",
    "-o",
    "asyncio_default_test_loop_scope=session",
)


@pytest.fixture(autouse=True)
def only_the_named_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")


def a_suite(root: Path, name: str, log: Path) -> None:
    """``<name>/tests`` as a service's suite: its conftest, a test, and a test in a sub-folder."""
    tests = root / name / "tests"
    (tests / "more").mkdir(parents=True)
    (tests / "conftest.py").write_text(CONFTEST.format(name=name, log=str(log)))
    (tests / f"test_{name}.py").write_text(TEST)
    (tests / "more" / f"test_more_{name}.py").write_text(TEST)


def test_each_suites_app_stops_after_its_last_test_before_the_next_suite_starts(
    pytester: pytest.Pytester,
) -> None:
    log = pytester.path / "apps.log"
    for name in ("billing", "shipping"):
        a_suite(pytester.path, name, log)

    result = pytester.runpytest_subprocess(*OPTIONS, "billing/tests", "shipping/tests")

    result.assert_outcomes(passed=4)
    assert log.read_text().splitlines() == [
        "start billing",
        "stop billing",
        "start shipping",
        "stop shipping",
    ]


def test_an_app_that_would_outlive_its_suite_fails_its_tests(pytester: pytest.Pytester) -> None:
    # A conftest in the rootdir: pytest gives its package-scoped fixtures the whole session.
    log = pytester.path / "apps.log"
    pytester.makeconftest(CONFTEST.format(name="billing", log=str(log)))
    pytester.mkdir("tests")
    (pytester.path / "tests" / "test_billing.py").write_text(TEST)

    result = pytester.runpytest_subprocess(*OPTIONS, "tests")

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*client must stop with its suite, but pytest scoped it to Session*"])
    assert not log.exists()
