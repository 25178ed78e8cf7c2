import uuid

from django.db.models import QuerySet
from django.http import Http404

from pilier.clients.models import Client

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


def unmatched_visible_to(user, office) -> QuerySet[UnmatchedRecord]:
    """The office's unmatched records, less those of a restricted file that is not assigned to `user` (office
    admins included, as for the file itself): whose holder is that file's client (by national number), or that
    were linked to that file. The record would tell who the client of the file is, and that the file exists."""
    hidden = (
        Client.objects.filter(office=office, restricted_access=True)
        .exclude(account_manager=user)
        .exclude(file_manager=user)
    )
    return (
        UnmatchedRecord.objects.filter(office=office)
        .exclude(holder_national_number__in=hidden.values("national_number"))
        .exclude(linked_client__in=hidden.values("pk"))
    )


def unmatched_for_user(user, office, record_id) -> UnmatchedRecord:
    """Same 404 for another office's record, a missing one, and one whose holder is a restricted file not yours."""
    try:
        record_id = uuid.UUID(str(record_id))
    except ValueError:
        raise Http404 from None
    record = unmatched_visible_to(user, office).filter(pk=record_id).first()
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
