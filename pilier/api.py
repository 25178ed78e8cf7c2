"""The NinjaAPI instance (v1): bearer-token auth, one error shape, the apps' routers."""

import math

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.security import HttpBearer

from pilier.accounts.limits import count_failure
from pilier.accounts.middleware import bind_user, staff_membership
from pilier.accounts.models import ApiToken
from pilier.lib.api_parser import BodyTooLarge, JsonParser


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`: the token's staff user, who sees exactly what they see on the site."""

    def authenticate(self, request, token):
        user = ApiToken.user_for(token)
        if user is None or staff_membership(user) is None:
            # Invalid tokens are counted per client address, past a few dozen a minute refused with
            # 429; a valid one is never counted nor slowed, whoever else shares its address.
            wait = count_failure("api-token", request, limit=settings.API_INVALID_TOKENS_PER_MINUTE)
            if wait is not None:
                raise Throttled(wait=wait)
            return None
        request.user = user  # also the author of the history rows written by this request
        bind_user(request, user)
        return user


api = NinjaAPI(
    title="Pilier API",
    version="1",
    description="Client files of a Belgian broker office. Authenticate with `Authorization: Bearer <token>`.",
    auth=BearerToken(),
    parser=JsonParser(),  # UTF-8 only, nesting bounded: a 400, never a 500
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


class FieldErrors(Exception):
    """422 with a message per field: {"detail": ..., "errors": {"field": ["message", ...]}}."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors


@api.exception_handler(FieldErrors)
def field_errors(request, exc: FieldErrors):
    return api.create_response(request, {"detail": _("Invalid input."), "errors": exc.errors}, status=422)


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
    return _("Enter a valid value.")


@api.exception_handler(ValidationError)
def schema_errors(request, exc: ValidationError):
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        loc = [str(p) for p in error.get("loc", []) if p not in ("body", "payload", "query", "path")]
        errors.setdefault(".".join(loc) or "__all__", []).append(_schema_message(error))
    return api.create_response(request, {"detail": _("Invalid input."), "errors": errors}, status=422)


@api.exception_handler(HttpError)
def http_errors(request, exc: HttpError):
    if isinstance(exc.__cause__, HttpError):  # ninja's "Cannot parse request body" around JsonParser's reason
        exc = exc.__cause__
    message = str(exc)
    if exc.status_code == 400 and message.startswith("Cannot parse request body"):
        message = _("The request body is not valid JSON.")
    return api.create_response(request, {"detail": message}, status=exc.status_code)


@api.exception_handler(RequestDataTooBig)
def body_too_large(request, exc):
    """Django refuses to read a body over DATA_UPLOAD_MAX_MEMORY_SIZE: the API says so in JSON."""
    return http_errors(request, BodyTooLarge(settings.DATA_UPLOAD_MAX_MEMORY_SIZE))


@api.exception_handler(AuthenticationError)
def unauthorized(request, exc):
    response = api.create_response(request, {"detail": _("Authentication required: a valid bearer token.")}, status=401)
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(Throttled)
def too_many_requests(request, exc: Throttled):
    detail = _("Too many requests with an invalid token from your address. Try again later (see Retry-After).")
    response = api.create_response(request, {"detail": detail}, status=429)
    if exc.wait is not None:
        response["Retry-After"] = str(math.ceil(exc.wait))
    return response


from pilier.analysis.api import router as analysis_router  # noqa: E402
from pilier.clients.api import router as clients_router  # noqa: E402
from pilier.couplings.api import router as imports_router  # noqa: E402
from pilier.policies.api import insurers_router  # noqa: E402
from pilier.policies.api import router as policies_router  # noqa: E402

api.add_router("/clients", clients_router)
api.add_router("/", policies_router)
api.add_router("/insurers", insurers_router)
api.add_router("/portfolio-imports", imports_router)
api.add_router("/", analysis_router)
