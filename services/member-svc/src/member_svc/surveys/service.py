"""Needs surveys (征集令): ops publish a short survey, each member answers once, and the options they pick
add interests and needs to their profile in the same transaction (``member.profile_changed`` tells the
other services); ops read the results per question."""

from __future__ import annotations

import uuid
from datetime import datetime

from cheyou_kit.pagination import Slice
from sqlalchemy.ext.asyncio import AsyncSession

from member_svc.members import events
from member_svc.members import service as members
from member_svc.surveys import repository
from member_svc.surveys.errors import (
    AlreadyAnswered,
    InvalidAnswer,
    MemberNotFound,
    SurveyNotDraft,
    SurveyNotFound,
    SurveyNotOpen,
)
from member_svc.surveys.models import NeedsSurvey, SurveyAnswer, SurveyAnswerItem
from member_svc.surveys.schemas import (
    NeedsSurveyAnswerCreate,
    NeedsSurveyAnswerRead,
    NeedsSurveyCreate,
    NeedsSurveyOptionResult,
    NeedsSurveyQuestion,
    NeedsSurveyQuestionResult,
    NeedsSurveyRead,
    NeedsSurveyResults,
    NeedsSurveyText,
)

TEXTS_SHOWN = 100


def questions_of(survey: NeedsSurvey) -> list[NeedsSurveyQuestion]:
    return [NeedsSurveyQuestion.model_validate(question) for question in survey.questions]


def read(survey: NeedsSurvey, answered: bool | None = None) -> NeedsSurveyRead:
    return NeedsSurveyRead(
        id=survey.id,
        title=survey.title,
        intro=survey.intro,
        status=survey.status,
        questions=questions_of(survey),
        created_at=survey.created_at,
        published_at=survey.published_at,
        closed_at=survey.closed_at,
        answered=answered,
    )


async def create(
    session: AsyncSession, body: NeedsSurveyCreate, *, created_by: str, now: datetime
) -> NeedsSurvey:
    survey = NeedsSurvey(
        id=uuid.uuid4(),
        title=body.title,
        intro=body.intro,
        status="draft",
        questions=[question.model_dump(mode="json") for question in body.questions],
        created_by=created_by,
        created_at=now,
    )
    await repository.add(session, survey)
    return survey


async def get(session: AsyncSession, survey_id: uuid.UUID, *, for_update: bool = False) -> NeedsSurvey:
    survey = await repository.get(session, survey_id, for_update=for_update)
    if survey is None:
        raise SurveyNotFound(f"survey {survey_id} does not exist")
    return survey


async def get_for(
    session: AsyncSession, survey_id: uuid.UUID, member_id: uuid.UUID | None
) -> NeedsSurveyRead:
    """Staff read any survey; a member reads a published or closed one, with whether they answered."""
    survey = await get(session, survey_id)
    if member_id is None:
        return read(survey)
    if survey.status == "draft":
        raise SurveyNotFound(f"survey {survey_id} does not exist")
    return read(survey, survey.id in await repository.answered(session, [survey.id], member_id))


async def page(
    session: AsyncSession, member_id: uuid.UUID | None, cursor: str | None, limit: int
) -> tuple[list[NeedsSurveyRead], str | None]:
    rows: Slice[NeedsSurvey] = await repository.page(
        session, published_only=member_id is not None, cursor=cursor, limit=limit
    )
    if member_id is None:
        return [read(survey) for survey in rows.rows], rows.next_cursor
    done = await repository.answered(session, [survey.id for survey in rows.rows], member_id)
    return [read(survey, survey.id in done) for survey in rows.rows], rows.next_cursor


async def publish(session: AsyncSession, survey_id: uuid.UUID, now: datetime) -> NeedsSurvey:
    survey = await get(session, survey_id, for_update=True)
    if survey.status != "draft":
        raise SurveyNotDraft(f"survey {survey_id} is {survey.status}")
    survey.status, survey.published_at = "published", now
    await session.flush()
    return survey


async def close(session: AsyncSession, survey_id: uuid.UUID, now: datetime) -> NeedsSurvey:
    survey = await get(session, survey_id, for_update=True)
    survey.status, survey.closed_at = "closed", now
    await session.flush()
    return survey


def _items(
    survey: NeedsSurvey, answer_id: uuid.UUID, body: NeedsSurveyAnswerCreate
) -> tuple[list[SurveyAnswerItem], set[str], set[str]]:
    """The answer's rows and the interests and needs its options add; refuses an answer that does not
    fit the questions (before anything is written)."""
    questions = {question.code: question for question in questions_of(survey)}
    items: list[SurveyAnswerItem] = []
    interests: set[str] = set()
    needs: set[str] = set()
    seen: set[str] = set()
    for index, item in enumerate(body.items):
        field = f"items.{index}"
        question = questions.get(item.question)
        if question is None:
            raise InvalidAnswer(
                f"{field}.question: the survey has no question {item.question}", field=f"{field}.question"
            )
        if item.question in seen:
            raise InvalidAnswer(
                f"{field}.question: {item.question} is answered twice", field=f"{field}.question"
            )
        seen.add(item.question)
        if question.kind == "text":
            if item.options or item.text is None:
                raise InvalidAnswer(
                    f"{field}.text: {item.question} is answered in words", field=f"{field}.text"
                )
            items.append(_row(survey, answer_id, question.code, None, item.text))
            continue
        if item.text is not None:
            raise InvalidAnswer(
                f"{field}.options: {item.question} is answered by choosing", field=f"{field}.options"
            )
        chosen = list(dict.fromkeys(item.options))
        if not chosen or (question.kind == "single" and len(chosen) != 1):
            raise InvalidAnswer(
                f"{field}.options: choose " + ("one option" if question.kind == "single" else "at least one"),
                field=f"{field}.options",
            )
        options = {option.code: option for option in question.options}
        for code in chosen:
            option = options.get(code)
            if option is None:
                raise InvalidAnswer(
                    f"{field}.options: {item.question} has no option {code}", field=f"{field}.options"
                )
            interests.update(option.interests)
            needs.update(option.needs)
            items.append(_row(survey, answer_id, question.code, code, None))
    missing = [code for code, question in questions.items() if question.required and code not in seen]
    if missing:
        raise InvalidAnswer(f"items: {', '.join(missing)} must be answered", field="items", missing=missing)
    return items, interests, needs


def _row(
    survey: NeedsSurvey, answer_id: uuid.UUID, question: str, option: str | None, text: str | None
) -> SurveyAnswerItem:
    return SurveyAnswerItem(
        id=uuid.uuid4(),
        answer_id=answer_id,
        survey_id=survey.id,
        question_code=question,
        option_code=option,
        text=text,
    )


async def answer(
    session: AsyncSession,
    survey_id: uuid.UUID,
    member_id: uuid.UUID,
    body: NeedsSurveyAnswerCreate,
    now: datetime,
) -> NeedsSurveyAnswerRead:
    """Once per member: the answer is recorded, and what it says the member likes and wants is added to
    their interests and needs (a second answer is refused and changes nothing)."""
    survey = await get(session, survey_id)
    if survey.status != "published":
        raise SurveyNotOpen("这份征集令已结束" if survey.status == "closed" else "这份征集令还没有发布")
    answer_id = uuid.uuid4()
    items, interests, needs = _items(survey, answer_id, body)
    member = await members.find(session, member_id, for_update=True)
    if member is None:
        raise MemberNotFound(f"member {member_id} does not exist")
    recorded = SurveyAnswer(id=answer_id, survey_id=survey.id, member_id=member_id, answered_at=now)
    if not await repository.record_answer(session, recorded, items):
        raise AlreadyAnswered("您已经回答过这份征集令了，谢谢")
    before = (list(member.interests), list(member.needs))
    member.interests = [*member.interests, *sorted(interests - set(member.interests))]
    member.needs = [*member.needs, *sorted(needs - set(member.needs))]
    if (list(member.interests), list(member.needs)) != before:
        member.updated_at = now
        await session.flush()
        await events.profile_changed(session, member, now)
    return NeedsSurveyAnswerRead(
        survey_id=survey.id, answered_at=now, interests=list(member.interests), needs=list(member.needs)
    )


async def results(session: AsyncSession, survey_id: uuid.UUID) -> NeedsSurveyResults:
    """Per question: how many answered it, each option's count, the free texts (newest first)."""
    survey = await get(session, survey_id)
    counts = await repository.option_counts(session, survey.id)
    answered = await repository.respondents(session, survey.id)
    questions = []
    for question in questions_of(survey):
        texts = []
        if question.kind == "text":
            texts = [
                NeedsSurveyText(text=text, answered_at=at)
                for text, at in await repository.texts(session, survey.id, question.code, TEXTS_SHOWN)
            ]
        questions.append(
            NeedsSurveyQuestionResult(
                code=question.code,
                text=question.text,
                kind=question.kind,
                answered=answered.get(question.code, 0),
                options=[
                    NeedsSurveyOptionResult(
                        code=o.code, label=o.label, count=counts.get((question.code, o.code), 0)
                    )
                    for o in question.options
                ],
                texts=texts,
            )
        )
    return NeedsSurveyResults(
        survey_id=survey.id,
        title=survey.title,
        status=survey.status,
        answers=await repository.count_answers(session, survey.id),
        questions=questions,
    )
