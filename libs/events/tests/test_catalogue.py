import re
from collections.abc import Iterator
from typing import ClassVar

import pytest
from cheyou_events import TOPICS, Catalogue, Event, UnknownEventType, catalogue
from cheyou_events.catalogue import MemberEvent, TierChanged


@pytest.fixture
def scratch_catalogue() -> Iterator[None]:
    """Events defined by a test register in the global catalogue; take them out again afterwards."""
    before = dict(catalogue._models)
    yield
    catalogue._models.clear()
    catalogue._models.update(before)


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class TestCatalogue:
    def test_the_flows_events_are_all_there(self) -> None:
        expected = {
            "policy": {"issued", "renewed", "cancelled"},
            "member": {"registered", "verified", "rejected", "tier_changed", "manager_assigned"},
            "privilege": {
                "entitlements_changed", "order_requested", "order_cancelled", "order_closed",
                "points_credited", "points_debited", "order_rated", "complaint_filed", "activity_signed_up",
            },
            "merchant": {
                "order_accepted", "order_rejected", "order_in_service", "order_completed",
                "order_unplaceable", "accountability_opened",
            },
            "claims": {
                "reported", "liability_assessed", "survey_photo_uploaded", "survey_confirmed",
                "reshoot_requested", "documents_completed", "settled", "withdrawn",
            },
            "notify": {"message_sent", "message_failed"},
        }  # fmt: skip

        registered = set(catalogue.types())

        missing = {f"cheyou.{d}.{n}.v1" for d, names in expected.items() for n in names} - registered
        assert missing == set()  # services add events of their own; these are the ones the flows need

    @pytest.mark.parametrize("model", list(catalogue), ids=lambda m: m.event_type)
    def test_every_event_is_named_as_its_type_and_published_on_a_known_topic(
        self, model: type[Event]
    ) -> None:
        name = model.event_type.split(".")[-2]

        assert re.sub(r"_v\d+$", "", snake(model.__name__)).endswith(name), (
            "class name must say the type's name"
        )
        assert model.topic in TOPICS
        assert model.model_fields[model.key_field].is_required()

    def test_topics_have_partition_counts(self) -> None:
        assert set(TOPICS) == {
            "member.events", "privilege.events", "merchant.events", "claims.events", "notify.events",
            "core.policy.events", "external.feed.events",
        }  # fmt: skip
        assert all(count >= 1 for count in TOPICS.values())

    def test_looking_up_an_unknown_type_fails(self) -> None:
        with pytest.raises(UnknownEventType):
            catalogue.model("cheyou.member.exploded.v1")

    @pytest.mark.usefixtures("scratch_catalogue")
    def test_defining_a_class_registers_it(self) -> None:
        events = Catalogue()

        class MemberWaved(MemberEvent):
            event_type: ClassVar[str] = "cheyou.member.waved.v1"
            member_id: str

        events.register(MemberWaved)

        assert events.topic("cheyou.member.waved.v1") == "member.events"
        assert catalogue.model("cheyou.member.waved.v1") is MemberWaved  # the global one, by definition

    @pytest.mark.parametrize(
        ("attrs", "message"),
        [
            ({"event_type": "member.waved"}, "must look like"),
            ({"event_type": "cheyou.member.tier_changed.v1"}, "already registered"),
            ({"event_type": "cheyou.member.waved.v1", "topic": "nowhere"}, "not in TOPICS"),
            ({"event_type": "cheyou.member.waved.v1", "key_field": "nobody"}, "not a field"),
        ],
    )
    def test_registration_refuses_inconsistent_events(self, attrs: dict[str, str], message: str) -> None:
        model = type("MemberWaved", (TierChanged,), {"__annotations__": {}})
        for name, value in attrs.items():
            setattr(model, name, value)

        with pytest.raises(ValueError, match=message):
            Catalogue().register(model) if "already" not in message else catalogue.register(model)
