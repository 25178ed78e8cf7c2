"""The portfolio imports of the API: a file or records pushed, then polled until done.

Codes (status, kind) are the models' TextChoices; every answer has its schema, errors are `ErrorOut`."""

import datetime
import json
import uuid
from typing import Annotated

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.files.base import ContentFile
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from pilier.accounts.access import import_for_user, office_for_user
from pilier.lib.api_codes import Codes
from pilier.lib.api_errors import ErrorOut, FieldErrors
from pilier.lib.api_parser import BodyRefused, BodyTooLarge, content_length, parse_json, read_body
from pilier.lib.uploads import limits, upload_refused
from pilier.policies.insurers import insurer as insurer_of
from pilier.policies.insurers import insurers as all_insurers

from . import jobs, services
from .forms import too_large_message
from .models import ImportKind, ImportSource, ImportStatus
from .selectors import import_as_dict

router = Router(tags=["portfolio imports"])

# Codes from the models' TextChoices (pilier.lib.api_codes): the OpenAPI `enum` lists are the choices.
StatusCode = Annotated[str, Codes(ImportStatus)]
KindCode = Annotated[str, Codes(ImportKind)]


class LineErrorOut(Schema):
    line: int = Field(..., description="The record's line in the file (its position from 1 in a JSON list)")
    message: str = Field(..., description="Why it was rejected, in the language of the user who imported")


class ImportOut(Schema):
    id: uuid.UUID
    kind: KindCode = Field(..., description="What is imported: an insurer's portfolio here")
    status: StatusCode
    progress: int = Field(..., ge=0, le=100, description="0 to 100")
    file_name: str
    insurers: list[str]
    created_by: str | None
    created_at: datetime.datetime
    finished_at: datetime.datetime | None
    records: int
    created: int
    updated: int
    unchanged: int
    unmatched: int
    rejected: int
    errors: list[LineErrorOut] = Field(..., description="The first rejected records (5,000 at most)")
    failure: str | None = Field(None, description="Why the whole file was refused")


class Accepted(Schema):
    id: uuid.UUID
    status: StatusCode = Field(..., description="`queued`: poll GET /portfolio-imports/{id} until done or failed")


_JSON_BODY = {
    "requestBody": {
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "insurer": {
                            "type": "string",
                            "enum": ["", *(item.code for item in all_insurers())],
                            "description": "Optional: a code of GET /api/v1/insurers, for a Telebib2 file that "
                            "does not name its insurer or names it with an unknown code",
                        },
                    },
                    "required": ["file"],
                }
            },
            "application/json": {
                "schema": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "description": "A record: the fields of docs/portfolio/README.md",
                        "additionalProperties": {"type": ["string", "number", "boolean", "null"]},
                    },
                }
            },
        }
    }
}


@router.post(
    "",
    response={202: Accepted, 400: ErrorOut, 413: ErrorOut, 422: ErrorOut},
    summary="Import a portfolio file (multipart `file`) or records (a JSON list)",
    openapi_extra=_JSON_BODY,
)
def create_import(request):
    """The body is read here, after the bearer token, within its limit (docs/limits.md): a refusal is
    in JSON and in the token owner's language."""
    office = office_for_user(request.actor, write=True)
    insurer = ""
    if request.content_type == "multipart/form-data":
        content, name = _uploaded_file(request)
        insurer = _chosen_insurer(request)
    elif request.content_type == "application/json":
        content, name = ContentFile(json.dumps(_records(request)).encode()), "records.json"
    else:
        raise FieldErrors({"file": [_("Send a file (multipart, field “file”) or a JSON list of records.")]})
    run = services.import_run_create(
        office=office,
        user=request.user,
        file=content,
        file_name=name,
        source=ImportSource.API,
        kind=ImportKind.PORTFOLIO,
        insurer=insurer,
    )
    return Status(202, {"id": run.pk, "status": run.status})


def _chosen_insurer(request) -> str:
    """The optional multipart field `insurer`: a code of GET /insurers, for a file that does not name its insurer."""
    code = (request.POST.get("insurer") or "").strip()
    if not code:
        return ""
    try:
        return insurer_of(code).code
    except KeyError:
        raise FieldErrors({"insurer": [_("Unknown insurer code: see GET /api/v1/insurers.")]}) from None


def _uploaded_file(request):
    request.upload_limit, whole = limits(upload=True)  # the upload handler stops past upload_limit
    if content_length(request) > whole:
        raise BodyRefused(413, too_large_message())
    try:
        files = request.FILES
    except RequestDataTooBig:  # the fields beside the file
        raise BodyTooLarge(settings.DATA_UPLOAD_MAX_MEMORY_SIZE) from None
    except (MultiPartParserError, SuspiciousOperation):
        raise BodyRefused(400, _("The multipart body could not be read.")) from None
    if upload_refused(request):
        raise BodyRefused(413, too_large_message())
    upload = files.get("file")
    if upload is None:
        raise FieldErrors({"file": [_("Send a file (multipart, field “file”) or a JSON list of records.")]})
    if upload.size == 0:
        raise FieldErrors({"file": [_("The file is empty.")]})
    return upload, upload.name or "upload"


def _records(request) -> list[dict]:
    """The records of a JSON body, checked at once: a list of objects whose values are text, numbers,
    booleans or null (docs/portfolio/README.md), so that a body the import cannot take is not queued."""
    data = parse_json(read_body(request, settings.IMPORT_JSON_MAX_BYTES), max_depth=None)
    if isinstance(data, dict) and isinstance(data.get("records"), list):
        data = data["records"]
    if not isinstance(data, list):
        raise FieldErrors({"__all__": [_("The JSON must be a list of records (objects).")]})
    if not data:
        raise FieldErrors({"__all__": [_("The list of records is empty.")]})
    for line, record in enumerate(data, start=1):
        if not isinstance(record, dict):
            message = _("Record %(line)s is not an object: the JSON must be a list of records (objects).")
            raise FieldErrors({"__all__": [message % {"line": line}]})
        for field, value in record.items():
            if value is not None and not isinstance(value, str | int | float):  # bool is an int
                message = _("Record %(line)s: “%(field)s” must be text, a number, true, false or null.")
                raise FieldErrors({"__all__": [message % {"line": line, "field": field[:100]}]})
    return data


@router.get("/{import_id}", response={200: ImportOut, 404: ErrorOut}, summary="An import's status, progress and result")
def get_import(request, import_id: uuid.UUID):
    run = jobs.recover(run=import_for_user(request.actor, import_id))
    return import_as_dict(run)
