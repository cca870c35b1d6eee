"""The figures' SQL: one aggregate query per breakdown over the claims reported in ``[since, until)``.

Every query computes the same measures (``_MEASURES``), so the rows of a breakdown add up to the total.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Date, Float, FromClause, RowMapping, Select, cast, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.elements import ColumnElement

from claims_svc.claims.lifecycle import ClaimStatus
from claims_svc.claims.models import Claim
from claims_svc.surveys.models import SurveyReview

_RESHOT = select(SurveyReview.claim_id).where(SurveyReview.outcome == "reshoot")
"""Claims a surveyor asked to re-shoot photos of: uncorrelated, so Postgres hashes it once per query, from
the partial index ``ix_survey_reviews_reshoot``."""

_MEASURES: tuple[ColumnElement[Any], ...] = (
    func.count().label("reported"),
    func.count().filter(Claim.handling == "self_service").label("self_service"),
    func.count().filter(Claim.handling == "on_site").label("on_site"),
    func.count().filter(Claim.status == ClaimStatus.WITHDRAWN.value).label("withdrawn"),
    func.count().filter(Claim.settled_at.is_not(None)).label("settled"),
    func.count().filter(Claim.id.in_(_RESHOT)).label("photos_reshot"),
    cast(func.avg(func.extract("epoch", Claim.settled_at - Claim.reported_at)), Float).label(
        "mean_seconds_to_settlement"
    ),
)
"""Names as in ``reports.schemas.Figures``."""


def _reported_in(statement: Select[Any], since: datetime, until: datetime) -> Select[Any]:
    return statement.where(Claim.reported_at >= since, Claim.reported_at < until)


async def _grouped(
    session: AsyncSession,
    since: datetime,
    until: datetime,
    key: ColumnElement[Any] | QueryableAttribute[Any],
    *,
    lateral: FromClause | None = None,
    where: ColumnElement[bool] | None = None,
) -> Sequence[RowMapping]:
    """One row per value of ``key`` (labelled ``key``; grouped by that label, so bound parameters in the
    expression are not repeated in GROUP BY, which Postgres would not recognise as the same expression)."""
    labelled = key.label("key")
    source = Claim.__table__ if lateral is None else Claim.__table__.join(lateral, true())
    statement = _reported_in(select(labelled, *_MEASURES).select_from(source), since, until)
    if where is not None:
        statement = statement.where(where)
    result = await session.execute(statement.group_by(labelled))
    rows: Sequence[RowMapping] = result.mappings().all()
    return rows


async def total(session: AsyncSession, since: datetime, until: datetime) -> RowMapping:
    result = await session.execute(_reported_in(select(*_MEASURES), since, until))
    row: RowMapping = result.mappings().one()
    return row


async def by_status(session: AsyncSession, since: datetime, until: datetime) -> Sequence[RowMapping]:
    return await _grouped(session, since, until, Claim.status)


async def by_route(session: AsyncSession, since: datetime, until: datetime) -> Sequence[RowMapping]:
    return await _grouped(session, since, until, Claim.handling)


async def by_on_site_reason(session: AsyncSession, since: datetime, until: datetime) -> Sequence[RowMapping]:
    """A claim counts once under each of its reasons."""
    reasons = func.unnest(Claim.on_site_reasons).table_valued("reason").render_derived("reasons").lateral()
    # only claims routed on site have reasons: the others need not be unnested
    on_site = Claim.handling == "on_site"
    return await _grouped(session, since, until, reasons.c.reason, lateral=reasons, where=on_site)


async def by_period(
    session: AsyncSession, since: datetime, until: datetime, unit: Literal["day", "month"], timezone: str
) -> Sequence[RowMapping]:
    """One row per local day or month (its first day, a ``date``) that has claims."""
    local = func.timezone(timezone, Claim.reported_at)
    return await _grouped(session, since, until, cast(func.date_trunc(unit, local), Date))
