"""A portfolio import written in chunks, each with the run's checkpoint (portfolio/importer.py): interrupted
after chunk k, it is resumed from there and applies each record exactly once; a chunk that conflicts with a
change made meanwhile is planned again."""

import datetime
from collections import Counter

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db.models import F
from django.utils import timezone, translation

from pilier.couplings import jobs, tasks
from pilier.couplings.models import ImportRun, ImportStatus, UnmatchedRecord
from pilier.couplings.portfolio import importer
from pilier.policies.models import Policy
from pilier.tests.factories import PolicyFactory

from .conftest import csv_bytes, row

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """The worker process stops there (nothing of Python's error handling runs after it, as with a kill)."""


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def queue(monkeypatch):
    queued = []
    monkeypatch.setattr(tasks, "run_import", type("Queue", (), {"enqueue": staticmethod(queued.append)}))
    return queued


def a_file(world):
    """7 records: 2 updates, 3 creations in the holder's file, 2 unmatched; chunks of 2 records: 4 chunks."""
    nn = world.client.national_number
    rows = [
        row(policy_number="3000000256", annual_premium="100.00"),  # update
        row(policy_number="3002000001", holder_national_number=nn),  # created
        row(policy_number="3100000001", mandate="no"),  # unmatched
        row(policy_number="3000000257", annual_premium="200.00"),  # update
        row(policy_number="3002000002", holder_national_number=nn),  # created
        row(policy_number="3100000002", mandate="no"),  # unmatched
        row(policy_number="3002000003", holder_national_number=nn),  # created
    ]
    return csv_bytes(rows)


def new_run(world, content: bytes) -> ImportRun:
    run = ImportRun.objects.create(office=world.office, created_by=world.admin, file_name="nn.csv", source="command")
    run.file.save(f"{run.pk}.dat", ContentFile(content), save=True)
    return run


def import_history(kind: str) -> Counter:
    """Policy id -> history rows of that kind written by imports."""
    rows = Policy.history.filter(history_type=kind, history_change_reason__endswith="nn.csv")
    return Counter(rows.values_list("id", flat=True))


def counts(run):
    return {k: getattr(run, k) for k in ("records", "created", "updated", "unchanged", "unmatched", "rejected")}


EXPECTED = {"records": 7, "created": 3, "updated": 2, "unchanged": 0, "unmatched": 2, "rejected": 0}


def dies_at_chunk_2(monkeypatch):
    """Chunks of 2 records; the worker is killed as it starts chunk 2. Returns the real chunk writer."""
    monkeypatch.setattr(importer, "BATCH", 2)
    real = importer._write_chunk

    def killed(run, index, *args, **kwargs):
        if index == 2:
            raise WorkerKilled
        return real(run, index, *args, **kwargs)

    monkeypatch.setattr(importer, "_write_chunk", killed)
    return real


@pytest.fixture
def policies(world):
    return [
        PolicyFactory(client=world.client, insurer="NN", number="300-0000256", annual_premium=1),
        PolicyFactory(client=world.client, insurer="NN", number="300-0000257", annual_premium=2),
    ]


def test_the_import_writes_in_chunks_with_its_checkpoint(world, media, policies, monkeypatch):
    monkeypatch.setattr(importer, "BATCH", 2)
    seen = []
    real = importer._write_chunk

    def spy(run, index, chunk, *args, **kwargs):
        seen.append((index, ImportRun.objects.get(pk=run.pk).applied_chunks))
        return real(run, index, chunk, *args, **kwargs)

    monkeypatch.setattr(importer, "_write_chunk", spy)
    run = jobs.run_import(run=new_run(world, a_file(world)))
    assert run.status == ImportStatus.DONE and counts(run) == EXPECTED, run.failure
    # One transaction per chunk, the checkpoint moved by each: 4 chunks of the 7 records.
    assert seen == [(0, None), (1, 1), (2, 2), (3, 3)] and run.applied_chunks == 4
    assert ImportRun.objects.get(pk=run.pk).applied_chunks == 4


def test_a_run_whose_worker_died_after_chunk_k_is_resumed_and_applies_each_record_once(
    world, media, policies, monkeypatch, queue, django_capture_on_commit_callbacks
):
    real = dies_at_chunk_2(monkeypatch)
    run = new_run(world, a_file(world))
    with pytest.raises(WorkerKilled):
        jobs.run_import(run=run)
    run.refresh_from_db()
    # Chunks 0 and 1 (records 1 to 4) are written, with their counts; the run is still running.
    assert (run.status, run.applied_chunks, run.created, run.updated, run.unmatched) == ("running", 2, 1, 2, 1)
    assert Policy.objects.filter(number="300-2000001").exists()
    assert not Policy.objects.filter(number="300-2000002").exists()
    # Meanwhile a broker changes a policy the run has updated: the run will not write it again.
    Policy.objects.filter(pk=policies[0].pk).update(annual_premium=7)

    monkeypatch.setattr(importer, "_write_chunk", real)
    ImportRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - datetime.timedelta(hours=1))
    cache.delete(jobs.progress_key(run.pk))  # no heartbeat since: its worker died
    with django_capture_on_commit_callbacks(execute=True):
        run = jobs.recover(run=ImportRun.objects.get(pk=run.pk))
    assert run.status == ImportStatus.QUEUED and queue == [str(run.pk)]
    run = jobs.run_import(run=run)  # the next worker resumes it from its checkpoint
    assert (run.status, run.attempts, run.applied_chunks) == (ImportStatus.DONE, 2, 4), run.failure
    assert counts(run) == EXPECTED  # the counts of the whole file, as if run at once

    created = Policy.objects.filter(number__startswith="300-200")
    assert created.count() == 3
    assert import_history("+") == Counter({p.pk: 1 for p in created})  # each created once
    assert import_history("~") == Counter({p.pk: 1 for p in policies})  # each updated once
    assert UnmatchedRecord.objects.count() == 2
    policies[0].refresh_from_db()
    policies[1].refresh_from_db()
    assert policies[0].annual_premium == 7  # the broker's change stands: its record was applied before
    assert policies[1].annual_premium == 200


def test_a_slow_worker_that_lost_its_claim_stops_at_its_next_chunk_and_the_next_one_finishes(
    world, media, policies, monkeypatch
):
    monkeypatch.setattr(importer, "BATCH", 2)
    real = importer._write_chunk

    def slow(run, index, *args, **kwargs):
        if index == 1:  # after chunk 0, the run was recovered and claimed by another worker
            ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.QUEUED)
        return real(run, index, *args, **kwargs)

    monkeypatch.setattr(importer, "_write_chunk", slow)
    run = jobs.run_import(run=new_run(world, a_file(world)))
    assert (run.status, run.applied_chunks) == (ImportStatus.QUEUED, 1)  # it wrote chunk 0 only
    monkeypatch.setattr(importer, "_write_chunk", real)
    run = jobs.run_import(run=run)
    assert (run.status, run.attempts) == (ImportStatus.DONE, 2) and counts(run) == EXPECTED
    assert sum(import_history("+").values()) == 3 and sum(import_history("~").values()) == 2


def test_a_chunk_that_conflicts_with_a_change_made_meanwhile_is_planned_again(world, media, policies, monkeypatch):
    monkeypatch.setattr(importer, "BATCH", 2)
    real = importer._apply
    calls = []

    def meanwhile(run, plan, progress, **kwargs):
        calls.append(run.applied_chunks)
        if len(calls) == 1:  # between the plan and its writing, a broker adds the policy the file creates last
            PolicyFactory(client=world.client, insurer="NN", number="300-2000003", annual_premium=5)
        return real(run, plan, progress, **kwargs)

    monkeypatch.setattr(importer, "_apply", meanwhile)
    run = jobs.run_import(run=new_run(world, a_file(world)))
    assert run.status == ImportStatus.DONE, run.failure
    assert calls == [None, 3]  # chunk 3 refused (the number exists now): planned again, resumed there
    # The record now updates the broker's policy (its values were the same but the premium).
    assert counts(run) == {**EXPECTED, "created": 2, "updated": 3}
    assert Policy.objects.filter(number="300-2000003").count() == 1


def test_an_error_in_the_first_chunk_changes_nothing_and_one_later_says_what_was_written(
    world, media, policies, monkeypatch
):
    from pilier.couplings.portfolio.writer import Writer

    monkeypatch.setattr(importer, "BATCH", 2)
    world.admin.language = "en"
    world.admin.save()
    real = Writer.write
    fail_at = {"chunk": 0}
    calls = {"n": 0}

    def flaky(self, batch):
        calls["n"] += 1
        if calls["n"] == fail_at["chunk"] + 1:
            raise RuntimeError("disk full")
        real(self, batch)

    monkeypatch.setattr(Writer, "write", flaky)
    run = jobs.run_import(run=new_run(world, a_file(world)))
    assert run.status == ImportStatus.FAILED and "nothing was changed" in run.failure
    assert not Policy.history.filter(history_change_reason__endswith="nn.csv").exists()

    fail_at["chunk"], calls["n"] = 2, 0
    run = jobs.run_import(run=new_run(world, a_file(world)))
    assert run.status == ImportStatus.FAILED and "after 4 of its 7 records were written" in run.failure
    assert "Import the same file again" in run.failure
    # The same file again finishes it: what was written is found unchanged, the rest is written, once.
    monkeypatch.setattr(Writer, "write", real)
    run = jobs.run_import(run=new_run(world, a_file(world)))
    assert run.status == ImportStatus.DONE
    assert (run.created, run.updated, run.unchanged, run.unmatched) == (2, 0, 4, 1)
    assert sum(import_history("+").values()) == 3 and sum(import_history("~").values()) == 2


def test_a_run_being_written_whose_worker_died_twice_says_part_was_written(world, media, policies, queue):
    run = new_run(world, a_file(world))
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportStatus.RUNNING,
        attempts=jobs.MAX_ATTEMPTS,
        applied_chunks=1,
        started_at=timezone.now() - datetime.timedelta(hours=1),
    )
    run = jobs.recover(run=ImportRun.objects.get(pk=run.pk))
    assert run.status == ImportStatus.QUEUED  # one more attempt: finishing it beats stopping half way
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportStatus.RUNNING, attempts=F("attempts") + 1, started_at=timezone.now() - datetime.timedelta(hours=1)
    )
    run = jobs.recover(run=ImportRun.objects.get(pk=run.pk))
    with translation.override(world.admin.language):
        said = translation.gettext(jobs.WORKER_DIED_PARTLY)
    assert run.status == ImportStatus.FAILED and run.failure == said


def test_a_run_resumed_by_code_with_another_chunk_size_keeps_its_own_cut(
    world, media, policies, monkeypatch, queue, django_capture_on_commit_callbacks
):
    """A deploy while a worker died: the new code cuts files in chunks of 3, the run was cut in chunks of 2 and its
    checkpoint counts those. Resumed, it keeps chunks of 2: no record is skipped, none is written twice."""
    real = dies_at_chunk_2(monkeypatch)
    run = new_run(world, a_file(world))
    with pytest.raises(WorkerKilled):
        jobs.run_import(run=run)
    assert ImportRun.objects.get(pk=run.pk).chunk_size == 2

    monkeypatch.setattr(importer, "_write_chunk", real)
    monkeypatch.setattr(importer, "BATCH", 3)  # the new version of the code
    ImportRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - datetime.timedelta(hours=1))
    cache.delete(jobs.progress_key(run.pk))
    with django_capture_on_commit_callbacks(execute=True):
        run = jobs.recover(run=ImportRun.objects.get(pk=run.pk))
    run = jobs.run_import(run=run)
    assert (run.status, run.applied_chunks, run.chunk_size) == (ImportStatus.DONE, 4, 2), run.failure
    assert counts(run) == EXPECTED
    created = Policy.objects.filter(number__startswith="300-200")
    assert created.count() == 3  # with chunks of 3 from checkpoint 2, record 5 (300-2000002) would be skipped
    assert import_history("+") == Counter({p.pk: 1 for p in created})
    assert import_history("~") == Counter({p.pk: 1 for p in policies})
