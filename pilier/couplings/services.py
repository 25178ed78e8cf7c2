"""Writes of the couplings: a file stored and queued as an import run, and the unmatched records handled.

Running an import is jobs.py (its life cycle) and, for an insurer's portfolio, portfolio/ (read, match,
write); what the broker does with the records no policy matched is here.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from pilier.accounts.models import Office, User
from pilier.clients.models import Client
from pilier.policies import services as policy_services
from pilier.policies.catalogue import TYPES
from pilier.policies.insurers import InvalidPolicyNumber
from pilier.policies.models import INSURER_FIELDS, Policy

from . import jobs
from .models import ImportKind, ImportRun, UnmatchedRecord, UnmatchedStatus


def import_run_create(
    *,
    office: Office,
    user: User | None,
    file: IO[bytes] | File[bytes],
    file_name: str,
    source: str,
    kind: str = ImportKind.PORTFOLIO,
    insurer: str = "",
) -> ImportRun:
    """Stores the file and queues its run (run by the worker, see jobs.py). The file is not left behind
    when the row cannot be saved, nor when the run cannot be queued (it then fails). The run keeps the
    file's size and SHA-256 (the file itself is deleted when the run ends). `insurer`: the insurer code
    chosen at upload, for a file that does not name its insurer (Telebib2)."""
    run = ImportRun(
        office=office, created_by=user, file_name=file_name[:255], source=source, kind=kind, insurer=insurer
    )
    name = run.file.field.generate_filename(run, f"{run.pk}.dat")
    wrapped = file if isinstance(file, File) else File(file)
    digest, size = hashlib.sha256(), 0
    for chunk in wrapped.chunks():
        digest.update(chunk)
        size += len(chunk)
    wrapped.seek(0)
    run.file_size, run.file_sha256 = size, digest.hexdigest()
    try:
        run.file.save(f"{run.pk}.dat", wrapped, save=False)
        run.save()
    except BaseException:
        run.file.storage.delete(name)  # a file half written (a full disk) or one without its row
        raise
    transaction.on_commit(functools.partial(jobs.enqueue, run.pk))
    return run


# The unmatched list -----------------------------------------------------------------------------


@transaction.atomic
def unmatched_link(*, record: UnmatchedRecord, client: Client) -> Policy:
    """Creates the policy in the client's file (or updates the one that has its number since)."""
    if client.office_id != record.office_id:
        raise ValidationError(_("This client file is not in your office."))
    policy = Policy.objects.filter(
        office_id=record.office_id, insurer=record.insurer, number_key=record.number_key
    ).first()
    values = {name: _typed(name, record.data.get(name)) for name in INSURER_FIELDS}
    values = {name: value for name, value in values.items() if value is not None}  # an empty value says nothing
    try:
        if policy is not None:
            if policy.client_id != client.pk:
                raise ValidationError(_("A policy with this number is already in another client file."))
            policy = policy_services.policy_update(policy=policy, **values)
        else:
            policy = policy_services.policy_create(
                client=client,
                section=TYPES[record.type].section,
                type=record.type,
                insurer=record.insurer,
                number=record.number,
                mandate=record.mandate,
                **values,
            )
    except InvalidPolicyNumber as exc:
        raise ValidationError(exc.insurer.hint_in(translation.get_language())) from None
    record.status, record.linked_client, record.handled_at = UnmatchedStatus.LINKED, client, timezone.now()
    record.save(update_fields=["status", "linked_client", "handled_at"])
    return policy


def _typed(name: str, value: Any) -> Any:
    """A value of an unmatched record's data (canonical text) as the policy's field takes it."""
    if value in (None, ""):
        return None
    if name in ("start_date", "end_date", "reserves_date"):
        return datetime.date.fromisoformat(value)
    if name in ("annual_premium", "reserves", "death_capital"):
        return Decimal(value)
    return value


def unmatched_dismiss(*, record: UnmatchedRecord) -> None:
    record.status, record.handled_at = UnmatchedStatus.DISMISSED, timezone.now()
    record.save(update_fields=["status", "handled_at"])
