from collections.abc import Iterator

import httpx
import pytest
from cheyou_fakes import running, sms, wechat


@pytest.fixture(scope="module")
def wechat_client() -> Iterator[httpx.Client]:
    with (
        running(wechat.create_app(appid="wx-test", secret="s3cret")) as base_url,
        httpx.Client(base_url=base_url) as client,
    ):
        yield client


@pytest.fixture
def wx(wechat_client: httpx.Client) -> httpx.Client:
    wechat_client.post("/_fake/reset")
    return wechat_client


@pytest.fixture(scope="module")
def sms_client() -> Iterator[httpx.Client]:
    with (
        running(sms.create_app(access_key_id="key-1")) as base_url,
        httpx.Client(base_url=base_url) as client,
    ):
        yield client


@pytest.fixture
def sms_fake(sms_client: httpx.Client) -> httpx.Client:
    sms_client.post("/_fake/reset")
    return sms_client
