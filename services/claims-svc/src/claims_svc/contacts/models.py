from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from claims_svc.db import Base


class MemberContact(Base):
    """A member's phone as member-svc holds it (``member.contact_changed``; the latest change wins).

    Encrypted under ``CLAIMS_PII_KEY``, bound to the member. Read for one member at a time: a member who
    answers a liability split as the other party must be signed in with the phone recorded for them.
    """

    __tablename__ = "member_contacts"

    member_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    phone_encrypted: Mapped[str | None] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
