"""Who did it: the id recorded for a caller in audit columns (the staff username when there is one)."""

from cheyou_kit.identity import Principal


def actor_id(principal: Principal) -> str:
    return principal.staff_id or principal.subject
