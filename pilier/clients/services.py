"""Writes on client files. Each write normalises and checks its fields itself (the rules of `rules.py`, and what
needs the database: a national or client number already used in the office, assignees of the office) and raises
`ValidationError` keyed by field, with codes, whoever calls it (form, API, import, demo, bench).
`client_validate` runs the same checks without writing: the forms call it to show every error at once."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pilier.accounts.access import Actor, can_see_client
from pilier.accounts.models import Office, User
from pilier.accounts.selectors import office_staff
from pilier.lib.model_update import model_update
from pilier.lib.validation import Errors

from . import rules
from .models import IDENTITY_FIELDS, SOCIAL_STATUS_FIELDS, CareerLine, Client, Income

WRITABLE = IDENTITY_FIELDS + SOCIAL_STATUS_FIELDS
ASSIGNEES = ("account_manager", "file_manager")
NOT_OFFICE_STAFF = _("This person is not a staff member of your office.")

# Who writes: a request's actor or a user (None: a writer without a user, e.g. the demo or an import).
Writer = Actor | User | None


def _user_of(by: Writer) -> User | None:
    if isinstance(by, Actor):
        return by.user if isinstance(by.user, User) else None
    return by


def client_validate(
    *, office: Office | None = None, client: Client | None = None, by: Writer = None, **fields: Any
) -> dict[str, Any]:
    """The fields, normalised and checked, as `client_create` / `client_update` would write them (the birth date
    and gender the national number gives, the company data of a director only ...); nothing is written.

    `office`: the office of a new file (`client` for an existing one). `by`: who writes; their restricted files
    are named in a refusal, and they must stay among the assignees of a restricted file they edit.
    Only the rules that concern the fields given run (the other fields keep their checked values).
    Raises ValidationError keyed by field, with codes."""
    for name in fields:
        if name not in WRITABLE:
            raise TypeError(f"unexpected field {name!r}")
    base = client if client is not None else Client(office=office)
    office_id = base.office_id

    def current(name: str) -> Any:
        return fields[name] if name in fields else getattr(base, name)

    errors = Errors()
    out = dict(fields)
    for name in ("client_number", "last_name", "first_name"):
        if isinstance(out.get(name), str):
            out[name] = out[name].strip()
    if "country" in out:
        out["country"] = rules.country(out["country"])

    national_number = ""  # a national number given, to be checked free in the office
    if {"national_number", "birth_date", "gender"} & fields.keys():
        try:
            identity = rules.identity(
                national_number=current("national_number"),
                birth_date=fields.get("birth_date"),
                gender=fields.get("gender") or "",
            )
        except ValidationError as exc:
            errors.add(exc)
        else:
            out["national_number"] = identity.national_number
            if "birth_date" in fields or identity.birth_date is not None:
                out["birth_date"] = identity.birth_date
            if "gender" in fields or identity.gender != "X":
                out["gender"] = identity.gender
            if "national_number" in fields and not identity.provisional:
                national_number = identity.national_number

    # What needs the database, in two queries whatever the fields: the numbers already used, the assignees.
    client_number = out.get("client_number") or ""
    if national_number or client_number:
        _check_numbers_free(errors, office_id, client, national_number, client_number, by)
    _check_assignees(errors, base, fields)

    if {"restricted_access", *ASSIGNEES} & fields.keys():
        with errors.check():
            rules.check_restricted(
                restricted=current("restricted_access"),
                account_manager=fields.get("account_manager", base.account_manager_id),
                file_manager=fields.get("file_manager", base.file_manager_id),
                editor=_user_of(by),
            )

    if set(SOCIAL_STATUS_FIELDS) & fields.keys():
        try:
            out.update(rules.social_status(**{name: current(name) for name in SOCIAL_STATUS_FIELDS}))
        except ValidationError as exc:
            errors.add(exc)

    errors.raise_if_any()
    return out


def _check_numbers_free(
    errors: Errors, office_id: Any, client: Client | None, national_number: str, client_number: str, by: Writer
) -> None:
    """The national and client numbers given, not already used by another file of the office (one query)."""
    condition = Q()
    if national_number:
        condition |= Q(national_number=national_number)
    if client_number:
        condition |= Q(client_number=client_number)
    clashes = Client.objects.filter(condition, office_id=office_id)
    if client is not None:
        clashes = clashes.exclude(pk=client.pk)
    others = list(clashes.order_by("created_at", "id")[:10])
    same_number = [other for other in others if national_number and other.national_number == national_number]
    if same_number:
        other = same_number[0]
        if not can_see_client(by, other):
            # Whatever the reason (today: a restricted file that is not the writer's), the same refusal, that says
            # neither why nor which file: it must not tell that a restricted file exists.
            message = _("This national number cannot be used for this file. Ask an office admin.")
            errors.add_field("national_number", message, "unavailable")
        else:
            errors.add_field(
                "national_number",
                _("This national number is already used by the file of %(name)s."),
                "duplicate",
                {"name": other.full_name, "client": other},  # the page links to that file
            )
    if client_number and any(other.client_number == client_number for other in others):
        errors.add_field("client_number", _("This client number is already used in your office."), "duplicate")


def _check_assignees(errors: Errors, base: Client, fields: dict[str, Any]) -> None:
    """The assignees given (changed), staff members of the file's office (one query)."""
    named: dict[str, User] = {}
    for name in ASSIGNEES:
        person: User | None = fields.get(name)
        if person is not None and person.pk != getattr(base, f"{name}_id"):
            named[name] = person
    if not named:
        return
    staff = set(office_staff(base.office).filter(pk__in=[p.pk for p in named.values()]).values_list("pk", flat=True))
    for name, person in named.items():
        if person.pk not in staff:
            errors.add_field(name, NOT_OFFICE_STAFF, "not_in_office")


@transaction.atomic
def client_create(*, office: Office, by: Writer = None, **fields: Any) -> Client:
    """A new file: identity, and the social status when given (see `client_validate`)."""
    data = client_validate(office=office, by=by, **fields)
    client = Client(office=office)
    model_update(instance=client, fields=WRITABLE, data=data)
    client.full_clean()
    client.save()
    return client


@transaction.atomic
def client_update(*, client: Client, by: Writer = None, **fields: Any) -> Client:
    """Changes the fields given (see `client_validate`); saves only when something changed."""
    data = client_validate(client=client, by=by, **fields)
    model_update(instance=client, fields=WRITABLE, data=data, save=True)
    return client


def client_set_social_status(*, client: Client, by: Writer = None, **status: Any) -> Client:
    """Step 2 of the wizard: the social status, and the company's data for a company director."""
    return client_update(client=client, by=by, **{k: status.get(k) for k in SOCIAL_STATUS_FIELDS if k in status})


def client_reassign(*, client: Client, account_manager: User | None, file_manager: User | None) -> Client:
    """The office admin's reassignment: a restricted file keeps an assignee (the admin need not be one)."""
    return client_update(client=client, account_manager=account_manager, file_manager=file_manager)


@transaction.atomic
def client_delete(*, client: Client) -> None:
    # The history keeps the deleted file's last state (django-simple-history records deletions).
    client.delete()


# Career lines -------------------------------------------------------------------------------

CAREER_FIELDS = ("from_year", "to_year", "status", "employer", "various_employers", "gross_annual_income")


def career_conflicts(
    *, client: Client, from_year: int, to_year: int | None, status: str, exclude: CareerLine | None = None
) -> list[CareerLine]:
    """The client's lines that a new line would overlap although the statuses cannot be combined."""
    from django.utils import timezone

    from .career import Span, conflicts

    others = client.career_lines.all() if exclude is None else client.career_lines.exclude(pk=exclude.pk)
    lines = {line.span(): line for line in others}
    clashing = conflicts(Span(from_year, to_year, status), list(lines), timezone.localdate().year)
    return [lines[span] for span in clashing]


def _career_save(line: CareerLine, fields: dict[str, Any]) -> CareerLine:
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
def career_line_create(*, client: Client, **fields: Any) -> CareerLine:
    return _career_save(CareerLine(client=client), fields)


@transaction.atomic
def career_line_update(*, line: CareerLine, **fields: Any) -> CareerLine:
    return _career_save(line, fields)


@transaction.atomic
def career_line_delete(*, line: CareerLine) -> None:
    line.delete()


@transaction.atomic
def career_employee_since_studies(*, client: Client, end_of_studies_year: int) -> CareerLine:
    """The common case: always an employee since the end of studies, employers unknown."""
    return career_line_create(
        client=client, from_year=end_of_studies_year, to_year=None, status="employee", various_employers=True
    )


# Incomes --------------------------------------------------------------------------------------

INCOME_FIELDS = ("net_taxable_professional_income", "gross_remuneration", "plci_reference_income")


@transaction.atomic
def income_set(*, client: Client, year: int, user: User | None, **values: Any) -> Income:
    """Creates or updates the income figures of one year; remembers who entered them."""
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
