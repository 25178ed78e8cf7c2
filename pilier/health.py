"""`/healthz`: is this app server fit to serve, for a load balancer or a monitor (docs/operations.md).

    GET /healthz → 200 {"status": "ok", "database": "ok", "migrations": "ok", "worker": "ok",
                        "worker_last_seen_seconds": 4, "jobs_waiting": 0, "failing": []}
                 → 503 the same, "status": "failing", with the checks that failed in "failing".

- database: reachable (SELECT 1).
- migrations: none left to apply ("pending" otherwise). Once found applied, this process does not look again
  (the code it runs does not change under it); while pending, each probe looks.
- worker: a worker (`manage.py db_worker`) beat less than HEALTH_WORKER_MAX_AGE seconds ago ("late",
  "none" if never); HEALTH_WORKER_MAX_AGE=0 reports it without failing on it (an app server kept in the
  pool whatever the workers do, when they are watched apart).
- jobs_waiting: the tasks queued and not yet taken by a worker; said, never failing.

Answered by `HealthCheckMiddleware`, placed before the host check, the HTTPS redirect, the session and the
login (settings.MIDDLEWARE): a load balancer probes it over plain HTTP, by the server's address, without a
session. It says nothing of any office, user or client, needs no login, and costs three or four queries.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

PATHS = ("/healthz", "/healthz/")
_migrated = False  # found applied once: not looked at again by this process


def migrations_pending() -> bool:
    global _migrated
    if _migrated:
        return False
    executor = MigrationExecutor(connection)
    pending = bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    _migrated = not pending
    return pending


def _worker_last_seen() -> int | None:
    """Seconds since a worker last beat; None when none ever did."""
    from pilier.couplings.models import WorkerHeartbeat

    seen = WorkerHeartbeat.objects.aggregate(last=Max("last_seen"))["last"]
    return None if seen is None else max(0, int((timezone.now() - seen).total_seconds()))


def _jobs_waiting() -> int:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.ready().count()


def check() -> dict[str, Any]:
    body: dict[str, Any] = {
        "status": "ok",
        "database": "ok",
        "migrations": "unknown",
        "worker": "unknown",
        "worker_last_seen_seconds": None,
        "jobs_waiting": None,
        "failing": [],
    }
    failing: list[str] = body["failing"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        body["database"] = "unreachable"
        failing.append("database")
    else:
        try:
            body["migrations"] = "pending" if migrations_pending() else "ok"
        except DatabaseError:
            body["migrations"] = "unknown"
        if body["migrations"] != "ok":
            failing.append("migrations")
        max_age = int(getattr(settings, "HEALTH_WORKER_MAX_AGE", 60))
        try:
            age = _worker_last_seen()
        except DatabaseError:  # its table not there yet (migrations pending)
            age = None
            body["worker"] = "unknown"
        else:
            body["worker"] = "none" if age is None else ("ok" if max_age <= 0 or age <= max_age else "late")
        body["worker_last_seen_seconds"] = age
        if max_age > 0 and body["worker"] != "ok":
            failing.append("worker")
        try:
            body["jobs_waiting"] = _jobs_waiting()
        except DatabaseError:
            body["jobs_waiting"] = None
    if failing:
        body["status"] = "failing"
    return body


def healthz(request: HttpRequest) -> HttpResponse:
    body = check()
    response = JsonResponse(body, status=503 if body["failing"] else 200)
    response["Cache-Control"] = "no-store"
    return response


class HealthCheckMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info in PATHS and request.method in ("GET", "HEAD"):
            return healthz(request)
        return self.get_response(request)
