"""One portfolio record, read and checked: every field cleaned, or a reason in the user's language."""

import datetime
import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.utils.translation import gettext as _

from pilier.amounts import parse_amount
from pilier.clients.identifiers import InvalidNationalNumber, parse_national_number
from pilier.policies.catalogue import TYPES
from pilier.policies.insurers import InvalidPolicyNumber, insurer, policy_number_key

FIELDS = (
    "insurer",
    "policy_number",
    "type",
    "status",
    "holder_national_number",
    "holder_last_name",
    "holder_first_name",
    "holder_birth_date",
    "start_date",
    "end_date",
    "annual_premium",
    "reserves",
    "reserves_date",
    "death_capital",
    "mandate",
)
REQUIRED = ("insurer", "policy_number", "type", "status")
STATUSES = {"active", "dormant", "terminated"}
_TRUE = {"1", "true", "yes", "y", "oui", "o", "ja", "j", "x"}
_FALSE = {"0", "false", "no", "n", "non", "nee", ""}


class RecordError(ValueError):
    """A record that cannot be imported; the message says why, in the user's language."""


@dataclass(slots=True)
class Record:
    line: int
    insurer: str
    number: str  # as the insurer wrote it
    key: str  # the matching key (pilier.policies.insurers)
    type: str  # our code
    status: str
    national_number: str | None  # formatted; None when missing or provisional
    national_digits: str | None
    last_name: str
    first_name: str
    birth_date: datetime.date | None
    start_date: datetime.date | None
    end_date: datetime.date | None
    annual_premium: Decimal | None
    reserves: Decimal | None
    reserves_date: datetime.date | None
    death_capital: Decimal | None
    mandate: bool

    def insurer_values(self) -> tuple:
        """The fields the insurer owns, in pilier.policies.models.INSURER_FIELDS order."""
        return (
            self.status,
            self.start_date,
            self.end_date,
            self.annual_premium,
            self.reserves,
            self.reserves_date,
            self.death_capital,
        )

    def as_data(self) -> dict:
        """JSON-ready values (for the unmatched list)."""
        out = {}
        for name in self.__slots__:
            value = getattr(self, name)
            out[name] = str(value) if isinstance(value, Decimal | datetime.date) else value
        return out


@cache
def _telebib() -> dict[str, str]:
    data = json.loads((Path(__file__).parent / "types.json").read_text())
    return {code: entry["type"] for code, entry in data["telebib_x058"].items()}


@cache
def _insurer_code(value: str) -> str:
    return insurer(value).code


_SEPARATORS = str.maketrans("", "", ".- /")


def fast_national_number(value: str):
    """(formatted, digits, birth date) of a valid NN or BIS number, as python-stdnum reads it.

    An import reads tens of thousands of holders: the usual case (11 digits, a valid check, a
    complete birth date) is done here in a few microseconds; anything else goes through
    `parse_national_number` (python-stdnum), which also gives the reason of a refusal.
    Equivalence with python-stdnum is a property test (tests/test_records.py).
    """
    digits = value.translate(_SEPARATORS)
    if len(digits) == 11 and digits.isdigit() and digits != "99999999999":
        body, check = int(digits[:9]), int(digits[9:])
        # As python-stdnum: the 2000s only for a year that has begun.
        recent = int(digits[:2]) + 2000 <= datetime.date.today().year
        century = 1900 if 97 - body % 97 == check else 2000 if recent and 97 - (2000000000 + body) % 97 == check else 0
        month, day = int(digits[2:4]), int(digits[4:6])
        month = month - 40 if month > 40 else month - 20 if month > 20 else month
        if century and 1 <= month <= 12 and day >= 1:
            try:
                born = datetime.date(century + int(digits[:2]), month, day)
            except ValueError:
                born = None
            if born is not None:
                formatted = f"{digits[:2]}.{digits[2:4]}.{digits[4:6]}-{digits[6:9]}.{digits[9:]}"
                return formatted, digits, born
    number = parse_national_number(value)
    if number.provisional:
        return None, None, None
    return number.formatted, number.formatted.translate(_SEPARATORS), number.birth_date


def _date(value: str, field: str) -> datetime.date | None:
    if not value:
        return None
    try:
        if not value.replace("-", "").replace("/", "").isdigit():
            raise ValueError(value)
        if len(value) == 10 and value[4] == "-" and value[7] == "-":
            return datetime.date(int(value[:4]), int(value[5:7]), int(value[8:]))
        if len(value) == 10 and value[2] == "/" and value[5] == "/":
            return datetime.date(int(value[6:]), int(value[3:5]), int(value[:2]))
    except ValueError:
        pass
    raise RecordError(
        _("%(field)s: “%(value)s” is not a date (YYYY-MM-DD or DD/MM/YYYY).") % {"field": field, "value": value}
    )


def _amount(value: str, field: str) -> Decimal | None:
    if not value:
        return None
    try:
        amount = Decimal(value) if value.replace(".", "", 1).isdigit() else parse_amount(value, thousands_dot=False)
    except (ValueError, ArithmeticError):
        raise RecordError(_("%(field)s: “%(value)s” is not an amount.") % {"field": field, "value": value}) from None
    if amount < 0 or amount >= Decimal("1e12"):
        raise RecordError(_("%(field)s: “%(value)s” is out of range.") % {"field": field, "value": value})
    if amount != amount.quantize(Decimal("0.01")):
        # "12.345" is more likely twelve thousand written with a dot than 12.345 euros: never guess.
        raise RecordError(
            _("%(field)s: “%(value)s” has more than two decimals (write amounts without thousands separators).")
            % {"field": field, "value": value}
        )
    return amount.quantize(Decimal("0.01"))


def parse_record(line: int, raw: dict[str, str]) -> Record:
    value = {k: (raw.get(k) or "").strip() for k in FIELDS}
    for field in REQUIRED:
        if not value[field]:
            raise RecordError(_("%(field)s is missing.") % {"field": field})
    try:
        code = _insurer_code(value["insurer"])
    except KeyError:
        raise RecordError(_("Unknown insurer “%(value)s”.") % {"value": value["insurer"]}) from None
    try:
        key = policy_number_key(code, value["policy_number"])
    except InvalidPolicyNumber:
        raise RecordError(
            _("policy_number: “%(value)s” is not a policy number.") % {"value": value["policy_number"]}
        ) from None
    kind = value["type"].lower()
    kind = _telebib().get(kind, kind)
    if kind not in TYPES:
        raise RecordError(_("Unknown product type “%(value)s”.") % {"value": value["type"]})
    status = value["status"].lower()
    if status not in STATUSES:
        raise RecordError(
            _("status: “%(value)s” is not one of active, dormant, terminated.") % {"value": value["status"]}
        )
    national, digits, born_nn = None, None, None
    if value["holder_national_number"]:
        try:
            national, digits, born_nn = fast_national_number(value["holder_national_number"])
        except InvalidNationalNumber:
            raise RecordError(
                _("holder_national_number: “%(value)s” is not a valid national number.")
                % {"value": value["holder_national_number"]}
            ) from None
    birth_date = _date(value["holder_birth_date"], "holder_birth_date")
    if birth_date and born_nn and birth_date != born_nn:
        raise RecordError(_("holder_birth_date contradicts the national number."))
    mandate = value["mandate"].lower()
    if mandate not in _TRUE and mandate not in _FALSE:
        raise RecordError(_("mandate: “%(value)s” is not yes or no.") % {"value": value["mandate"]})
    start, end = _date(value["start_date"], "start_date"), _date(value["end_date"], "end_date")
    if start and end and end < start:
        raise RecordError(_("end_date is before start_date."))
    return Record(
        line=line,
        insurer=code,
        number=value["policy_number"],
        key=key,
        type=kind,
        status=status,
        national_number=national,
        national_digits=digits,
        last_name=value["holder_last_name"],
        first_name=value["holder_first_name"],
        birth_date=birth_date,
        start_date=start,
        end_date=end,
        annual_premium=_amount(value["annual_premium"], "annual_premium"),
        reserves=_amount(value["reserves"], "reserves"),
        reserves_date=_date(value["reserves_date"], "reserves_date"),
        death_capital=_amount(value["death_capital"], "death_capital"),
        mandate=mandate in _TRUE,
    )
