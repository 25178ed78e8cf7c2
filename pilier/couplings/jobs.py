"""The life cycle of an import run, whatever its kind: queue, claim, run, progress, recover.

    queued ──claim──▶ running ──▶ done | failed
                         │
                         └── its worker died (no heartbeat for a while) ──recover──▶ queued again (once)
                                                                                   or failed, with the reason

- `enqueue` hands a run to the worker (django-tasks, see tasks.py); a run that cannot be queued fails.
- `claim` is one conditional UPDATE: of two workers given the same run, one runs it, the other does nothing.
- `run_import` runs the kind's importer (the insurer portfolio: portfolio/importer.py) on the run's file, then
  writes the result, only if the run is still the one it claimed. The importer reads and checks the whole
  file first (reads only: nothing is written when it fails), then writes it in short transactions, chunk by
  chunk, each with the run's checkpoint (`applied_chunks`): a long import hands the write lock back between
  chunks (SQLite has one writer at a time), and a run recovered from under its worker — dead, or only slow —
  is resumed by the next from its checkpoint, never applied twice (the slow one finds its claim gone: RunLost).
- `Progress` is written to the cache, outside the transactions (the page that polls reads it),
  at most once a second; it is also the run's heartbeat, which `recover` reads: the cache must be the one
  the web server and the worker share (settings.CACHES, a folder under var/ by default).
- A worker process (`manage.py db_worker`, worker.py) also beats in the database every few seconds, saying
  which run it is running (WorkerHeartbeat): a run claimed by such a worker is alive while either heartbeat
  is, and stale WORKER_DEAD_AFTER after both stopped (a killed worker); a run claimed elsewhere (the
  `import_portfolio` command) has only the cache's, and STALE_AFTER. Every worker sweeps the stale runs
  every minute (worker.py), as do `manage.py recover_jobs`, the imports page and each run's task.
- The file holds personal data: once a run has ended, in any way, it is deleted; its counts and errors stay.
"""

from __future__ import annotations

import datetime
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any, TypedDict

from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from . import worker
from .models import ImportKind, ImportRun, ImportStatus, WorkerHeartbeat

logger = logging.getLogger(__name__)

MAX_ERRORS_KEPT = 5000
STALE_AFTER = datetime.timedelta(minutes=10)  # a running run without a heartbeat for that long: its worker died
WORKER_DEAD_AFTER = datetime.timedelta(minutes=3)  # the same, for a run whose worker beats (every 10 s) in the database
MAX_ATTEMPTS = 2  # a run whose worker died is queued again once; a second death fails it (a file that kills it)
_PROGRESS_EVERY = 1.0  # seconds between two progress reports

UNEXPECTED = gettext_noop(
    "The import stopped on an unexpected error: nothing was changed. Try again or contact support."
)
# Why a run whose worker died is failed (recover), in its user's language on the import's page and the API.
WORKER_DIED_TWICE = gettext_noop(
    "The import stopped twice because the worker running it stopped: nothing was changed. "
    "Try again, or contact support if it happens again."
)
WORKER_DIED_FILE_GONE = gettext_noop(
    "The import stopped because the worker running it stopped, and its file is no longer there: "
    "nothing was changed. Send the file again."
)

WORKER_DIED_PARTLY = gettext_noop(
    "The import stopped because the worker running it stopped, after part of the file was written. "
    "Import the same file again to finish it: the records already written are found unchanged."
)

# The importer of each kind: (run, its file opened, its progress) -> Outcome; it writes in its own transactions,
# each checking that the run is still this worker's (RunLost otherwise).
RUNNERS: dict[str, str] = {ImportKind.PORTFOLIO: "pilier.couplings.portfolio.importer.import_portfolio"}


class FileRefused(ValueError):
    """The whole file is refused (nothing written); the message says why, in the user's language."""


class RunLost(RuntimeError):
    """The run is no longer the one this worker claimed (recovered and claimed again): its work rolls back."""


class LineError(TypedDict):
    line: int
    message: str


@dataclass
class Outcome:
    """What a run did: the counts an importer keeps, the first MAX_ERRORS_KEPT rejected lines."""

    records: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    unmatched: int = 0
    rejected: int = 0
    errors: list[LineError] = field(default_factory=list)
    insurers: set[str] = field(default_factory=set)

    def reject(self, line: int, message: str) -> None:
        self.rejected += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append({"line": line, "message": message})


Runner = Callable[[ImportRun, IO[bytes], "Progress"], Outcome]


def _language(run: ImportRun) -> str:
    return run.created_by.language if run.created_by else "fr"


# Queueing -----------------------------------------------------------------------------------------


def enqueue(run_id: uuid.UUID) -> None:
    """Hands the run to the worker (called once the transaction that created it has committed); a run that
    cannot be queued fails at once, its file deleted, rather than wait for ever."""
    from .tasks import run_import as task

    try:
        task.enqueue(str(run_id))
    except Exception:
        logger.exception("import run %s could not be queued", run_id)
        run = ImportRun.objects.select_related("created_by").filter(pk=run_id).first()
        if run is None:
            return
        with translation.override(_language(run)):
            failure = _("The import could not be queued: nothing was changed. Try again or contact support.")
        ImportRun.objects.filter(pk=run.pk, status=ImportStatus.QUEUED).update(
            status=ImportStatus.FAILED, failure=failure, finished_at=timezone.now()
        )
        delete_file(run)


# Claiming and running ---------------------------------------------------------------------------------


def claim(*, run: ImportRun) -> bool:
    """Takes a queued run for this worker: True for one caller only, False if it was not queued (running
    elsewhere, ended, or gone). The run object is refreshed with its claim (status, start, attempts).

    One UPDATE … WHERE status = 'queued': on PostgreSQL the second of two concurrent claims waits for the
    first one's row lock, then reads the row again and finds it running (0 rows); on SQLite writes are one at
    a time. The task backend claims its task row with SELECT … FOR UPDATE SKIP LOCKED (django-tasks-db), and
    a run queued twice (recovered) has two tasks: this claim is what makes it run once."""
    claimed = ImportRun.objects.filter(pk=run.pk, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING,
        started_at=timezone.now(),
        attempts=F("attempts") + 1,
        progress=0,
        worker=worker.name(),
    )
    if not claimed:
        return False
    run.refresh_from_db()
    _beat(run.pk, 0)
    return True


def run_import(*, run: ImportRun) -> ImportRun:
    """Claims the run and runs it in the foreground (the worker's task, `manage.py import_portfolio`);
    returns the run as it ended, or as it is when another worker has it."""
    if not claim(run=run):
        # Running elsewhere (its file is being read), or ended: a file still there then (a process stopped
        # between saving the result and deleting it, or a row deleted) goes now.
        current = ImportRun.objects.select_related("created_by").filter(pk=run.pk).first()
        if current is None or current.is_finished:
            delete_file(current or run)
        return current or run
    ended = True  # by this worker (an unexpected error included)
    try:
        with worker.running(run.pk):  # said by this worker's heartbeat while it runs
            ended = _execute(run)
    except BaseException as exc:
        if not isinstance(exc, Exception):  # the worker itself stopped (SystemExit ...): resumed later from its file
            ended = False
        raise
    finally:
        if ended:  # else the run is another worker's now, and so is its file
            cache.delete(progress_key(run.pk))
            delete_file(run)
    return run


def _runner(kind: str) -> Runner:
    path = RUNNERS.get(kind)
    if path is None:
        raise FileRefused(_("This kind of import is not available yet."))
    runner: Runner = import_string(path)
    return runner


def _execute(run: ImportRun) -> bool:
    """Runs the claimed run to its end; False when it was recovered from under this worker meanwhile."""
    with translation.override(_language(run)):
        try:
            runner = _runner(run.kind)
            with run.file.open("rb") as stream:
                outcome = runner(run, stream, Progress(run.pk, stream))
            _finish(run, status=ImportStatus.DONE, outcome=outcome)
        except RunLost:
            logger.warning("import run %s was recovered while this worker ran it: it stopped there", run.pk)
        except FileRefused as exc:
            return _fail(run, str(exc))
        except Exception:
            logger.exception("import run %s failed", run.pk)
            return _fail(run, _(UNEXPECTED))
        else:
            return True
    run.refresh_from_db()
    return False


def _fail(run: ImportRun, failure: str) -> bool:
    """The run failed, its transaction rolled back; False when it is no longer this worker's. A database
    that cannot save the failure raises (the run stays running, and `recover` ends it later)."""
    try:
        _finish(run, status=ImportStatus.FAILED, failure=failure)
    except RunLost:
        logger.warning("import run %s was recovered while this worker ran it", run.pk)
        run.refresh_from_db()
        return False
    return True


def _finish(run: ImportRun, *, status: str, outcome: Outcome | None = None, failure: str = "") -> None:
    """Writes the end of the run, only if it is still this worker's claim (RunLost otherwise)."""
    values: dict[str, Any] = {"status": status, "failure": failure, "finished_at": timezone.now()}
    if outcome is not None:
        values.update(
            progress=100,
            records=outcome.records,
            created=outcome.created,
            updated=outcome.updated,
            unchanged=outcome.unchanged,
            unmatched=outcome.unmatched,
            rejected=outcome.rejected,
            errors=outcome.errors,
            insurers=sorted(outcome.insurers),
        )
    mine = ImportRun.objects.filter(pk=run.pk, status=ImportStatus.RUNNING, attempts=run.attempts)
    if not mine.update(**values):
        raise RunLost(run.pk)
    for name, value in values.items():
        setattr(run, name, value)


def delete_file(run: ImportRun) -> None:
    name = run.file.name
    if not name:
        return
    try:
        run.file.storage.delete(name)
    except OSError:
        logger.exception("import run %s: its file %s could not be deleted", run.pk, name)
        return
    run.file.name = ""
    try:
        ImportRun.objects.filter(pk=run.pk).update(file="")
    except DatabaseError:  # the file is gone all the same; the row names a missing file
        logger.exception("import run %s: its row could not be updated", run.pk)


# Progress and heartbeat ---------------------------------------------------------------------------------


def progress_key(run_id: uuid.UUID) -> str:
    return f"import-run:{run_id}:progress"


def _beat(run_id: uuid.UUID, percent: int) -> None:
    """(percent, when) in the cache, shared by the web server and the worker."""
    cache.set(progress_key(run_id), (percent, time.time()), int(2 * STALE_AFTER.total_seconds()))


class Progress:
    """How far a run is in its file (0 to 99 while it runs), reported at most once a second."""

    def __init__(self, run_id: uuid.UUID, stream: IO[bytes]) -> None:
        self.run_id, self.stream = run_id, stream
        self.reported_at = time.monotonic()
        try:
            stream.seek(0, 2)
            self.size = stream.tell()
            stream.seek(0)
        except (OSError, ValueError):
            self.size = 0

    def tick(self, *, upto: int = 99) -> None:
        """Called by the importer after each batch it reads: the part of the file read, from 0 to `upto`;
        cheap when it is too early to report."""
        if not self._due():
            return
        try:
            done = min(99, int(100 * self.stream.tell() / self.size)) * upto // 99 if self.size else 0
        except (OSError, ValueError):
            done = 0
        _beat(self.run_id, done)

    def applied(self, done: int, total: int, *, start: int) -> None:
        """Called by the importer after each chunk it writes: from `start` (nothing written) to 99."""
        if self._due():
            _beat(self.run_id, min(99, start + (99 - start) * done // max(total, 1)))

    def _due(self) -> bool:
        now = time.monotonic()
        if now - self.reported_at < _PROGRESS_EVERY:
            return False
        self.reported_at = now
        return True


def progress_of(run: ImportRun) -> int:
    """0 to 100, for the page and the API."""
    if run.status == ImportStatus.RUNNING:
        reported = cache.get(progress_key(run.pk))
        return reported[0] if isinstance(reported, tuple) else 0
    return 100 if run.is_finished else 0


# Recovering a run whose worker died -----------------------------------------------------------------------


def stale_after(run: ImportRun) -> datetime.timedelta:
    """How long a running run goes without a heartbeat before it is taken as dead: WORKER_DEAD_AFTER when
    claimed by a worker that beats in the database, STALE_AFTER otherwise."""
    return WORKER_DEAD_AFTER if run.worker else STALE_AFTER


def is_stale(run: ImportRun, *, now: datetime.datetime | None = None) -> bool:
    """Running, started more than stale_after ago, and no heartbeat for as long, neither its progress in the
    cache nor its worker's in the database (the worker died: what it was writing rolled back, and the chunks
    it wrote are at the run's checkpoint)."""
    if run.status != ImportStatus.RUNNING:
        return False
    now = now or timezone.now()
    after = stale_after(run)
    if run.started_at is not None and now - run.started_at < after:
        return False
    reported = cache.get(progress_key(run.pk))
    if isinstance(reported, tuple) and now.timestamp() - reported[1] < after.total_seconds():
        return False
    if run.worker:  # its worker says it is running it (another host's cache, a database lock held by the run)
        seen = WorkerHeartbeat.objects.filter(name=run.worker, running=str(run.pk), last_seen__gt=now - after)
        if seen.exists():
            return False
    return True


def recover(*, run: ImportRun, now: datetime.datetime | None = None) -> ImportRun:
    """A stale run is queued again while its file is there and it was claimed fewer than MAX_ATTEMPTS times,
    failed otherwise with the reason (its file deleted). Of two callers recovering the same run, one does it.
    A run with chunks written (its checkpoint) has one more attempt: the next worker resumes it there. Never
    applied twice: the dead worker's chunk in progress rolled back, and a worker that was only slow finds its
    claim gone at its next checkpoint (RunLost) and writes nothing more."""
    if not is_stale(run, now=now):
        return run
    name = run.file.name
    there = bool(name) and run.file.storage.exists(name or "")
    started = bool(run.applied_chunks)  # part of it is written: finishing it is better than stopping
    again = there and run.attempts < MAX_ATTEMPTS + started
    claimed = ImportRun.objects.filter(pk=run.pk, status=ImportStatus.RUNNING, attempts=run.attempts)
    if again:
        if claimed.update(status=ImportStatus.QUEUED, started_at=None, progress=0):
            logger.warning("import run %s: its worker stopped; queued again", run.pk)
            cache.delete(progress_key(run.pk))
            transaction.on_commit(lambda: enqueue(run.pk))
    else:
        with translation.override(_language(run)):
            # Nothing of it was written, unless it had started writing (its checkpoint).
            failure = _(WORKER_DIED_PARTLY if started else WORKER_DIED_TWICE if there else WORKER_DIED_FILE_GONE)
        if claimed.update(status=ImportStatus.FAILED, failure=failure, finished_at=now or timezone.now()):
            logger.warning("import run %s: its worker stopped; failed", run.pk)
            cache.delete(progress_key(run.pk))
            delete_file(run)
    run.refresh_from_db()
    return run


def recover_stale_runs(*, office_id: Any = None, now: datetime.datetime | None = None) -> list[ImportRun]:
    """Recovers every stale run (of one office, or all): called by each worker every minute (worker.py),
    before each run, by `manage.py recover_jobs` and by the imports page. Returns the runs recovered."""
    now = now or timezone.now()
    running = ImportRun.objects.select_related("created_by").filter(
        status=ImportStatus.RUNNING, started_at__lt=now - min(STALE_AFTER, WORKER_DEAD_AFTER)
    )
    if office_id is not None:
        running = running.filter(office_id=office_id)
    return [recover(run=run, now=now) for run in running if is_stale(run, now=now)]
