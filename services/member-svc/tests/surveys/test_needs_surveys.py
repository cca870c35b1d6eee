"""Needs surveys (征集令): ops publish, a member answers once, the answer becomes their interests and needs
(and member.profile_changed says so), ops read the results per question."""

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities
from member_svc.config import Settings
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from ..factories import member_events, register, verify  # noqa: TID252

AUDIENCE = "member-svc"
SURVEY = {
    "title": "服务征集令",
    "intro": "告诉我们您最想要的车生活服务",
    "questions": [
        {
            "code": "services",
            "text": "您最需要哪些服务？",
            "kind": "multiple",
            "options": [
                {"code": "wash", "label": "洗车", "needs": ["car_wash"]},
                {"code": "inspection", "label": "代办年检", "needs": ["annual_inspection"]},
                {
                    "code": "tour",
                    "label": "自驾游",
                    "interests": ["self_drive", "travel"],
                    "needs": ["self_drive_tours"],
                },
            ],
        },
        {
            "code": "weekend",
            "text": "周末您最常做什么？",
            "kind": "single",
            "options": [
                {"code": "kids", "label": "陪孩子", "interests": ["family"], "needs": ["family_events"]},
                {"code": "photo", "label": "摄影", "interests": ["photography"]},
            ],
        },
        {"code": "wish", "text": "还有什么想对俱乐部说的？", "kind": "text", "required": False},
    ],
}


def ops(identities: Identities) -> dict[str, str]:
    return identities.headers(AUDIENCE, Role.OPS, staff_id="ops1")


def as_member(identities: Identities, member_id: str) -> dict[str, str]:
    return identities.headers(AUDIENCE, Role.MEMBER, member_id=member_id)


async def published(client: httpx.AsyncClient, identities: Identities) -> dict[str, Any]:
    created = await client.post("/api/v1/needs-surveys", json=SURVEY, headers=ops(identities))
    assert created.status_code == 201, created.text
    answer = await client.post(
        f"/api/v1/needs-surveys/{created.json()['id']}/publish", headers=ops(identities)
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def verified_member(client: httpx.AsyncClient, identities: Identities, **fields: Any) -> str:
    member = await register(client, identities, **fields)
    await verify(client, identities, member["member_id"])
    return str(member["member_id"])


ANSWER = {
    "items": [
        {"question": "services", "options": ["wash", "tour"]},
        {"question": "weekend", "options": ["kids"]},
        {"question": "wish", "text": "希望多办亲子活动"},
    ]
}


class TestAnswering:
    async def test_an_answer_adds_interests_and_needs_and_is_announced(
        self, client: httpx.AsyncClient, identities: Identities, service_settings: Settings
    ) -> None:
        survey = await published(client, identities)
        member_id = await verified_member(client, identities, interests=["photography"])
        listed = (await client.get("/api/v1/needs-surveys", headers=as_member(identities, member_id))).json()
        assert {s["id"]: s["answered"] for s in listed["items"]}[survey["id"]] is False

        answer = await client.post(
            f"/api/v1/needs-surveys/{survey['id']}/answers",
            json=ANSWER,
            headers=as_member(identities, member_id),
        )
        assert answer.status_code == 201, answer.text
        assert answer.json()["interests"] == ["photography", "family", "self_drive", "travel"]
        assert answer.json()["needs"] == ["car_wash", "family_events", "self_drive_tours"]

        me = (
            await client.get(f"/api/v1/members/{member_id}", headers=as_member(identities, member_id))
        ).json()
        assert (me["interests"], me["needs"]) == (answer.json()["interests"], answer.json()["needs"])
        profiles = await member_events(
            service_settings.kafka_bootstrap_servers, member_id, "cheyou.member.profile_changed.v1", count=2
        )
        assert profiles[-1]["needs"] == ["car_wash", "family_events", "self_drive_tours"]
        assert "family" in profiles[-1]["interests"]
        seen = (
            await client.get(
                f"/api/v1/needs-surveys/{survey['id']}", headers=as_member(identities, member_id)
            )
        ).json()
        assert seen["answered"] is True

    async def test_a_second_answer_is_refused_and_changes_nothing(
        self, client: httpx.AsyncClient, identities: Identities, session: AsyncSession
    ) -> None:
        survey = await published(client, identities)
        member_id = await verified_member(client, identities)
        url = f"/api/v1/needs-surveys/{survey['id']}/answers"
        other = {
            "items": [
                {"question": "services", "options": ["inspection"]},
                {"question": "weekend", "options": ["photo"]},
            ]
        }
        answers = await asyncio.gather(
            *(
                client.post(url, json=body, headers=as_member(identities, member_id))
                for body in (ANSWER, other, other)
            )
        )
        assert sorted(a.status_code for a in answers) == [201, 409, 409]
        refused = next(a for a in answers if a.status_code == 409).json()
        assert refused["type"].endswith("/needs-survey-already-answered")
        assert refused["detail"] == "您已经回答过这份征集令了，谢谢"
        rows = await session.scalar(
            text("SELECT count(*) FROM needs_survey_answers WHERE survey_id = :s AND member_id = :m"),
            {"s": survey["id"], "m": member_id},
        )
        assert rows == 1
        kept = next(a for a in answers if a.status_code == 201).json()
        me = (
            await client.get(f"/api/v1/members/{member_id}", headers=as_member(identities, member_id))
        ).json()
        assert me["needs"] == kept["needs"]

    @pytest.mark.parametrize(
        ("items", "field"),
        [
            ([{"question": "services", "options": ["wash"]}], "items"),  # weekend is required
            (
                [{"question": "services", "options": ["fly"]}, {"question": "weekend", "options": ["kids"]}],
                "items.0.options",
            ),
            (
                [
                    {"question": "services", "options": ["wash"]},
                    {"question": "weekend", "options": ["kids", "photo"]},
                ],
                "items.1.options",
            ),
            ([{"question": "nope", "options": ["wash"]}], "items.0.question"),
            (
                [{"question": "services", "text": "洗车"}, {"question": "weekend", "options": ["kids"]}],
                "items.0.options",
            ),
            (
                [
                    {"question": "services", "options": ["wash"]},
                    {"question": "weekend", "options": ["kids"]},
                    {"question": "wish", "options": ["wash"]},
                ],
                "items.2.text",
            ),
        ],
    )
    async def test_an_answer_that_does_not_fit_is_refused_and_writes_nothing(
        self,
        client: httpx.AsyncClient,
        identities: Identities,
        session: AsyncSession,
        items: list[dict[str, Any]],
        field: str,
    ) -> None:
        survey = await published(client, identities)
        member_id = await verified_member(client, identities)
        answer = await client.post(
            f"/api/v1/needs-surveys/{survey['id']}/answers",
            json={"items": items},
            headers=as_member(identities, member_id),
        )
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["field"] == field
        count = await session.scalar(
            text("SELECT count(*) FROM needs_survey_answers WHERE survey_id = :s"), {"s": survey["id"]}
        )
        assert count == 0

    async def test_a_draft_or_closed_survey_takes_no_answer(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        member_id = await verified_member(client, identities)
        draft = (await client.post("/api/v1/needs-surveys", json=SURVEY, headers=ops(identities))).json()
        headers = as_member(identities, member_id)
        assert (await client.get(f"/api/v1/needs-surveys/{draft['id']}", headers=headers)).status_code == 404
        survey = await published(client, identities)
        await client.post(f"/api/v1/needs-surveys/{survey['id']}/close", headers=ops(identities))
        closed = await client.post(
            f"/api/v1/needs-surveys/{survey['id']}/answers",
            json=ANSWER,
            headers=as_member(identities, member_id),
        )
        assert closed.status_code == 409
        assert closed.json()["detail"] == "这份征集令已结束"


class TestPublishing:
    @pytest.mark.parametrize(
        "questions",
        [
            [],
            [{"code": "q", "text": "?", "kind": "single", "options": [{"code": "a", "label": "A"}]}],
            [
                {
                    "code": "q",
                    "text": "?",
                    "kind": "text",
                    "options": [{"code": "a", "label": "A"}, {"code": "b", "label": "B"}],
                }
            ],
            [
                {
                    "code": "q",
                    "text": "?",
                    "kind": "single",
                    "options": [
                        {"code": "a", "label": "A", "needs": ["rocket"]},
                        {"code": "b", "label": "B"},
                    ],
                }
            ],
            [{"code": "q", "text": "?", "kind": "text"}, {"code": "q", "text": "?", "kind": "text"}],
        ],
    )
    async def test_a_bad_survey_is_refused(
        self, client: httpx.AsyncClient, identities: Identities, session: AsyncSession, questions: list[Any]
    ) -> None:
        title = f"坏问卷 {uuid.uuid4().hex[:6]}"
        answer = await client.post(
            "/api/v1/needs-surveys", json={"title": title, "questions": questions}, headers=ops(identities)
        )
        assert answer.status_code == 422, answer.text
        assert (
            await session.scalar(text("SELECT count(*) FROM needs_surveys WHERE title = :t"), {"t": title})
            == 0
        )

    async def test_members_and_managers_do_not_write_or_read_results(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        survey = await published(client, identities)
        member = as_member(identities, str(uuid.uuid4()))
        assert (await client.post("/api/v1/needs-surveys", json=SURVEY, headers=member)).status_code == 403
        results = f"/api/v1/needs-surveys/{survey['id']}/results"
        assert (
            await client.get(results, headers=as_member(identities, str(uuid.uuid4())))
        ).status_code == 403
        manager = identities.headers(AUDIENCE, Role.MANAGER, staff_id="manager1")
        assert (await client.get(results, headers=manager)).status_code == 403


class TestResults:
    async def test_results_count_each_option_and_keep_the_words(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        survey = await published(client, identities)
        members = [await verified_member(client, identities) for _ in range(3)]
        bodies = [
            ANSWER,
            {
                "items": [
                    {"question": "services", "options": ["wash"]},
                    {"question": "weekend", "options": ["photo"]},
                ]
            },
            {
                "items": [
                    {"question": "services", "options": ["wash", "inspection", "tour"]},
                    {"question": "weekend", "options": ["photo"]},
                    {"question": "wish", "text": "年检提醒很有用"},
                ]
            },
        ]
        for member_id, body in zip(members, bodies, strict=True):
            answer = await client.post(
                f"/api/v1/needs-surveys/{survey['id']}/answers",
                json=body,
                headers=as_member(identities, member_id),
            )
            assert answer.status_code == 201, answer.text
        results = (
            await client.get(f"/api/v1/needs-surveys/{survey['id']}/results", headers=ops(identities))
        ).json()
        assert results["answers"] == 3
        by_code = {q["code"]: q for q in results["questions"]}
        assert {o["code"]: o["count"] for o in by_code["services"]["options"]} == {
            "wash": 3,
            "inspection": 1,
            "tour": 2,
        }
        assert {o["label"]: o["count"] for o in by_code["weekend"]["options"]} == {"陪孩子": 1, "摄影": 2}
        assert by_code["wish"]["answered"] == 2
        assert [t["text"] for t in by_code["wish"]["texts"]] == ["年检提醒很有用", "希望多办亲子活动"]
