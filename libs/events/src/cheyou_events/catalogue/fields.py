"""Field types shared by the event payloads: identifiers, money, points and the platform enums."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field

Id = Annotated[str, Field(min_length=1, max_length=64)]
"""An opaque identifier issued by the owning service (member id, order id, claim id, ...)."""
Fen = Annotated[int, Field(ge=0)]
"""An amount of money in fen (0.01 CNY); never a float."""
Points = Annotated[int, Field(ge=0)]
"""A number of club points."""


class Tier(StrEnum):
    PROSPECTIVE = "prospective"
    ORDINARY = "ordinary"
    THREE_STAR = "three_star"
    FOUR_STAR = "four_star"
    FIVE_STAR = "five_star"


class Channel(StrEnum):
    """Where a member is reached or a message is delivered."""

    WECHAT = "wechat"
    SMS = "sms"
    INBOX = "inbox"
