from django_tasks import task

from .models import ImportRun
from .services import portfolio_import_run


@task()
def run_portfolio_import(import_id: str) -> None:
    job = ImportRun.objects.select_related("office", "created_by").filter(pk=import_id).first()
    if job is not None:
        portfolio_import_run(portfolio_import=job)
