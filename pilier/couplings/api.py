import datetime
import json
import uuid
from typing import Literal

from django.core.files.base import ContentFile
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile

from pilier.api import FieldErrors

from . import services
from .forms import MAX_UPLOAD
from .models import ImportSource
from .selectors import import_as_dict, import_for_office

router = Router(tags=["portfolio imports"])


class ImportError_(Schema):
    line: int
    message: str


class ImportOut(Schema):
    id: uuid.UUID
    status: Literal["queued", "running", "done", "failed"]
    progress: int = Field(..., description="0 to 100")
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
    errors: list[ImportError_]
    failure: str | None = Field(None, description="Why the whole file was refused")


class Accepted(Schema):
    id: uuid.UUID
    status: str


_JSON_BODY = {
    "requestBody": {
        "content": {
            "multipart/form-data": {
                "schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
            },
            "application/json": {
                "schema": {
                    "type": "array",
                    "items": {"type": "object", "description": "A record: the fields of docs/portfolio/README.md"},
                }
            },
        }
    }
}


@router.post(
    "",
    response={202: Accepted},
    summary="Import a portfolio file (multipart `file`) or records (a JSON list)",
    openapi_extra=_JSON_BODY,
)
def create_import(request, file: File[UploadedFile] = None):
    from django.utils.translation import gettext as _

    if file is not None:
        if file.size > MAX_UPLOAD:
            raise FieldErrors({"file": [_("The file is larger than 200 MB.")]})
        content, name = file, file.name or "upload"
    elif request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"null")
        except json.JSONDecodeError:
            raise FieldErrors({"__all__": [_("The request body is not valid JSON.")]}) from None
        if not isinstance(data, list | dict):
            raise FieldErrors({"__all__": [_("The JSON must be a list of records (objects).")]})
        content, name = ContentFile(json.dumps(data).encode()), "records.json"
    else:
        raise FieldErrors({"file": [_("Send a file (multipart, field “file”) or a JSON list of records.")]})
    job = services.portfolio_import_create(
        office=request.office, user=request.user, file=content, file_name=name, source=ImportSource.API
    )
    return Status(202, {"id": job.pk, "status": job.status})


@router.get("/{import_id}", response=ImportOut, summary="An import's status, progress and result")
def get_import(request, import_id: uuid.UUID):
    return import_as_dict(import_for_office(request.office, import_id))
