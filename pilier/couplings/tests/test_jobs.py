"""The life cycle of an import run (jobs.py): claimed once, progress, a run whose worker died recovered."""

import datetime
import io
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.db.models import F
from django.utils import timezone, translation
from django.utils.html import escape

from pilier.couplings import jobs, tasks
from pilier.couplings.models import ImportKind, ImportRun, ImportStatus, UnmatchedRecord
from pilier.couplings.portfolio import importer
from pilier.couplings.tasks import run_import as run_import_task

from .conftest import csv_bytes, row

pytestmark = pytest.mark.django_db

LONG_AGO = datetime.timedelta(hours=1)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


@pytest.fixture
def make_run(world, media):
    """A run of `world.office` with its file (one record that updates nothing), as the services store it."""

    def make(status=ImportStatus.QUEUED, *, kind=ImportKind.PORTFOLIO, office=None, **fields) -> ImportRun:
        run = ImportRun.objects.create(
            office=office or world.office,
            created_by=world.admin,
            file_name="nn.csv",
            source="command",
            status=status,
            kind=kind,
            **fields,
        )
        run.file.save(f"{run.pk}.dat", ContentFile(csv_bytes([row(mandate="no")])), save=True)
        return run

    return make


def files_in(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()]


@pytest.fixture
def queue(monkeypatch):
    """The runs handed to the worker (instead of running them)."""
    queued = []
    monkeypatch.setattr(tasks, "run_import", SimpleNamespace(enqueue=queued.append))
    return queued


# Claimed once ---------------------------------------------------------------------------------------------------


def test_a_run_is_claimed_once(make_run):
    run = make_run()
    same = ImportRun.objects.get(pk=run.pk)  # what a second worker was given
    assert jobs.claim(run=run) is True
    assert jobs.claim(run=same) is False
    assert (run.status, run.attempts) == (ImportStatus.RUNNING, 1) and run.started_at is not None
    assert ImportRun.objects.get(pk=run.pk).attempts == 1


@pytest.mark.django_db(transaction=True)
def test_workers_racing_for_one_run_run_it_once(make_run, monkeypatch):
    calls = []
    real = importer.import_portfolio

    def counted(run, stream, progress):
        calls.append(run.pk)
        return real(run, stream, progress)

    monkeypatch.setattr(importer, "import_portfolio", counted)
    run = make_run()
    barrier = threading.Barrier(4)
    errors = []

    def worker():
        try:
            barrier.wait()
            jobs.run_import(run=ImportRun.objects.get(pk=run.pk))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and calls == [run.pk]
    run.refresh_from_db()
    assert (run.status, run.attempts, run.unmatched) == (ImportStatus.DONE, 1, 1)


def test_a_second_worker_given_a_running_run_does_not_run_it(make_run, monkeypatch):
    calls = []
    real = importer.import_portfolio

    def counted(run, stream, progress):
        calls.append(run.pk)
        # Another worker is given the same run while this one reads it: it neither runs it nor takes its file.
        other = jobs.run_import(run=ImportRun.objects.get(pk=run.pk))
        assert other.status == ImportStatus.RUNNING and other.file
        return real(run, stream, progress)

    monkeypatch.setattr(importer, "import_portfolio", counted)
    run = jobs.run_import(run=make_run())
    assert calls == [run.pk]
    assert (run.status, run.unmatched, run.attempts) == (ImportStatus.DONE, 1, 1)
    again = jobs.run_import(run=ImportRun.objects.get(pk=run.pk))  # an ended run is not run again
    assert calls == [run.pk] and again.status == ImportStatus.DONE


def test_a_run_recovered_from_under_a_slow_worker_writes_nothing_more(make_run, world, media, monkeypatch):
    # The run is read and checked without writing, then written chunk by chunk, each chunk with the run's
    # checkpoint, only while the run is still this worker's (portfolio/importer.py).
    real = importer._apply

    def slow(run, plan, progress, **kwargs):
        # Meanwhile the run was found stale, queued again and claimed by another worker.
        ImportRun.objects.filter(pk=run.pk).update(attempts=F("attempts") + 1)
        return real(run, plan, progress, **kwargs)

    monkeypatch.setattr(importer, "_apply", slow)
    run = jobs.run_import(run=make_run())
    assert not UnmatchedRecord.objects.exists()  # its first chunk found the claim gone: nothing written
    assert (run.status, run.unmatched, run.applied_chunks) == (ImportStatus.RUNNING, 0, None)  # not ended by it
    assert run.file and files_in(media)  # the other worker's to read


def test_a_kind_without_its_importer_yet_fails_and_its_file_goes(make_run, media):
    run = jobs.run_import(run=make_run(kind=ImportKind.MYPENSION))
    assert run.status == ImportStatus.FAILED and run.failure and not files_in(media)
    assert ImportRun.objects.get(pk=run.pk).failure == run.failure


# Progress -------------------------------------------------------------------------------------------------------------


def test_progress_is_what_was_read_of_the_file_reported_once_a_second(make_run):
    run = make_run()
    jobs.claim(run=run)
    stream = io.BytesIO(b"x" * 200)
    progress = jobs.Progress(run.pk, stream)
    assert jobs.progress_of(run) == 0
    stream.seek(100)
    progress.tick()  # too early: the last report was just now
    assert jobs.progress_of(run) == 0
    progress.reported_at -= 1
    progress.tick()
    assert jobs.progress_of(run) == 50
    stream.seek(200)
    progress.reported_at -= 1
    progress.tick()
    assert jobs.progress_of(run) == 99  # 100 is for a run that has ended


def test_progress_of_a_run_that_waits_or_has_ended(make_run):
    assert jobs.progress_of(make_run()) == 0
    run = jobs.run_import(run=make_run())
    assert run.status == ImportStatus.DONE and jobs.progress_of(run) == 100 and run.progress == 100
    assert jobs.progress_of(make_run(ImportStatus.FAILED)) == 100


def test_the_import_reports_its_progress_while_it_runs(make_run, monkeypatch):
    seen = []
    monkeypatch.setattr(importer, "BATCH", 1)
    monkeypatch.setattr(jobs, "_PROGRESS_EVERY", 0)
    monkeypatch.setattr(jobs, "_beat", lambda run_id, percent: seen.append(percent))
    run = make_run()
    run.file.save(f"{run.pk}.dat", ContentFile(csv_bytes([row(policy_number=f"31{i:08d}") for i in range(4)])))
    jobs.run_import(run=run)
    # The claim, then each record read (up to importer.PLANNING), then each chunk written (up to 99).
    assert seen[0] == 0 and len(seen) == 9 and seen == sorted(seen) and 0 < seen[4] <= importer.PLANNING
    assert seen[-1] == 99


# A run whose worker died ----------------------------------------------------------------------------------------------


def stale(make_run, **fields) -> ImportRun:
    """Running for an hour, without a heartbeat: its worker died."""
    return make_run(ImportStatus.RUNNING, **{"started_at": timezone.now() - LONG_AGO, "attempts": 1, **fields})


def test_a_stale_run_is_queued_again_with_its_file(make_run, media, queue, django_capture_on_commit_callbacks):
    run = stale(make_run)
    with django_capture_on_commit_callbacks(execute=True):
        run = jobs.recover(run=run)
    assert (run.status, run.started_at, run.attempts) == (ImportStatus.QUEUED, None, 1)
    assert queue == [str(run.pk)] and files_in(media)
    run = jobs.run_import(run=run)  # the worker takes it again
    assert (run.status, run.attempts, run.unmatched) == (ImportStatus.DONE, 2, 1)


def test_a_run_whose_worker_died_twice_fails_and_its_file_goes(make_run, media, queue):
    run = jobs.recover(run=stale(make_run, attempts=jobs.MAX_ATTEMPTS))
    assert run.status == ImportStatus.FAILED and run.finished_at is not None
    with translation.override("fr"):  # its user's language
        assert run.failure == translation.gettext(jobs.WORKER_DIED_TWICE)
    assert not files_in(media) and not run.file and queue == []


def test_a_stale_run_whose_file_is_gone_fails(make_run, media, queue):
    run = stale(make_run)
    run.file.storage.delete(run.file.name)
    run = jobs.recover(run=run)
    assert run.status == ImportStatus.FAILED and queue == []
    with translation.override("fr"):
        assert run.failure == translation.gettext(jobs.WORKER_DIED_FILE_GONE)


def test_a_run_with_a_recent_heartbeat_or_start_is_not_stale(make_run, queue):
    alive = stale(make_run)
    jobs._beat(alive.pk, 40)  # its worker reported a minute ago, however long ago it started
    just_started = make_run(ImportStatus.RUNNING, started_at=timezone.now() - datetime.timedelta(minutes=1))
    for run in (alive, just_started, make_run(), make_run(ImportStatus.DONE)):
        status = run.status
        assert jobs.recover(run=run).status == status
    assert jobs.progress_of(alive) == 40 and queue == []
    # An hour on, without a heartbeat since, it is.
    assert jobs.is_stale(alive, now=timezone.now() + LONG_AGO)


def test_recovery_of_an_office_leaves_the_other_offices_runs(make_run, world, queue):
    mine, theirs = stale(make_run), stale(make_run, office=world.other_office)
    assert [run.pk for run in jobs.recover_stale_runs(office_id=world.office.pk)] == [mine.pk]
    assert ImportRun.objects.get(pk=theirs.pk).status == ImportStatus.RUNNING
    assert [run.pk for run in jobs.recover_stale_runs()] == [theirs.pk]


def test_the_imports_page_and_the_worker_recover_stale_runs(client, make_run, world, queue, media):
    client.force_login(world.bob)
    run = stale(make_run, attempts=jobs.MAX_ATTEMPTS)
    assert client.get("/imports/").status_code == 200
    assert ImportRun.objects.get(pk=run.pk).status == ImportStatus.FAILED
    run = stale(make_run, attempts=jobs.MAX_ATTEMPTS)
    run_import_task.call(str(make_run().pk))  # the worker, before the run it was given
    assert ImportRun.objects.get(pk=run.pk).status == ImportStatus.FAILED


def test_the_import_page_recovers_its_stale_run(client, make_run, world, queue):
    client.force_login(world.bob)
    run = stale(make_run, attempts=jobs.MAX_ATTEMPTS)
    response = client.get(f"/imports/{run.pk}/")
    failure = ImportRun.objects.get(pk=run.pk).failure
    assert failure and response.status_code == 200 and escape(failure) in response.content.decode()
