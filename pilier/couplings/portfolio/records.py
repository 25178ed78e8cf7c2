"""One portfolio record, read and checked: every field cleaned, or a reason in the user's language.

A record's values are kept in their canonical text form, the form the database stores and gives back
as text (dates `YYYY-MM-DD`, amounts with two decimals `2451.50`): an import compares them with what
the office has and writes them without a conversion either way (see matcher.py and writer.py).
"""

import datetime
import enum
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from json.encoder import encode_basestring_ascii as _json_text  # the C function json.dumps uses (ensure_ascii)
from pathlib import Path
from typing import NamedTuple

from django.db.models import Field, Model
from django.utils.translation import gettext as _

from pilier.clients.identifiers import InvalidNationalNumber, parse_national_number
from pilier.lib.money import parse_amount
from pilier.policies.catalogue import TYPES
from pilier.policies.insurers import insurer, key_function
from pilier.policies.rules import end_before_start

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
REQUIRED = FIELDS[:4]  # insurer, policy_number, type, status
STATUSES = {"active", "dormant", "terminated"}
_TRUE = {"1", "true", "yes", "y", "oui", "o", "ja", "j", "x"}
_FALSE = {"0", "false", "no", "n", "non", "nee", ""}
_CACHED = 50_000  # values remembered per reader (dates and national numbers repeat across a portfolio)


class RecordError(ValueError):
    """A record that cannot be imported; the message says why, in the user's language."""


def about(raw: Sequence[str]) -> dict[str, str]:
    """What a raw record is about, for its rejection: insurer, policy number and holder as the file gives them
    (a Telebib2 message says it itself: telebib2.TelebibRaw.about)."""
    given = getattr(raw, "about", None)
    if given is None and len(raw) == len(FIELDS):
        holder = " ".join(filter(None, (raw[5].strip(), raw[6].strip())))
        given = {"insurer": raw[0].strip(), "number": raw[1].strip(), "holder": holder}
    # Shortened, without control characters (a NUL byte cannot be stored by PostgreSQL).
    return {name: shown(_CONTROL.sub("", str(value))) for name, value in (given or {}).items()}


class PolicyValues(NamedTuple):
    """The fields the insurer owns, named as pilier.policies.models.INSURER_FIELDS names them (a record's
    `values`, what the office's policies have): status, then dates "YYYY-MM-DD" and amounts "2451.50"
    (canonical text), None for a field the file leaves empty."""

    status: str | None
    start_date: str | None
    end_date: str | None
    annual_premium: str | None
    reserves: str | None
    reserves_date: str | None
    death_capital: str | None


VALUES = PolicyValues._fields
_policy_values = PolicyValues._make


@dataclass(slots=True)
class Record:
    line: int
    insurer: str
    number: str  # as the insurer wrote it
    key: str  # the matching key (pilier.policies.insurers)
    type: str  # our code
    national_number: str | None  # formatted; None when missing or provisional
    national_digits: str | None
    last_name: str
    first_name: str
    birth_date: str | None  # "YYYY-MM-DD"
    mandate: bool
    values: PolicyValues
    language: str | None = None  # the holder's (fr, nl, de, en), when the file gives it (Telebib2 ATT+A10C)

    def _data_values(self) -> tuple[str | bool | None, ...]:
        return (
            self.insurer,
            self.number,
            self.key,
            self.type,
            self.national_number,
            self.national_digits,
            self.last_name,
            self.first_name,
            self.birth_date,
            self.mandate,
            *self.values,
        )

    def as_data(self) -> dict[str, str | bool | None]:
        """JSON-ready values (for the unmatched list), without the line. Always these keys in this order: the
        fingerprint of an unmatched record is the digest of their JSON."""
        data = dict(zip(_DATA, self._data_values(), strict=True))
        if self.language is not None:  # only then: the data (and fingerprint) of a record without one is as before
            data["language"] = self.language
        return data

    def data_json(self) -> str:
        """`json.dumps(self.as_data())`, character for character (tests/test_records.py), in a third of the time:
        an import writes it for every unmatched record."""
        values = zip(_DATA_KEYS, self._data_values(), strict=True)
        text = [
            key + (_json_text(value) if isinstance(value, str) else _JSON_CONSTANTS[value]) for key, value in values
        ]
        if self.language is not None:
            text.append(_LANGUAGE_KEY + _json_text(self.language))
        return "{" + ", ".join(text) + "}"


_DATA: tuple[str, ...] = (
    *("insurer", "number", "key", "type", "national_number", "national_digits", "last_name", "first_name"),
    *("birth_date", "mandate", *VALUES),
)
_DATA_KEYS = tuple(f"{_json_text(name)}: " for name in _DATA)  # as json.dumps writes them, with its ": "
_JSON_CONSTANTS = {None: "null", True: "true", False: "false"}
_LANGUAGE_KEY = f"{_json_text('language')}: "


@cache
def _telebib() -> dict[str, str]:
    data = json.loads((Path(__file__).parent / "types.json").read_text())
    return {code: entry["type"] for code, entry in data["telebib_x058"].items()}


@cache
def _insurer_code(value: str) -> str:
    return insurer(value).code


_SEPARATORS = str.maketrans("", "", ".- /")


Holder = tuple[str | None, str | None, str | None]  # formatted national number, its digits, ISO birth date


def fast_national_number(
    value: str, year: int | None = None
) -> tuple[str, str, datetime.date | None] | tuple[None, None, None]:
    """(formatted, digits, birth date) of a valid NN or BIS number, as python-stdnum reads it.

    An import reads tens of thousands of holders: the usual case (11 digits, a valid check, a
    complete birth date) is done here in a few microseconds; anything else goes through
    `parse_national_number` (python-stdnum), which also gives the reason of a refusal.
    `year`: this year (read once by the caller; python-stdnum reads the 2000s only for a year
    that has begun). Equivalence with python-stdnum is a property test (tests/test_records.py).
    """
    digits = value.translate(_SEPARATORS)
    if len(digits) == 11 and digits.isdigit() and digits != "99999999999":
        body, check = int(digits[:9]), int(digits[9:])
        recent = int(digits[:2]) + 2000 <= (year or datetime.date.today().year)
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


_CANONICAL_AMOUNT = re.compile(r"(?:0|[1-9][0-9]{0,11})\.[0-9]{2}")  # "2451.50": as it stays
_AMOUNT = re.compile(r"([0-9]{1,12})(?:[.,]([0-9]{1,2}))?")
_CENT = Decimal("0.01")


def _amount(value: str, field: str) -> str | None:
    """The amount with two decimals ("2451.50"), from "2451.5", "2451,50", "1 234,56", ..."""
    if not value:
        return None
    if _CANONICAL_AMOUNT.fullmatch(value):
        return value
    plain = _AMOUNT.fullmatch(value)
    if plain:  # the usual case: digits, maybe a decimal mark and one or two decimals
        units, cents = plain.groups()
        return f"{int(units)}.{(cents or '').ljust(2, '0')}"
    try:
        if any(char.isdigit() and not char.isascii() for char in value):
            raise ValueError(value)  # digits of another script: Decimal would read them
        amount = parse_amount(value, thousands_dot=False)
    except (ValueError, ArithmeticError):
        raise RecordError(
            _("%(field)s: “%(value)s” is not an amount.") % {"field": field, "value": shown(value)}
        ) from None
    if amount < 0 or amount >= Decimal("1e12"):
        raise RecordError(_("%(field)s: “%(value)s” is out of range.") % {"field": field, "value": shown(value)})
    if amount != amount.quantize(_CENT):
        # "12.345" is more likely twelve thousand written with a dot than 12.345 euros: never guess.
        raise RecordError(
            _("%(field)s: “%(value)s” has more than two decimals (write amounts without thousands separators).")
            % {"field": field, "value": shown(value)}
        )
    return f"{amount.quantize(_CENT) + 0:f}"  # + 0: "-0.00" is "0.00"


def _iso_date(value: str) -> str:
    """ "YYYY-MM-DD" from "YYYY-MM-DD" or "DD/MM/YYYY"; ValueError when it is not a date."""
    if len(value) == 10 and value.isascii() and value.replace("-", "").replace("/", "").isdigit():
        if value[4] == "-" and value[7] == "-":
            year, month, day = value[:4], value[5:7], value[8:]
        elif value[2] == "/" and value[5] == "/":
            year, month, day = value[6:], value[3:5], value[:2]
        else:
            raise ValueError(value)
        datetime.date(int(year), int(month), int(day))  # a real day
        return f"{year}-{month}-{day}"
    raise ValueError(value)


class _Missing(enum.Enum):
    MISSING = enum.auto()  # a date not read yet (None is a field left empty)


_MISSING = _Missing.MISSING

# Characters no text field of a record may hold: C0 and C1 controls (NUL, line breaks, tabs, DEL …),
# which PostgreSQL refuses (NUL) or which break the pages and PDFs that show them, and lone surrogates
# (a JSON file may write them as \ud800), which no database can store.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_SHOWN = 60  # characters of a value that a message quotes


def shown(value: str) -> str:
    """A value as a message quotes it: shortened, so that one huge field does not make a huge error list."""
    return value if len(value) <= _SHOWN else value[: _SHOWN - 1] + "…"


@cache
def limits() -> dict[str, int]:
    """The longest text a field may have: the max_length of the column that stores it as written.

    The policy number goes to Policy.number and UnmatchedRecord.number; the names to the holder of an unmatched
    record and, when the broker links it, to a client file (the shorter columns). The other fields are read into
    codes, dates and amounts of a known length (messages quote them shortened).
    """
    from pilier.clients.models import Client
    from pilier.couplings.models import UnmatchedRecord
    from pilier.policies.models import Policy

    def length(model: type[Model], name: str) -> int:
        field = model._meta.get_field(name)
        assert isinstance(field, Field) and field.max_length, f"{model.__name__}.{name} has no length"
        return field.max_length

    return {
        "policy_number": min(length(Policy, "number"), length(UnmatchedRecord, "number")),
        "holder_last_name": length(Client, "last_name"),
        "holder_first_name": length(Client, "first_name"),
        "holder_name": length(UnmatchedRecord, "holder_name"),  # "last first"
    }


def _check_text(values: Sequence[str]) -> None:
    """Refuses a record with a control character, or a field longer than its column (the first such field)."""
    most = limits()
    for name, value in zip(FIELDS, values, strict=True):
        if _CONTROL.search(value):
            raise RecordError(
                _("%(field)s: control characters (a line break, a tab, a NUL byte…) are not allowed.") % {"field": name}
            )
        if name in most and len(value) > most[name]:
            raise RecordError(
                _("%(field)s: %(length)s characters, at most %(max)s are allowed.")
                % {"field": name, "length": len(value), "max": most[name]}
            )
    holder = len(values[5]) + 1 + len(values[6])  # holder_last_name, holder_first_name
    if holder > most["holder_name"]:
        raise RecordError(
            _("holder_last_name and holder_first_name: %(length)s characters together, at most %(max)s are allowed.")
            % {"length": holder, "max": most["holder_name"]}
        )


class RecordReader:
    """Reads the records of one file, in order.

    What a file repeats (insurer and type codes, dates, holders) is read once and remembered; the
    usual record takes dictionary lookups, the first of each value and every error the full check.
    """

    def __init__(self) -> None:
        self.year = datetime.date.today().year
        self.telebib = _telebib()
        self.codes: dict[str, str] = {}  # insurer as written -> code
        self.keys: dict[str, Callable[[str], str]] = {}  # code -> its matching key (policy_number_key)
        self.kinds: dict[str, str] = {}
        self.dates: dict[str, str | None] = {"": None}
        self.holders: dict[str, Holder] = {"": (None, None, None)}
        most = limits()
        self.number_limit = most["policy_number"]
        # Names shorter than this together are within their limits (each, and both as the holder's name).
        self.names_limit = min(most["holder_last_name"], most["holder_first_name"], most["holder_name"] - 1)

    def code(self, value: str) -> str:
        try:
            code = _insurer_code(value)
        except KeyError:
            raise RecordError(_("Unknown insurer “%(value)s”.") % {"value": shown(value)}) from None
        self.codes[value] = code
        self.keys[code] = key_function(code)
        return code

    def kind(self, value: str) -> str:
        kind = value.lower()
        kind = self.telebib.get(kind, kind)
        if kind not in TYPES:
            raise RecordError(_("Unknown product type “%(value)s”.") % {"value": shown(value)})
        self.kinds[value] = kind
        return kind

    def date(self, value: str, field: str) -> str | None:
        try:
            iso = _iso_date(value)
        except ValueError:
            raise RecordError(
                _("%(field)s: “%(value)s” is not a date (YYYY-MM-DD or DD/MM/YYYY).")
                % {"field": field, "value": shown(value)}
            ) from None
        if len(self.dates) >= _CACHED:
            self.dates.clear()
            self.dates[""] = None
        self.dates[value] = iso
        return iso

    def holder(self, value: str) -> Holder:
        """(formatted, digits, ISO birth date) of a national number; Nones for a provisional one."""
        try:
            formatted, digits, born = fast_national_number(value, self.year)
        except InvalidNationalNumber:
            raise RecordError(
                _("holder_national_number: “%(value)s” is not a valid national number.") % {"value": shown(value)}
            ) from None
        if len(self.holders) >= _CACHED:
            self.holders.clear()
            self.holders[""] = (None, None, None)
        self.holders[value] = found = (formatted, digits, born.isoformat() if born else None)
        return found

    def read(self, line: int, raw: Sequence[str]) -> Record:
        """`raw`: the record's fields as text, in FIELDS order (or a Telebib2 message's, that may say why it
        cannot be read: telebib2.TelebibRaw)."""
        if type(raw) is not list and getattr(raw, "rejected", None):
            raise RecordError(raw.rejected)  # type: ignore[attr-defined]
        (
            insurer_text,
            number,
            type_text,
            status_text,
            national_text,
            last_name,
            first_name,
            birth_text,
            start_text,
            end_text,
            premium_text,
            reserves_text,
            reserves_date_text,
            capital_text,
            mandate_text,
        ) = fields = list(map(str.strip, raw))
        # The fields kept as written (the others are read into codes, dates and amounts, that a control character
        # or extra text makes unreadable: see the end): a few tests for the usual record, the field by field check
        # otherwise (isprintable() is also false for a no-break space, which is allowed).
        if (
            len(number) > self.number_limit
            or len(last_name) + len(first_name) > self.names_limit
            or not (number.isprintable() and last_name.isprintable() and first_name.isprintable())
        ):
            _check_text(fields)
        try:
            if not (insurer_text and number and type_text and status_text):
                missing = next(
                    f for f, v in zip(REQUIRED, (insurer_text, number, type_text, status_text), strict=True) if not v
                )
                raise RecordError(_("%(field)s is missing.") % {"field": missing})
            code = self.codes.get(insurer_text) or self.code(insurer_text)
            key = self.keys[code](number)
            if not key:  # no letter or digit
                raise RecordError(_("policy_number: “%(value)s” is not a policy number.") % {"value": shown(number)})
            kind = self.kinds.get(type_text) or self.kind(type_text)
            status = status_text.lower()
            if status not in STATUSES:
                raise RecordError(
                    _("status: “%(value)s” is not one of active, dormant, terminated.") % {"value": shown(status_text)}
                )
            holder = self.holders.get(national_text) or self.holder(national_text)
            dates = self.dates
            birth_date = dates.get(birth_text, _MISSING)
            if birth_date is _MISSING:
                birth_date = self.date(birth_text, "holder_birth_date")
            if birth_date and holder[2] and birth_date != holder[2]:
                raise RecordError(_("holder_birth_date contradicts the national number."))
            mandate = mandate_text.lower()
            if mandate not in _TRUE and mandate not in _FALSE:
                raise RecordError(_("mandate: “%(value)s” is not yes or no.") % {"value": shown(mandate_text)})
            start = dates.get(start_text, _MISSING)
            if start is _MISSING:
                start = self.date(start_text, "start_date")
            end = dates.get(end_text, _MISSING)
            if end is _MISSING:
                end = self.date(end_text, "end_date")
            if end_before_start(start, end):
                raise RecordError(_("end_date is before start_date."))
            reserves_date = dates.get(reserves_date_text, _MISSING)
            if reserves_date is _MISSING:
                reserves_date = self.date(reserves_date_text, "reserves_date")
            values = _policy_values(  # PolicyValues(...) without its Python-level __new__
                (
                    status,
                    start,
                    end,
                    _amount(premium_text, "annual_premium"),
                    _amount(reserves_text, "reserves"),
                    reserves_date,
                    _amount(capital_text, "death_capital"),
                )
            )
            return Record(
                line,
                code,
                number,
                key,
                kind,
                holder[0],
                holder[1],
                last_name,
                first_name,
                birth_date,
                mandate in _TRUE,
                values,
                None if type(raw) is list else getattr(raw, "language", None),
            )
        except RecordError:
            # A value that cannot be read because of a control character, or because it is too long: that is the
            # reason to give (the message would otherwise quote a NUL byte, which PostgreSQL cannot store).
            _check_text(fields)
            raise


def parse_record(line: int, raw: Sequence[str]) -> Record:
    """One record on its own (a file is read with one RecordReader)."""
    return RecordReader().read(line, raw)
