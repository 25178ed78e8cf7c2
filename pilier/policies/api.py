import datetime
import uuid
from decimal import Decimal
from typing import Annotated, Any

from django.db import models
from django.forms.models import model_to_dict
from django.http import HttpResponse
from django.utils import translation
from ninja import Field, Router, Schema, Status
from pydantic import Strict, WithJsonSchema

from pilier.accounts.access import client_for_user, policy_for_user
from pilier.lib.api_codes import Codes
from pilier.lib.api_errors import FieldErrors, Input
from pilier.lib.money import Amount
from pilier.lib.schema import IsoDate
from pilier.lib.text import Line, Text

from . import services
from .catalogue import TYPES, Section
from .forms import POLICY_FIELDS, PolicyForm
from .insurers import insurers
from .models import PaymentFrequency, Policy, PolicyStatus
from .selectors import policies_of

router = Router(tags=["policies"])
insurers_router = Router(tags=["insurers"])

# Codes from the models' TextChoices and the catalogue (pilier.lib.api_codes): the OpenAPI `enum` lists are
# the choices.
SectionCode = Annotated[str, Codes(Section)]
TypeCode = Annotated[str, Codes(TYPES)]
StatusCode = Annotated[str, Codes(PolicyStatus)]
FrequencyCode = Annotated[str, Codes(PaymentFrequency)]


class PolicyOut(Schema):
    id: uuid.UUID
    client: uuid.UUID = Field(..., alias="client_id")
    section: SectionCode
    type: TypeCode
    insurer: str
    number: str = Field(..., description="As the insurer writes it (normalised)")
    status: StatusCode
    start_date: datetime.date | None
    end_date: datetime.date | None
    annual_premium: Decimal | None
    payment_frequency: FrequencyCode
    reserves: Decimal | None
    reserves_date: datetime.date | None
    death_capital: Decimal | None
    disability_annual_benefit: Decimal | None
    disability_waiting_days: int | None
    beneficiary: str
    is_main: bool
    managed: bool
    mandate: bool
    goal: str
    notes: str


def _column(name: str, *, description: str | None = None, required: bool = False) -> Line:
    """A one-line string as the policy's column holds it (its length, no control character):
    `Annotated[str, _column(name)]`."""
    field = Policy._meta.get_field(name)
    assert isinstance(field, models.Field)  # a column, not a relation
    return Line(field.max_length, description, required=required)


def _no_default(schema: dict) -> None:
    schema.pop("default", None)


def unset(description: str | None = None) -> Any:
    """The default of a field that may be left out but not sent as null (the form would refuse it).
    `Any` for mypy: the field's type says what may be sent; a field left out is never read (the payload
    is taken with `exclude_unset`)."""
    return Field(None, description=description, json_schema_extra=_no_default)


InsurerCode = Annotated[
    str,
    WithJsonSchema(
        {
            "type": "string",
            "enum": [i.code for i in insurers()],
            "description": "Insurer code, see GET /insurers (upper case; lower case is taken too)",
        }
    ),
]
PolicyNumber = Annotated[
    str, _column("number", required=True, description="In the insurer's format (see `number_format` in GET /insurers)")
]


_premium = Policy._meta.get_field("annual_premium")
assert isinstance(_premium, models.DecimalField)
Money = Annotated[Decimal, Amount(_premium.max_digits)]
# Strict: a JSON body says true/false and integers as such ("5", 0 for false are refused as the schema says).
Flag = Annotated[bool, Strict()]
WaitingDays = Annotated[int, Strict(), WithJsonSchema({"type": "integer", "minimum": 0, "maximum": 32767})]


class PolicyPatch(Input):
    section: SectionCode = unset()
    type: TypeCode = unset("One of the section's types")
    insurer: InsurerCode = unset()
    number: PolicyNumber = unset()
    status: StatusCode = unset()
    start_date: IsoDate | None = None
    end_date: IsoDate | None = None
    annual_premium: Money | None = None
    payment_frequency: FrequencyCode = unset()
    reserves: Money | None = None
    reserves_date: IsoDate | None = None
    death_capital: Money | None = None
    disability_annual_benefit: Money | None = None
    disability_waiting_days: WaitingDays | None = None
    beneficiary: Annotated[str, Text()] | None = None
    is_main: Flag | None = None
    managed: Flag | None = None
    mandate: Flag | None = None
    goal: Annotated[str, _column("goal")] | None = None
    notes: Annotated[str, Text()] | None = None


class PolicyIn(PolicyPatch):
    section: SectionCode
    type: TypeCode
    insurer: InsurerCode
    number: PolicyNumber


_TEXT = {"beneficiary", "goal", "notes", "number", "insurer"}


def _validated(request, client, payload: dict, policy=None) -> dict:
    """The same validation as the page: section and type, the insurer's number format, duplicates."""
    data = model_to_dict(policy, fields=POLICY_FIELDS) if policy else {"managed": True, "status": "active"}
    data.setdefault("payment_frequency", "yearly")
    data.setdefault("status", "active")
    if "insurer" in payload and payload["insurer"]:
        payload["insurer"] = payload["insurer"].upper()
    data.update({k: ("" if v is None and k in _TEXT else v) for k, v in payload.items()})
    form = PolicyForm(data=data, instance=policy, client=client, user=request.user)
    if not form.is_valid():
        raise FieldErrors({k: [str(m) for m in v] for k, v in form.errors.items()})
    fields = dict(form.cleaned_data)
    if "is_main" not in payload:
        fields["is_main"] = None if policy else False
    return fields


@router.get("/clients/{client_id}/policies", response=list[PolicyOut], summary="The client's policies")
def list_policies(request, client_id: uuid.UUID):
    return policies_of(client_for_user(request.actor, client_id))


@router.post("/clients/{client_id}/policies", response={201: PolicyOut}, summary="Add a policy")
def create_policy(request, client_id: uuid.UUID, payload: PolicyIn):
    client = client_for_user(request.actor, client_id, write=True)
    fields = _validated(request, client, payload.dict(exclude_unset=True))
    # What the service refuses beyond the form is a 422 too: pilier.lib.api_errors answers its ValidationError.
    return Status(201, services.policy_create(client=client, by=request.actor, **fields))


@router.get("/policies/{policy_id}", response=PolicyOut, summary="One policy")
def get_policy(request, policy_id: uuid.UUID):
    return policy_for_user(request.actor, policy_id)


@router.patch("/policies/{policy_id}", response=PolicyOut, summary="Change a policy (is_main: true makes it main)")
def update_policy(request, policy_id: uuid.UUID, payload: PolicyPatch):
    policy = policy_for_user(request.actor, policy_id, write=True)
    fields = _validated(request, policy.client, payload.dict(exclude_unset=True), policy)
    return services.policy_update(policy=policy, by=request.actor, **fields)


@router.delete("/policies/{policy_id}", response={204: None}, summary="Delete a policy (kept in the history)")
def delete_policy(request, policy_id: uuid.UUID):
    services.policy_delete(policy=policy_for_user(request.actor, policy_id, write=True))
    return HttpResponse(status=204)


class InsurerOut(Schema):
    code: str
    name: str
    enterprise_number: str | None
    number_format: str
    example: str
    hint: str = Field(..., description="In the caller's language")
    hints: dict[str, str]
    source: str


@insurers_router.get("", response=list[InsurerOut], summary="Insurers with their policy-number formats")
def list_insurers(request):
    language = translation.get_language() or "fr"
    return [
        {
            "code": i.code,
            "name": i.name,
            "enterprise_number": i.enterprise_number,
            "number_format": i.number_format,
            "example": i.example,
            "hint": i.hint_in(language),
            "hints": dict(i.hint),
            "source": i.source,
        }
        for i in insurers()
    ]
