"""The accountants' directory in the API, shared by every office: search it, add an accountant. The answer is
the accountant's public card only (never the offices or files they work with); a refused entry is a 422 with
its reason per field (an enterprise number whose check digits are wrong, an e-mail already in the directory)."""

import uuid
from typing import Annotated

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status
from pydantic import Strict

from pilier.accounts.access import client_for_user, office_for_user, request_actor
from pilier.lib.api_errors import Input

from . import services
from .models import Accountant

router = Router(tags=["Accountants"])


class AccountantIn(Input):
    name: str = Field(..., max_length=200)
    firm: str = Field("", max_length=200)
    enterprise_number: str = Field(..., max_length=20, description="Belgian enterprise number; check digits verified")
    itaa_number: str = Field("", max_length=20)
    email: str = Field(..., max_length=254)
    phone: str = Field("", max_length=40)
    street: str = Field("", max_length=200)
    number: str = Field("", max_length=20)
    postcode: str = Field("", max_length=10)
    municipality: str = Field("", max_length=120)


class AccountantOut(Schema):
    id: str
    name: str
    firm: str
    enterprise_number: str
    itaa_number: str
    email: str
    phone: str
    street: str
    number: str
    postcode: str
    municipality: str


def accountant_out(row: Accountant) -> dict[str, str]:
    return {"id": str(row.pk), **{name: getattr(row, name) for name in services.FIELDS}}


@router.get("/accountants", response=list[AccountantOut], summary="Search the accountants' directory")
def get_accountants(request: HttpRequest, search: str = "") -> list[dict[str, str]]:
    office_for_user(request_actor(request))  # staff of an office only
    return [accountant_out(r) for r in services.accountant_search(search)]


@router.post("/accountants", response={201: AccountantOut}, summary="Add an accountant to the directory")
def post_accountant(request: HttpRequest, payload: AccountantIn) -> Status:
    office_for_user(request_actor(request), write=True)
    return Status(201, accountant_out(services.accountant_create(**payload.dict())))


class FileAccountantIn(Input):
    accountant: str = Field(..., max_length=36, description="The id of an accountant of the directory")
    invite: Annotated[bool, Strict()] = Field(False, description="true: not available yet (refused with its reason)")


class FileAccountantOut(Schema):
    accountant: AccountantOut
    invited: bool
    set_by: str | None
    set_at: str


@router.put(
    "/clients/{client_id}/accountant",
    response=FileAccountantOut,
    summary="Record the file's accountant (PRO follow-up only)",
)
def put_file_accountant(request: HttpRequest, client_id: uuid.UUID, payload: FileAccountantIn) -> dict[str, object]:
    actor = request_actor(request)
    client = client_for_user(actor, client_id, write=True)
    row = services.file_accountant_set(client=client, accountant_id=payload.accountant, invite=payload.invite, by=actor)
    return {
        "accountant": accountant_out(row.accountant),
        "invited": row.invited_at is not None,
        "set_by": row.set_by.email if row.set_by else None,
        "set_at": row.set_at.isoformat(),
    }


@router.delete("/clients/{client_id}/accountant", response={204: None}, summary="Remove the file's accountant")
def delete_file_accountant(request: HttpRequest, client_id: uuid.UUID) -> HttpResponse:
    actor = request_actor(request)
    client = client_for_user(actor, client_id, write=True)
    services.file_accountant_remove(client=client, by=actor)
    return HttpResponse(status=204)
