from __future__ import annotations

from typing import Any

from .jobs import progress_of
from .models import ImportRun


def import_as_dict(run: ImportRun) -> dict[str, Any]:
    """What the API's GET and the import command print."""
    return {
        "id": str(run.pk),
        "kind": run.kind,
        "status": run.status,
        "progress": progress_of(run),
        "file_name": run.file_name,
        "insurers": run.insurers,
        "created_by": run.created_by.email if run.created_by else None,
        "created_at": run.created_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "records": run.records,
        "created": run.created,
        "updated": run.updated,
        "unchanged": run.unchanged,
        "unmatched": run.unmatched,
        "rejected": run.rejected,
        "errors": run.errors,
        "failure": run.failure or None,
    }
