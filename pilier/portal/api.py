"""The client's access to their file (`/clients/{id}/access`) and the office's access letter per language."""

import datetime
import uuid
from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Body, Router, Schema, Status

from pilier.accounts.access import client_for_user, office_for_user, request_actor
from pilier.lib.api_errors import ErrorOut, Input
from pilier.lib.text import Line

from . import letters, services

router = Router(tags=["client access"])


class AccessOut(Schema):
    status: str  # none, not_invited, pending, expired, active, revoked
    email: str
    since: datetime.datetime | None
    last_login: datetime.datetime | None
    invitation_expires_at: datetime.datetime | None


class AccessIn(Input):
    email: Annotated[str, Line(254, "The client's address; the file's own when left out.")] | None = None


def _state(client) -> AccessOut:
    state = services.access_state(client)
    return AccessOut(
        status=state.status,
        email=state.email,
        since=state.access.created_at if state.access else None,
        last_login=state.last_login,
        invitation_expires_at=state.invitation.expires_at if state.invitation and state.status == "pending" else None,
    )


@router.get("/clients/{client_id}/access", response=AccessOut, summary="The client's access to their file")
def get_access(request: HttpRequest, client_id: uuid.UUID):
    return _state(client_for_user(request_actor(request), client_id))


@router.post(
    "/clients/{client_id}/access", response={201: AccessOut}, summary="Give the client access (invitation e-mail)"
)
def create_access(request: HttpRequest, client_id: uuid.UUID, payload: Annotated[AccessIn | None, Body()] = None):
    client = client_for_user(request_actor(request), client_id, write=True)
    access = services.access_create(client=client, by=request.user, email=payload.email if payload else None)
    services.invite(request, access=access, by=request.user)
    return Status(201, _state(client))


@router.delete("/clients/{client_id}/access", response=AccessOut, summary="Revoke the access (sessions ended)")
def revoke_access(request: HttpRequest, client_id: uuid.UUID):
    client = client_for_user(request_actor(request), client_id, write=True)
    services.access_revoke(client=client, by=request.user)
    return _state(client)


class LetterOut(Schema):
    language: str
    subject: str
    body: str
    custom: bool


class LetterIn(Input):
    subject: Annotated[str, Line(200, required=True)]
    body: str


def _language(lang: str) -> str:
    if lang not in letters.LANGUAGES:
        raise Http404
    return lang


@router.get("/letter-templates/client-access/{lang}", response=LetterOut, summary="The office's access letter")
def get_letter(request: HttpRequest, lang: str):
    office = office_for_user(request_actor(request))
    letter = letters.template_for(office, _language(lang))
    return LetterOut(language=lang, subject=letter.subject, body=letter.body, custom=letter.custom)


@router.put(
    "/letter-templates/client-access/{lang}",
    response={200: LetterOut, 403: ErrorOut},
    summary="Change it (office admins; 403 for other staff)",
)
def put_letter(request: HttpRequest, lang: str, payload: LetterIn):
    actor = request_actor(request)
    office = office_for_user(actor, write=True)
    if not actor.is_office_admin:
        raise PermissionDenied
    letters.save_template(
        office=office,
        language=_language(lang),
        subject=payload.subject,
        body=payload.body[:10000],
        by=services._user(request.user),
    )
    return get_letter(request, lang)
