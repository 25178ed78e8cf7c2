"""Several workers against one PostgreSQL database: an import run is claimed by exactly one of them, and
applied once (jobs.claim; django-tasks-db claims its task rows with SELECT … FOR UPDATE SKIP LOCKED).

On PostgreSQL only: there, two claims really run at the same time (on SQLite writes are one at a time, and
test_jobs.py's race covers it)."""

import threading
import time

import pytest
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from pilier.couplings import jobs
from pilier.couplings.models import ImportRun, ImportStatus, UnmatchedRecord
from pilier.couplings.portfolio import importer
from pilier.couplings.tasks import run_import as run_import_task

from .conftest import csv_bytes, row

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent claims need PostgreSQL (set DATABASE_URL=postgres://…); SQLite writes one at a time",
    ),
]


@pytest.fixture
def queued_run(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    run = ImportRun.objects.create(
        office=world.office, created_by=world.admin, file_name="nn.csv", source="command", status="queued"
    )
    run.file.save(f"{run.pk}.dat", ContentFile(csv_bytes([row(mandate="no")])), save=True)
    return run


def _blocked_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # else the view stays as first read in this transaction
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def test_a_second_claim_waits_for_the_first_then_finds_the_run_taken(queued_run):
    results = {}

    def second_worker():
        try:
            results["second"] = jobs.claim(run=ImportRun.objects.get(pk=queued_run.pk))
        finally:
            connection.close()

    thread = threading.Thread(target=second_worker)
    with transaction.atomic():
        assert jobs.claim(run=queued_run) is True  # its row stays locked until this transaction commits
        thread.start()
        deadline = time.monotonic() + 10
        while not _blocked_on_a_lock():  # the second UPDATE waits for the row, as it would in production
            assert time.monotonic() < deadline, "the second claim never reached the row lock"
            time.sleep(0.02)
    thread.join(10)
    assert results == {"second": False}
    run = ImportRun.objects.get(pk=queued_run.pk)
    assert (run.status, run.attempts) == (ImportStatus.RUNNING, 1)


def test_two_workers_given_the_same_run_at_once_apply_it_once(queued_run, settings, monkeypatch):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    # The run queued twice (as after a recovery): two task rows, one for each worker.
    run_import_task.enqueue(str(queued_run.pk))
    run_import_task.enqueue(str(queued_run.pk))
    calls = []
    real_import, real_claim = importer.import_portfolio, jobs.claim
    both_there = threading.Barrier(2, timeout=10)

    def counted(run, stream, progress):
        calls.append(run.pk)
        return real_import(run, stream, progress)

    def claim_together(*, run):
        both_there.wait()  # each worker holds its own task: both claim the run at the same moment
        return real_claim(run=run)

    monkeypatch.setattr(importer, "import_portfolio", counted)
    monkeypatch.setattr(jobs, "claim", claim_together)
    errors = []

    def worker(worker_id):
        try:
            Worker(
                queue_names=["default"],
                interval=0,
                batch=True,
                backend_name="default",
                startup_delay=False,
                max_tasks=1,
                worker_id=worker_id,
                excluded_queue_names=[],
            ).run()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(f"worker-{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    tasks = list(DBTaskResult.objects.all())
    assert sorted(t.status for t in tasks) == ["SUCCESSFUL", "SUCCESSFUL"]
    assert sorted(w for t in tasks for w in t.worker_ids) == ["worker-0", "worker-1"]  # one task each
    assert calls == [queued_run.pk]  # applied once
    run = ImportRun.objects.get(pk=queued_run.pk)
    assert (run.status, run.attempts, run.unmatched) == (ImportStatus.DONE, 1, 1)
    assert UnmatchedRecord.objects.filter(office=run.office).count() == 1
