"""/healthz answers 200 when the database is reachable, the migrations applied and a worker seen lately; 503
with the failing checks otherwise; over plain HTTP, by any host name, without a login (pilier/health.py)."""

import datetime

import pytest
from django.db import OperationalError, connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from pilier import health
from pilier.couplings.models import WorkerHeartbeat
from pilier.couplings.tasks import run_import

pytestmark = pytest.mark.django_db


def seen(seconds_ago: float) -> WorkerHeartbeat:
    now = timezone.now()
    return WorkerHeartbeat.objects.create(
        name=f"host-1-{seconds_ago}",
        host="host",
        pid=1,
        started_at=now - datetime.timedelta(hours=1),
        last_seen=now - datetime.timedelta(seconds=seconds_ago),
    )


@pytest.fixture(autouse=True)
def production_like(settings):
    settings.SECURE_SSL_REDIRECT = True  # as in production: every other page redirects to https
    settings.HEALTH_WORKER_MAX_AGE = 60


def probe(client, **extra):
    return client.get("/healthz", HTTP_HOST="10.0.0.7", **extra)  # a load balancer, by the server's address


def test_healthy_when_the_database_answers_the_migrations_are_applied_and_a_worker_beat(client):
    seen(5)
    seen(600)  # an old worker: the latest one counts
    response = probe(client)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    body = response.json()
    assert body == {
        "status": "ok",
        "database": "ok",
        "migrations": "ok",
        "worker": "ok",
        "worker_last_seen_seconds": body["worker_last_seen_seconds"],
        "jobs_waiting": 0,
        "failing": [],
    }
    assert 5 <= body["worker_last_seen_seconds"] < 30
    assert response["X-Request-ID"]  # logged like any request


def test_every_other_page_still_redirects_to_https(client):
    assert client.get("/accounts/login/").status_code == 301


def test_no_worker_seen_lately_is_a_503(client):
    response = probe(client)
    assert response.status_code == 503
    assert (response.json()["worker"], response.json()["failing"]) == ("none", ["worker"])
    seen(61)
    body = probe(client).json()
    assert (body["status"], body["worker"], body["failing"]) == ("failing", "late", ["worker"])
    assert body["worker_last_seen_seconds"] >= 61


def test_the_worker_check_can_be_reported_without_failing(client, settings):
    settings.HEALTH_WORKER_MAX_AGE = 0
    assert probe(client).status_code == 200
    seen(3600)
    response = probe(client)
    assert response.status_code == 200 and response.json()["worker_last_seen_seconds"] >= 3600


def test_migrations_left_to_apply_are_a_503(client, monkeypatch):
    seen(1)
    monkeypatch.setattr(health, "_migrated", False)
    [(app, name)] = MigrationLoader(connection).graph.leaf_nodes("couplings")  # the latest: as if not applied
    MigrationRecorder(connection).migration_qs.filter(app=app, name=name).delete()
    response = probe(client)
    assert response.status_code == 503 and response.json()["migrations"] == "pending"
    assert response.json()["failing"] == ["migrations"]


def test_an_unreachable_database_is_a_503(client, monkeypatch):
    class Down:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr(health, "connection", Down())
    response = probe(client)
    body = response.json()
    assert response.status_code == 503 and (body["database"], body["failing"]) == ("unreachable", ["database"])


def test_jobs_waiting_are_counted(client, settings):
    seen(1)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    run_import.enqueue("00000000-0000-0000-0000-000000000000")
    run_import.enqueue("00000000-0000-0000-0000-000000000001")
    assert probe(client).json()["jobs_waiting"] == 2


def test_it_is_cheap(client, django_assert_max_num_queries):
    seen(1)
    probe(client)  # the migrations found applied once
    with django_assert_max_num_queries(3):
        assert probe(client).status_code == 200


def test_it_says_nothing_of_anyone_and_needs_no_login(client, world):
    seen(1)
    text = probe(client).content.decode()
    assert world.office.name not in text and world.bob.email not in text
    assert probe(client, HTTP_AUTHORIZATION="Bearer nonsense").status_code == 200
