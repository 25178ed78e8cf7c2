"""Portfolio imports: a file from an insurer updates the office's policies.

The whole file is read in one pass and written in one transaction: records are checked one by
one (a bad record is rejected with its line and reason, the others go on), matched in memory
against the office's policies by (insurer, number key), and written in batches with plain SQL,
history rows included. A file that cannot be read, or any error on the way, rolls everything
back. Progress goes to the cache, outside the transaction, for the page that polls it.
"""

import hashlib
import json
import logging
import time
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from pilier.clients.models import Client
from pilier.policies import services as policy_services
from pilier.policies.catalogue import TYPES
from pilier.policies.insurers import InvalidPolicyNumber, normalise_policy_number
from pilier.policies.models import INSURER_FIELDS, Policy

from .insurers.parsers import UnreadableFile, records
from .insurers.records import Record, RecordError, parse_record
from .models import ImportStatus, PortfolioImport, UnmatchedReason, UnmatchedRecord, UnmatchedStatus

logger = logging.getLogger(__name__)

BATCH = 2000
MAX_ERRORS_KEPT = 5000
_IN_CHUNK = 500  # ids per "IN (...)" list


def progress_key(import_id) -> str:
    return f"portfolio-import:{import_id}:progress"


def portfolio_import_create(*, office, user, file, file_name: str, source: str) -> PortfolioImport:
    """Stores the file and queues the import (run by the worker, see tasks.py)."""
    from .tasks import run_portfolio_import

    job = PortfolioImport(office=office, created_by=user, file_name=file_name[:255], source=source)
    job.file.save(f"{job.pk}.dat", file if isinstance(file, File) else File(file), save=False)
    job.save()
    transaction.on_commit(lambda: run_portfolio_import.enqueue(str(job.pk)))
    return job


def portfolio_import_run(*, portfolio_import: PortfolioImport) -> PortfolioImport:
    job = portfolio_import
    # A job row is claimed once (the worker may be restarted on it).
    claimed = PortfolioImport.objects.filter(pk=job.pk, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return job
    job.refresh_from_db()
    language = job.created_by.language if job.created_by else "fr"
    with translation.override(language):
        try:
            with job.file.open("rb") as stream, transaction.atomic():
                outcome = _Import(job, stream).run()
        except UnreadableFile as exc:
            job.status, job.failure = ImportStatus.FAILED, str(exc)
        except Exception:
            logger.exception("portfolio import %s failed", job.pk)
            job.status = ImportStatus.FAILED
            job.failure = _(
                "The import stopped on an unexpected error: nothing was changed. Try again or contact support."
            )
        else:
            job.status, job.progress = ImportStatus.DONE, 100
            for name in ("records", "created", "updated", "unchanged", "unmatched", "rejected", "errors"):
                setattr(job, name, getattr(outcome, name))
            job.insurers = sorted(outcome.insurers)
        job.finished_at = timezone.now()
        job.save()
    cache.delete(progress_key(job.pk))
    if job.file:
        # The file holds personal data: the import's counts and errors are what we keep.
        job.file.delete(save=True)
    return job


def import_progress(job: PortfolioImport) -> int:
    if job.status == ImportStatus.RUNNING:
        return cache.get(progress_key(job.pk), 0)
    return 100 if job.is_finished else 0


@dataclass
class Outcome:
    records: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    unmatched: int = 0
    rejected: int = 0
    errors: list = field(default_factory=list)
    insurers: set = field(default_factory=set)

    def reject(self, line: int, message: str) -> None:
        self.rejected += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append({"line": line, "message": message})


def _fingerprint(data: dict) -> str:
    return hashlib.blake2b(json.dumps(data, sort_keys=True).encode(), digest_size=16).hexdigest()


class _Import:
    def __init__(self, job: PortfolioImport, stream):
        self.job, self.stream, self.office = job, stream, job.office
        self.outcome = Outcome()
        self.now = timezone.now()
        self.progress_at = 0.0
        self.reason = _("Portfolio import: %(file)s") % {"file": job.file_name}
        try:
            stream.seek(0, 2)
            self.size = stream.tell() or 1
            stream.seek(0)
        except (OSError, ValueError):
            self.size = 0

    # Loading what the office has, once -------------------------------------------------------

    def _load(self) -> None:
        self.policies: dict[tuple[str, str], list] = {}
        self.groups: set[tuple] = set()
        rows = Policy.objects.filter(office=self.office).values_list(
            "insurer", "number_key", "id", "client_id", "main_group", *INSURER_FIELDS
        )
        for insurer, key, pk, client_id, group, *values in rows.iterator(chunk_size=5000):
            self.policies[(insurer, key)] = [pk, tuple(values), client_id]
            if group:
                self.groups.add((client_id, group))
        self.clients = dict(
            Client.objects.filter(office=self.office, national_number_provisional=False).values_list(
                "national_number_digits", "id"
            )
        )
        self.client_digits = {pk: digits for digits, pk in self.clients.items()}
        self.unmatched = {
            (insurer, key): (pk, fingerprint, status)
            for insurer, key, pk, fingerprint, status in UnmatchedRecord.objects.filter(office=self.office).values_list(
                "insurer", "number_key", "id", "fingerprint", "status"
            )
        }

    # The pass over the file --------------------------------------------------------------------

    def run(self) -> Outcome:
        rows = records(self.stream, self.job.file_name)  # an unreadable file stops here
        if connection.vendor == "sqlite":
            # A larger page cache for this connection: the inserts touch several indexes (64 MB).
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -65536")
        self._load()
        self._reset_batch()
        for line, raw in rows:
            self.outcome.records += 1
            try:
                record = parse_record(line, raw)
            except RecordError as exc:
                self.outcome.reject(line, str(exc))
                continue
            self.outcome.insurers.add(record.insurer)
            self._handle(record)
            if self.outcome.records % BATCH == 0:
                self._flush()
        self._flush()
        if self.outcome.records == 0:
            raise UnreadableFile(_("The file has no record."))
        return self.outcome

    def _handle(self, record: Record) -> None:
        found = self.policies.get((record.insurer, record.key))
        if found is not None:
            pk, current, client_id = found
            holder = self.client_digits.get(client_id)
            if record.national_digits and holder and record.national_digits != holder:
                message = _("The holder's national number is not the one of the file this policy is in.")
                self.outcome.reject(record.line, message)
                return
            # An empty field in the file says nothing: the value we have stays.
            new = tuple(c if n is None else n for n, c in zip(record.insurer_values(), current, strict=True))
            start, end = new[1], new[2]
            if start and end and end < start:
                self.outcome.reject(record.line, _("end_date would be before the policy's start date."))
                return
            if new == current:
                self.outcome.unchanged += 1
            else:
                found[1] = new
                self.updates[pk] = new
                self.outcome.updated += 1
            return
        client_id = self.clients.get(record.national_digits) if record.national_digits else None
        if record.mandate and client_id is not None:
            self._create(record, client_id)
        else:
            self._unmatched(record, UnmatchedReason.NO_CLIENT if record.mandate else UnmatchedReason.NO_MANDATE)

    def _create(self, record: Record, client_id) -> None:
        try:
            number = normalise_policy_number(record.insurer, record.number)
        except InvalidPolicyNumber as exc:
            self.outcome.reject(
                record.line,
                _("policy_number: “%(value)s” is not written the %(insurer)s way (%(hint)s)")
                % {
                    "value": record.number,
                    "insurer": exc.insurer.name,
                    "hint": exc.insurer.hint_in(translation.get_language()),
                },
            )
            return
        kind = TYPES[record.type]
        group = kind.main_group
        pk = uuid.uuid4()
        self.creates.append(
            {
                "id": pk,
                "office_id": self.office.pk,
                "client_id": client_id,
                "section": kind.section,
                "type": record.type,
                "insurer": record.insurer,
                "number": number.number,
                "number_key": record.key,
                "main_group": group,
                "is_main": bool(group) and (client_id, group) not in self.groups,
                "managed": True,
                "mandate": True,
                "created_at": self.now,
                "updated_at": self.now,
                **dict(zip(INSURER_FIELDS, record.insurer_values(), strict=True)),
            }
        )
        if group:
            self.groups.add((client_id, group))
        self.policies[(record.insurer, record.key)] = [pk, record.insurer_values(), client_id]
        self.outcome.created += 1
        if (record.insurer, record.key) in self.unmatched:
            self.resolved.append((self.unmatched.pop((record.insurer, record.key))[0], client_id))

    def _unmatched(self, record: Record, reason: str) -> None:
        data = record.as_data()
        data.pop("line")
        fingerprint = _fingerprint(data)
        existing = self.unmatched.get((record.insurer, record.key))
        if existing is not None and existing[1] == fingerprint:
            self.outcome.unchanged += 1
            return
        values = {
            "type": record.type,
            "number": record.number,
            "holder_national_number": record.national_number or "",
            "holder_name": f"{record.last_name} {record.first_name}".strip(),
            "mandate": record.mandate,
            "reason": reason,
            "data": data,
            "fingerprint": fingerprint,
            "seen_at": self.now,
            "last_import_id": self.job.pk,
        }
        if existing is not None:
            # What changed deserves a new look, even on a record dismissed before.
            values.update(status=UnmatchedStatus.OPEN, handled_at=None)
            self.unmatched_updates.append((existing[0], values))
            self.unmatched[(record.insurer, record.key)] = (existing[0], fingerprint, UnmatchedStatus.OPEN)
        else:
            pk = uuid.uuid4()
            row = {"id": pk, "office_id": self.office.pk, "insurer": record.insurer, "number_key": record.key}
            self.unmatched_creates.append({**row, **values})
            self.unmatched[(record.insurer, record.key)] = (pk, fingerprint, UnmatchedStatus.OPEN)
        self.outcome.unmatched += 1

    # Writing a batch ----------------------------------------------------------------------------

    def _reset_batch(self) -> None:
        self.creates: list[dict] = []
        self.updates: dict = {}
        self.unmatched_creates: list[dict] = []
        self.unmatched_updates: list = []
        self.resolved: list = []

    def _flush(self) -> None:
        if self.creates:
            _insert_rows(Policy, self.creates)
            _write_history([p["id"] for p in self.creates], "+", self.now, self.reason)
        if self.updates:
            _update_policies(self.updates, self.now)
            _write_history(list(self.updates), "~", self.now, self.reason)
        if self.unmatched_creates:
            _insert_rows(UnmatchedRecord, self.unmatched_creates)
        for pk, values in self.unmatched_updates:
            UnmatchedRecord.objects.filter(pk=pk).update(**values)
        for pk, client_id in self.resolved:
            UnmatchedRecord.objects.filter(pk=pk).update(
                status=UnmatchedStatus.LINKED, linked_client_id=client_id, handled_at=self.now
            )
        if self.size and time.monotonic() - self.progress_at >= 1:  # once a second is enough for the bar
            self.progress_at = time.monotonic()
            done = min(99, int(100 * self.stream.tell() / self.size))
            cache.set(progress_key(self.job.pk), done, 3600)
        self._reset_batch()


def _converter(field, db):
    """A fast `get_db_prep_save` for one column: UUIDs directly, other values remembered."""
    if isinstance(field, models.UUIDField):
        if db.features.has_native_uuid_field:
            return lambda value: value
        return lambda value: None if value is None else value.hex
    if isinstance(field, models.DecimalField):
        sample = Decimal("1.50")
        if field.get_db_prep_save(sample, db) is sample:  # the driver takes Decimal as it is
            return lambda value: value
    memo: dict = {}

    def convert(value):
        try:
            return memo[value]
        except KeyError:
            prepared = field.get_db_prep_save(value, db)
            if len(memo) < 10_000:
                memo[value] = prepared
            return prepared
        except TypeError:  # unhashable (JSON)
            return field.get_db_prep_save(value, db)

    return convert


def _insert_rows(model, rows: list[dict]) -> None:
    """INSERT with executemany: Django's bulk_create builds each row field by field, ten times slower."""
    db = connections[DEFAULT_DB_ALIAS]  # the wrapper itself: the `connection` proxy costs a lookup per use
    fields = list(model._meta.concrete_fields)
    defaults = {f.attname: f.get_default() for f in fields}
    converters = [(f.attname, _converter(f, db), defaults[f.attname]) for f in fields]
    quote = db.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608 (model meta)
    params = [[convert(row.get(name, default)) for name, convert, default in converters] for row in rows]
    with db.cursor() as cursor:
        cursor.executemany(sql, params)


def _update_policies(updates: dict, now) -> None:
    connection = connections[DEFAULT_DB_ALIAS]
    fields = [Policy._meta.get_field(name) for name in INSURER_FIELDS]
    converters = [_converter(f, connection) for f in fields]
    to_pk = _converter(Policy._meta.pk, connection)
    updated_at, pk_field = Policy._meta.get_field("updated_at"), Policy._meta.pk
    sets = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
    sql = (
        f"UPDATE {connection.ops.quote_name(Policy._meta.db_table)} SET {sets}, "  # noqa: S608 (identifiers from the model meta)
        f"{connection.ops.quote_name(updated_at.column)} = %s WHERE {connection.ops.quote_name(pk_field.column)} = %s"
    )
    stamp = updated_at.get_db_prep_save(now, connection)
    params = [
        [convert(v) for convert, v in zip(converters, values, strict=True)] + [stamp, to_pk(pk)]
        for pk, values in updates.items()
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _write_history(ids: list, kind: str, now, reason: str) -> None:
    """History rows copied from the policies as written, in SQL: the import is their author."""
    history = Policy.history.model
    quote = connection.ops.quote_name
    copied = [f.column for f in history._meta.fields if not f.name.startswith("history_")]
    meta = ["history_date", "history_change_reason", "history_type", "history_user_id"]
    columns = ", ".join(quote(c) for c in copied + meta)
    source = ", ".join(quote(c) for c in copied)
    stamp = history._meta.get_field("history_date").get_db_prep_save(now, connection)
    to_pk = _converter(Policy._meta.pk, connections[DEFAULT_DB_ALIAS])
    pk = Policy._meta.pk
    with connection.cursor() as cursor:
        for start in range(0, len(ids), _IN_CHUNK):
            chunk = ids[start : start + _IN_CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {quote(history._meta.db_table)} ({columns}) "  # noqa: S608 (identifiers from the model meta)
                f"SELECT {source}, %s, %s, %s, NULL FROM {quote(Policy._meta.db_table)} "
                f"WHERE {quote(pk.column)} IN ({marks})",
                [stamp, reason, kind, *[to_pk(i) for i in chunk]],
            )


# The unmatched list -----------------------------------------------------------------------------


@transaction.atomic
def unmatched_link(*, record: UnmatchedRecord, client: Client) -> Policy:
    """Creates the policy in the client's file (or updates the one that has its number since)."""
    if client.office_id != record.office_id:
        raise ValidationError(_("This client file is not in your office."))
    values = {name: record.data.get(name) for name in INSURER_FIELDS}
    existing = Policy.objects.filter(office_id=record.office_id, insurer=record.insurer, number_key=record.number_key)
    policy = existing.first()
    import datetime
    from decimal import Decimal

    def typed(name, value):
        if value in (None, ""):
            return None
        if name in ("start_date", "end_date", "reserves_date"):
            return datetime.date.fromisoformat(value)
        if name in ("annual_premium", "reserves", "death_capital"):
            return Decimal(value)
        return value

    values = {k: typed(k, v) for k, v in values.items() if v not in (None, "")}
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


def unmatched_dismiss(*, record: UnmatchedRecord) -> None:
    record.status, record.handled_at = UnmatchedStatus.DISMISSED, timezone.now()
    record.save(update_fields=["status", "handled_at"])
