"""PRO follow-up in the API: a file's follow-up (on / off), its status per year, the dashboard's counts and list.
The same access helpers and services as the pages: another office's file or a restricted one not yours is 404,
a refused change 422 with its reason."""

import uuid
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import Strict

from pilier.accounts.access import client_for_user, office_for_user, request_actor
from pilier.analysis.api import RulesYear
from pilier.lib.api_errors import FieldErrors, Input

from . import selectors, services
from .models import Flow, FollowUpYear, Status

router = Router(tags=["PRO follow-up"])


class ActiveIn(Input):
    active: Annotated[bool, Strict()]  # true or false, not 0 / "yes"


class ActiveOut(Schema):
    active: bool


class StatusIn(Input):
    flow: str | None = None
    status: str


class YearOut(Schema):
    client: str
    client_name: str
    year: int
    flow: str
    case: str
    status: str
    status_set_by: str | None
    status_set_at: str | None
    product: str
    room: str | None
    premium: str | None


class Counts(Schema):
    to_handle: int
    waiting_for_client: int
    done: int


class DashboardOut(Schema):
    optimisation: Counts
    prospection: Counts
    updating: int = Field(
        0, description="Files whose figures are being computed in the background (0: the counts are complete)"
    )


def _year_out(row: FollowUpYear) -> dict[str, object]:
    return {
        "client": str(row.client_id),
        "client_name": row.client.full_name,
        "year": row.year,
        "flow": row.flow,
        "case": row.case,
        "status": row.status,
        "status_set_by": row.status_set_by.email if row.status_set_by else None,
        "status_set_at": row.status_set_at.isoformat() if row.status_set_at else None,
        "product": row.product,
        "room": None if row.room is None else str(row.room),
        "premium": None if row.premium is None else str(row.premium),
    }


def _year(year: int | None) -> int:
    from .views import default_year

    year = default_year() if year is None else year
    if year not in services.follow_up_years():
        raise FieldErrors(
            {"year": [str(services.NO_YEAR % {"year": year, "years": ", ".join(map(str, services.follow_up_years()))})]}
        )
    return year


@router.get("/clients/{client_id}/pro-follow-up", response=ActiveOut, summary="PRO follow-up of a file")
def get_follow_up(request: HttpRequest, client_id: uuid.UUID) -> dict[str, object]:
    client = client_for_user(request_actor(request), client_id)
    follow_up = selectors.follow_up_of(client)
    return {"active": bool(follow_up and follow_up.active)}


@router.put("/clients/{client_id}/pro-follow-up", response=ActiveOut, summary="Activate or deactivate PRO follow-up")
def put_follow_up(request: HttpRequest, client_id: uuid.UUID, payload: ActiveIn) -> dict[str, object]:
    actor = request_actor(request)
    client = client_for_user(actor, client_id, write=True)
    follow_up = services.pro_follow_up_set(client=client, active=payload.active, by=actor)
    return {"active": follow_up.active}


@router.put("/clients/{client_id}/pro-follow-up/{year}", response=YearOut, summary="A file's status in its flow")
def put_status(request: HttpRequest, client_id: uuid.UUID, year: RulesYear, payload: StatusIn) -> dict[str, object]:
    actor = request_actor(request)
    client = client_for_user(actor, client_id, write=True)
    row = services.follow_up_set_status(client=client, year=year, flow=payload.flow, status=payload.status, by=actor)
    return _year_out(FollowUpYear.objects.select_related("client", "status_set_by").get(pk=row.pk))


@router.get("/pro-follow-up", response=DashboardOut, summary="The year's counts per flow and status")
def get_dashboard(request: HttpRequest, year: RulesYear | None = None) -> dict[str, object]:
    actor = request_actor(request)
    office = office_for_user(actor)
    year = _year(year)
    updating = services.follow_up_prepare(office=office, year=year)
    return {**selectors.dashboard_counts(actor, year), "updating": updating}


class FilesQuery(Schema):
    year: RulesYear | None = None
    flow: Flow = Flow.OPTIMISATION
    status: Status | None = None


@router.get("/pro-follow-up/files", response=list[YearOut], summary="The files of a flow (and status)")
def get_files(request: HttpRequest, query: Query[FilesQuery]) -> list[dict[str, object]]:
    actor = request_actor(request)
    office = office_for_user(actor)
    year = _year(query.year)
    if query.flow not in Flow.values:
        raise FieldErrors({"flow": ["optimisation, prospection"]})
    if query.status and query.status not in Status.values:
        raise FieldErrors({"status": [str(services.WRONG_STATUS)]})
    services.follow_up_prepare(office=office, year=year)
    return [_year_out(r) for r in selectors.follow_up_files(actor, year, query.flow, query.status or None)]
