"""`manage.py db_worker`: django-tasks-db's worker, with this process's heartbeat and sweeper beside it.

Found before django-tasks-db's own command because pilier.couplings comes first in INSTALLED_APPS; every
option is the same. With --reload the heartbeat beats in the reloaded child only (the process that runs
the tasks), never in the parent that watches the files.
"""

import os

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from pilier.couplings import worker


class Command(DbWorkerCommand):
    help = "Run a database background worker, which beats and recovers the runs of dead workers (worker.py)"

    def handle(self, *args, **options):
        reloader_parent = options.get("reload") and not options.get("batch")
        reloader_parent = reloader_parent and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        heartbeat = None if reloader_parent else worker.start()
        try:
            super().handle(*args, **options)
        finally:
            if heartbeat is not None:
                worker.stop(heartbeat)
