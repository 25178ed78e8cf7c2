"""A worker's heartbeat and its sweeper (worker.py): a run whose worker died is run again once, then failed
with the reason, without anyone opening a page; a run whose worker still beats is left alone."""

import datetime
import io
import logging
import signal
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.management import call_command, get_commands
from django.utils import timezone, translation
from django.utils.html import escape

from pilier.couplings import jobs, tasks, worker
from pilier.couplings.models import ImportRun, ImportStatus, WorkerHeartbeat

from .conftest import csv_bytes, row

pytestmark = pytest.mark.django_db

DEAD = jobs.WORKER_DEAD_AFTER + datetime.timedelta(seconds=1)


@pytest.fixture
def queue(monkeypatch):
    """The runs handed to the worker (instead of running them)."""
    queued = []
    monkeypatch.setattr(tasks, "run_import", SimpleNamespace(enqueue=queued.append))
    return queued


@pytest.fixture
def make_run(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"

    def make(**fields) -> ImportRun:
        run = ImportRun.objects.create(
            office=world.office, created_by=world.admin, file_name="nn.csv", source="upload", **fields
        )
        run.file.save(f"{run.pk}.dat", ContentFile(csv_bytes([row(mandate="no")])), save=True)
        return run

    return make


@pytest.fixture
def beating(monkeypatch):
    """This process as a worker that beats (its name on the runs it claims), without the thread."""
    heartbeat = worker.Heartbeat()
    monkeypatch.setattr(worker, "_name", heartbeat.worker)
    return heartbeat


def claimed_by(beating, make_run, *, ago: datetime.timedelta, attempts_before=0) -> ImportRun:
    """A run this worker claimed `ago`, and has been running since, beating (but not in the cache)."""
    run = make_run(attempts=attempts_before)
    assert jobs.claim(run=run)
    with worker.running(run.pk):
        beating.beat()
    ImportRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - ago)
    WorkerHeartbeat.objects.filter(name=beating.worker).update(last_seen=timezone.now() - ago)
    cache.delete(jobs.progress_key(run.pk))
    return ImportRun.objects.get(pk=run.pk)


def test_a_worker_beats_with_the_run_it_runs(beating, make_run):
    assert beating.beat()
    seen = WorkerHeartbeat.objects.get()
    assert (seen.name, seen.running) == (beating.worker, "")
    run = make_run()
    with worker.running(run.pk):
        assert beating.beat()
    after = WorkerHeartbeat.objects.get()
    assert after.running == str(run.pk) and after.last_seen >= seen.last_seen
    beating.beat()
    assert WorkerHeartbeat.objects.get().running == ""


def test_a_run_is_claimed_in_the_name_of_its_worker(beating, make_run, monkeypatch):
    run = make_run()
    assert jobs.claim(run=run) and run.worker == beating.worker
    monkeypatch.setattr(worker, "_name", "")  # a web server, a command: no heartbeat of its own
    other = make_run()
    assert jobs.claim(run=other) and other.worker == "" and jobs.stale_after(other) == jobs.STALE_AFTER


def test_a_run_whose_worker_still_beats_is_not_stale_without_its_progress(beating, make_run, queue):
    run = claimed_by(beating, make_run, ago=DEAD)
    with worker.running(run.pk):
        beating.beat()  # seen now, running it: another host's cache, or a run that holds the database
    assert not jobs.is_stale(run) and jobs.recover(run=run).status == ImportStatus.RUNNING
    beating.beat()  # seen now, but no longer running it (its task ended without writing its end)
    assert jobs.is_stale(run)


def test_a_dead_workers_run_is_run_again_once_then_fails_with_the_reason(
    beating, make_run, queue, client, world, django_capture_on_commit_callbacks
):
    run = claimed_by(beating, make_run, ago=DEAD)
    assert jobs.is_stale(run)
    with django_capture_on_commit_callbacks(execute=True):
        assert beating.sweep() == 1  # the worker's sweeper: no page opened
    run.refresh_from_db()
    assert (run.status, run.attempts, run.file.name != "") == (ImportStatus.QUEUED, 1, True)
    assert queue == [str(run.pk)]
    client.force_login(world.bob)
    assert 'id="import-retried"' in client.get(f"/imports/{run.pk}/").content.decode()

    # Run again, and its worker dies again.
    run = claimed_by(beating, make_run, ago=DEAD, attempts_before=0)  # a fresh run, to keep the first apart
    ImportRun.objects.filter(pk=run.pk).update(attempts=jobs.MAX_ATTEMPTS)
    assert beating.sweep() == 1
    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED and not run.file and run.finished_at is not None
    with translation.override("fr"):
        assert run.failure == translation.gettext(jobs.WORKER_DIED_TWICE)
    page = client.get(f"/imports/{run.pk}/").content.decode()
    assert escape(run.failure) in page
    api = client.get(f"/api/v1/portfolio-imports/{run.pk}", HTTP_AUTHORIZATION=f"Bearer {world.token(world.bob)}")
    assert api.status_code == 200 and api.json()["failure"] == run.failure


def test_a_run_recovered_by_the_sweeper_is_applied_by_its_second_attempt_only(beating, make_run, queue):
    run = claimed_by(beating, make_run, ago=DEAD)
    beating.sweep()  # queued again (the dead worker's transaction had rolled back: nothing of it was kept)
    run = jobs.run_import(run=ImportRun.objects.get(pk=run.pk))
    assert (run.status, run.attempts, run.unmatched) == (ImportStatus.DONE, 2, 1)
    assert beating.sweep() == 0  # ended runs are left alone


def test_a_worker_seen_a_little_while_ago_keeps_its_run(beating, make_run, queue):
    run = claimed_by(beating, make_run, ago=jobs.WORKER_DEAD_AFTER - datetime.timedelta(seconds=30))
    assert not jobs.is_stale(run) and beating.sweep() == 0


def test_the_sweeper_forgets_long_gone_workers(beating):
    beating.beat()
    WorkerHeartbeat.objects.create(
        name="gone", host="h", pid=1, started_at=timezone.now(), last_seen=timezone.now() - worker.PRUNE_AFTER * 2
    )
    beating.sweep()
    assert list(WorkerHeartbeat.objects.values_list("name", flat=True)) == [beating.worker]


def test_a_sweep_that_meets_a_database_error_is_logged_and_the_thread_goes_on(beating, monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("database restarting")

    monkeypatch.setattr(jobs, "recover_stale_runs", broken)
    assert beating.sweep() == 0 and "sweep of stale runs failed" in caplog.text


def test_recover_jobs_command(beating, make_run, queue):
    claimed_by(beating, make_run, ago=DEAD)
    out = io.StringIO()
    call_command("recover_jobs", stdout=out)
    assert out.getvalue().endswith("1 run(s) recovered.\n") and "queued" in out.getvalue()


def test_manage_py_db_worker_is_ours():
    assert get_commands()["db_worker"] == "pilier.couplings"


@pytest.fixture
def restored_after_the_worker():
    """The worker sets its signal handlers and its loggers' levels: put back for the tests after it."""
    signals = [getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGQUIT") if hasattr(signal, name)]
    handlers = {number: signal.getsignal(number) for number in signals}
    loggers = {name: logging.getLogger(name) for name in ("django_tasks", "django_tasks_db")}
    levels = {name: (lg.level, list(lg.handlers)) for name, lg in loggers.items()}
    yield
    for number, handler in handlers.items():
        signal.signal(number, handler)
    for name, (level, kept) in levels.items():
        loggers[name].setLevel(level)
        loggers[name].handlers[:] = kept


@pytest.mark.django_db(transaction=True)
def test_db_worker_beats_while_it_runs(settings, restored_after_the_worker):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    seen = WorkerHeartbeat.objects.get()
    assert seen.pid > 0 and timezone.now() - seen.last_seen < datetime.timedelta(minutes=1)
    assert worker.name() == ""  # stopped with the worker


def test_the_worker_runs_at_a_lower_cpu_priority_than_the_app_servers(monkeypatch):
    """WORKER_NICE (default 10): an import plans its records with the cores the brokers' requests leave."""
    from pilier.couplings.management.commands import db_worker

    steps = []
    monkeypatch.setattr(db_worker.os, "nice", lambda step: steps.append(step) or step)
    monkeypatch.delenv("WORKER_NICE", raising=False)
    db_worker.lower_priority()
    monkeypatch.setenv("WORKER_NICE", "0")
    db_worker.lower_priority()
    monkeypatch.setenv("WORKER_NICE", "3")
    db_worker.lower_priority()
    assert steps == [10, 0, 3]
