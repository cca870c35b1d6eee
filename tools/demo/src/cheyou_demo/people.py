"""Made-up people of Fuzhou for the demo and the tests: valid ID-card numbers, phone numbers, plates."""

from __future__ import annotations

import random

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


FUZHOU_DISTRICTS = ("350102", "350103", "350104", "350105", "350111", "350112", "350121", "350122")


def id_number(rng: random.Random, *, birth_year: int | None = None, male: bool = True) -> str:
    """A valid mainland ID-card number from Fuzhou (checksum per GB 11643); ~48 million of them, so the
    few thousand a test session makes rarely meet (``Platform.register`` draws again when they do)."""
    year = birth_year if birth_year is not None else rng.randrange(1960, 2000)
    sequence = rng.randrange(100, 999)
    sequence += (sequence % 2 == 0) == male  # odd = male
    district = rng.choice(FUZHOU_DISTRICTS)
    body = f"{district}{year}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}{sequence % 1000:03d}"
    return body + _ID_CHECK[sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]


def phone_number(rng: random.Random) -> str:
    return f"139{rng.randrange(10**8):08d}"


def plate(rng: random.Random) -> str:
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    return "闽A" + rng.choice(letters) + "".join(rng.choice("0123456789") for _ in range(4))


# ISO 3779: each character's value and each position's weight; the 9th character is the check digit.
_VIN_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def vin_check_digit(vin: str) -> str:
    """The check digit (ISO 3779) of a 17-character VIN, whatever its 9th character now is."""
    remainder = sum(_VIN_VALUES[c] * w for c, w in zip(vin, _VIN_WEIGHTS, strict=True)) % 11
    return "X" if remainder == 10 else str(remainder)
