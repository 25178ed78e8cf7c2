"""End to end: a real `manage.py db_worker` killed (SIGKILL) in the middle of an import leaves it running; once
its heartbeat is older than the timeout, the run is queued again, and a second worker finishes it: every record
applied exactly once. The workers are processes of their own, on this test's database, with a cache of their own
(as on another host): only the heartbeat in the database tells this process that the first one died."""

import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.db import connection
from django.utils import timezone

from pilier.couplings import jobs
from pilier.couplings.models import ImportRun, ImportStatus, UnmatchedRecord, WorkerHeartbeat

from .conftest import csv_bytes, row

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[3]
RECORDS = 100_000  # enough for the worker to be killed between two of its chunks


def _database_url() -> str:
    db = django_settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user, host, port = db.get("USER") or "postgres", db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


def _worker(var: Path, *args: str) -> subprocess.Popen:
    dropped = ("DATABASE_URL", "CACHE_URL", "TASKS_BACKEND")
    env = {key: value for key, value in os.environ.items() if key not in dropped}
    env.update(DATABASE_URL=_database_url(), PILIER_VAR_DIR=str(var), DEBUG="false")
    command = [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "-v0", *args]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_a_killed_workers_import_is_finished_by_another_and_applied_once(world, settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    var = tmp_path / "var"
    var.mkdir()
    settings.MEDIA_ROOT = var / "media"  # the workers' MEDIA_ROOT (PILIER_VAR_DIR)
    run = ImportRun.objects.create(office=world.office, created_by=world.admin, file_name="big.csv", source="upload")
    content = csv_bytes([row(mandate="no", policy_number=f"31{i:08d}") for i in range(RECORDS)])
    run.file.save(f"{run.pk}.dat", ContentFile(content), save=True)
    jobs.enqueue(run.pk)

    first = _worker(var)
    try:
        deadline = time.monotonic() + 120
        while True:  # killed once it has written part of the file
            run.refresh_from_db()
            if run.status == ImportStatus.RUNNING and run.applied_chunks:
                break
            assert run.status != ImportStatus.DONE, "the import ended before the worker could be killed"
            assert time.monotonic() < deadline and first.poll() is None, "the worker never started the import"
            time.sleep(0.02)
        first.send_signal(signal.SIGKILL)
    finally:
        first.wait(10)
    run.refresh_from_db()
    assert run.status == ImportStatus.RUNNING and run.worker  # stuck: nobody will end it
    assert WorkerHeartbeat.objects.filter(name=run.worker).exists()
    assert jobs.recover_stale_runs() == []  # its heartbeat is recent: it might still be alive

    later = timezone.now() + jobs.WORKER_DEAD_AFTER + datetime.timedelta(seconds=5)  # the timeout passed
    [recovered] = jobs.recover_stale_runs(now=later)
    assert recovered.status == ImportStatus.QUEUED and recovered.applied_chunks  # resumed from its checkpoint

    second = _worker(var, "--batch")
    assert second.wait(180) == 0
    run.refresh_from_db()
    assert (run.status, run.attempts, run.records) == (ImportStatus.DONE, 2, RECORDS)
    assert run.unmatched == RECORDS == UnmatchedRecord.objects.filter(office=world.office).count()
    assert not run.file  # its file deleted once it ended
