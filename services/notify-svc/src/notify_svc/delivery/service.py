"""What gets sent, to whom, on which channel: turn a fact about a member into queued messages.

Called inside the transaction of the fact (a Kafka handler, a campaign chunk, a reminder job): the inbox
item is written at once; push messages (WeChat, SMS) are queued in ``messages`` and delivered by the
sender, with the next channel as fallback. Preferences, quiet hours and de-duplication apply here.

A push for a member of whom no address is known yet (``member.events`` and the other topics are not
ordered with each other) is held in ``waiting_for_contact`` until ``member.contact_changed`` releases it,
with the rules applied again at that moment, or until it expires as ``undeliverable``.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from cheyou_events import add_event, add_events
from cheyou_kit.pagination import Slice
from sqlalchemy.ext.asyncio import AsyncSession

from notify_svc.audience import service as audience
from notify_svc.audience.models import Recipient
from notify_svc.config import Settings
from notify_svc.delivery import events, metrics, repository
from notify_svc.delivery.models import NO_CONTACT, WAITING_FOR_CONTACT, DeliveryAttempt, Message
from notify_svc.delivery.rules import DeliveryRules
from notify_svc.inbox import service as inbox_service
from notify_svc.preferences import service as preferences
from notify_svc.templates import service as templates
from notify_svc.templates.cache import TemplateText

log = logging.getLogger(__name__)

PUSH_CHANNELS = ("wechat", "sms")
DEFAULT_CHANNELS: tuple[str, ...] = ("wechat", "sms", "inbox")
Outcome = Literal["queued", "held", "opted_out", "unreachable", "no_template", "duplicate"]


@dataclass(frozen=True)
class Notice:
    """One fact to tell one member, in the words of template ``template_code``."""

    member_id: str
    template_code: str
    fact_id: str
    variables: Mapping[str, Any]
    channels: Sequence[str] = DEFAULT_CHANNELS
    campaign_id: uuid.UUID | None = None
    cause_event_id: uuid.UUID | None = None
    hold_in_quiet_hours: bool | None = None
    """Hold push messages during quiet hours; ``None``: as the category says (marketing only)."""


@dataclass
class Rendered:
    """A template rendered once for many members (campaigns): channel → payload, plus the category."""

    category: str
    payloads: dict[str, dict[str, Any]] = field(default_factory=dict)


def render(
    approved: Mapping[str, TemplateText],
    variables: Mapping[str, Any],
    channels: Sequence[str],
    public_base_url: str,
) -> Rendered:
    category = next(iter(approved.values())).category
    return Rendered(
        category=category,
        payloads={
            ch: templates.render(approved[ch], variables, public_base_url)
            for ch in channels
            if ch in approved
        },
    )


def _reachable(channel: str, recipient: Recipient | None) -> bool:
    if recipient is None:
        return False
    if channel == "wechat":
        return recipient.openid is not None
    return recipient.phone_encrypted is not None


def _contact_unknown(recipient: Recipient | None) -> bool:
    """No address of the member is known yet: not projected, or projected without openid and phone."""
    return recipient is None or (recipient.openid is None and recipient.phone_encrypted is None)


def plan(
    member_id: str,
    recipient: Recipient | None,
    rendered: Rendered,
    channels: Sequence[str],
    disabled: set[str],
    fact_id: str,
    template_code: str,
    now: datetime,
    rules: DeliveryRules,
    campaign_id: uuid.UUID | None = None,
    cause_event_id: uuid.UUID | None = None,
    hold: bool | None = None,
    wait_for_contact: bool = False,
) -> tuple[Outcome, dict[str, Any] | None, dict[str, Any] | None]:
    """Decide the inbox item and the first push message (with its fallbacks) for one member.

    With ``wait_for_contact`` (a fact about this member, not a broadcast), a push allowed on some
    channel for a member whose contact is not known yet is held (``waiting_for_contact``) with every
    allowed push channel as its chain; reachability is decided when it is released.
    """
    allowed = [ch for ch in channels if ch in rendered.payloads and ch not in disabled]
    if not allowed:
        return ("opted_out" if rendered.payloads else "no_template"), None, None
    inbox_row = None
    if "inbox" in allowed:
        payload = rendered.payloads["inbox"]
        inbox_row = {
            "id": uuid.uuid4(),
            "member_id": member_id,
            "fact_id": fact_id,
            "template_code": template_code,
            "category": rendered.category,
            "title": payload["title"][:128],
            "body": payload["body"],
            "link": payload.get("link"),
            "created_at": now,
        }
    pushes: list[dict[str, Any]] = [
        {"channel": ch, "payload": rendered.payloads[ch]} for ch in allowed if ch in PUSH_CHANNELS
    ]
    chain = [p for p in pushes if _reachable(p["channel"], recipient)]
    status = "pending"
    if not chain and pushes and wait_for_contact and _contact_unknown(recipient):
        chain, status = pushes, WAITING_FOR_CONTACT
    message_row = None
    if chain:
        first, *rest = chain
        message_row = {
            "id": uuid.uuid4(),
            "member_id": member_id,
            "fact_id": fact_id,
            "template_code": template_code,
            "category": rendered.category,
            "channel": first["channel"],
            "payload": first["payload"],
            "fallbacks": rest,
            "campaign_id": campaign_id,
            "cause_event_id": cause_event_id,
            "status": status,
            "quiet_hold": hold,
            "attempts": 0,
            "not_before": rules.hold_until(rendered.category, now, hold),
            "created_at": now,
            "updated_at": now,
        }
    if inbox_row is None and message_row is None:
        return "unreachable", None, None
    return ("held" if status == WAITING_FOR_CONTACT else "queued"), inbox_row, message_row


async def _recipient_and_disabled(
    session: AsyncSession, member_id: str, category: str
) -> tuple[Recipient | None, set[str]]:
    """One statement for a known member; a member not in the projection may still have preferences."""
    if not preferences.switchable(category):
        return await audience.get(session, member_id), set()
    recipient, switched_off = await repository.recipient_and_switched_off(session, member_id, category)
    if switched_off is None:
        switched_off = await preferences.disabled_channels(session, member_id, category)
    return recipient, switched_off


async def notify(session: AsyncSession, notice: Notice, now: datetime, settings: Settings) -> Outcome:
    """Queue ``notice`` for its member; repeats of the same fact change nothing."""
    approved = await templates.approved(session, notice.template_code, settings.approved_templates)
    if not approved:
        log.warning("no approved template", extra={"template": notice.template_code, "fact": notice.fact_id})
        return "no_template"
    rendered = render(approved, notice.variables, notice.channels, settings.public_base_url)
    recipient, disabled = await _recipient_and_disabled(session, notice.member_id, rendered.category)
    outcome, inbox_row, message_row = plan(
        notice.member_id,
        recipient,
        rendered,
        notice.channels,
        disabled,
        notice.fact_id,
        notice.template_code,
        now,
        settings.delivery_rules,
        notice.campaign_id,
        notice.cause_event_id,
        notice.hold_in_quiet_hours,
        wait_for_contact=True,
    )
    new = 0
    if inbox_row is not None and await inbox_service.add_items(session, [inbox_row]):
        metrics.count("inbox", "sent")
        new += 1
    if message_row is not None:
        new += await repository.add_messages(session, [message_row])
    if outcome in ("queued", "held") and new == 0:
        outcome = "duplicate"
    log.info(
        "notice planned",
        extra={"member_id": notice.member_id, "fact": notice.fact_id, "outcome": outcome},
    )
    return outcome


@dataclass
class Planned:
    """What ``notify_many`` did with a chunk of notices."""

    outcomes: Counter[str] = field(default_factory=Counter)
    inbox_items: int = 0
    messages: int = 0


async def notify_many(
    session: AsyncSession, notices: Sequence[Notice], now: datetime, settings: Settings
) -> Planned:
    """``notify`` for a chunk of notices (reminder jobs, fan-outs) with one query per table.

    Safe to repeat: a (member, fact) already in the inbox or queued on a channel is skipped.
    """
    planned = Planned()
    if not notices:
        return planned
    member_ids = sorted({n.member_id for n in notices})
    recipients = await audience.many(session, member_ids)
    cache, rules = settings.approved_templates, settings.delivery_rules
    approved = {
        code: await templates.approved(session, code, cache) for code in {n.template_code for n in notices}
    }
    categories = {next(iter(a.values())).category for a in approved.values() if a}
    disabled = {c: await preferences.disabled_by_member(session, member_ids, c) for c in categories}
    inbox_rows: list[dict[str, Any]] = []
    message_rows: list[dict[str, Any]] = []
    for notice in notices:
        if not approved[notice.template_code]:
            planned.outcomes["no_template"] += 1
            continue
        rendered = render(
            approved[notice.template_code], notice.variables, notice.channels, settings.public_base_url
        )
        outcome, inbox_row, message_row = plan(
            notice.member_id,
            recipients.get(notice.member_id),
            rendered,
            notice.channels,
            disabled[rendered.category].get(notice.member_id, set()),
            notice.fact_id,
            notice.template_code,
            now,
            rules,
            notice.campaign_id,
            notice.cause_event_id,
            notice.hold_in_quiet_hours,
            wait_for_contact=True,
        )
        planned.outcomes[outcome] += 1
        if inbox_row is not None:
            inbox_rows.append(inbox_row)
        if message_row is not None:
            message_rows.append(message_row)
    planned.inbox_items = await inbox_service.add_items(session, inbox_rows)
    metrics.count("inbox", "sent", planned.inbox_items)
    planned.messages = await repository.add_messages(session, message_rows)
    return planned


async def release_held(session: AsyncSession, member_id: str, now: datetime, rules: DeliveryRules) -> int:
    """Hand the member's held messages to the sender now that their contact is known.

    Called in the transaction that projects ``member.contact_changed``. Each held message goes out on
    the first of its channels the member can be reached on and has not switched off (``now``), after
    quiet hours as for a new message; a fact already queued on that channel is not queued again.
    A message the member switched every channel off for is skipped; one the new contact still has no
    address for keeps waiting (until it expires). Returns how many were released.
    """
    held = await repository.lock_waiting_for_contact(session, member_id)
    if not held:
        return 0
    recipient = await audience.get(session, member_id)
    if _contact_unknown(recipient):
        return 0
    # The unique (member, fact, channel): a channel the fact already has a message on is not taken again.
    taken = await repository.taken_channels(session, member_id, {m.fact_id for m in held})
    disabled: dict[str, set[str]] = {}
    released = 0
    for message in held:
        if message.category not in disabled:
            disabled[message.category] = await preferences.disabled_channels(
                session, member_id, message.category
            )
        candidates = [{"channel": message.channel, "payload": message.payload}, *message.fallbacks]
        allowed = [c for c in candidates if c["channel"] not in disabled[message.category]]
        chain = [c for c in allowed if _reachable(c["channel"], recipient)]
        if not allowed:
            await repository.finish(session, message.id, now, status="skipped", error="opted_out")
            continue
        if not chain:
            continue
        first, *rest = chain
        channel: str = first["channel"]
        if channel != message.channel and (message.fact_id, channel) in taken:
            await repository.finish(session, message.id, now, status="skipped", error="duplicate")
            continue
        await repository.finish(
            session,
            message.id,
            now,
            status="pending",
            channel=channel,
            payload=first["payload"],
            fallbacks=rest,
            not_before=rules.hold_until(message.category, now, message.quiet_hold),
        )
        taken.discard((message.fact_id, message.channel))
        taken.add((message.fact_id, channel))
        released += 1
    log.info(
        "held messages released", extra={"member_id": member_id, "released": released, "held": len(held)}
    )
    return released


async def release_reachable(
    session: AsyncSession, now: datetime, rules: DeliveryRules, limit: int = 100
) -> int:
    """``release_held`` for members whose contact is known but whose messages still wait.

    The safety net of a race: a notice's transaction that read no contact and held its message may
    commit just after the ``contact_changed`` transaction looked for held messages (neither sees the
    other's uncommitted rows). Returns how many were released.
    """
    released = 0
    for member_id in await repository.members_reachable_while_held(session, limit):
        released += await release_held(session, member_id, now, rules)
    return released


async def expire_held(session: AsyncSession, now: datetime, wait: timedelta, limit: int = 500) -> int:
    """Mark messages held longer than ``wait`` for a contact ``undeliverable`` (reported as failed).

    Safe on several replicas at once (``SKIP LOCKED``); returns how many expired.
    """
    expired = await repository.expire_waiting_for_contact(session, now - wait, now, limit)
    await add_events(session, [events.failed(m, NO_CONTACT, False, now) for m in expired])
    for message in expired:
        metrics.count(message.channel, "failed")
    if expired:
        log.info("held messages expired", extra={"expired": len(expired)})
    return len(expired)


async def fallback(session: AsyncSession, message: Message, now: datetime) -> str | None:
    """Queue the next channel of a message that failed for good; returns that channel, if any."""
    if not message.fallbacks:
        return None
    first, *rest = message.fallbacks
    await repository.add_messages(
        session,
        [
            {
                "id": uuid.uuid4(),
                "member_id": message.member_id,
                "fact_id": message.fact_id,
                "template_code": message.template_code,
                "category": message.category,
                "channel": first["channel"],
                "payload": first["payload"],
                "fallbacks": rest,
                "fallback_from": message.channel,
                "campaign_id": message.campaign_id,
                "cause_event_id": message.cause_event_id,
                "status": "pending",
                "attempts": 0,
                "not_before": now,
                "created_at": now,
                "updated_at": now,
            }
        ],
    )
    channel: str = first["channel"]
    return channel


async def record_receipts(session: AsyncSession, receipts: list[dict[str, object]], now: datetime) -> int:
    """Apply the provider's delivery receipts (matched by our out-id); returns how many matched."""
    matched = 0
    for receipt in receipts:
        try:
            message_id = uuid.UUID(str(receipt.get("out_id")))
        except ValueError:
            continue
        message = await repository.lock_for_receipt(session, message_id)
        if message is None or message.channel != "sms":
            continue
        matched += 1
        success = bool(receipt.get("success"))
        status = "delivered" if success else "failed"
        error = None if success else f"sms:{receipt.get('err_code')}"
        if message.status not in ("delivered", "failed"):
            # A receipt can overtake the sender's own record of the send; that record then changes
            # nothing (it only settles messages still sending), so the send is reported here.
            overtook_the_sender = message.status == "sending"
            await repository.finish(
                session, message.id, now, status=status, error=error, provider_id=str(receipt.get("biz_id"))
            )
            metrics.count("sms", status)
            if error is not None:
                await add_event(session, events.failed(message, error, False, now))
            elif overtook_the_sender:
                await add_event(session, events.sent(message, now))
        await repository.add_attempts(
            session,
            [
                {
                    "message_id": message.id,
                    "channel": "sms",
                    "status": status,
                    "provider_id": str(receipt.get("biz_id")),
                    "error": error,
                    "fallback_to": None,
                    "detail": f"receipt {receipt.get('err_code')} at {receipt.get('receive_time')}",
                    "at": now,
                }
            ],
        )
    return matched


async def add_messages(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> int:
    """Queue messages as they are; a (member, fact, channel) already queued is skipped. How many were new."""
    return await repository.add_messages(session, rows)


async def messages_of(
    session: AsyncSession, member_id: str, cursor: str | None, limit: int
) -> tuple[Slice[Message], Sequence[DeliveryAttempt]]:
    messages = await repository.for_member(session, member_id, cursor, limit)
    return messages, await repository.attempts_of(session, [m.id for m in messages.rows])
