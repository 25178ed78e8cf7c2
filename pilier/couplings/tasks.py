from django_tasks import task

from . import jobs
from .models import ImportRun


@task()
def run_import(run_id: str) -> None:
    """The worker's task: recovers the runs whose worker died, then runs this one (jobs.py)."""
    jobs.recover_stale_runs()
    run = ImportRun.objects.select_related("office", "created_by").filter(pk=run_id).first()
    if run is not None:
        jobs.run_import(run=run)
