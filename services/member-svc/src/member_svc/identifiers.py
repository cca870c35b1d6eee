"""Mainland identifiers as pydantic types: each normalises its input and names what is wrong with it.

- ``IdCardNumber``: 18-character resident ID (GB 11643-1999): a real birth date and the ISO 7064
  MOD 11-2 check character (python-stdnum's checksum and date parsing).
- ``MobileNumber``: a mainland mobile number (11 digits, an assigned 1xx prefix), validated by
  phonenumbers; ``+86``, spaces and dashes are accepted and dropped.
- ``PlateNumber``: a mainland plate: province character, issuing-authority letter, then 5 characters
  (7 in all) or, for new-energy vehicles, 6 (8 in all: ``D``/``F`` first for small cars, last for large).
- ``Vin``: 17 characters without I, O, Q whose 9th is the ISO 3779 check digit.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

import phonenumbers
from pydantic import AfterValidator, BeforeValidator
from stdnum.cn import ric
from stdnum.exceptions import ValidationError


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def validate_id_number(value: str) -> str:
    # The birth-place part is not checked against python-stdnum's table: division codes are renamed and
    # merged, and a holder keeps the number issued under the old code.
    number = value.replace(" ", "").upper()
    if len(number) != 18 or not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValueError("an ID-card number is 17 digits followed by a digit or X")
    if number[17] != ric.calc_check_digit(number):
        raise ValueError("the ID-card number's check character is wrong (GB 11643)")
    try:
        born = ric.get_birth_date(number)
    except ValidationError:
        raise ValueError("the ID-card number does not contain a valid birth date") from None
    if born.year < 1900 or born > date.today():
        raise ValueError("the ID-card number does not contain a valid birth date")
    return number


def birth_date_of(id_number: str) -> date:
    return ric.get_birth_date(id_number)


def gender_of(id_number: str) -> Literal["male", "female"]:
    """The 17th character is odd for men, even for women."""
    return "male" if int(id_number[16]) % 2 else "female"


def validate_mobile(value: str) -> str:
    digits = re.sub(r"[\s-]", "", value)
    try:
        number = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException:
        raise ValueError("not a phone number") from None
    national = str(number.national_number)
    if (
        number.country_code != 86
        or len(national) != 11
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE
    ):
        raise ValueError("not a mainland China mobile number (11 digits starting with 13–19)")
    return national


_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_LETTER = "A-HJ-NP-Z"  # I and O are never used on plates
_PLATE = re.compile(
    rf"^[{_PROVINCES}][{_LETTER}]"
    rf"(?:[{_LETTER}0-9]{{4}}[{_LETTER}0-9挂学警港澳]"  # ordinary: 5 characters
    rf"|[DF][{_LETTER}0-9][0-9]{{4}}"  # new energy, small car: D/F then 5
    rf"|[0-9]{{5}}[DF])$"  # new energy, large vehicle: 5 digits then D/F
)


def validate_plate(value: str) -> str:
    plate = re.sub(r"[\s·•\-]", "", value).upper()
    if len(plate) not in (7, 8):
        raise ValueError("a plate has 7 characters, or 8 for a new-energy vehicle")
    if plate[0] not in _PROVINCES:
        raise ValueError("a plate starts with a province abbreviation such as 闽")
    if not _PLATE.match(plate):
        raise ValueError("not a mainland plate (e.g. 闽A12345, or 闽AD12345 / 闽A12345D for new energy)")
    return plate


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
    remainder = sum(_VIN_VALUES[c] * w for c, w in zip(vin, _VIN_WEIGHTS, strict=True)) % 11
    return "X" if remainder == 10 else str(remainder)


def validate_vin(value: str) -> str:
    vin = value.replace(" ", "").upper()
    if len(vin) != 17:
        raise ValueError("a VIN has 17 characters")
    if not all(c in _VIN_VALUES for c in vin):
        raise ValueError("a VIN has only digits and letters other than I, O and Q")
    if vin[8] != vin_check_digit(vin):
        raise ValueError("the VIN's check digit (9th character, ISO 3779) is wrong")
    return vin


IdCardNumber = Annotated[str, BeforeValidator(_strip), AfterValidator(validate_id_number)]
MobileNumber = Annotated[str, BeforeValidator(_strip), AfterValidator(validate_mobile)]
PlateNumber = Annotated[str, BeforeValidator(_strip), AfterValidator(validate_plate)]
Vin = Annotated[str, BeforeValidator(_strip), AfterValidator(validate_vin)]
