from .models import ImportRun
from .services import import_progress


def import_as_dict(job: ImportRun) -> dict:
    """What the API's GET and the import command print."""
    return {
        "id": str(job.pk),
        "status": job.status,
        "progress": import_progress(job),
        "file_name": job.file_name,
        "insurers": job.insurers,
        "created_by": job.created_by.email if job.created_by else None,
        "created_at": job.created_at.isoformat(),
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "records": job.records,
        "created": job.created,
        "updated": job.updated,
        "unchanged": job.unchanged,
        "unmatched": job.unmatched,
        "rejected": job.rejected,
        "errors": job.errors,
        "failure": job.failure or None,
    }
