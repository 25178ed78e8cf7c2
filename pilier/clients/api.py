import datetime
import uuid
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.db import models
from django.db.models import Prefetch
from django.forms.models import model_to_dict
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Strict

from pilier.accounts.access import (
    career_line_for_user,
    client_for_incomes,
    client_for_user,
    office_for_user,
    request_actor,
)
from pilier.accounts.models import User
from pilier.accounts.selectors import office_staff
from pilier.lib.api_codes import Codes
from pilier.lib.api_errors import FieldErrors, Input
from pilier.lib.money import Amount
from pilier.lib.pagination import LimitOffset
from pilier.lib.schema import IsoDate
from pilier.lib.text import Line, line_errors
from pilier.policies.models import Policy
from pilier.policies.services import main_policy_todos

from . import services
from .forms import INCOME_DIGITS, CareerLineForm, ClientIdentityForm, IncomeForm, SocialStatusForm
from .models import CareerLine, CareerStatus, Client, ClientLanguage, Gender, SocialStatus
from .selectors import client_list

router = Router(tags=["clients"])
SEARCH_LENGTH = 200

# Codes from the models' TextChoices (pilier.lib.api_codes): the OpenAPI `enum` lists are the choices.
StatusCode = Annotated[str, Codes(SocialStatus)]
GenderCode = Annotated[str, Codes(Gender)]
LanguageCode = Annotated[str, Codes(ClientLanguage)]


class Address(Schema):
    street: str = ""
    number: str = ""
    box: str = ""
    postcode: str = ""
    municipality: str = ""
    country: str = "BE"


def _column(
    name: str,
    model: type[models.Model] = Client,
    *,
    description: str | None = None,
    required: bool = False,
    pattern: str = "",
) -> Line:
    """A one-line string as the model's column holds it (its length, no control character):
    `Annotated[str, _column(name)]`."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)  # a column, not a relation
    return Line(field.max_length, description, required=required, pattern=pattern)


def _no_default(schema: dict) -> None:
    schema.pop("default", None)


def unset() -> Any:
    """The default of a field that may be left out but not sent as null (the form would refuse it):
    the schema states neither null nor a default. `Any` for mypy: the field's type says what may be sent;
    a field left out is never read (the payload is taken with `exclude_unset`)."""
    return Field(None, json_schema_extra=_no_default)


# Digits (11 of them), spaces, dots, dashes and slashes, as the national register writes them.
NATIONAL_NUMBER_PATTERN = r"^[ ./-]*(?:[0-9][ ./-]*){11}$"
NationalNumber = Annotated[
    str,
    Line(
        20,
        "NN or BIS number (11 digits, with valid check digits), or 99.99.99-999.99 when not known yet; "
        "it gives the birth date and the gender",
        pattern=NATIONAL_NUMBER_PATTERN,
    ),
]


class AddressPatch(Input):
    street: Annotated[str, _column("street")] | None = None
    number: Annotated[str, _column("house_number")] | None = None
    box: Annotated[str, _column("box")] | None = None
    postcode: Annotated[str, _column("postcode")] | None = None
    municipality: Annotated[str, _column("municipality")] | None = None
    country: Annotated[str, _column("country", required=True, description="ISO code, e.g. BE")] = unset()


class SocialStatusOut(Schema):
    code: StatusCode | None
    fiscal_year_start: datetime.date | None
    fiscal_year_end: datetime.date | None
    company_name: str
    enterprise_number: str


class SocialStatusIn(Input):
    code: StatusCode
    fiscal_year_start: IsoDate | None = None
    fiscal_year_end: IsoDate | None = None
    company_name: Annotated[str, _column("company_name")] = ""
    enterprise_number: Annotated[
        str,
        _column(
            "enterprise_number",
            pattern=r"^$|^[ ./-]*(?:[0-9][ ./-]*){9,10}$",
            description="0xxx.xxx.xxx, with valid check digits (company directors)",
        ),
    ] = ""


class ClientOut(Schema):
    id: uuid.UUID
    client_number: str
    national_number: str
    national_number_provisional: bool
    first_name: str
    last_name: str
    birth_date: datetime.date | None
    gender: GenderCode
    language: LanguageCode
    email: str
    phone: str
    address: Address
    account_manager: str | None = Field(None, description="E-mail of the staff member")
    file_manager: str | None = Field(None, description="E-mail of the staff member")
    restricted_access: bool
    social_status: SocialStatusOut | None = Field(None, description="null until step 2 is done")
    todos: list[str]
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_address(obj: Client):
        return {
            "street": obj.street,
            "number": obj.house_number,
            "box": obj.box,
            "postcode": obj.postcode,
            "municipality": obj.municipality,
            "country": obj.country,
        }

    @staticmethod
    def resolve_account_manager(obj: Client) -> str | None:
        manager = obj.account_manager  # None without a query when the file has none
        return manager.email if manager is not None else None

    @staticmethod
    def resolve_file_manager(obj: Client) -> str | None:
        manager = obj.file_manager  # None without a query when the file has none
        return manager.email if manager is not None else None

    @staticmethod
    def resolve_social_status(obj: Client):
        if not obj.social_status:
            return None
        return {
            "code": obj.social_status,
            "fiscal_year_start": obj.fiscal_year_start,
            "fiscal_year_end": obj.fiscal_year_end,
            "company_name": obj.company_name,
            "enterprise_number": obj.enterprise_number,
        }

    @staticmethod
    def resolve_todos(obj: Client):
        return [str(t) for t in obj.todos() + main_policy_todos(obj.policies.all())]


class ClientPatch(Input):
    client_number: Annotated[str, _column("client_number")] | None = None
    national_number: NationalNumber = unset()
    first_name: Annotated[str, _column("first_name", required=True)] = unset()
    last_name: Annotated[str, _column("last_name", required=True)] = unset()
    birth_date: IsoDate | None = None
    gender: GenderCode | None = None
    language: LanguageCode = unset()
    email: Annotated[str, _column("email")] | None = None
    phone: Annotated[str, _column("phone")] | None = None
    address: AddressPatch | None = None
    account_manager: str | None = Field(None, description="E-mail of a staff member of the office")
    file_manager: str | None = Field(None, description="E-mail of a staff member of the office")
    restricted_access: Annotated[bool, Strict()] | None = None
    social_status: SocialStatusIn | None = None


class ClientIn(ClientPatch):
    national_number: NationalNumber
    first_name: Annotated[str, _column("first_name", required=True)]
    last_name: Annotated[str, _column("last_name", required=True)]


ADDRESS_FIELDS = {
    "street": "street",
    "number": "house_number",
    "box": "box",
    "postcode": "postcode",
    "municipality": "municipality",
    "country": "country",
}


def _form_data(payload: dict, base: dict, office) -> tuple[dict, dict[str, list[str]]]:
    """API fields → the identity form's data (the same validation as the pages)."""
    data, errors = dict(base), {}
    address = payload.pop("address", None) or {}
    for key, value in address.items():
        if value is not None:
            data[ADDRESS_FIELDS[key]] = value
    staff = None
    for key in ("account_manager", "file_manager"):
        if key in payload:
            email = payload.pop(key)
            if not email:
                data[key] = None
                continue
            staff = staff if staff is not None else {u.email.lower(): u.pk for u in office_staff(office)}
            if email.lower() not in staff:
                errors[key] = [_("No staff member of your office has this e-mail.")]
            else:
                data[key] = staff[email.lower()]
    data.update({k: ("" if v is None and k not in ("birth_date",) else v) for k, v in payload.items()})
    return data, errors


def _errors(form, prefix: str = "") -> dict[str, list[str]]:
    out = {}
    for field, messages in form.errors.items():
        name = ADDRESS_API_NAMES.get(field, field)
        out[f"{prefix}{name}"] = [str(m) for m in messages]
    return out


ADDRESS_API_NAMES = {v: f"address.{k}" for k, v in ADDRESS_FIELDS.items()}


def _validate(request, payload: dict, instance: Client | None):
    """Validates identity and social status together; nothing is written unless both are valid."""
    status_payload = payload.pop("social_status", None)
    if instance is None:
        base = {"country": "BE", "language": "fr", "restricted_access": False}
    else:
        base = model_to_dict(instance, fields=ClientIdentityForm.Meta.fields)
        if "national_number" in payload:
            # A new number gives its own birth date and gender unless they are sent too.
            base.pop("birth_date", None)
            base.pop("gender", None)
    data, errors = _form_data(payload, base, request.office)
    form = ClientIdentityForm(data=data, instance=instance, office=request.office, user=request.user)
    errors.update(_errors(form) if not form.is_valid() else {})
    status_form = None
    if status_payload is not None:
        status_data = {
            "social_status": status_payload["code"],
            "fiscal_year_start": status_payload.get("fiscal_year_start"),
            "fiscal_year_end": status_payload.get("fiscal_year_end"),
            "company_name": status_payload.get("company_name") or "",
            "enterprise_number": status_payload.get("enterprise_number") or "",
        }
        status_form = SocialStatusForm(data=status_data, instance=instance)
        if not status_form.is_valid():
            errors.update(
                {
                    f"social_status.{'code' if k == 'social_status' else k}": [str(m) for m in v]
                    for k, v in status_form.errors.items()
                }
            )
    if errors:
        raise FieldErrors(errors)
    fields = dict(form.cleaned_data)
    if status_form is not None:
        fields.update(status_form.cleaned_data)
    return fields


def _get(request, client_id, *, write: bool = False) -> Client:
    return client_for_user(request.actor, client_id, write=write)


@router.get("", response=list[ClientOut], summary="List the client files you can see")
@paginate(LimitOffset)
def list_clients(
    request,
    search: Annotated[str, Line(SEARCH_LENGTH)] = "",
    sort: Literal["name", "-name", "number", "-number", "created", "-created"] = "name",
):
    errors = line_errors(search, max_length=SEARCH_LENGTH)
    if errors:
        raise FieldErrors({"search": errors})
    return client_list(actor=request.actor, query=search, sort=sort).prefetch_related(
        Prefetch("policies", queryset=Policy.objects.only("id", "client_id", "main_group", "is_main"))
    )


@router.post("", response={201: ClientOut}, summary="Create a client file (identity, optionally the social status)")
def create_client(request, payload: ClientIn):
    office = office_for_user(request.actor, write=True)
    fields = _validate(request, payload.dict(exclude_unset=True), None)
    client = services.client_create(office=office, by=request.actor, **fields)
    return Status(201, _get(request, client.pk))


@router.get("/{client_id}", response=ClientOut, summary="One client file")
def get_client(request, client_id: uuid.UUID):
    return _get(request, client_id)


@router.patch("/{client_id}", response=ClientOut, summary="Change some fields of a client file")
def update_client(request, client_id: uuid.UUID, payload: ClientPatch):
    client = _get(request, client_id, write=True)
    fields = _validate(request, payload.dict(exclude_unset=True), client)
    services.client_update(client=client, by=request.actor, **fields)
    return _get(request, client.pk)


@router.delete("/{client_id}", response={204: None}, summary="Delete a client file (kept in the history)")
def delete_client(request, client_id: uuid.UUID):
    services.client_delete(client=_get(request, client_id, write=True))
    return HttpResponse(status=204)


# Career lines -------------------------------------------------------------------------------

CareerStatusCode = Annotated[str, Codes(CareerStatus)]


class CareerLineOut(Schema):
    id: uuid.UUID
    from_year: int
    to_year: int | None = Field(None, description="null while ongoing")
    status: CareerStatusCode
    employer: str
    various_employers: bool
    gross_annual_income: Decimal | None


class _CareerYear:
    """The years the form takes: from the one the client turns 14 (1940 without a birth date) to this one."""

    @staticmethod
    def __get_pydantic_json_schema__(core_schema, handler):
        return {
            "type": "integer",
            "minimum": 1940,
            "maximum": timezone.localdate().year,
            "description": "From the year the client turns 14 (1940 without a birth date) to this year; "
            "a line may not overlap another whose status cannot be combined with its own",
        }


# Strict: "2005" or 2005.0 is refused, as the schema says.
Year = Annotated[int, Strict(), _CareerYear]


class CareerLinePatch(Input):
    from_year: Year = unset()
    to_year: Year | None = Field(None, description="null while ongoing; not before from_year")
    status: CareerStatusCode = unset()
    employer: Annotated[str, _column("employer", CareerLine)] | None = None
    gross_annual_income: Annotated[Decimal, Amount(12)] | None = None


class CareerLineIn(CareerLinePatch):
    from_year: Year
    status: CareerStatusCode


def _career_fields(request, client, payload: dict, line=None) -> dict:
    data = model_to_dict(line, fields=CareerLineForm.Meta.fields) if line else {}
    data.update({k: ("" if v is None and k == "employer" else v) for k, v in payload.items()})
    form = CareerLineForm(data=data, instance=line, client=client)
    if not form.is_valid():
        raise FieldErrors({k: [str(m) for m in v] for k, v in form.errors.items()})
    return form.cleaned_data


@router.get("/{client_id}/career-lines", response=list[CareerLineOut], tags=["career"], summary="The career lines")
def list_career_lines(request, client_id: uuid.UUID):
    return list(_get(request, client_id).career_lines.all())


@router.post("/{client_id}/career-lines", response={201: CareerLineOut}, tags=["career"], summary="Add a line")
def create_career_line(request, client_id: uuid.UUID, payload: CareerLineIn):
    client = _get(request, client_id, write=True)
    fields = _career_fields(request, client, payload.dict(exclude_unset=True))
    return Status(201, services.career_line_create(client=client, **fields))


@router.patch("/{client_id}/career-lines/{line_id}", response=CareerLineOut, tags=["career"], summary="Change a line")
def update_career_line(request, client_id: uuid.UUID, line_id: uuid.UUID, payload: CareerLinePatch):
    client = _get(request, client_id, write=True)
    line = career_line_for_user(request.actor, client, line_id, write=True)
    fields = _career_fields(request, client, payload.dict(exclude_unset=True), line)
    return services.career_line_update(line=line, **fields)


@router.delete("/{client_id}/career-lines/{line_id}", response={204: None}, tags=["career"], summary="Delete a line")
def delete_career_line(request, client_id: uuid.UUID, line_id: uuid.UUID):
    client = _get(request, client_id, write=True)
    services.career_line_delete(line=career_line_for_user(request.actor, client, line_id, write=True))
    return HttpResponse(status=204)


# Incomes --------------------------------------------------------------------------------------

Income = Annotated[Decimal, Amount(INCOME_DIGITS)]
INCOME_YEARS = (1950, 2100)


class IncomeIn(Input):
    net_taxable_professional_income: Income | None = None
    gross_remuneration: Income | None = Field(None, description="company directors")
    plci_reference_income: Income | None = Field(
        None, description="the revalued income on the social security fund's invoice; takes precedence"
    )


class IncomeOut(Schema):
    net_taxable_professional_income: Decimal | None = None
    gross_remuneration: Decimal | None = Field(None, description="company directors")
    plci_reference_income: Decimal | None = Field(
        None, description="the revalued income on the social security fund's invoice; takes precedence"
    )
    year: int
    entered_by: str | None
    entered_at: datetime.datetime


@router.put("/{client_id}/incomes/{year}", response=IncomeOut, summary="Set the income figures of a year")
def put_income(
    request: HttpRequest,
    client_id: uuid.UUID,
    payload: IncomeIn,
    year: int = Path(..., ge=INCOME_YEARS[0], le=INCOME_YEARS[1]),
) -> dict[str, object]:
    actor = request_actor(request)
    client = client_for_incomes(actor, client_id, write=True)  # an accountant gives incomes too
    if not INCOME_YEARS[0] <= year <= INCOME_YEARS[1]:
        raise Http404
    form = IncomeForm(data={k: ("" if v is None else v) for k, v in payload.dict().items()})
    if not form.is_valid():
        raise FieldErrors({k: [str(m) for m in v] for k, v in form.errors.items()})
    user = actor.user if isinstance(actor.user, User) else None  # the author of the figures
    income = services.income_set(client=client, year=year, user=user, **form.cleaned_data)
    return {
        "year": income.year,
        "net_taxable_professional_income": income.net_taxable_professional_income,
        "gross_remuneration": income.gross_remuneration,
        "plci_reference_income": income.plci_reference_income,
        "entered_by": income.entered_by.email if income.entered_by else None,
        "entered_at": income.entered_at,
    }
