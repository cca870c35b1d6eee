"""Reports over the members and the verification queue (the SQL lives in those domains' repositories)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import get_args

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from member_svc.errors import InvalidField
from member_svc.invitations import service as invitations_service
from member_svc.members import service as members_service
from member_svc.members.schemas import Tier
from member_svc.reports.schemas import (
    InvitationsBy,
    InvitationsReport,
    InvitationsRow,
    JoinsReport,
    JoinsRow,
    MembersReport,
    Period,
    ThroughputReport,
    ThroughputRow,
    TierStatusRow,
)
from member_svc.verification import service as verification_service

STATUSES = ("invited", "pending", "needs_fix", "verified", "rejected")
MAX_DAYS = 3 * 366


TIERS: tuple[str, ...] = get_args(Tier)  # lowest first


def _check_range(since: date, until: date) -> None:
    if since > until:
        raise InvalidField("from", "must not be after 'to'")
    if (until - since).days > MAX_DAYS:
        raise InvalidField("from", f"a report spans at most {MAX_DAYS} days")


def _rate(approved: int, rejected: int) -> float | None:
    return round(approved / (approved + rejected), 4) if approved + rejected else None


async def members_by_tier_and_status(session: AsyncSession, now: datetime) -> MembersReport:
    counts = await members_service.count_by_tier_and_status(session)

    def order(row: tuple[str, str, int]) -> tuple[int, int]:
        tier, status, _ = row
        return (
            TIERS.index(tier) if tier in TIERS else len(TIERS),
            STATUSES.index(status) if status in STATUSES else len(STATUSES),
        )

    rows = [TierStatusRow(tier=t, status=s, members=n) for t, s, n in sorted(counts, key=order)]
    total = TierStatusRow(tier="all", status="all", members=sum(r.members for r in rows))
    return MembersReport(as_of=now, rows=rows, total=total)


async def joins_by_route(session: AsyncSession, period: Period, since: date, until: date) -> JoinsReport:
    _check_range(since, until)
    rows = [
        JoinsRow(period_start=start, channel=channel, registered=n, verified=v)
        for start, channel, n, v in await members_service.joins_by_period(session, period, since, until)
    ]
    total = JoinsRow(
        period_start=None,
        channel="all",
        registered=sum(r.registered for r in rows),
        verified=sum(r.verified for r in rows),
    )
    return JoinsReport(period=period, since=since, until=until, rows=rows, total=total)


async def verification_throughput(
    session: AsyncSession, since: date, until: date, now: datetime
) -> ThroughputReport:
    """Callbacks and decisions per reviewer per day; the total adds the queue as it is now."""
    _check_range(since, until)
    table: dict[tuple[date, str], list[int]] = {}
    for reviewer, day, n in await verification_service.callbacks_per_reviewer_day(session, since, until):
        table.setdefault((day, reviewer), [0, 0, 0])[0] = n
    for reviewer, day, approved, rejected in await verification_service.decisions_per_reviewer_day(
        session, since, until
    ):
        cells = table.setdefault((day, reviewer), [0, 0, 0])
        cells[1], cells[2] = approved, rejected
    rows = [
        ThroughputRow(
            day=day,
            reviewer_id=reviewer,
            callbacks=callbacks,
            approved=approved,
            rejected=rejected,
            approval_rate=_rate(approved, rejected),
        )
        for (day, reviewer), (callbacks, approved, rejected) in sorted(table.items())
    ]
    approved, rejected = sum(r.approved for r in rows), sum(r.rejected for r in rows)
    total = ThroughputRow(
        day=None,
        reviewer_id="all",
        callbacks=sum(r.callbacks for r in rows),
        approved=approved,
        rejected=rejected,
        approval_rate=_rate(approved, rejected),
        waiting=await verification_service.waiting(session, now),
        in_progress=await verification_service.in_progress(session, now),
    )
    return ThroughputReport(since=since, until=until, rows=rows, total=total)


def _conversion(verified: int, invited: int) -> float | None:
    return round(verified / invited, 4) if invited else None


async def invitations(
    session: AsyncSession, by: InvitationsBy, since: date, until: date
) -> InvitationsReport:
    """Invitation outreach per list or per inviting manager: invited, opened, applied, verified (the
    conversion), opted out — of the invitations sent between the two days (China time)."""
    _check_range(since, until)
    rows: list[InvitationsRow] = []
    for key, invited, opened, applied, verified, opted_out in await invitations_service.conversion(
        session, by, since, until
    ):
        rows.append(
            InvitationsRow(
                key=key or "none",
                invited=invited,
                opened=opened,
                applied=applied,
                verified=verified,
                opted_out=opted_out,
                conversion=_conversion(verified, invited),
            )
        )
    if by == "list":
        lists = await invitations_service.imports_by_id(session, [r.key for r in rows])
        for row in rows:
            if row.key in lists:
                row.filename, row.imported_at = lists[row.key].filename, lists[row.key].imported_at
        rows.sort(key=lambda r: (r.imported_at is None, r.imported_at), reverse=False)
    invited, verified = sum(r.invited for r in rows), sum(r.verified for r in rows)
    total = InvitationsRow(
        key="all",
        invited=invited,
        opened=sum(r.opened for r in rows),
        applied=sum(r.applied for r in rows),
        verified=verified,
        opted_out=sum(r.opted_out for r in rows),
        conversion=_conversion(verified, invited),
    )
    return InvitationsReport(by=by, since=since, until=until, rows=rows, total=total)


def to_csv(rows: list[BaseModel], total: BaseModel) -> str:
    """The rows and then the total, one column per field; empty cells for None."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(type(total).model_fields)
    for row in [*rows, total]:
        writer.writerow("" if v is None else v for v in row.model_dump(mode="json").values())
    return out.getvalue()
