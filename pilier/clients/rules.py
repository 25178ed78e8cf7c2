"""The rules of a client file, pure: no database access. The services call them; so may any writer.

Each check raises `django.core.exceptions.ValidationError` keyed by the field it is about, with a code, and
the normalisers return the values as the file keeps them:

- ``read_national_number(value) -> NationalNumber``: an NN or BIS number in any usual writing, or the placeholder
  99.99.99-999.99 (provisional); else ``{"national_number": code "invalid"}``.
- ``identity(national_number=, birth_date=, gender=, today=) -> Identity``: the number formatted, and the birth
  date and gender it encodes (a given one that contradicts it: ``{"birth_date" | "gender": code "contradicts"}``;
  a birth date in the future: ``{"birth_date": code "future"}``); a gender nobody gives is "X" (unknown).
- ``check_restricted(restricted=, account_manager=, file_manager=, editor=None)``: a file with restricted access
  needs an assignee (``{"restricted_access": code "needs_assignee"}``) and, when ``editor`` is given, the editor
  among them (``code "editor_not_assigned"``: they would no longer see the file).
- ``social_status(social_status=, fiscal_year_start=, fiscal_year_end=, company_name=, enterprise_number=)``:
  the company's data belong to a company director only (cleared otherwise); a director needs the dates of the
  company's current financial year (``code "required"``), which ends after it starts (``"end_before_start"``)
  and lasts at most 24 months (``"too_long"``); the enterprise number written 0xxx.xxx.xxx (``"invalid"``,
  ``read_enterprise_number(value)``).
- ``country(value)``: an ISO code in capitals.
"""

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from pilier.accounts.models import User
from pilier.lib.validation import Errors

from .identifiers import InvalidNationalNumber, NationalNumber, clean_enterprise_number, parse_national_number
from .models import Gender, SocialStatus

NATIONAL_NUMBER_ERRORS = {
    "format": _("A national number has only digits, dots and dashes."),
    "length": _("A national number has 11 digits (YY.MM.DD-SSS.CC)."),
    "checksum": _("This is not a valid national register or BIS number (check digits)."),
}
NEEDS_ASSIGNEE = _("A file with restricted access needs an account manager or a file manager.")
EDITOR_NOT_ASSIGNED = _("You would no longer see this file: make yourself its account manager or file manager.")
DIRECTOR_NEEDS_DATES = _("A company director needs the dates of the company's current financial year.")
FINANCIAL_YEAR_MONTHS = 24
COMPANY_FIELDS = ("fiscal_year_start", "fiscal_year_end", "company_name", "enterprise_number")


@dataclass(frozen=True)
class Identity:
    national_number: str  # YY.MM.DD-SSS.CC, or the placeholder
    provisional: bool
    birth_date: datetime.date | None
    gender: str  # "M", "F" or "X"


def read_national_number(value: str) -> NationalNumber:
    try:
        return parse_national_number(value)
    except InvalidNationalNumber as exc:
        error = ValidationError(NATIONAL_NUMBER_ERRORS[str(exc)], code="invalid")
        raise ValidationError({"national_number": error}) from None


def identity(
    *,
    national_number: str,
    birth_date: datetime.date | None = None,
    gender: str = "",
    today: datetime.date | None = None,
) -> Identity:
    """The identity the number gives, with the birth date and gender given (None/"": from the number)."""
    errors = Errors()
    number: NationalNumber | None = None
    with errors.check():
        number = read_national_number(national_number)
    if number is not None and number.birth_date:
        if birth_date and birth_date != number.birth_date:
            errors.add_field(
                "birth_date",
                _("The national number gives %(date)s as birth date."),
                "contradicts",
                {"date": number.birth_date.strftime("%d/%m/%Y")},
            )
        else:
            birth_date = number.birth_date
    if number is not None and number.gender:
        if gender and gender not in (number.gender, Gender.UNKNOWN):
            errors.add_field("gender", _("The national number gives another gender."), "contradicts")
        else:
            gender = number.gender
    if birth_date and "birth_date" not in errors and birth_date > (today or datetime.date.today()):
        errors.add_field("birth_date", _("The birth date is in the future."), "future")
    errors.raise_if_any()
    assert number is not None
    return Identity(number.formatted, number.provisional, birth_date, gender or Gender.UNKNOWN)


# An assignee as a writer has it: the user, or their id (a bulk row's).
Assignee = User | uuid.UUID


def _pk(user: Assignee) -> uuid.UUID:
    return user.id if isinstance(user, User) else user


def check_restricted(
    *, restricted: bool, account_manager: Assignee | None, file_manager: Assignee | None, editor: Assignee | None = None
) -> None:
    """Users or their ids; `editor`: who writes (None: nobody to keep among the assignees, e.g. an admin's
    reassignment or an import)."""
    if not restricted:
        return
    assignees = {_pk(u) for u in (account_manager, file_manager) if u is not None}
    if not assignees:
        raise ValidationError({"restricted_access": ValidationError(NEEDS_ASSIGNEE, code="needs_assignee")})
    if editor is not None and _pk(editor) not in assignees:
        raise ValidationError({"restricted_access": ValidationError(EDITOR_NOT_ASSIGNED, code="editor_not_assigned")})


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def read_enterprise_number(value: str) -> str:
    """0xxx.xxx.xxx, or "" when not given."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        return clean_enterprise_number(value)
    except ValueError:
        error = ValidationError(_("This is not a valid enterprise number (0xxx.xxx.xxx)."), code="invalid")
        raise ValidationError({"enterprise_number": error}) from None


def social_status(
    *,
    social_status: str,
    fiscal_year_start: datetime.date | None = None,
    fiscal_year_end: datetime.date | None = None,
    company_name: str = "",
    enterprise_number: str = "",
) -> dict[str, Any]:
    """The five social-status fields as the file keeps them."""
    errors = Errors()
    number = ""
    with errors.check():
        number = read_enterprise_number(enterprise_number)  # refused even when it is not kept (as it always was)
    if social_status != SocialStatus.COMPANY_DIRECTOR:
        errors.raise_if_any()
        # Company data belong to a company director only.
        return {
            "social_status": social_status,
            "fiscal_year_start": None,
            "fiscal_year_end": None,
            "company_name": "",
            "enterprise_number": "",
        }
    fields: dict[str, Any] = {
        "social_status": social_status,
        "fiscal_year_start": fiscal_year_start,
        "fiscal_year_end": fiscal_year_end,
        "company_name": (company_name or "").strip(),
        "enterprise_number": number,
    }
    for field in ("fiscal_year_start", "fiscal_year_end"):
        if not fields[field]:
            errors.add_field(field, DIRECTOR_NEEDS_DATES, "required")
    start, end = fiscal_year_start, fiscal_year_end
    if start and end:
        if end <= start:
            errors.add_field("fiscal_year_end", _("The financial year must end after it starts."), "end_before_start")
        elif end >= add_months(start, FINANCIAL_YEAR_MONTHS):
            errors.add_field("fiscal_year_end", _("A financial year lasts at most 24 months."), "too_long")
        elif end < datetime.date.today():
            errors.add_field(
                "fiscal_year_end",
                _("This financial year is over: give the current financial year or the next one."),
                "past",
            )
        elif start > add_months(datetime.date.today(), 12):
            errors.add_field(
                "fiscal_year_start",
                _("This financial year starts too far ahead: give the current financial year or the next one."),
                "too_far",
            )
    errors.raise_if_any()
    return fields


def country(value: str) -> str:
    return (value or "").strip().upper()
