"""The insurer portfolio import: a file from an insurer updates the office's policies.

    readers.records (CSV / JSON, streamed) → records.RecordReader (each record checked) → matcher.Matcher
    (in memory, no SQL) → writer.Writer (SQL, in chunks)

A run goes in two steps, so that a long import never keeps the brokers of its office from saving:

1. **Plan**, with reads only (no write lock, on SQLite or PostgreSQL): the whole file is read, every record
   checked and matched against the office's keys (loaded once). A bad record is rejected with its line and
   reason, the others go on; a file that cannot be read, or any error on the way, stops here and nothing is
   written. The rows to write are kept in memory, cut into chunks of BATCH records of the file.
2. **Apply**, chunk after chunk, each in a short transaction of its own (under 200 ms for 5,000 records on
   the bench machine), on SQLite with a pause after each one of a quarter of the time the chunk held the
   lock: the write lock is handed back several times a second, so a broker's save waits a fraction of a
   second for it (the busy timeout, settings.py) instead of the whole import. Each chunk's transaction
   starts with the run's checkpoint (`ImportRun.applied_chunks`, the chunks applied so far, with the
   counts so far), moved from k to k + 1 only if the run is still this worker's and at chunk k: a chunk is
   written with its checkpoint or not at all, and never twice, whoever runs it.

Why not one transaction (as before): SQLite has one writer at a time, and the import's transaction held the
lock from its first statement (BEGIN IMMEDIATE), reading and matching included, for the whole import (seconds
for 100,000 records), so that the brokers' saves waited 5 s and most failed with "database is
locked". Why not a staging table and a swap: the swap itself writes every row in one transaction, seconds
again. Chunks applied with a checkpoint keep what the user sees whole: the run is "running" until every
chunk is written, then done with the counts of the whole file; and they keep the rule that an import is
never applied twice:

- The worker dies (or is only slow and loses its claim) while applying: the run is recovered and queued
  again (jobs.recover), and the next worker **resumes** it: it plans the file again against the database as
  it is now, drops the rows of the chunks already applied (their checkpoint says so), and applies the
  others; the counts are those saved at the checkpoint plus the rest's. A slow worker whose claim was taken
  finds the checkpoint moved or its claim gone (RunLost) and writes nothing more.
- A chunk conflicts with a change made meanwhile (a broker created the same policy number, deleted the
  client a policy was planned for: IntegrityError): that chunk rolls back, the run plans again as above
  (the new policy is then updated, the record of a deleted client listed as unmatched) and goes on, up to
  MAX_REPLANS times. The database busy for longer than its timeout: the chunk is tried again after a pause.
- Any other error while applying (a full disk ...): before the first chunk nothing was written ("nothing was
  changed"); after it, the run fails saying how many records were written, and that importing the same file
  again finishes it (an import of a file already applied changes nothing: its records are found unchanged).

The rows of a whole file are held in memory between the two steps (bench/import_bench.py measures it).
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from pilier.couplings.jobs import MAX_ERRORS_KEPT, UNEXPECTED, FileRefused, LineError, Outcome, Progress, RunLost
from pilier.couplings.models import ImportRun, ImportStatus
from pilier.lib.busy import is_busy
from pilier.policies.models import Policy

from .matcher import Batch, Decision, Matcher
from .readers import UnreadableFile, records
from .records import RecordError, RecordReader, about
from .writer import Writer

logger = logging.getLogger(__name__)

# Records of the file in a chunk, written in one short transaction. Each commit writes again the index pages
# its rows touched (random keys: most of them), so that fewer, larger chunks cost less in all; 5,000 held the
# lock ~175 ms each on the 2-core bench machine (100,000 records: 20 chunks), a broker's save waiting 133 ms
# at p95 (`bench/import_bench.py --saves`); 1,000 held it 70 ms but made the import twice as slow.
BATCH = 5000
PLANNING = 60  # percent of the progress bar for reading and matching the file; the rest for writing it
MAX_REPLANS = 3  # chunks that conflicted with a change made meanwhile: the file planned again this many times
BUSY_RETRIES = 5  # a chunk that found the database busy for longer than its timeout: tried again this many times
# After each chunk (SQLite), the lock is left to the others for PAUSE_SHARE of the time the chunk held it,
# between PAUSE_MIN and PAUSE_MAX seconds: a writer waiting polls the lock every few to 100 ms (SQLite's busy
# handler), and finds it free at one of its first polls.
PAUSE_SHARE, PAUSE_MIN, PAUSE_MAX = 0.25, 0.005, 0.2

COUNTED = tuple(decision.value for decision in Decision)  # created, updated, unchanged, unmatched


@contextlib.contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """The cyclic garbage collector paused: a pass builds hundreds of thousands of tuples, lists and
    records, none of them in a reference cycle, and the collector would go over all of them again
    and again. Reference counting still frees them."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@dataclass(slots=True)
class Chunk:
    """BATCH records of the file: their rows to write (None once applied) and what they did."""

    batch: Batch | None
    counts: dict[str, int]
    errors: list[LineError] = field(default_factory=list)
    records: int = 0


@dataclass(slots=True)
class Plan:
    records: int
    insurers: set[str]
    chunks: list[Chunk]
    chunk_size: int  # records per chunk (ImportRun.chunk_size once written)


class _Conflict(Exception):
    """A chunk was refused by a constraint (a change made since the plan): plan again."""


def import_portfolio(run: ImportRun, stream: IO[bytes], progress: Progress) -> Outcome:
    """Plans the file, then applies it chunk by chunk from the run's checkpoint (module docstring)."""
    now = timezone.now()
    replans = 0
    with contextlib.ExitStack() as opened:
        while True:
            planning = time.monotonic()
            plan = _plan(run, stream, progress, now=now)
            took = time.monotonic() - planning
            logger.info("import run %s: %s records read and matched in %.2f s", run.pk, plan.records, took)
            try:
                return _apply(run, plan, progress, now=now)
            except _Conflict as exc:
                replans += 1
                if replans > MAX_REPLANS:
                    raise _partly_applied(run, plan) from exc.__cause__
                logger.warning("import run %s: a chunk conflicted with a change made since; planned again", run.pk)
                run.refresh_from_db(
                    fields=["applied_chunks", "chunk_size", "attempts", "status", *COUNTED, "rejected", "errors"]
                )
                # The file again from its start (the reader of the plan may have closed the stream).
                stream = opened.enter_context(run.file.storage.open(run.file.name or "", "rb"))


def _plan(run: ImportRun, stream: IO[bytes], progress: Progress, *, now: datetime.datetime) -> Plan:
    """Reads, checks and matches the whole file: reads only. The rows of the chunks already applied (a run
    resumed) are dropped as soon as they are matched."""
    progress.stream = stream
    rows = records(stream, run.file_name, run=run)  # an unreadable file stops here
    try:
        return _match_all(run, rows, progress, now=now)
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()  # a reader stopped half way (an error) lets go of the file now, while it is open


def _match_all(
    run: ImportRun, rows: Iterator[tuple[int, list[str]]], progress: Progress, *, now: datetime.datetime
) -> Plan:
    writer = Writer(run=run, now=now)
    applied = run.applied_chunks or 0
    size = chunk_size(run)
    chunks: list[Chunk] = []
    insurers: set[str] = set()
    count = 0
    with _no_cyclic_gc():
        keys = writer.load_office_keys()  # tens of thousands of rows: a third faster without the collector
        matcher = Matcher(keys, number_limit=Policy._meta.get_field("number").max_length or 0)
        read, match = RecordReader().read, matcher.match
        counts = dict.fromkeys(Decision, 0)
        errors: list[LineError] = []

        def cut() -> None:
            nonlocal counts, errors
            batch = matcher.take_batch()
            chunks.append(
                Chunk(
                    batch if len(chunks) >= applied else None,
                    {decision.value: number for decision, number in counts.items()},
                    errors,
                    count - size * len(chunks),
                )
            )
            counts, errors = dict.fromkeys(Decision, 0), []

        for line, raw in rows:
            count += 1
            try:
                record = read(line, raw)
                insurers.add(record.insurer)
                counts[match(record)] += 1
            except RecordError as exc:
                errors.append({"line": line, "message": str(exc), **about(raw)})  # type: ignore[typeddict-item]
            if count % size == 0:
                cut()
                progress.tick(upto=PLANNING)
        if count % size or not chunks:
            cut()
    if count == 0:
        raise UnreadableFile(_("The file has no record."))
    return Plan(records=count, insurers=insurers, chunks=chunks, chunk_size=size)


def chunk_size(run: ImportRun) -> int:
    """The records per chunk: the run's own once its first chunk is written (a run resumed by a newer version
    of the code keeps the cut its checkpoint counts in), BATCH before."""
    return run.chunk_size if run.applied_chunks and run.chunk_size else BATCH


def _apply(run: ImportRun, plan: Plan, progress: Progress, *, now: datetime.datetime) -> Outcome:
    """Writes the chunks from the run's checkpoint on; returns the outcome of the whole file."""
    writer = Writer(run=run, now=now)
    applied = run.applied_chunks or 0
    outcome = Outcome(records=plan.records, insurers=plan.insurers)
    if applied:  # resumed: what the chunks applied did is at the checkpoint
        for name in (*COUNTED, "rejected"):
            setattr(outcome, name, getattr(run, name))
        outcome.errors = list(run.errors or [])
    sqlite = writer.db.vendor == "sqlite"
    total = len(plan.chunks)
    held_in_all = paused = 0.0
    for index in range(applied, total):
        chunk = plan.chunks[index]
        for name, number in chunk.counts.items():
            setattr(outcome, name, getattr(outcome, name) + number)
        outcome.rejected += len(chunk.errors)
        room = MAX_ERRORS_KEPT - len(outcome.errors)
        outcome.errors.extend(chunk.errors[: max(room, 0)])
        held = _write_chunk(run, index, chunk, outcome, writer, new_errors=bool(chunk.errors) and room > 0, plan=plan)
        chunk.batch = None  # its rows are written: freed
        progress.applied(index + 1, total, start=PLANNING)
        held_in_all += held
        if sqlite and index + 1 < total:
            pause = min(max(held * PAUSE_SHARE, PAUSE_MIN), PAUSE_MAX)  # the lock to the others for a while
            time.sleep(pause)
            paused += pause
    logger.info(
        "import run %s: %s chunks written from chunk %s, the lock held %.2f s in all, left to others %.2f s",
        run.pk,
        total - applied,
        applied,
        held_in_all,
        paused,
    )
    return outcome


def _write_chunk(
    run: ImportRun, index: int, chunk: Chunk, outcome: Outcome, writer: Writer, *, new_errors: bool, plan: Plan
) -> float:
    """One chunk and its checkpoint in one transaction; returns how long it held the transaction."""
    assert chunk.batch is not None
    values: dict[str, Any] = {"applied_chunks": index + 1, "rejected": outcome.rejected, "chunk_size": plan.chunk_size}
    values.update({name: getattr(outcome, name) for name in COUNTED})
    if new_errors:
        values["errors"] = outcome.errors
    at_checkpoint = Q(applied_chunks=index) | Q(applied_chunks__isnull=True) if index == 0 else Q(applied_chunks=index)
    mine = ImportRun.objects.filter(at_checkpoint, pk=run.pk, status=ImportStatus.RUNNING, attempts=run.attempts)
    for attempt in range(BUSY_RETRIES + 1):
        started = time.monotonic()
        try:
            with transaction.atomic():  # BEGIN IMMEDIATE on SQLite: the lock, from the first statement on
                if not mine.update(**values):
                    raise RunLost(run.pk)
                writer.write(chunk.batch)
        except RunLost:
            raise
        except IntegrityError as exc:  # a change made since the plan (deferred constraints: at the commit)
            raise _Conflict() from exc
        except OperationalError as exc:
            if not is_busy(exc) or attempt == BUSY_RETRIES:
                if index:
                    raise _partly_applied(run, plan) from exc
                raise
            time.sleep(PAUSE_MAX * (attempt + 1))
            continue
        except Exception as exc:
            if index:
                raise _partly_applied(run, plan) from exc
            raise  # nothing was written: the run fails as any error before it ("nothing was changed")
        else:
            run.applied_chunks = index + 1
            for name, value in values.items():
                setattr(run, name, value)
            return time.monotonic() - started
    raise AssertionError("unreachable")  # pragma: no cover


class PartlyApplied(FileRefused):
    """The run stopped after some of its chunks were written: the message says so, and how to finish."""


def _partly_applied(run: ImportRun, plan: Plan) -> PartlyApplied:
    applied = run.applied_chunks or 0
    if not applied:
        return PartlyApplied(_(UNEXPECTED))
    done = sum(chunk.records for chunk in plan.chunks[:applied])
    return PartlyApplied(
        _(
            "The import stopped on an unexpected error after %(done)s of its %(total)s records were written. "
            "Import the same file again to finish it: the records already written are found unchanged."
        )
        % {"done": done, "total": plan.records}
    )
