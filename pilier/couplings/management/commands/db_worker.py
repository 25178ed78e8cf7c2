"""`manage.py db_worker`: django-tasks-db's worker, with this process's heartbeat and sweeper beside it.

Found before django-tasks-db's own command because pilier.couplings comes first in INSTALLED_APPS; every
option is the same. With --reload the heartbeat beats in the reloaded child only (the process that runs
the tasks), never in the parent that watches the files.

The worker runs at a lower CPU priority (WORKER_NICE, default 10; 0 leaves it as started): on a machine it
shares with the app servers, a long import then takes the cores the brokers' requests leave, instead of
slowing every page while it plans 100,000 records (bench/load_bench.py measures both).
"""

import os

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from pilier.couplings import worker


def lower_priority() -> int:
    """os.nice(WORKER_NICE) once; returns the niceness now (unchanged where the system refuses)."""
    raw = os.environ.get("WORKER_NICE", "10").strip() or "0"
    try:
        step = int(raw)
    except ValueError:
        step = 10
    try:
        return os.nice(step) if step > 0 else os.nice(0)
    except OSError:
        return os.nice(0)


class Command(DbWorkerCommand):
    help = "Run a database background worker, which beats and recovers the runs of dead workers (worker.py)"

    def handle(self, *args, **options):
        lower_priority()
        reloader_parent = options.get("reload") and not options.get("batch")
        reloader_parent = reloader_parent and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        heartbeat = None if reloader_parent else worker.start()
        try:
            super().handle(*args, **options)
        finally:
            if heartbeat is not None:
                worker.stop(heartbeat)
