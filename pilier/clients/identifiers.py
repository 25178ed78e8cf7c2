"""Belgian identifiers: national register / BIS numbers and enterprise numbers (python-stdnum)."""

import datetime
import re
from dataclasses import dataclass

from stdnum.be import bis, nn, vat
from stdnum.exceptions import ValidationError as StdnumError

PLACEHOLDER = "99.99.99-999.99"
_PLACEHOLDER_DIGITS = "99999999999"


@dataclass(frozen=True)
class NationalNumber:
    formatted: str  # YY.MM.DD-SSS.CC
    provisional: bool
    birth_date: datetime.date | None = None
    gender: str | None = None  # "M", "F" or None when the number does not say


class InvalidNationalNumber(ValueError):
    pass


def digits(value: str) -> str:
    return re.sub(r"\D", "", value or "")


def parse_national_number(value: str) -> NationalNumber:
    """An NN or BIS number in any usual writing; the placeholder 99.99.99-999.99 is provisional."""
    number = digits(value)
    if number == _PLACEHOLDER_DIGITS:
        return NationalNumber(PLACEHOLDER, provisional=True)
    if re.search(r"[^\d\s.\-/]", value or ""):
        raise InvalidNationalNumber("format")
    if len(number) != 11:
        raise InvalidNationalNumber("length")
    for module in (nn, bis):
        try:
            module.validate(number)
        except StdnumError:
            continue
        try:
            birth_date = module.get_birth_date(number)
        except (StdnumError, ValueError):
            birth_date = None
        return NationalNumber(nn.format(number), False, birth_date, module.get_gender(number))
    raise InvalidNationalNumber("checksum")


def clean_enterprise_number(value: str) -> str:
    """Returns the enterprise number written 0xxx.xxx.xxx; raises ValueError when invalid."""
    number = digits(value)
    if len(number) == 9:
        number = "0" + number
    try:
        number = vat.validate(number)
    except StdnumError as exc:
        raise ValueError(str(exc)) from exc
    return f"{number[:4]}.{number[4:7]}.{number[7:]}"


def national_number_for(birth_date: datetime.date, serial: int) -> str:
    """The NN for a birth date and a day serial (odd: man, even: woman), formatted."""
    body = f"{birth_date:%y%m%d}{serial:03d}"
    base = int(("2" if birth_date.year >= 2000 else "") + body)
    return nn.format(f"{body}{97 - base % 97:02d}")
