"""Browser journeys: Playwright driving Debian's Chromium against the e2e platform (real services, Postgres,
Redis, Kafka and the fake providers), the front ends served by its gateway as ``make dev`` serves them.

- ``phone``: a page in a phone-sized context that says it is WeChat's in-app browser (zh-CN, Asia/Shanghai);
  ``desk``: a page at a desktop size for the console.
- ``shots``: ``await shots(page, "step")`` saves a full-page screenshot under
  ``.dev/artifacts/browser/<test>/NN-step.png`` (``CHEYOU_ARTIFACTS`` moves the root) — look at them.
- ``axe``: ``await axe(page)`` runs axe-core in the page and returns the serious and critical violations.
"""

import os
import re
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from cheyou_demo import Platform
from cheyou_devinfra.platform import Service
from cheyou_kit.testing import eventually
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect

REPO = Path(__file__).resolve().parents[3]
AXE = REPO / "web" / "node_modules" / "axe-core" / "axe.min.js"
# A phone inside WeChat (the H5 checks for MicroMessenger to use the JS-SDK, else plain web APIs).
WECHAT_UA = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36 MicroMessenger/8.0.50.2701 NetType/WIFI Language/zh_CN"
)
# Flags for a headless Chromium on a machine with a closed network (see the env notes on Chromium).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str:
    found = os.environ.get("CHEYOU_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        raise RuntimeError("no chromium: `apt-get install chromium` (.ci/run does it)")
    return found


@pytest.fixture(scope="session")
def gateway_url(services: dict[str, Service]) -> str:
    url = services["gateway"].url
    for app in ("member-h5", "console"):
        if not (REPO / "web" / app / "dist" / "index.html").is_file():
            raise RuntimeError(f"web/{app} is not built: `make install` builds the front ends")
    return url


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            await launched.close()


async def _context(browser: Browser, base_url: str, **options: Any) -> BrowserContext:
    context = await browser.new_context(
        base_url=base_url, locale="zh-CN", timezone_id="Asia/Shanghai", **options
    )
    context.set_default_timeout(20_000)
    return context


@pytest.fixture
async def phone(browser: Browser, gateway_url: str) -> AsyncIterator[Page]:
    """A member's phone in WeChat: 390×844 CSS pixels, touch, WeChat's user agent."""
    context = await _context(
        browser,
        gateway_url,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        user_agent=WECHAT_UA,
    )
    try:
        yield await context.new_page()
    finally:
        await context.close()


@pytest.fixture
async def desk(browser: Browser, gateway_url: str) -> AsyncIterator[Page]:
    """A staff member's desktop browser."""
    context = await _context(browser, gateway_url, viewport={"width": 1440, "height": 900})
    try:
        yield await context.new_page()
    finally:
        await context.close()


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Callable[[Page, str], Awaitable[Path]]:
    root = Path(os.environ.get("CHEYOU_ARTIFACTS", REPO / ".dev" / "artifacts")) / "browser"
    folder = root / re.sub(r"[^\w.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    taken = 0

    async def shoot(page: Page, step: str) -> Path:
        nonlocal taken
        taken += 1
        name = re.sub(r"[^\w.-]+", "-", step)
        path = folder / f"{taken:02d}-{name}.png"
        await page.screenshot(path=str(path), full_page=True)
        return path

    return shoot


@pytest.fixture(scope="session")
def axe() -> Callable[[Page], Awaitable[list[dict[str, Any]]]]:
    source = AXE.read_text()

    async def serious_violations(page: Page) -> list[dict[str, Any]]:
        # A toast ("code sent", "saved") is a passing message, not the page: let it go first (Vant's
        # toast is an unnamed dialog while it shows).
        await page.locator(".van-toast:visible, .el-message:visible").first.wait_for(state="hidden")
        # A tag zooming in or a drawer sliding away is half transparent: axe would measure the contrast of
        # a frame, not of the page. Let every finite animation and transition end first.
        await page.evaluate(
            """() => Promise.all(document.getAnimations()
                .filter((a) => a.effect?.getTiming().iterations !== Infinity)
                .map((a) => a.finished.catch(() => null)))"""
        )
        await page.evaluate(source)  # through the DevTools protocol: the pages' CSP allows no inline script
        result: dict[str, Any] = await page.evaluate("async () => await axe.run(document)")
        return [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [n["target"] for n in v["nodes"]],
            }
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]

    return serious_violations


async def _sign_in_by_sms(page: Page, cheyou: Platform, mobile: str) -> None:
    """The sign-in page the H5 sends a signed-out member to: phone, the code texted to it, and back."""
    before = len(await cheyou.sms_messages(mobile))
    await page.get_by_label("手机号").fill(mobile)
    await page.get_by_role("button", name="获取验证码").click()

    async def code() -> str | None:
        found = [
            str(m["template_param"]["code"])
            for m in (await cheyou.sms_messages(mobile))[before:]
            if isinstance(m.get("template_param"), dict) and "code" in m["template_param"]
        ]
        return found[-1] if found else None

    await page.get_by_label("验证码").fill(await eventually(code, within=20))
    await page.get_by_role("button", name="登录", exact=True).click()


@pytest.fixture
def sign_in_by_sms() -> Callable[[Page, Platform, str], Awaitable[None]]:
    """Sign a member in on the H5's sign-in page with the code texted to their phone."""
    return _sign_in_by_sms


async def _settled(page: Page) -> Page:
    """The page without a toast over it (a toast is a dialog: screenshots and axe wait until it is gone)."""
    await expect(page.locator(".van-toast:visible")).to_have_count(0)
    return page


@pytest.fixture
def settled() -> Callable[[Page], Awaitable[Page]]:
    """``await settled(page)``: an H5 page once no toast covers it, for a screenshot or axe."""
    return _settled
