from django_tasks import task

from . import services
from .models import ClientImport


@task()
def preview_client_import(entry_id: str) -> None:
    """The dry run of a client import (services.client_import_run_preview)."""
    entry = ClientImport.objects.select_related("office", "created_by").filter(pk=entry_id).first()
    if entry is not None:
        services.client_import_run_preview(entry=entry)
