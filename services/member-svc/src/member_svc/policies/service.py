"""Keeps the policy projection in step with the core system's feed and the members' tiers with it.

A policy is linked to a *verified* member by the holder's ID hash: a policy that arrives before the
holder's verification waits unlinked, and verification links the policies held under the ID hash the
reviewer verified (``members.service.mark_verified``). An applicant — who has only typed an ID number —
is linked to nothing. The feed is keyed by customer number, so one holder's events arrive in order.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from cheyou_events import Envelope, add_events, catalogue, sealing
from cheyou_events.catalogue.claims import ClaimSettled
from cheyou_events.catalogue.policy import (
    PolicyCancelled,
    PolicyEndorsed,
    PolicyEvent,
    PolicyIssued,
    PolicyLapsed,
    PolicyRenewed,
)
from cheyou_kit.auth import Principal
from cheyou_kit.errors import NotFound
from cheyou_kit.pagination import Slice
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from member_svc.auth import may_read_policies, reads_every_member
from member_svc.errors import InvalidField
from member_svc.identifiers import validate_mobile
from member_svc.managers import service as managers_service
from member_svc.members import service as members_service
from member_svc.policies import events as policy_events
from member_svc.policies import repository
from member_svc.policies.models import Policy
from member_svc.policies.schemas import FeedEvent
from member_svc.tiers import service as tiers_service
from member_svc.tiers.service import Reason

ACTIVE, CANCELLED, LAPSED = "active", "cancelled", "lapsed"
REASONS: dict[policy_events.Change, Reason] = {
    "issued": "policy_issued",
    "renewed": "policy_renewed",
    "endorsed": "policy_endorsed",
    "cancelled": "policy_cancelled",
    "lapsed": "policy_lapsed",
}
FEED_TYPES = frozenset(
    t.event_type for t in (PolicyIssued, PolicyRenewed, PolicyEndorsed, PolicyCancelled, PolicyLapsed)
)
CONTACT_TYPES = frozenset(t.event_type for t in (PolicyIssued, PolicyRenewed, PolicyEndorsed))
HOLDER_CONTACT = ("holder_name", "holder_phone")
"""Sent in clear over HTTP by a core system; sealed before the outbox as ``<field>_sealed``."""


async def _member_for(session: AsyncSession, holder_id_hash: str | None, policy_no: str) -> uuid.UUID | None:
    if holder_id_hash is not None:
        return await repository.member_for_holder(session, holder_id_hash)
    return await repository.member_of_policy(session, policy_no)


async def _after_change(
    session: AsyncSession,
    member_id: uuid.UUID | None,
    policy_no: str,
    change: policy_events.Change,
    at: datetime,
    selling_manager: str | None = None,
) -> None:
    """A verified member's policy changed: announce it, maybe assign the selling manager, re-tier."""
    if member_id is None:
        return
    member = await members_service.find(session, member_id, for_update=True)
    if member is None or member.status != "verified":
        return
    await policy_events.policy_changed(session, member, policy_no, change, at)
    if selling_manager is not None and member.manager_id is None:
        if await managers_service.find(session, selling_manager) is not None:
            await managers_service.assign(
                session,
                member,
                selling_manager,
                source="policy",
                by="core-policy",
                reason="selling manager",
                now=at,
            )
    await tiers_service.reevaluate(session, [member_id], reason=REASONS[change], now=at)


async def record_issued(session: AsyncSession, event: PolicyIssued | PolicyRenewed) -> None:
    at = event.renewed_at if isinstance(event, PolicyRenewed) else event.issued_at
    values = event.model_dump(exclude={"issued_at", "renewed_at"})
    values.setdefault("previous_policy_no", None)
    for field in ("holder_name_sealed", "holder_phone_sealed"):
        if values[field] is None:  # an event without the contact keeps the one known
            del values[field]
    member_id = await _member_for(session, event.holder_id_hash, event.policy_no)
    values.update(status=ACTIVE, issued_on=at.date(), member_id=member_id)
    await repository.upsert(session, values, at)
    if member_id is not None and event.ends_on > at.date():
        # The customer renewed meanwhile: the manager's renewal or win-back call is no longer needed.
        await managers_service.close_renewed(
            session,
            member_id,
            policy_no=event.policy_no,
            previous_policy_no=values["previous_policy_no"],
            line=str(event.line),
            plate=event.plate,
            ends_on=event.ends_on,
            at=at,
        )
    change: policy_events.Change = "renewed" if isinstance(event, PolicyRenewed) else "issued"
    await _after_change(session, member_id, event.policy_no, change, at, event.selling_manager_id)


async def record_endorsed(session: AsyncSession, event: PolicyEndorsed) -> None:
    changes = event.model_dump(
        include={"premium_fen", "plate", "vin", "ends_on", "holder_name_sealed", "holder_phone_sealed"},
        exclude_none=True,
    )
    if changes:
        await repository.update_values(session, event.policy_no, changes, event.endorsed_at)
    member_id = await _member_for(session, event.holder_id_hash, event.policy_no)
    await _after_change(session, member_id, event.policy_no, "endorsed", event.endorsed_at)


async def record_cancelled(session: AsyncSession, event: PolicyCancelled) -> None:
    # An unknown policy here means the core system never told us about it: nothing to update.
    await repository.set_status(session, event.policy_no, CANCELLED, event.cancelled_at)
    member_id = await _member_for(session, event.holder_id_hash, event.policy_no)
    await _after_change(session, member_id, event.policy_no, "cancelled", event.cancelled_at)


async def record_lapsed(session: AsyncSession, event: PolicyLapsed) -> None:
    await repository.set_status(session, event.policy_no, LAPSED, event.lapsed_at)
    member_id = await _member_for(session, event.holder_id_hash, event.policy_no)
    await _after_change(session, member_id, event.policy_no, "lapsed", event.lapsed_at)


async def record_claim_settled(session: AsyncSession, event: ClaimSettled) -> None:
    """A settled claim counts against the contribution and asks the member's manager to call back."""
    member_id = uuid.UUID(event.member_id)
    values = {"claim_id": event.claim_id, "member_id": member_id, "amount_fen": event.amount_fen}
    if not await repository.add_settled_claim(session, {**values, "settled_at": event.settled_at}):
        return
    await managers_service.create_post_claim_task(session, member_id, event.claim_id, event.settled_at)
    await tiers_service.reevaluate(session, [member_id], reason="claim_settled", now=event.settled_at)


async def ingest(session: AsyncSession, events: Sequence[FeedEvent], now: datetime) -> list[uuid.UUID]:
    """Policy events from a core system that cannot write to Kafka: validated, then put on the outbox,
    so they reach ``core.policy.events`` and every consumer exactly like the Kafka feed."""
    envelopes: list[Envelope[Any]] = []
    for index, item in enumerate(events):
        if item.type not in FEED_TYPES:
            raise InvalidField(
                f"events.{index}.type", f"not a policy event type: one of {sorted(FEED_TYPES)}"
            )
        model: type[PolicyEvent] = catalogue.model(item.type)  # type: ignore[assignment]
        try:
            data = model.model_validate(item.data)
        except ValidationError as exc:
            error = exc.errors()[0]
            field = ".".join(str(p) for p in ("events", index, "data", *error["loc"]))
            raise InvalidField(field, error["msg"], error["type"]) from None
        data = _seal_contact(data, item.type, item.data, index)
        envelopes.append(Envelope.new(data, source=item.source, id=item.id, time=item.time or now))
    # One statement for the batch; an event id posted before is on its way already and is left out.
    await add_events(session, envelopes, skip_known_ids=True)
    return [envelope.id for envelope in envelopes]


def _seal_contact(data: PolicyEvent, event_type: str, raw: dict[str, Any], index: int) -> PolicyEvent:
    """The holder's name and phone in clear become sealed fields: the outbox and the topic never hold
    them readable (``cheyou_events.sealing``, bound to the customer number)."""
    given = {field: raw[field] for field in HOLDER_CONTACT if raw.get(field) is not None}
    if not given:
        return data
    where = f"events.{index}.data"
    if event_type not in CONTACT_TYPES:
        raise InvalidField(f"{where}.{next(iter(given))}", "only issued, renewed and endorsed carry it")
    sealed: dict[str, str] = {}
    for field, value in given.items():
        if not isinstance(value, str) or not 2 <= len(value.strip()) <= 64:
            raise InvalidField(f"{where}.{field}", "must be a text of 2 to 64 characters")
        if field == "holder_phone":
            try:
                value = validate_mobile(value.strip())
            except ValueError as exc:
                raise InvalidField(f"{where}.{field}", str(exc)) from None
        key = str(getattr(data, "customer_no"))  # noqa: B009 - every contact-carrying event has it
        sealed[f"{field}_sealed"] = sealing.seal(value.strip(), partition_key=key, field=field)
    return data.model_copy(update=sealed)


async def get(session: AsyncSession, policy_no: str) -> Policy:
    policy = await repository.get(session, policy_no)
    if policy is None:
        raise NotFound(f"policy {policy_no} is not known")
    return policy


async def get_visible(session: AsyncSession, policy_no: str, principal: Principal) -> Policy:
    """The policy, if the caller may read it: reviewers, ops and admin any; the holder (once verified) and
    the holder's manager theirs. Anyone else is told it is not known (404)."""
    policy = await get(session, policy_no)
    if reads_every_member(principal):
        return policy
    if policy.member_id is None:
        raise NotFound(f"policy {policy_no} is not known")
    member = await members_service.visible(session, principal, policy.member_id)
    if not may_read_policies(principal, member.status):
        raise NotFound(f"policy {policy_no} is not known")
    return policy


async def page_for_members(
    session: AsyncSession,
    member_ids: Sequence[uuid.UUID] | None,
    manager_id: str | None,
    cursor: str | None,
    limit: int,
) -> Slice[Policy]:
    """A page of policies by number: of these members, and/or of this manager's customers."""
    return await repository.page_for_members(session, member_ids, manager_id, cursor, limit)


async def for_holder(session: AsyncSession, holder_id_hash: str) -> Sequence[Policy]:
    """The policies of the holder with this ID hash, newest first."""
    return await repository.for_holder(session, holder_id_hash)


async def link_to_member(session: AsyncSession, holder_id_hash: str, member_id: uuid.UUID) -> None:
    """On verification: the holder's policies become the member's."""
    await repository.link_to_member(session, holder_id_hash, member_id)


async def detach_member(session: AsyncSession, member_id: uuid.UUID) -> None:
    """The member's ID number changed or the application ended: no policy stays linked to them."""
    await repository.detach_member(session, member_id)


async def household_commercial_by_unit(session: AsyncSession, since: date, until: date) -> dict[str, int]:
    """Household-car commercial policies underwritten per selling unit in [since, until)."""
    return await repository.household_commercial_by_unit(session, since, until)


async def list_for_customer(session: AsyncSession, customer_no: str) -> Sequence[Policy]:
    return await repository.list_for_customer(session, customer_no)


async def verified_member(session: AsyncSession, principal: Principal) -> uuid.UUID | None:
    """The calling member's id, when they are verified."""
    if principal.member_id is None:
        return None
    member = await members_service.find(session, principal.member_id)
    return member.id if member is not None and member.status == "verified" else None
