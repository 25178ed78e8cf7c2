"""A busy database is a "try again in a moment", never a 500.

SQLite (settings.py) runs with WAL, a busy timeout and write transactions that take their lock at their
start (BEGIN IMMEDIATE): a write waits for the writer before it, up to the busy timeout. Imports write in
short chunks and hand the lock back between them (pilier/couplings/portfolio/importer.py), so that wait is a
fraction of a second. Should it still run out, SQLite raises OperationalError "database is locked"; on
PostgreSQL the equivalents are a lock timeout (55P03), a serialization failure (40001) and a deadlock
(40P01). Each of them is answered here:

- a page: 503 with the page "The database is busy, try again in a moment" (templates/503.html), in the
  user's language, with `Retry-After`;
- the API (/api/v1/): 503 in its error format ({"detail": ...}, pilier/lib/api_errors.py) with
  `Retry-After`, by the exception handler registered on the NinjaAPI (`api_busy`) or, for what happens around
  the API's views, by this middleware.

`BusyDatabaseMiddleware` answers for the views (process_exception); `server_error`, the site's 500 handler
(pilier/urls.py), answers the same for what another middleware raised (a session saved after the view ...).
"""

from __future__ import annotations

import logging
import sys

from django.db import OperationalError
from django.db.utils import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults

logger = logging.getLogger(__name__)

RETRY_AFTER = 5  # seconds: a few chunks of an import, or the writer before
API_PREFIX = "/api/"

_SQLITE_BUSY = ("database is locked", "database table is locked", "database is busy")
_POSTGRES_BUSY = {"55P03", "40001", "40P01"}  # lock_not_available, serialization_failure, deadlock_detected


def is_busy(exc: BaseException) -> bool:
    """The database could not serve this now because of other writers (worth trying again), not a fault."""
    if not isinstance(exc, DatabaseError):
        return False
    cause = exc.__cause__ or exc
    code = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)  # psycopg 3, psycopg 2
    if code:
        return code in _POSTGRES_BUSY
    if isinstance(exc, OperationalError):
        message = str(exc).lower()
        return any(text in message for text in _SQLITE_BUSY)
    return False


def message() -> str:
    return _("The database is busy, try again in a moment.")


def api_response(request: HttpRequest) -> HttpResponse:
    response = JsonResponse({"detail": message()}, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    return response


def page_response(request: HttpRequest) -> HttpResponse:
    response = render(request, "503.html", {"message": message(), "retry_after": RETRY_AFTER}, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    return response


def busy_response(request: HttpRequest) -> HttpResponse:
    """The 503 for this request: JSON under the API, the page otherwise."""
    logger.warning("database busy: %s %s answered 503", request.method, request.path)
    if request.path.startswith(API_PREFIX):
        return api_response(request)
    return page_response(request)


class BusyDatabaseMiddleware:
    """A view that found the database busy answers 503 "try again" (pages and API), never 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_busy(exception):
            return busy_response(request)
        return None


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """handler500: the busy database's 503 when that is what the request ran into, Django's 500 otherwise."""
    exc = sys.exc_info()[1]  # called by Django while it handles the exception
    if exc is not None and is_busy(exc):
        return busy_response(request)
    return defaults.server_error(request, template_name)


def api_busy(api):
    """The NinjaAPI's handler of OperationalError (install_error_handlers): 503 in the API's format when the
    database is busy; anything else goes on to Django (a 500, reported)."""

    def handler(request, exc):
        if not is_busy(exc):
            raise exc
        logger.warning("database busy: %s %s answered 503", request.method, request.path)
        response = api.create_response(request, {"detail": message()}, status=503)
        response["Retry-After"] = str(RETRY_AFTER)
        return response

    return handler
