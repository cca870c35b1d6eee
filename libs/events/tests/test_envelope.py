from collections.abc import Callable
from datetime import UTC, datetime
from uuid import uuid4

import pytest
from cheyou_events import Envelope, MalformedEvent, from_record, to_record
from cheyou_events.catalogue import ClaimSettled, TierChanged
from cheyou_events.envelope import Headers

Mutation = Callable[[Headers, bytes], tuple[Headers, bytes]]
"""What a test does to a good record's headers and value before decoding it."""


def make_claim_settled() -> Envelope[ClaimSettled]:
    return Envelope.new(
        ClaimSettled(claim_id="C-1", member_id="M-42", amount_fen=1_234_500, settled_at=datetime.now(UTC)),
        source="claims-svc",
        subject="C-1",
    )


class TestToRecord:
    def test_binary_mode_headers_key_and_body(self) -> None:
        envelope = make_claim_settled()

        record = to_record(envelope)

        headers = dict(record.headers)
        assert record.topic == "claims.events"
        assert record.key == b"M-42"
        assert headers["ce_specversion"] == b"1.0"
        assert headers["ce_id"] == str(envelope.id).encode()
        assert headers["ce_source"] == b"claims-svc"
        assert headers["ce_type"] == b"cheyou.claims.settled.v1"
        assert headers["ce_subject"] == b"C-1"
        assert headers["ce_partitionkey"] == b"M-42"
        assert headers["content-type"] == b"application/json"
        assert datetime.fromisoformat(headers["ce_time"].decode()) == envelope.time
        assert ClaimSettled.model_validate_json(record.value) == envelope.data

    def test_trace_context_travels_as_w3c_headers(self) -> None:
        traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        envelope = make_claim_settled().model_copy(update={"traceparent": traceparent, "tracestate": "k=v"})

        headers = dict(to_record(envelope).headers)

        assert headers["traceparent"] == traceparent.encode()
        assert headers["tracestate"] == b"k=v"


class TestFromRecord:
    def test_round_trip(self) -> None:
        envelope = make_claim_settled()
        record = to_record(envelope)

        decoded = from_record(record.headers, record.value)

        assert decoded == envelope
        assert isinstance(decoded.data, ClaimSettled)

    def test_new_takes_type_and_key_from_the_payload(self) -> None:
        payload = TierChanged(
            member_id="M-7",
            from_tier="ordinary",
            to_tier="four_star",
            contribution_fen=900_00,
            reason="policy_renewed",
            changed_at=datetime.now(UTC),
        )
        event_id = uuid4()

        envelope = Envelope.new(payload, source="member-svc", id=event_id)

        assert (envelope.id, envelope.type, envelope.partitionkey) == (
            event_id,
            "cheyou.member.tier_changed.v1",
            "M-7",
        )
        assert envelope.topic == "member.events"

    @pytest.mark.parametrize(
        ("mutate", "reason"),
        [
            (lambda h, v: ([x for x in h if x[0] != "ce_type"], v), "missing_header"),
            (lambda h, v: ([x for x in h if x[0] != "ce_id"], v), "missing_header"),
            (lambda h, v: ([*h, ("ce_type", b"cheyou.claims.exploded.v1")], v), "unknown_type"),
            (lambda h, _: (h, b"{not json"), "invalid_json"),
            (lambda h, _: (h, b'{"claim_id": "C-1"}'), "invalid_payload"),
            (lambda h, v: (h, v.replace(b"1234500", b"-5")), "invalid_payload"),
            (lambda h, v: ([*h, ("ce_specversion", b"0.3")], v), "unsupported_specversion"),
            (lambda h, v: ([*h, ("ce_source", b"\xff\xfe")], v), "invalid_header"),
        ],
    )
    def test_malformed_records_are_refused_with_a_reason(self, mutate: Mutation, reason: str) -> None:
        record = to_record(make_claim_settled())
        headers, value = mutate(list(record.headers), record.value)

        with pytest.raises(MalformedEvent) as raised:
            from_record(headers, value)

        assert raised.value.reason == reason

    def test_naive_timestamps_are_refused(self) -> None:
        with pytest.raises(ValueError, match="timezone"):
            ClaimSettled(claim_id="C-1", member_id="M-1", amount_fen=1, settled_at=datetime(2026, 11, 25))
