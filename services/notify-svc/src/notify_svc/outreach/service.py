"""Invitation outreach: the invitation and its reminders queued as messages (the sender delivers them,
with quiet hours and the daily limit as for any marketing message), and opt-outs honoured everywhere.

An invitee is not a member yet: no audience row, no inbox. Their contact comes sealed in
``member.invited`` and is kept here (phone encrypted, looked up by keyed hash); the sender asks
:func:`contacts` for the addresses of invitation messages. A reply TD (the SMS provider's upstream-reply
push) or the unsubscribe link stops the invitation at once (queued messages skipped, no reminder) and
puts the phone on the SMS opt-out list, which the sender honours for every marketing and reminder
text to that number, member or not.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from cheyou_events import sealing
from cheyou_events.catalogue.member import MemberInvited
from cheyou_events.catalogue.notify import InvitationOptedOut
from sqlalchemy.ext.asyncio import AsyncSession

from notify_svc.audience.models import Recipient
from notify_svc.config import Settings
from notify_svc.delivery import service as delivery
from notify_svc.eventing import publish
from notify_svc.outreach import repository
from notify_svc.outreach.errors import UnknownInvitation
from notify_svc.outreach.models import Invitee
from notify_svc.templates import service as templates

log = logging.getLogger(__name__)
OPT_OUT_WORDS = frozenset({"TD", "T", "N", "退订", "取消", "退"})
"""Replies that mean "no more texts" (what Chinese SMS signatures ask for: 回TD退订)."""
_PUNCTUATION = re.compile(r"[\s.,!?。，！？:：;；'\"“”‘’]+")


def phone_hash(phone: str, settings: Settings) -> str:
    """The keyed lookup hash of a phone (``NOTIFY_PHONE_HASH_KEY``)."""
    return hmac.new(settings.phone_hash_key.encode(), phone.encode(), hashlib.sha256).hexdigest()


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def links(invitee: Invitee, settings: Settings) -> tuple[str, str]:
    """The personal join link (manager prefilled) and the unsubscribe link."""
    token = settings.pii_cipher.decrypt_text(invitee.token_encrypted, "invitation-token")
    join = f"{invitee.join_url}{'&' if '?' in invitee.join_url else '?'}invitation={token}"
    return join, f"{settings.invitation_unsubscribe_url}?invitation={token}"


def _next_reminder(invitee_at: datetime, sent: int, settings: Settings) -> datetime | None:
    days = settings.invitation_reminder_days
    return invitee_at + timedelta(days=days[sent]) if sent < len(days) else None


async def record_invited(
    session: AsyncSession, settings: Settings, event: MemberInvited, cause_event_id: Any, now: datetime
) -> bool:
    """Record the invitee and queue the invitation; a repeated event changes nothing."""
    key = event.member_id
    phone = sealing.unseal(event.phone_sealed, partition_key=key, field="phone")
    token = sealing.unseal(event.token_sealed, partition_key=key, field="token")
    cipher = settings.pii_cipher
    added = await repository.add_invitee(
        session,
        {
            "member_id": key,
            "list_id": event.invitation_list_id,
            "manager_id": event.manager_id,
            "manager_name": (event.manager_name or "")[:64] or None,
            "consent_basis": event.consent_basis,
            "openid": event.openid,
            "phone_encrypted": cipher.encrypt_phone(phone),
            "phone_hash": phone_hash(phone, settings),
            "token_encrypted": cipher.encrypt_text(token, "invitation-token"),
            "token_sha256": _token_digest(token),
            "join_url": event.join_url[:512],
            "status": "active",
            "reminders_sent": 0,
            "next_reminder_at": _next_reminder(event.invited_at, 0, settings),
            "invited_at": event.invited_at,
            "updated_at": now,
        },
    )
    if not added:
        return False
    invitee = await repository.get(session, key)
    assert invitee is not None
    await _queue(session, settings, invitee, 0, now, cause_event_id)
    return True


async def _queue(
    session: AsyncSession,
    settings: Settings,
    invitee: Invitee,
    step: int,
    now: datetime,
    cause_event_id: Any = None,
) -> str:
    """Queue step ``step`` (0: the invitation, then reminders) on WeChat (openid known) then SMS."""
    code = "invitation" if step == 0 else "invitation_reminder"
    approved = await templates.approved(session, code, settings.approved_templates)
    if not approved:
        log.warning("no approved template", extra={"template": code})
        return "no_template"
    join, unsubscribe = links(invitee, settings)
    manager = f"客户经理{invitee.manager_name}" if invitee.manager_name else "车友俱乐部"
    channels = ["wechat", "sms"] if invitee.openid else ["sms"]
    variables = {"manager": manager, "join_link": join, "unsubscribe_link": unsubscribe}
    rendered = delivery.render(approved, variables, channels, settings.public_base_url)
    for channel, payload in rendered.payloads.items():
        if channel == "wechat":
            payload["url"] = join  # the WeChat message opens the personal join page
    disabled = {"sms"} if await repository.opted_out(session, [invitee.phone_hash]) else set()
    outcome, _, message = delivery.plan(
        invitee.member_id,
        _recipient(invitee),
        rendered,
        channels,
        disabled,
        f"invitation:{invitee.member_id}:{step}",
        code,
        now,
        settings.delivery_rules,
        cause_event_id=cause_event_id,
        hold=True,  # marketing: never at night
    )
    if message is not None:
        await delivery.add_messages(session, [message])
    log.info("invitation queued", extra={"member_id": invitee.member_id, "step": step, "outcome": outcome})
    return outcome


def _recipient(invitee: Invitee) -> Recipient:
    """The invitee as the sender addresses a member (a transient row, never stored)."""
    return Recipient(
        member_id=invitee.member_id, openid=invitee.openid, phone_encrypted=invitee.phone_encrypted
    )


async def send_due_reminders(session: AsyncSession, settings: Settings, now: datetime, limit: int) -> int:
    """Queue the reminders due now (3 and 10 days after the invitation) to invitees still being invited."""
    due = await repository.due_reminders(session, now, limit)
    for invitee in due:
        step = invitee.reminders_sent + 1
        await _queue(session, settings, invitee, step, now)
        invitee.reminders_sent = step
        invitee.next_reminder_at = _next_reminder(invitee.invited_at, step, settings)
        invitee.updated_at = now
    return len(due)


async def contacts(session: AsyncSession, member_ids: Iterable[str]) -> dict[str, Recipient]:
    """Addresses of invitees among ``member_ids`` (for the sender: they are not in the audience)."""
    return {i.member_id: _recipient(i) for i in await repository.many(session, sorted(set(member_ids)))}


async def sms_opted_out(session: AsyncSession, settings: Settings, phones: Mapping[str, str]) -> set[str]:
    """Of ``member id → phone``, the members whose number asked for no more marketing or reminder texts."""
    hashes = {member: phone_hash(phone, settings) for member, phone in phones.items()}
    stopped = await repository.opted_out(session, sorted(set(hashes.values())))
    return {member for member, digest in hashes.items() if digest in stopped}


async def _stop(session: AsyncSession, invitee: Invitee, via: str, now: datetime) -> None:
    if invitee.status == "opted_out":
        return
    invitee.status, invitee.opted_out_at, invitee.opted_out_via = "opted_out", now, via
    invitee.next_reminder_at, invitee.updated_at = None, now
    await repository.skip_queued_invitations(session, invitee.member_id, now, "opted_out")
    opted = InvitationOptedOut(member_id=invitee.member_id, via=via, opted_out_at=now)
    await publish(session, opted)


def is_opt_out(content: str) -> bool:
    return _PUNCTUATION.sub("", content).upper() in OPT_OUT_WORDS


async def record_replies(
    session: AsyncSession, settings: Settings, replies: Sequence[Mapping[str, Any]], now: datetime
) -> int:
    """Upstream replies pushed by the SMS provider: a TD (or 退订…) stops marketing and reminder texts to
    that number and every invitation to it. Returns how many replies were opt-outs."""
    stopped = 0
    for reply in replies:
        phone = str(reply.get("phone_number") or "")
        if not phone or not is_opt_out(str(reply.get("content") or "")):
            continue
        stopped += 1
        digest = phone_hash(phone[-11:], settings)
        await repository.add_opt_out(session, digest, "sms_reply", now)
        for invitee in await repository.by_phone_hash(session, digest):
            await _stop(session, invitee, "sms_reply", now)
    return stopped


async def unsubscribe(session: AsyncSession, token: str, now: datetime) -> Invitee:
    """The unsubscribe link: no more invitation messages, and no marketing texts to the number."""
    invitee = await repository.by_token(session, _token_digest(token))
    if invitee is None:
        raise UnknownInvitation("this unsubscribe link is not known")
    await repository.add_opt_out(session, invitee.phone_hash, "unsubscribe_link", now)
    await _stop(session, invitee, "unsubscribe_link", now)
    return invitee


async def record_registered(session: AsyncSession, member_id: str, now: datetime) -> None:
    """The invitee applied: no more reminders (what is queued is not sent)."""
    invitee = await repository.get(session, member_id, for_update=True)
    if invitee is None or invitee.status != "active":
        return
    invitee.status, invitee.next_reminder_at, invitee.updated_at = "joined", None, now
    await repository.skip_queued_invitations(session, member_id, now, "joined")
