"""Logs one JSON line per request, and errors to Sentry: without personal data (docs/operations.md).

- `RequestLogMiddleware` (first in settings.MIDDLEWARE) gives each request an id (the `X-Request-ID` it came
  with when that is a plain token, else a new one), echoed in the response's `X-Request-ID`, and writes one
  line to the "pilier.request" logger when the response leaves: method, path, route, status, duration, the
  user's office id. An exception raised by a view is logged too (its type and where, with the request id).
- The path never carries a query string, and is built from the URL pattern that matched: a UUID in it is
  kept, any other value is shown by its name (`/accounts/reset/<uidb64>/<token>/`); a path that matched no
  pattern keeps its first segment and its UUIDs only. Never an e-mail address, a name, a national number.
- `JsonFormatter` writes a record as one JSON object; `RequestIdFilter` adds the request's id to any record
  logged while it is served (Django's own "Internal Server Error" included).
- `init_sentry` (called by settings when SENTRY_DSN is set) with `scrub_event` as before_send.
"""

from __future__ import annotations

import contextvars
import datetime
import json
import logging
import re
import sys
import time
import traceback
import uuid
from collections.abc import Callable
from typing import Any

import sentry_sdk
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("pilier.request")

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
_CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_QUIET_PATHS = ("/healthz",)  # a load balancer's probes: logged at DEBUG while they answer 200


def current_request_id() -> str:
    return _request_id.get()


def request_id_from(request: HttpRequest) -> str:
    given = request.headers.get(REQUEST_ID_HEADER, "")
    return given if _VALID_REQUEST_ID.match(given) else uuid.uuid4().hex


def _uuid_or_none(value: Any) -> str | None:
    if isinstance(value, uuid.UUID):
        return str(value)
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return None


def safe_path(request: HttpRequest) -> str:
    """The request's path without personal data (see the module's doc)."""
    match = getattr(request, "resolver_match", None)
    route = getattr(match, "route", "") if match is not None else ""
    if match is not None and route and not route.startswith("^") and "(?" not in route:
        kwargs = match.kwargs

        def value(found: re.Match[str]) -> str:
            kept = _uuid_or_none(kwargs.get(found["name"]))
            return kept if kept is not None else f"<{found['name']}>"

        return "/" + _CONVERTER.sub(value, route)
    segments = request.path.split("/")
    kept = []
    for index, segment in enumerate(segments):
        if not segment or (index == 1 and re.fullmatch(r"[a-z0-9_-]{1,30}", segment)):
            kept.append(segment)
        else:
            kept.append(_uuid_or_none(segment) or "*")
    return "/".join(kept)


def _office_id(request: HttpRequest) -> Any:
    office = getattr(request, "office", None)
    return getattr(office, "pk", None)


def _route(request: HttpRequest) -> str | None:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else None


def _where(exc: BaseException) -> list[str]:
    """The frames of an exception as file:line in function: never its message nor its values."""
    frames = traceback.extract_tb(exc.__traceback__)[-8:]
    return [f"{frame.filename}:{frame.lineno} in {frame.name}" for frame in frames]


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        request_id = request_id_from(request)
        request.request_id = request_id  # type: ignore[attr-defined]
        token = _request_id.set(request_id)
        sentry_sdk.set_tag("request_id", request_id)  # nothing when Sentry is not set up
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            self.log(request, response, started)
            return response
        finally:
            _request_id.reset(token)

    def log(self, request: HttpRequest, response: HttpResponse, started: float) -> None:
        status = response.status_code
        fields = {
            "event": "request",
            "request_id": request.request_id,  # type: ignore[attr-defined]
            "method": request.method,
            "path": safe_path(request),
            "view": _route(request),
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "office": _office_id(request),
        }
        error = getattr(request, "_logged_error", None)
        if error:
            fields["error"] = error
        if status >= 500:
            level = logging.ERROR
        elif request.path in _QUIET_PATHS and status == 200:
            level = logging.DEBUG
        else:
            level = logging.INFO
        logger.log(level, "request", extra={"fields": fields})

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        """A view's exception, logged with the request id (Django then answers its 500)."""
        request._logged_error = type(exception).__name__  # type: ignore[attr-defined]
        sentry_sdk.set_tag("office", _office_id(request))
        fields = {
            "event": "error",
            "request_id": getattr(request, "request_id", current_request_id()),
            "method": request.method,
            "path": safe_path(request),
            "office": _office_id(request),
            "error": type(exception).__name__,
            "where": _where(exception),
        }
        logger.error("error", extra={"fields": fields})


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            setattr(record, "request_id", current_request_id())  # noqa: B010 - LogRecord has no such attribute typed
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, then the record's `fields` (extra={"fields": …}),
    or its message; an exception by its type and frames only (its message may hold personal data)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
        }
        fields = getattr(record, "fields", None)
        request = getattr(record, "request", None)
        if isinstance(fields, dict):
            line.update(fields)
        elif isinstance(request, HttpRequest):  # Django's "django.request": its reason, never the raw path
            line["message"] = str(record.args[0]) if isinstance(record.args, tuple) and record.args else "request"
            line.update(
                request_id=getattr(request, "request_id", "") or current_request_id(),
                method=request.method,
                path=safe_path(request),
                status=getattr(record, "status_code", None),
            )
        else:
            line["message"] = _EMAIL.sub("[email]", record.getMessage())
            if getattr(record, "request_id", ""):
                line["request_id"] = getattr(record, "request_id")  # noqa: B009
        if record.exc_info and record.exc_info[1] is not None:
            line["error"] = type(record.exc_info[1]).__name__
            line["where"] = _where(record.exc_info[1])
        return json.dumps(line, default=str, ensure_ascii=False)


class StdoutHandler(logging.StreamHandler):
    """A StreamHandler on whatever sys.stdout is when it writes (a test's capture, a server's pipe)."""

    def __init__(self) -> None:
        super().__init__(sys.stdout)

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stdout
        super().emit(record)


# Sentry ------------------------------------------------------------------------------------------------------

_SAFE_HEADERS = {"accept", "accept-language", "content-length", "content-type", "host", "user-agent", "x-request-id"}
_FILTERED = "[Filtered]"


def _scrub_text(value: Any) -> Any:
    """E-mail addresses out of every string of a structure."""
    if isinstance(value, str):
        return _EMAIL.sub("[email]", value)
    if isinstance(value, dict):
        return {key: _scrub_text(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub_text(item) for item in value]
    return value


def scrub_event(event: Any, hint: Any = None) -> Any:
    """Sentry's before_send: what an event may say of a request and a user, and no e-mail address anywhere.

    The request keeps its method, its URL without query string and a few harmless headers: no cookies,
    no Authorization, no query string, no body, no client address. The user keeps its id only. Local
    variables are not sent at all (settings: include_local_variables=False), and are dropped here too."""
    request = event.get("request")
    if isinstance(request, dict):
        url = request.get("url")
        kept: dict[str, Any] = {"method": request["method"]} if request.get("method") else {}
        if isinstance(url, str):
            kept["url"] = url.split("?", 1)[0].split("#", 1)[0]
        headers = request.get("headers")
        if isinstance(headers, dict):
            kept["headers"] = {
                name: (value if name.lower() in _SAFE_HEADERS else _FILTERED) for name, value in headers.items()
            }
        event["request"] = kept
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {"id": user["id"]} if "id" in user else {}
    for exception in (event.get("exception") or {}).get("values") or []:
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    for thread in (event.get("threads") or {}).get("values") or []:
        for frame in (thread.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    breadcrumbs = event.get("breadcrumbs")
    if isinstance(breadcrumbs, dict):
        for crumb in breadcrumbs.get("values") or []:
            crumb.pop("data", None)  # SQL parameters, HTTP query strings
    return _scrub_text(event)


def init_sentry(dsn: str, *, environment: str = "production", traces_sample_rate: float = 0.0) -> None:
    """Errors to Sentry, without personal data: no default PII, no local variables, no request bodies."""
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.logging import ignore_logger

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=scrub_event,
        before_send_transaction=scrub_event,
        traces_sample_rate=traces_sample_rate,
    )
    ignore_logger(logger.name)  # the request lines: the error itself is sent once, by the Django integration
