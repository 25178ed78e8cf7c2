import uuid

from django.http import Http404

from .models import PortfolioImport, UnmatchedRecord
from .services import import_progress


def import_for_office(office, import_id) -> PortfolioImport:
    """Same 404 for another office's import and a missing one."""
    try:
        import_id = uuid.UUID(str(import_id))
    except ValueError:
        raise Http404 from None
    job = PortfolioImport.objects.filter(office=office, pk=import_id).select_related("created_by").first()
    if job is None:
        raise Http404
    return job


def unmatched_for_office(office, record_id) -> UnmatchedRecord:
    try:
        record_id = uuid.UUID(str(record_id))
    except ValueError:
        raise Http404 from None
    record = UnmatchedRecord.objects.filter(office=office, pk=record_id).first()
    if record is None:
        raise Http404
    return record


def import_as_dict(job: PortfolioImport) -> dict:
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
