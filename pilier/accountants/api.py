"""The accountants' directory in the API, shared by every office: search it, add an accountant. The answer is
the accountant's public card only (never the offices or files they work with); a refused entry is a 422 with
its reason per field (an enterprise number whose check digits are wrong, an e-mail already in the directory)."""

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from pilier.accounts.access import office_for_user, request_actor
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
