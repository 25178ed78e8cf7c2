"""Writes on client files. Validation of user input happens in the forms (shared by pages and API);
these functions still `full_clean()` so that nothing invalid reaches the database."""

from django.db import transaction

from .models import IDENTITY_FIELDS, SOCIAL_STATUS_FIELDS, Client


def _apply(client: Client, fields: dict, allowed: tuple[str, ...]) -> list[str]:
    changed = []
    for name, value in fields.items():
        if name not in allowed:
            raise TypeError(f"unexpected field {name!r}")
        if getattr(client, name) != value:
            setattr(client, name, value)
            changed.append(name)
    return changed


@transaction.atomic
def client_create(*, office, **fields) -> Client:
    status = {k: fields.pop(k) for k in SOCIAL_STATUS_FIELDS if k in fields}
    client = Client(office=office)
    _apply(client, fields, IDENTITY_FIELDS)
    _apply(client, status, SOCIAL_STATUS_FIELDS)
    client.full_clean()
    client.save()
    return client


@transaction.atomic
def client_update(*, client: Client, **fields) -> Client:
    changed = _apply(client, fields, IDENTITY_FIELDS + SOCIAL_STATUS_FIELDS)
    if changed:
        client.full_clean()
        client.save()
    return client


def client_set_social_status(*, client: Client, **status) -> Client:
    return client_update(client=client, **{k: status.get(k) for k in SOCIAL_STATUS_FIELDS if k in status})


def client_reassign(*, client: Client, account_manager, file_manager) -> Client:
    return client_update(client=client, account_manager=account_manager, file_manager=file_manager)


@transaction.atomic
def client_delete(*, client: Client) -> None:
    # The history keeps the deleted file's last state (django-simple-history records deletions).
    client.delete()


# Career lines -------------------------------------------------------------------------------

CAREER_FIELDS = ("from_year", "to_year", "status", "employer", "various_employers", "gross_annual_income")


def career_conflicts(*, client: Client, from_year: int, to_year: int | None, status: str, exclude=None) -> list:
    """The client's lines that a new line would overlap although the statuses cannot be combined."""
    from django.utils import timezone

    from .career import Span, conflicts

    lines = {line.span(): line for line in client.career_lines.exclude(pk=getattr(exclude, "pk", None))}
    clashing = conflicts(Span(from_year, to_year, status), list(lines), timezone.localdate().year)
    return [lines[span] for span in clashing]


def _career_save(line, fields: dict):
    from django.core.exceptions import ValidationError

    for name, value in fields.items():
        if name not in CAREER_FIELDS:
            raise TypeError(f"unexpected field {name!r}")
        setattr(line, name, value)
    clashes = career_conflicts(
        client=line.client, from_year=line.from_year, to_year=line.to_year, status=line.status, exclude=line
    )
    if clashes:
        raise ValidationError({"from_year": f"overlaps {clashes[0]}"})
    line.full_clean()
    line.save()
    return line


@transaction.atomic
def career_line_create(*, client: Client, **fields):
    from .models import CareerLine

    return _career_save(CareerLine(client=client), fields)


@transaction.atomic
def career_line_update(*, line, **fields):
    return _career_save(line, fields)


@transaction.atomic
def career_line_delete(*, line) -> None:
    line.delete()


@transaction.atomic
def career_employee_since_studies(*, client: Client, end_of_studies_year: int):
    """The common case: always an employee since the end of studies, employers unknown."""
    return career_line_create(
        client=client, from_year=end_of_studies_year, to_year=None, status="employee", various_employers=True
    )


# Incomes --------------------------------------------------------------------------------------

INCOME_FIELDS = ("net_taxable_professional_income", "gross_remuneration", "plci_reference_income")


@transaction.atomic
def income_set(*, client: Client, year: int, user, **values):
    """Creates or updates the income figures of one year; remembers who entered them."""
    from .models import Income

    income = Income.objects.select_for_update().filter(client=client, year=year).first() or Income(
        client=client, year=year
    )
    for name, value in values.items():
        if name not in INCOME_FIELDS:
            raise TypeError(f"unexpected field {name!r}")
        setattr(income, name, value)
    income.entered_by = user
    income.full_clean()
    income.save()
    return income
