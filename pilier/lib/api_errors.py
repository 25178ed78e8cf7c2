"""The API's errors, in a leaf module that every router may import: one error shape (`ErrorOut`), the
request body base (`Input`), `FieldErrors`, and the handlers that turn every failure into that shape.

A `django.core.exceptions.ValidationError` raised by a service (the rules in `*/rules.py`) becomes a 422
with its messages per field, whoever called the service."""

import math

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as ServiceError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.schema import DjangoGetter
from pydantic import BaseModel, model_validator
from pydantic_core import PydanticCustomError

from pilier.lib.api_parser import BodyTooLarge


class Input(Schema):
    """A request body, or an object inside one: a JSON object. (Ninja's schemas read any value's
    attributes, so that `[]`, `"x"` or `1` would be an empty PATCH: nothing changed, 200.)"""

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, value):
        sent = value._obj if isinstance(value, DjangoGetter) else value  # ninja's wrapper (pinned 1.7.1)
        if not isinstance(sent, dict | BaseModel):
            raise PydanticCustomError("model_type", "Input should be an object")
        return value


class ErrorOut(Schema):
    """Every error of the API: a message, and for invalid input the messages per field."""

    detail: str = Field(..., description="In the caller's language")
    errors: dict[str, list[str]] = Field(
        default_factory=dict,
        description="422 only: messages per field (`address.street`, `social_status.code`; `__all__` for the body)",
    )


# What the API itself may answer on an operation, besides what the operation documents: `auth` for every
# authenticated one, `input` where it takes parameters or a body, `path` where it names an object, `body`
# where it reads one.
ERROR_RESPONSES = {
    "auth": {
        401: "No valid bearer token",
        429: "Too many requests with an invalid token from this address: try again after `Retry-After` seconds",
    },
    "input": {422: "Invalid input: `errors` has the messages per field"},
    "path": {404: "Not found, or not visible to you (another office's, or a file with restricted access)"},
    "body": {
        400: "The body is not valid JSON",
        413: "The body is larger than the limit",
    },
    "busy": {503: "The database is busy: try again after `Retry-After` seconds"},
}


class FieldErrors(Exception):
    """422 with a message per field: {"detail": ..., "errors": {"field": ["message", ...]}}."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors


def service_field_errors(exc: ServiceError) -> dict[str, list[str]]:
    """A service's ValidationError as messages per field (`__all__` for what concerns the whole object)."""
    if hasattr(exc, "error_dict"):
        return {
            ("__all__" if name == "__all__" else name): [str(m) for m in ServiceError(errors).messages]
            for name, errors in exc.error_dict.items()
        }
    return {"__all__": [str(m) for m in exc.messages]}


def document_errors(schema) -> None:
    """Adds the error answers to every operation of the OpenAPI document (those an operation
    already documents are kept): every status the API can send is in the document."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["ErrorOut"] = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            parameters = operation.get("parameters", [])
            kinds = []
            kinds.append("busy")
            if operation.get("security"):
                kinds.append("auth")
            if parameters or "requestBody" in operation:
                kinds.append("input")
            if any(p.get("in") == "path" for p in parameters):
                kinds.append("path")
            if "requestBody" in operation:
                kinds.append("body")
            responses = operation.setdefault("responses", {})
            for kind in kinds:
                for status, description in ERROR_RESPONSES[kind].items():
                    responses.setdefault(status, {"description": description, "content": content})
            operation["responses"] = dict(sorted(responses.items(), key=lambda item: int(item[0])))


def _schema_message(error: dict) -> str:
    """Pydantic's English messages, said with Django's own (translated) form messages."""
    kind = error.get("type", "")
    if kind == "missing":
        return _("This field is required.")
    if kind.startswith("date") or kind.startswith("datetime"):
        return _("Enter a valid date.")
    if kind in ("literal_error", "enum"):
        return _("Select a valid choice. That choice is not one of the available choices.")
    if kind.startswith("int"):
        return _("Enter a whole number.")
    if kind in ("less_than_equal", "greater_than_equal"):  # a page's limit and offset
        bound = (error.get("ctx") or {}).get("le" if kind == "less_than_equal" else "ge")
        if kind == "less_than_equal":
            return _("Ensure this value is less than or equal to %(limit_value)s.") % {"limit_value": bound}
        return _("Ensure this value is greater than or equal to %(limit_value)s.") % {"limit_value": bound}
    if kind in ("decimal_parsing", "decimal_type", "finite_number"):
        return _("Enter a number.")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return _("A JSON object is expected here.")
    return _("Enter a valid value.")


def install_error_handlers(api: NinjaAPI) -> None:
    """Every failure of the API answered as `ErrorOut`, in the caller's language."""

    def field_errors(request, exc: FieldErrors):
        return api.create_response(request, {"detail": _("Invalid input."), "errors": exc.errors}, status=422)

    def service_errors(request, exc: ServiceError):
        errors = service_field_errors(exc)
        return api.create_response(request, {"detail": _("Invalid input."), "errors": errors}, status=422)

    def schema_errors(request, exc: ValidationError):
        errors: dict[str, list[str]] = {}
        for error in exc.errors:
            loc = [str(p) for p in error.get("loc", []) if p not in ("body", "payload", "query", "path")]
            errors.setdefault(".".join(loc) or "__all__", []).append(_schema_message(error))
        return api.create_response(request, {"detail": _("Invalid input."), "errors": errors}, status=422)

    def http_errors(request, exc: HttpError):
        if isinstance(exc.__cause__, HttpError):  # ninja's "Cannot parse request body" around JsonParser's reason
            exc = exc.__cause__
        message = str(exc)
        if exc.status_code == 400 and message.startswith("Cannot parse request body"):
            message = _("The request body is not valid JSON.")
        return api.create_response(request, {"detail": message}, status=exc.status_code)

    def not_found(request, exc):
        return api.create_response(request, {"detail": _("Not found.")}, status=404)

    def forbidden(request, exc):
        return api.create_response(request, {"detail": _("You may read this file but not change it.")}, status=403)

    def body_too_large(request, exc):
        """Django refuses to read a body over DATA_UPLOAD_MAX_MEMORY_SIZE: the API says so in JSON."""
        return http_errors(request, BodyTooLarge(settings.DATA_UPLOAD_MAX_MEMORY_SIZE))

    def unauthorized(request, exc):
        detail = _("Authentication required: a valid bearer token.")
        response = api.create_response(request, {"detail": detail}, status=401)
        response["WWW-Authenticate"] = "Bearer"
        return response

    def too_many_requests(request, exc: Throttled):
        detail = _("Too many requests with an invalid token from your address. Try again later (see Retry-After).")
        response = api.create_response(request, {"detail": detail}, status=429)
        if exc.wait is not None:
            response["Retry-After"] = str(math.ceil(exc.wait))
        return response

    from django.core.exceptions import PermissionDenied
    from django.db import OperationalError

    from pilier.lib.busy import api_busy

    for kind, handler in (
        (FieldErrors, field_errors),
        (ServiceError, service_errors),
        (ValidationError, schema_errors),
        (HttpError, http_errors),
        (Http404, not_found),
        (PermissionDenied, forbidden),
        (RequestDataTooBig, body_too_large),
        (AuthenticationError, unauthorized),
        (Throttled, too_many_requests),
        (OperationalError, api_busy(api)),  # the database busy: 503 with Retry-After (others: a 500)
    ):
        # ninja types a handler as taking `exc: E | type[E]`; each of these takes the instance it is given.
        api.add_exception_handler(kind, handler)  # type: ignore[arg-type]
