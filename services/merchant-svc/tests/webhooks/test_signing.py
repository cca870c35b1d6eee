"""Our Standard Webhooks signatures, checked against the spec's test vector and the reference library."""

from __future__ import annotations

import time

import pytest
from merchant_svc.webhooks import signing
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
VECTOR_TIMESTAMP = 1614265330
VECTOR_BODY = b'{"test": 2432232314}'


class TestSign:
    def test_the_reference_vector(self) -> None:
        assert (
            signing.sign(VECTOR_SECRET, VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY)
            == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        )

    def test_the_reference_library_accepts_our_headers(self) -> None:
        secret = signing.generate_secret()
        body = '{"type":"order.dispatched","data":{"note":"福州"}}'.encode()

        headers = signing.headers([secret], "msg_1", int(time.time()), body)

        assert Webhook(secret).verify(body, headers) == {"type": "order.dispatched", "data": {"note": "福州"}}

    def test_a_changed_byte_fails_verification(self) -> None:
        secret = signing.generate_secret()
        headers = signing.headers([secret], "msg_1", int(time.time()), b'{"a":1}')

        with pytest.raises(WebhookVerificationError):
            Webhook(secret).verify(b'{"a": 1}', headers)


class TestSignatureHeader:
    def test_during_a_rotation_either_secret_verifies(self) -> None:
        old, new = signing.generate_secret(), signing.generate_secret()
        body = b'{"a":1}'

        headers = signing.headers([new, old], "msg_2", int(time.time()), body)

        assert len(headers["webhook-signature"].split(" ")) == 2
        assert Webhook(old).verify(body, headers) == {"a": 1}
        assert Webhook(new).verify(body, headers) == {"a": 1}


class TestGenerateSecret:
    def test_secrets_are_whsec_and_32_random_bytes(self) -> None:
        import base64

        secret = signing.generate_secret()

        assert secret.startswith("whsec_")
        assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
        assert secret != signing.generate_secret()
