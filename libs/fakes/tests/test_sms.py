import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from cheyou_fakes import running
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


def _send(sms: httpx.Client, phone: str = "13800138000", **body: Any) -> dict[str, Any]:
    request = {
        "PhoneNumbers": phone,
        "SignName": "车友",
        "TemplateCode": "SMS_1",
        "TemplateParam": json.dumps({"name": "张三"}),
        "OutId": "out-1",
        **body,
    }
    answer: dict[str, Any] = sms.post("/sms/send", json=request).json()
    return answer


@pytest.fixture(scope="module")
def callback() -> Iterator[tuple[str, list[Any]]]:
    received: list[Any] = []

    async def receive(request: Request) -> JSONResponse:
        received.append(await request.json())
        return JSONResponse({"code": 0})

    with running(Starlette(routes=[Route("/receipts", receive, methods=["POST"])])) as base_url:
        yield f"{base_url}/receipts", received


def _wait_for(probe: Any) -> Any:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if value := probe():
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met")


class TestSend:
    def test_accepted_message_answers_ok_with_a_biz_id(self, sms_fake: httpx.Client) -> None:
        answer = _send(sms_fake)
        assert answer["Code"] == "OK"
        assert answer["BizId"]
        assert answer["RequestId"]
        listed = sms_fake.get("/_fake/messages").json()["items"]
        assert listed[0]["out_id"] == "out-1"
        assert listed[0]["template_param"] == {"name": "张三"}

    def test_form_body_is_accepted(self, sms_fake: httpx.Client) -> None:
        answer = sms_fake.post(
            "/sms/send",
            data={
                "PhoneNumbers": "13800138000",
                "SignName": "车友",
                "TemplateCode": "T",
                "TemplateParam": "{}",
            },
        ).json()
        assert answer["Code"] == "OK"

    def test_illegal_number(self, sms_fake: httpx.Client) -> None:
        assert _send(sms_fake, phone="12345")["Code"] == "isv.MOBILE_NUMBER_ILLEGAL"

    def test_bad_template_param_json(self, sms_fake: httpx.Client) -> None:
        assert _send(sms_fake, TemplateParam="{not json")["Code"] == "isv.INVALID_JSON_PARAM"

    def test_wrong_access_key(self, sms_fake: httpx.Client) -> None:
        assert _send(sms_fake, AccessKeyId="other")["Code"] == "InvalidAccessKeyId.NotFound"

    def test_same_request_twice_sends_twice(self, sms_fake: httpx.Client) -> None:
        _send(sms_fake)
        _send(sms_fake)
        assert len(sms_fake.get("/_fake/messages").json()["items"]) == 2

    def test_business_limit_control(self, sms_fake: httpx.Client) -> None:
        sms_fake.post("/_fake/config", json={"per_number_per_minute": 1})
        assert _send(sms_fake)["Code"] == "OK"
        assert _send(sms_fake)["Code"] == "isv.BUSINESS_LIMIT_CONTROL"
        assert _send(sms_fake, phone="13900139000")["Code"] == "OK"

    def test_injected_failure_sends_nothing(self, sms_fake: httpx.Client) -> None:
        sms_fake.post("/_fake/fail-next", json={"code": "isv.BUSINESS_LIMIT_CONTROL"})
        assert _send(sms_fake)["Code"] == "isv.BUSINESS_LIMIT_CONTROL"
        assert sms_fake.get("/_fake/messages").json()["items"] == []

    def test_slow_answer_times_out_but_the_message_is_sent(self, sms_fake: httpx.Client) -> None:
        sms_fake.post("/_fake/config", json={"slow_seconds": 1.0, "slow_count": 1})
        with pytest.raises(httpx.ReadTimeout):
            sms_fake.post(
                "/sms/send",
                json={"PhoneNumbers": "13800138000", "SignName": "车友", "TemplateCode": "T", "OutId": "o-9"},
                timeout=0.2,
            )
        query = sms_fake.get("/sms/query", params={"PhoneNumber": "13800138000", "OutId": "o-9"}).json()
        assert query["TotalCount"] == 1
        assert query["SmsSendDetailDTOs"]["SmsSendDetailDTO"][0]["OutId"] == "o-9"


class TestReceipts:
    def test_receipt_is_pushed_to_the_callback(
        self, sms_fake: httpx.Client, callback: tuple[str, list[Any]]
    ) -> None:
        url, received = callback
        received.clear()
        sms_fake.post("/_fake/receipt-url", json={"url": url})
        answer = _send(sms_fake, OutId="out-7")
        batch = _wait_for(lambda: received)[0]
        assert batch[0]["biz_id"] == answer["BizId"]
        assert batch[0]["out_id"] == "out-7"
        assert batch[0]["success"] is True
        assert {"phone_number", "receive_time", "err_code"} <= set(batch[0])

    def test_undeliverable_number_gets_a_failed_receipt(
        self, sms_fake: httpx.Client, callback: tuple[str, list[Any]]
    ) -> None:
        url, received = callback
        received.clear()
        sms_fake.post("/_fake/receipt-url", json={"url": url})
        sms_fake.post("/_fake/phones/13700137000", json={"deliverable": False})
        _send(sms_fake, phone="13700137000")
        batch = _wait_for(lambda: received)[0]
        assert batch[0]["success"] is False
        assert batch[0]["err_code"] == "MOBILE_NOT_ON_SERVICE"

    def test_callback_answering_wrong_is_retried(self, sms_fake: httpx.Client) -> None:
        answers = [{"code": 1}, {"code": 0}]

        async def flaky(request: Request) -> JSONResponse:
            return JSONResponse(answers.pop(0))

        with running(Starlette(routes=[Route("/r", flaky, methods=["POST"])])) as base_url:
            sms_fake.post("/_fake/receipt-url", json={"url": f"{base_url}/r"})
            _send(sms_fake)
            pushes = _wait_for(lambda: len(sms_fake.get("/_fake/receipts").json()["items"]) == 2 or None)
        assert pushes
        attempts = sms_fake.get("/_fake/receipts").json()["items"]
        assert [a["attempt"] for a in attempts] == [1, 2]


class TestUpstreamReplies:
    def test_a_reply_is_pushed_to_the_reply_url_as_the_provider_does(
        self, sms_fake: httpx.Client, callback: tuple[str, list[Any]]
    ) -> None:
        url, received = callback
        received.clear()
        sms_fake.post("/_fake/reply-url", json={"url": url, "headers": {"X-Receipt-Token": "t"}})

        answer = sms_fake.post("/_fake/replies", json={"phone": "13800138000", "content": "TD"}).json()

        assert answer["taken"] is True
        [batch] = received
        assert batch[0]["phone_number"] == "13800138000"
        assert batch[0]["content"] == "TD"
        assert {"send_time", "sign_name", "dest_code", "sequence_id"} <= set(batch[0])
        assert sms_fake.get("/_fake/replies").json()["items"][0]["attempt"] == 1

    def test_a_reply_without_a_reply_url_is_not_taken(self, sms_fake: httpx.Client) -> None:
        answer = sms_fake.post("/_fake/replies", json={"phone": "13800138000", "content": "TD"}).json()

        assert answer["taken"] is False

    def test_a_malformed_phone_is_refused(self, sms_fake: httpx.Client) -> None:
        response = sms_fake.post("/_fake/replies", json={"phone": "12", "content": "TD"})

        assert response.status_code == 400
