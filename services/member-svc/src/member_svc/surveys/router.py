from __future__ import annotations

import uuid
from datetime import UTC, datetime

from cheyou_kit.auth import PrincipalDep
from cheyou_kit.db import SessionDep
from cheyou_kit.pagination import CursorQuery, LimitQuery, Page
from fastapi import APIRouter, status

from member_svc.auth import OpsDep, OpsOnly, survey_answerer, survey_taker
from member_svc.surveys import service
from member_svc.surveys.schemas import (
    NeedsSurveyAnswerCreate,
    NeedsSurveyAnswerRead,
    NeedsSurveyCreate,
    NeedsSurveyRead,
    NeedsSurveyResults,
)

router = APIRouter(prefix="/needs-surveys", tags=["needs-surveys"])


@router.post("", response_model=NeedsSurveyRead, status_code=status.HTTP_201_CREATED)
async def create_survey(body: NeedsSurveyCreate, session: SessionDep, principal: OpsDep) -> NeedsSurveyRead:
    """Ops: a call for needs (征集令) as a draft: single/multiple choice and free-text questions."""
    survey = await service.create(session, body, created_by=principal.actor_id, now=datetime.now(UTC))
    return service.read(survey)


@router.get("", response_model=Page[NeedsSurveyRead])
async def list_surveys(
    session: SessionDep, principal: PrincipalDep, cursor: CursorQuery = None, limit: LimitQuery = 50
) -> Page[NeedsSurveyRead]:
    """Ops: every survey. A member: the published ones, each saying whether they answered it."""
    items, next_cursor = await service.page(session, survey_taker(principal), cursor, limit)
    return Page(items=items, next_cursor=next_cursor)


@router.get("/{survey_id}", response_model=NeedsSurveyRead)
async def get_survey(survey_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> NeedsSurveyRead:
    """One survey (a member reads it once it is published)."""
    return await service.get_for(session, survey_id, survey_taker(principal))


@router.post("/{survey_id}/publish", response_model=NeedsSurveyRead, dependencies=[OpsOnly])
async def publish_survey(survey_id: uuid.UUID, session: SessionDep) -> NeedsSurveyRead:
    """Ops: members can answer it."""
    return service.read(await service.publish(session, survey_id, datetime.now(UTC)))


@router.post("/{survey_id}/close", response_model=NeedsSurveyRead, dependencies=[OpsOnly])
async def close_survey(survey_id: uuid.UUID, session: SessionDep) -> NeedsSurveyRead:
    """Ops: no more answers."""
    return service.read(await service.close(session, survey_id, datetime.now(UTC)))


@router.post(
    "/{survey_id}/answers", response_model=NeedsSurveyAnswerRead, status_code=status.HTTP_201_CREATED
)
async def answer_survey(
    survey_id: uuid.UUID, body: NeedsSurveyAnswerCreate, session: SessionDep, principal: PrincipalDep
) -> NeedsSurveyAnswerRead:
    """The member answers, once; their interests and needs take what the chosen options add."""
    return await service.answer(session, survey_id, survey_answerer(principal), body, datetime.now(UTC))


@router.get("/{survey_id}/results", response_model=NeedsSurveyResults, dependencies=[OpsOnly])
async def survey_results(survey_id: uuid.UUID, session: SessionDep) -> NeedsSurveyResults:
    """Ops: answers per question, each option's count and the free texts."""
    return await service.results(session, survey_id)
