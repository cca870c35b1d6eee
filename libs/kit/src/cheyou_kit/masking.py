"""How personal data looks on the way out, everywhere on the platform (the formats of DOMAIN.md).

``138****8000`` for a phone, ``**************123X`` for an ID-card number (the last four only: the region
prefix with a birth year and gender narrows the rest down to a search), ``张**`` for a name and
``**************1234`` for other numbers (a licence). Values too short to keep any digits are hidden.
"""

from __future__ import annotations


def mask_phone(value: str) -> str:
    """``13800138000`` → ``138****8000``."""
    return value[:3] + "****" + value[-4:] if len(value) >= 7 else "****"


def mask_id_number(value: str) -> str:
    """``35010219900307012X`` → ``**************012X``: the last four only."""
    return "*" * (len(value) - 4) + value[-4:] if len(value) > 8 else "*" * len(value)


def mask_name(value: str) -> str:
    """``张三丰`` → ``张**``: the family name only."""
    return value[:1] + "*" * (len(value) - 1) if len(value) > 1 else "*"


def mask_tail(value: str, keep: int = 4) -> str:
    """``350102198507161234`` → ``**************1234``: the last ``keep`` characters."""
    return "*" * (len(value) - keep) + value[-keep:] if len(value) > keep else value
