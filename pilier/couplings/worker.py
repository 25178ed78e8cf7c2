"""The worker process's heartbeat and sweeper: a thread beside django-tasks' `db_worker` loop.

`manage.py db_worker` is this project's own command (management/commands/db_worker.py, found before
django-tasks-db's: pilier.couplings comes first in INSTALLED_APPS): the same worker, which starts a
`Heartbeat` thread first. Why a thread in the worker process rather than a periodic task or a beat from the
task itself: a periodic task waits behind a long import in the same worker, and a beat from inside the task
says nothing of an idle worker; a daemon thread beats while the worker lives, idle or busy, and dies with it
(killed, out of memory), which is the very thing the heartbeat tells.

Every BEAT_EVERY seconds it writes this process's WorkerHeartbeat row (last seen, the run it is running);
every SWEEP_EVERY seconds it recovers the stale runs of every office (jobs.recover_stale_runs: a run whose
worker died is queued again once, then failed with the reason), without a page being opened; it also forgets
the workers not seen for PRUNE_AFTER. A database error (SQLite busy, PostgreSQL restarting) is logged and the
next beat tries again: the thread never stops before the process.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import os
import random
import socket
import threading
import time
import uuid
from collections.abc import Iterator

from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone
from django.utils.crypto import get_random_string

logger = logging.getLogger(__name__)

BEAT_EVERY = 10.0  # seconds
SWEEP_EVERY = 60.0  # seconds
PRUNE_AFTER = datetime.timedelta(days=7)

_name = ""  # this process's WorkerHeartbeat name, once it beats ("" in a web server or a command)
_running = ""  # the id of the run this process is running


def name() -> str:
    """This process's heartbeat name, written on the runs it claims; "" when it does not beat."""
    return _name


@contextlib.contextmanager
def running(run_id: uuid.UUID) -> Iterator[None]:
    """The run this process runs meanwhile, said by its next beats."""
    global _running
    _running = str(run_id)
    try:
        yield
    finally:
        _running = ""


def new_name() -> str:
    host = socket.gethostname()[:40] or "host"
    return f"{host}-{os.getpid()}-{get_random_string(8)}"


class Heartbeat(threading.Thread):
    """Beats and sweeps until `stop` (or the end of the process: a daemon thread)."""

    def __init__(self, *, every: float = BEAT_EVERY, sweep_every: float = SWEEP_EVERY) -> None:
        super().__init__(name="pilier-heartbeat", daemon=True)
        self.every, self.sweep_every = every, sweep_every
        self.worker = new_name()
        self.started_at = timezone.now()
        self.stopped = threading.Event()

    def run(self) -> None:
        # The first sweep a little after the start, at a different moment in each worker.
        next_sweep = time.monotonic() + random.uniform(0, self.sweep_every)  # noqa: S311 - not a secret
        while True:  # at least one beat, however soon it is stopped
            close_old_connections()
            self.beat()
            if time.monotonic() >= next_sweep:
                self.sweep()
                next_sweep = time.monotonic() + self.sweep_every
            if self.stopped.wait(self.every):
                break
        connection.close()

    def stop(self) -> None:
        self.stopped.set()
        if self.is_alive():
            self.join(timeout=5)

    def beat(self) -> bool:
        """This worker seen now; False (logged) when the database could not say it."""
        from .models import WorkerHeartbeat

        now = timezone.now()
        try:
            seen = WorkerHeartbeat.objects.filter(name=self.worker).update(last_seen=now, running=_running)
            if not seen:
                WorkerHeartbeat.objects.create(
                    name=self.worker,
                    host=socket.gethostname()[:64],
                    pid=os.getpid(),
                    started_at=self.started_at,
                    last_seen=now,
                    running=_running,
                )
        except DatabaseError:
            logger.warning("worker %s: its heartbeat could not be written; next try in %ss", self.worker, self.every)
            connection.close()
            return False
        return True

    def sweep(self) -> int:
        """Recovers the stale runs of every office and forgets long-gone workers; the number of runs recovered."""
        from . import jobs
        from .models import WorkerHeartbeat

        try:
            recovered = jobs.recover_stale_runs()
            WorkerHeartbeat.objects.filter(last_seen__lt=timezone.now() - PRUNE_AFTER).delete()
        except Exception:  # the thread goes on: the next sweep tries again
            logger.exception("worker %s: the sweep of stale runs failed", self.worker)
            connection.close()
            return 0
        for run in recovered:
            logger.warning("worker %s: import run %s recovered (%s)", self.worker, run.pk, run.status)
        return len(recovered)


def start(**options: float) -> Heartbeat:
    """Starts this process's heartbeat: the runs it claims from now on carry its name."""
    global _name
    heartbeat = Heartbeat(**options)
    _name = heartbeat.worker
    heartbeat.start()
    return heartbeat


def stop(heartbeat: Heartbeat) -> None:
    global _name
    heartbeat.stop()
    _name = ""
