from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from cheyou_kit.pagination import Slice, paginate
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from member_svc.surveys.models import NeedsSurvey, SurveyAnswer, SurveyAnswerItem


async def add(session: AsyncSession, survey: NeedsSurvey) -> None:
    session.add(survey)
    await session.flush()


async def get(session: AsyncSession, survey_id: uuid.UUID, *, for_update: bool = False) -> NeedsSurvey | None:
    statement = select(NeedsSurvey).where(NeedsSurvey.id == survey_id)
    if for_update:
        statement = statement.with_for_update()
    return await session.scalar(statement.execution_options(populate_existing=True))


async def page(
    session: AsyncSession, *, published_only: bool, cursor: str | None, limit: int
) -> Slice[NeedsSurvey]:
    statement = select(NeedsSurvey)
    if published_only:
        statement = statement.where(NeedsSurvey.status == "published")
    return await paginate(
        session, statement, cursor, limit, by=(NeedsSurvey.created_at, NeedsSurvey.id), descending=True
    )


async def answered(
    session: AsyncSession, survey_ids: Sequence[uuid.UUID], member_id: uuid.UUID
) -> set[uuid.UUID]:
    statement = select(SurveyAnswer.survey_id).where(
        SurveyAnswer.survey_id.in_(survey_ids), SurveyAnswer.member_id == member_id
    )
    return set(await session.scalars(statement))


async def record_answer(session: AsyncSession, answer: SurveyAnswer, items: list[SurveyAnswerItem]) -> bool:
    """The answer and its items, unless the member answered already (False, nothing written)."""
    statement = (
        insert(SurveyAnswer)
        .values(
            id=answer.id,
            survey_id=answer.survey_id,
            member_id=answer.member_id,
            answered_at=answer.answered_at,
        )
        .on_conflict_do_nothing(constraint="uq_needs_survey_answers_member")
        .returning(SurveyAnswer.id)
    )
    if (await session.execute(statement)).first() is None:
        return False
    session.add_all(items)
    await session.flush()
    return True


async def count_answers(session: AsyncSession, survey_id: uuid.UUID) -> int:
    statement = select(func.count()).where(SurveyAnswer.survey_id == survey_id)
    return int(await session.scalar(statement) or 0)


async def option_counts(session: AsyncSession, survey_id: uuid.UUID) -> dict[tuple[str, str], int]:
    statement = (
        select(SurveyAnswerItem.question_code, SurveyAnswerItem.option_code, func.count())
        .where(SurveyAnswerItem.survey_id == survey_id, SurveyAnswerItem.option_code.is_not(None))
        .group_by(SurveyAnswerItem.question_code, SurveyAnswerItem.option_code)
    )
    return {(q, o or ""): int(n) for q, o, n in (await session.execute(statement)).all()}


async def respondents(session: AsyncSession, survey_id: uuid.UUID) -> dict[str, int]:
    """Members who answered each question."""
    statement = (
        select(SurveyAnswerItem.question_code, func.count(func.distinct(SurveyAnswerItem.answer_id)))
        .where(SurveyAnswerItem.survey_id == survey_id)
        .group_by(SurveyAnswerItem.question_code)
    )
    return {q: int(n) for q, n in (await session.execute(statement)).all()}


async def texts(
    session: AsyncSession, survey_id: uuid.UUID, question_code: str, limit: int
) -> list[tuple[str, datetime]]:
    statement = (
        select(SurveyAnswerItem.text, SurveyAnswer.answered_at)
        .join(SurveyAnswer, SurveyAnswer.id == SurveyAnswerItem.answer_id)
        .where(
            SurveyAnswerItem.survey_id == survey_id,
            SurveyAnswerItem.question_code == question_code,
            SurveyAnswerItem.text.is_not(None),
        )
        .order_by(SurveyAnswer.answered_at.desc(), SurveyAnswerItem.id)
        .limit(limit)
    )
    return [(text or "", at) for text, at in (await session.execute(statement)).all()]
