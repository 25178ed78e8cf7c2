"""The client export's way in: stored and read (its columns proposed), mapped, previewed (a dry run in the
background), then confirmed (an ImportRun of kind client_export, run by pilier/couplings/jobs.py: the same
progress and import record as the portfolio import) and written in one transaction (importer.py)."""

from __future__ import annotations

import datetime
import functools
import hashlib
import logging
from typing import IO, Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from pilier.accounts.models import Office, User
from pilier.couplings import jobs
from pilier.couplings import services as coupling_services
from pilier.couplings.models import ImportKind

from . import fields as F
from .models import ClientImport, ClientImportMapping, ClientImportStatus
from .plan import Plan, plan_lines, user_language
from .readers import Table, read_table

logger = logging.getLogger(__name__)

SAMPLES = 3  # values shown per column on the mapping page
PLANNING = 70  # percent of the progress bar for reading and matching; the rest for writing


def remembered_mapping(office: Office) -> dict[str, str]:
    return dict(ClientImportMapping.objects.filter(office=office).values_list("header", "field"))


def client_import_create(
    *, office: Office, user: User | None, file: IO[bytes], file_name: str, source: str = "upload"
) -> ClientImport:
    """Reads the file now (an unreadable one is refused whole: FileRefused, nothing stored) and keeps it with
    the mapping proposed for its columns (the office's remembered one first)."""
    file.seek(0)
    content = file.read()
    table = read_table(ContentFile(content))
    entry = ClientImport(
        office=office,
        created_by=user,
        source=source,
        file_name=file_name[:255],
        file_size=len(content),
        file_sha256=hashlib.sha256(content).hexdigest(),
        headers=table.headers,
        mapping=F.propose(table.headers, remembered_mapping(office)),
    )
    entry.file.save(f"{entry.pk}.dat", ContentFile(content), save=False)
    try:
        entry.save()
    except BaseException:
        entry.file.storage.delete(entry.file.name or "")
        raise
    return entry


def read_file(entry: ClientImport) -> Table:
    with entry.file.open("rb") as stream:
        return read_table(stream)


def columns(entry: ClientImport, table: Table) -> list[dict[str, Any]]:
    """Each column with its header, a few of its values and the field it is mapped to."""
    out = []
    for index, header in enumerate(entry.headers):
        samples = []
        for _line, cells in table.rows:
            value = cells[index].strip() if index < len(cells) else ""
            if value and value not in samples:
                samples.append(value[:80])
            if len(samples) == SAMPLES:
                break
        out.append({"index": index, "header": header, "samples": samples, "field": entry.mapping.get(str(index), "")})
    return out


def check_mapping(mapping: dict[str, str], headers: list[str]) -> dict[str, str]:
    """{column index: field or ''} for every column, each field once, with a client number or national number."""
    clean: dict[str, str] = {}
    used: dict[str, str] = {}
    for key, value in mapping.items():
        try:
            index = int(key)
        except (TypeError, ValueError):
            raise ValidationError(_("The mapping names a column that is not in the file.")) from None
        if not 0 <= index < len(headers):
            raise ValidationError(_("The mapping names a column that is not in the file."))
        name = str(value or "")
        if name and name not in F.FIELDS:
            raise ValidationError(_("“%(field)s” is not a field of a client file.") % {"field": name[:60]})
        if name in used:
            raise ValidationError(
                _("Two columns are mapped to %(field)s: “%(first)s” and “%(second)s”.")
                % {"field": F.label(name), "first": headers[int(used[name])], "second": headers[index]}
            )
        if name:
            used[name] = str(index)
        clean[str(index)] = name
    if not {"client_number", "national_number"} & used.keys():
        raise ValidationError(
            _("Map a column to the client number or to the national number: lines are matched by them.")
        )
    return {str(index): clean.get(str(index), "") for index in range(len(headers))}


@transaction.atomic
def client_import_map(*, entry: ClientImport, mapping: dict[str, str]) -> ClientImport:
    """The broker's mapping: checked, remembered for the office (by header), then the preview queued."""
    if entry.apply:
        raise ValidationError(_("This import is already confirmed."))
    entry.mapping = check_mapping(mapping, entry.headers)
    for index, header in enumerate(entry.headers):
        key = F.normalise(header)
        if key:
            ClientImportMapping.objects.update_or_create(
                office=entry.office, header=key, defaults={"field": entry.mapping[str(index)]}
            )
    return client_import_preview(entry=entry)


def client_import_preview(*, entry: ClientImport) -> ClientImport:
    """Queues the dry run (tasks.py): the counts and lines of what importing would do, nothing written."""
    entry.status, entry.failure, entry.started_at, entry.finished_at = ClientImportStatus.QUEUED, "", None, None
    entry.save(update_fields=["mapping", "status", "failure", "started_at", "finished_at"])
    transaction.on_commit(functools.partial(_enqueue_preview, entry.pk))
    return entry


def _enqueue_preview(entry_id: Any) -> None:
    from .tasks import preview_client_import

    try:
        preview_client_import.enqueue(str(entry_id))
    except Exception:
        logger.exception("client import %s: its preview could not be queued", entry_id)
        entry = ClientImport.objects.select_related("created_by").filter(pk=entry_id).first()
        if entry is not None:
            with translation.override(user_language(entry.created_by)):
                failure = _("The preview could not be queued: nothing was changed. Try again or contact support.")
            ClientImport.objects.filter(pk=entry_id, status=ClientImportStatus.QUEUED).update(
                status=ClientImportStatus.FAILED, failure=failure
            )


def _save_report(entry: ClientImport, plan: Plan, **values: Any) -> None:
    counts = plan.report.counts
    values.update(
        lines=plan.report.lines,
        report=plan.report.as_dict(),
        **{name: counts[name] for name in ("created", "updated", "unchanged", "conflicts", "rejected")},
    )
    ClientImport.objects.filter(pk=entry.pk).update(**values)
    for name, value in values.items():
        setattr(entry, name, value)


def _progress(entry_id: Any, *, upto: int) -> Any:
    progress = jobs.Progress(entry_id, ContentFile(b""))

    def tick(done: int, total: int) -> None:
        progress.applied(done * upto // 99, total, start=0)

    return tick


def client_import_run_preview(*, entry: ClientImport) -> ClientImport:
    """The dry run (the preview task): reads only; the entry ends previewed, or failed with the reason."""
    claimed = ClientImport.objects.filter(pk=entry.pk, status=ClientImportStatus.QUEUED, apply=False).update(
        status=ClientImportStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return entry
    with translation.override(user_language(entry.created_by)):
        try:
            table = read_file(entry)
            plan = plan_lines(
                office=entry.office,
                mapping=entry.mapping,
                headers=entry.headers,
                rows=table.rows,
                tick=_progress(entry.pk, upto=99),
            )
        except jobs.FileRefused as exc:
            failure = str(exc)
        except Exception:
            logger.exception("client import %s: its preview failed", entry.pk)
            failure = _(jobs.UNEXPECTED)
        else:
            _save_report(entry, plan, status=ClientImportStatus.PREVIEWED, finished_at=timezone.now())
            return entry
    ClientImport.objects.filter(pk=entry.pk).update(
        status=ClientImportStatus.FAILED, failure=failure, finished_at=timezone.now()
    )
    entry.status, entry.failure = ClientImportStatus.FAILED, failure
    client_import_delete_file(entry)
    return entry


def recover_preview(entry: ClientImport, *, now: datetime.datetime | None = None) -> ClientImport:
    """A preview left running by a worker that died (no progress for STALE_AFTER) is queued again."""
    if entry.status != ClientImportStatus.RUNNING or entry.apply or entry.started_at is None:
        return entry
    now = now or timezone.now()
    if now - entry.started_at < jobs.STALE_AFTER:
        return entry
    reported = cache.get(jobs.progress_key(entry.pk))
    if isinstance(reported, tuple) and now.timestamp() - reported[1] < jobs.STALE_AFTER.total_seconds():
        return entry
    if ClientImport.objects.filter(pk=entry.pk, status=ClientImportStatus.RUNNING).update(
        status=ClientImportStatus.QUEUED
    ):
        entry.status = ClientImportStatus.QUEUED
        transaction.on_commit(functools.partial(_enqueue_preview, entry.pk))
    return entry


@transaction.atomic
def client_import_confirm(*, entry: ClientImport, user: User | None) -> ClientImport:
    """The broker confirms the preview: the import is queued as a run of the office (jobs.py), which plans
    the file again against the files as they are then and writes it in one transaction. The entry's own copy
    of the file goes: the run's is deleted at its end."""
    locked = ClientImport.objects.select_for_update().get(pk=entry.pk)
    if locked.apply or locked.status != ClientImportStatus.PREVIEWED or not locked.file.name:
        raise ValidationError(_("Only a preview that is ready can be confirmed."))
    with locked.file.open("rb") as stream:
        content = stream.read()
    run = coupling_services.import_run_create(
        office=entry.office,
        user=user or entry.created_by,
        file=ContentFile(content),
        file_name=entry.file_name,
        source=entry.source if entry.source in ("upload", "api", "command") else "upload",
        kind=ImportKind.CLIENT_EXPORT,
    )
    entry.run, entry.apply = run, True
    entry.save(update_fields=["run", "apply"])
    transaction.on_commit(functools.partial(client_import_delete_file, entry))
    return entry


def client_import_delete_file(entry: ClientImport) -> None:
    name = entry.file.name
    if not name:
        return
    try:
        entry.file.storage.delete(name)
    except OSError:
        logger.exception("client import %s: its file could not be deleted", entry.pk)
        return
    ClientImport.objects.filter(pk=entry.pk).update(file="")
    entry.file.name = ""


def client_import_start(
    *,
    office: Office,
    user: User | None,
    file: IO[bytes],
    file_name: str,
    source: str,
    mapping: dict[str, str] | None,
    dry_run: bool,
) -> ClientImport:
    """The API's and the command's way: stored, mapped (the mapping given over the one proposed), then
    previewed (dry run) or previewed and confirmed in one go."""
    entry = client_import_create(office=office, user=user, file=file, file_name=file_name, source=source)
    try:
        with transaction.atomic():
            merged = {**entry.mapping, **{str(k): str(v or "") for k, v in (mapping or {}).items()}}
            entry.mapping = check_mapping(merged, entry.headers)
            if dry_run:
                return client_import_preview(entry=entry)
            entry.status = ClientImportStatus.PREVIEWED  # confirmed at once: its run plans and writes the file
            entry.save(update_fields=["mapping", "status"])
            return client_import_confirm(entry=entry, user=user)
    except BaseException:
        client_import_delete_file(entry)
        ClientImport.objects.filter(pk=entry.pk).delete()
        raise
