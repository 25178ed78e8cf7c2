"""Portfolio imports: a file from an insurer updates the office's policies.

The whole file is read in one pass and written in one transaction: records are checked one by
one (a bad record is rejected with its line and reason, the others go on), matched in memory
against the office's policies by (insurer, number key), and written in batches with plain SQL,
history rows included. A file that cannot be read, or any error on the way, rolls everything
back. Progress goes to the cache, outside the transaction, for the page that polls it.
"""

import contextlib
import functools
import gc
import hashlib
import json
import logging
import os
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from pilier.clients.models import Client
from pilier.policies import services as policy_services
from pilier.policies.catalogue import TYPES
from pilier.policies.insurers import InvalidPolicyNumber, normalise_policy_number
from pilier.policies.models import INSURER_FIELDS, Policy

from .portfolio.readers import UnreadableFile, records
from .portfolio.records import Record, RecordError, RecordReader
from .models import ImportStatus, ImportRun, UnmatchedReason, UnmatchedRecord, UnmatchedStatus

logger = logging.getLogger(__name__)

BATCH = 2000
MAX_ERRORS_KEPT = 5000
_IN_CHUNK = 500  # ids per "IN (...)" list (SQLite as Django uses it takes 999 parameters)


def progress_key(import_id) -> str:
    return f"portfolio-import:{import_id}:progress"


def portfolio_import_create(*, office, user, file, file_name: str, source: str) -> ImportRun:
    """Stores the file and queues the import (run by the worker, see tasks.py). The file is not left
    behind when the row cannot be saved, nor when the job cannot be queued (the import then fails)."""
    job = ImportRun(office=office, created_by=user, file_name=file_name[:255], source=source)
    name = job.file.field.generate_filename(job, f"{job.pk}.dat")
    try:
        job.file.save(f"{job.pk}.dat", file if isinstance(file, File) else File(file), save=False)
        job.save()
    except BaseException:
        job.file.storage.delete(name)  # a file half written (a full disk) or one without its row
        raise
    transaction.on_commit(functools.partial(_enqueue, job.pk))
    return job


def _enqueue(import_id) -> None:
    from .tasks import run_portfolio_import

    try:
        run_portfolio_import.enqueue(str(import_id))
    except Exception:
        logger.exception("portfolio import %s could not be queued", import_id)
        job = ImportRun.objects.select_related("created_by").filter(pk=import_id).first()
        if job is None:
            return
        with translation.override(job.created_by.language if job.created_by else "fr"):
            failure = _("The import could not be queued: nothing was changed. Try again or contact support.")
        ImportRun.objects.filter(pk=job.pk, status=ImportStatus.QUEUED).update(
            status=ImportStatus.FAILED, failure=failure, finished_at=timezone.now()
        )
        _delete_file(job)


def portfolio_import_run(*, portfolio_import: ImportRun) -> ImportRun:
    job = portfolio_import
    # A job row is claimed once (the worker may be restarted on it).
    claimed = ImportRun.objects.filter(pk=job.pk, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        # Running elsewhere (its file is being read), or ended: a file still there then (a process
        # stopped between saving the result and deleting it, or a row deleted) goes now.
        current = ImportRun.objects.filter(pk=job.pk).first()
        if current is None or current.is_finished:
            _delete_file(current or job)
        return current or job
    try:
        job.refresh_from_db()
        _run(job)
    finally:
        # The file holds personal data: once the import has ended, in any way, its counts and errors
        # are what we keep.
        cache.delete(progress_key(job.pk))
        _delete_file(job)
    return job


def _run(job: ImportRun) -> None:
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


def _delete_file(job: ImportRun) -> None:
    name = job.file.name
    if not name:
        return
    try:
        job.file.storage.delete(name)
    except OSError:
        logger.exception("portfolio import %s: its file %s could not be deleted", job.pk, name)
        return
    job.file.name = ""
    try:
        ImportRun.objects.filter(pk=job.pk).update(file="")
    except DatabaseError:  # the file is gone all the same; the row names a missing file
        logger.exception("portfolio import %s: its row could not be updated", job.pk)


def import_progress(job: ImportRun) -> int:
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


class _Insert:
    """INSERT with executemany of rows given as tuples of database values, in `columns` order.

    Django's bulk_create builds and converts each row field by field, about ten times slower. Here the
    values an import writes are already in the form the database stores (ids as text, dates
    "YYYY-MM-DD", amounts "2451.50", both SQLite and PostgreSQL take them as they are); the columns
    that are the same for every row (`constants`, and the model's defaults for the columns not named)
    are converted once by their field.
    """

    def __init__(self, db, model, columns: tuple[str, ...], constants: dict):
        fields = {f.attname: f for f in model._meta.concrete_fields}
        unknown = (set(columns) | set(constants)) - set(fields)
        if unknown:
            raise ValueError(f"{model.__name__} has no column {sorted(unknown)}")
        values = dict(constants)
        for name, column in fields.items():
            if name in columns or name in values or column.primary_key and column.db_returning:
                continue  # given per row, given once, or numbered by the database (history_id)
            values[name] = column.get_default()  # "" for text, None when nullable
            if values[name] is None and not column.null:
                raise ValueError(f"{model.__name__}.{name}: a value is needed")
        self.constants = tuple(fields[name].get_db_prep_save(value, db) for name, value in values.items())
        quote = db.ops.quote_name
        names = ", ".join(quote(fields[name].column) for name in (*columns, *values))
        marks = ", ".join(["%s"] * (len(columns) + len(values)))
        self.sql = f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608 (model meta)
        self.db = db

    def run(self, rows: list[tuple]) -> None:
        if rows:
            constants = self.constants
            with self.db.cursor() as cursor:
                cursor.executemany(self.sql, [row + constants for row in rows])


def _as_text(db, column: str, kind: str) -> str:
    """SQL for a date or amount column read back in canonical text ("YYYY-MM-DD", "2451.50"; NULL stays NULL)."""
    if db.vendor == "sqlite":  # dates are stored as such (an expression: no "date" converter); amounts as numbers
        if kind == "date":
            return f"CAST({column} AS text)"
        return f"CASE WHEN {column} IS NULL THEN NULL ELSE printf('%%.2f', {column}) END"
    return f"to_char({column}, 'YYYY-MM-DD')" if kind == "date" else f"CAST({column} AS text)"  # numeric(14, 2)


# The policy's columns an import writes for each new policy, in the order of its rows.
_CREATED = (
    "id",
    "client_id",
    "section",
    "type",
    "insurer",
    "number",
    *INSURER_FIELDS,
    "is_main",
    "number_key",
    "main_group",
)
_UNMATCHED = (
    "id",
    "insurer",
    "number_key",
    "number",
    "type",
    "holder_national_number",
    "holder_name",
    "mandate",
    "reason",
    "data",
    "fingerprint",
)
_UNMATCHED_CHANGED = (*_UNMATCHED[3:], "status", "handled_at", "seen_at", "last_import_id")


_VARIANT = {digit: "89ab"[int(digit, 16) % 4] for digit in "0123456789abcdef"}  # RFC 4122 variant bits


@contextlib.contextmanager
def _no_cyclic_gc():
    """The cyclic garbage collector paused: a pass builds hundreds of thousands of tuples, lists and
    records, none of them in a reference cycle, and the collector would go over all of them again
    and again. Reference counting still frees them."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class _Import:
    def __init__(self, job: ImportRun, stream):
        self.job, self.stream, self.office = job, stream, job.office
        self.db = connections[DEFAULT_DB_ALIAS]  # the wrapper itself: the `connection` proxy costs a lookup per use
        self.outcome = Outcome()
        self.now = timezone.now()
        self.progress_at = 0.0
        self.reason = _("Portfolio import: %(file)s") % {"file": job.file_name}
        self.number_limit = Policy._meta.get_field("number").max_length
        try:
            stream.seek(0, 2)
            self.size = stream.tell() or 1
            stream.seek(0)
        except (OSError, ValueError):
            self.size = 0

    # Loading what the office has, once -------------------------------------------------------

    def _load(self) -> None:
        """The office's policies, clients with a national number and unmatched records, in raw SQL: ids as
        the database gives them, the insurer's fields as canonical text (compared with the records as such)."""
        db, quote = self.db, self.db.ops.quote_name
        office = Policy._meta.get_field("office").get_db_prep_value(self.office.pk, db)
        kinds = {"start_date": "date", "end_date": "date", "reserves_date": "date"}
        kinds.update(annual_premium="money", reserves="money", death_capital="money")
        insurer_columns = ", ".join(
            _as_text(db, quote(name), kinds[name]) if name in kinds else quote(name) for name in INSURER_FIELDS
        )
        self.policies: dict[tuple[str, str], list] = {}
        self.groups: set[tuple] = set()
        with db.cursor() as cursor:
            cursor.execute(
                f"SELECT insurer, number_key, id, client_id, main_group, {insurer_columns} "  # noqa: S608 (model meta)
                f"FROM {quote(Policy._meta.db_table)} WHERE office_id = %s",
                [office],
            )
            for insurer, key, pk, client_id, group, *values in cursor.fetchall():
                self.policies[(insurer, key)] = [pk, tuple(values), client_id]
                if group:
                    self.groups.add((client_id, group))
            cursor.execute(
                f"SELECT national_number_digits, id FROM {quote(Client._meta.db_table)} "  # noqa: S608 (model meta)
                "WHERE office_id = %s AND NOT national_number_provisional",
                [office],
            )
            self.clients = dict(cursor.fetchall())
            cursor.execute(
                f"SELECT insurer, number_key, id, fingerprint, status FROM {quote(UnmatchedRecord._meta.db_table)} "  # noqa: S608 (model meta)
                "WHERE office_id = %s",
                [office],
            )
            self.unmatched = {
                (insurer, key): (pk, fingerprint, status) for insurer, key, pk, fingerprint, status in cursor
            }
        self.client_digits = {pk: digits for digits, pk in self.clients.items()}

    def _prepare(self) -> None:
        """The statements of the batches, with what every row of them shares converted once."""
        db, quote, history = self.db, self.db.ops.quote_name, Policy.history.model
        stamp = {"created_at": self.now, "updated_at": self.now}
        policy = {"office_id": self.office.pk, "managed": True, "mandate": True}
        self.insert_policies = _Insert(db, Policy, _CREATED, {**policy, **stamp})
        self.insert_unmatched = _Insert(
            db,
            UnmatchedRecord,
            _UNMATCHED,
            {
                "office_id": self.office.pk,
                "status": UnmatchedStatus.OPEN,
                "seen_at": self.now,
                "last_import_id": self.job.pk,
            },
        )
        fields = [Policy._meta.get_field(name) for name in INSURER_FIELDS]
        table, pk = quote(Policy._meta.db_table), quote(Policy._meta.pk.column)
        sets = ", ".join(f"{quote(f.column)} = %s" for f in fields)
        self.update_sql = f"UPDATE {table} SET {sets}, {quote('updated_at')} = %s WHERE {pk} = %s"  # noqa: S608 (model meta)
        self.updated_at = Policy._meta.get_field("updated_at").get_db_prep_save(self.now, db)
        # The history rows of created or updated policies: copies of the policies as written, by SQLite or
        # PostgreSQL itself (twice as fast as sending the same values again), a few hundred at a time.
        copied = [f.column for f in history._meta.fields if not f.name.startswith("history_")]
        meta = ["history_date", "history_change_reason", "history_type", "history_user_id"]
        self.history_sql = (
            f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(quote(c) for c in copied + meta)}) "  # noqa: S608 (model meta)
            f"SELECT {', '.join(quote(c) for c in copied)}, %s, %s, %s, %s FROM {table} WHERE {pk} IN "
        )
        # The user who ran the import is the author of its rows, the file's name their reason.
        self.history_user = history._meta.get_field("history_user").get_db_prep_save(self.job.created_by_id, db)
        self.history_date = history._meta.get_field("history_date").get_db_prep_save(self.now, db)
        unmatched = UnmatchedRecord._meta
        changed = ", ".join(f"{quote(unmatched.get_field(n).column)} = %s" for n in _UNMATCHED_CHANGED)
        self.unmatched_sql = f"UPDATE {quote(unmatched.db_table)} SET {changed} WHERE {quote('id')} = %s"  # noqa: S608 (model meta)
        self.linked_sql = (
            f"UPDATE {quote(unmatched.db_table)} SET {quote('status')} = %s, {quote('linked_client_id')} = %s, "  # noqa: S608 (model meta)
            f"{quote('handled_at')} = %s WHERE {quote('id')} = %s"
        )
        self.seen_at = unmatched.get_field("seen_at").get_db_prep_save(self.now, db)
        self.last_import = unmatched.get_field("last_import").get_db_prep_save(self.job.pk, db)

    @staticmethod
    def new_id() -> str:
        """A random (version 4) UUID in text, as SQLite stores it; PostgreSQL reads it as a uuid.

        What uuid.uuid4().hex gives, without building a UUID object (a third of the time)."""
        digits = os.urandom(16).hex()
        return f"{digits[:12]}4{digits[13:16]}{_VARIANT[digits[16]]}{digits[17:]}"

    # The pass over the file --------------------------------------------------------------------

    def run(self) -> Outcome:
        rows = records(self.stream, self.job.file_name)  # an unreadable file stops here
        if self.db.vendor == "sqlite":
            # A larger page cache for this connection: the inserts touch several indexes (64 MB).
            with self.db.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -65536")
        self._load()
        self._prepare()
        self._reset_batch()
        with _no_cyclic_gc():
            self._pass(rows)
        if self.outcome.records == 0:
            raise UnreadableFile(_("The file has no record."))
        return self.outcome

    def _pass(self, rows) -> None:
        read, outcome, handle = RecordReader().read, self.outcome, self._handle
        for line, raw in rows:
            outcome.records += 1
            try:
                record = read(line, raw)
            except RecordError as exc:
                outcome.reject(line, str(exc))
                continue
            outcome.insurers.add(record.insurer)
            handle(record)
            if outcome.records % BATCH == 0:
                self._flush()
        self._flush()

    def _handle(self, record: Record) -> None:
        found = self.policies.get((record.insurer, record.key))
        if found is not None:
            pk, current, client_id = found
            holder = self.client_digits.get(client_id)
            if record.national_digits and holder and record.national_digits != holder:
                message = _("The holder's national number is not the one of the file this policy is in.")
                self.outcome.reject(record.line, message)
                return
            new = record.values
            if None in new:  # an empty field in the file says nothing: the value we have stays
                new = tuple([c if n is None else n for n, c in zip(new, current, strict=True)])
            start, end = new[1], new[2]
            if start and end and end < start:  # ISO dates compare as text
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
        if len(number.number) > self.number_limit:  # the insurer's way may add separators
            self.outcome.reject(
                record.line,
                _("%(field)s: %(length)s characters, at most %(max)s are allowed.")
                % {"field": "policy_number", "length": len(number.number), "max": self.number_limit},
            )
            return
        kind = TYPES[record.type]
        group = kind.main_group
        pk = self.new_id()
        values = record.values
        is_main = bool(group) and (client_id, group) not in self.groups
        self.creates.append(
            (pk, client_id, kind.section, record.type, record.insurer, number.number, *values, is_main)
            + (record.key, group)
        )
        if group:
            self.groups.add((client_id, group))
        self.policies[(record.insurer, record.key)] = [pk, values, client_id]
        self.outcome.created += 1
        if (record.insurer, record.key) in self.unmatched:
            self.resolved.append((self.unmatched.pop((record.insurer, record.key))[0], client_id))

    def _unmatched(self, record: Record, reason: str) -> None:
        data = json.dumps(record.as_data())  # always the same keys in the same order
        fingerprint = hashlib.blake2b(data.encode(), digest_size=16).hexdigest()
        existing = self.unmatched.get((record.insurer, record.key))
        if existing is not None and existing[1] == fingerprint:
            self.outcome.unchanged += 1
            return
        values = (
            record.number,
            record.type,
            record.national_number or "",
            f"{record.last_name} {record.first_name}".strip(),
            record.mandate,
            reason,
            data,
            fingerprint,
        )
        if existing is not None:
            # What changed deserves a new look, even on a record dismissed before.
            self.unmatched_updates.append(
                (*values, UnmatchedStatus.OPEN, None, self.seen_at, self.last_import, existing[0])
            )
            self.unmatched[(record.insurer, record.key)] = (existing[0], fingerprint, UnmatchedStatus.OPEN)
        else:
            pk = self.new_id()
            self.unmatched_creates.append((pk, record.insurer, record.key, *values))
            self.unmatched[(record.insurer, record.key)] = (pk, fingerprint, UnmatchedStatus.OPEN)
        self.outcome.unmatched += 1

    # Writing a batch ----------------------------------------------------------------------------

    def _copy_to_history(self, cursor, ids: list, kind: str) -> None:
        for start in range(0, len(ids), _IN_CHUNK):
            chunk = ids[start : start + _IN_CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"{self.history_sql}({marks})", [self.history_date, self.reason, kind, self.history_user, *chunk]
            )

    def _reset_batch(self) -> None:
        self.creates: list[tuple] = []
        self.updates: dict = {}
        self.unmatched_creates: list[tuple] = []
        self.unmatched_updates: list[tuple] = []
        self.resolved: list = []

    def _flush(self) -> None:
        self.insert_policies.run(self.creates)
        self.insert_unmatched.run(self.unmatched_creates)
        with self.db.cursor() as cursor:
            self._copy_to_history(cursor, [row[0] for row in self.creates], "+")
            if self.updates:
                stamp = self.updated_at
                cursor.executemany(self.update_sql, [(*values, stamp, pk) for pk, values in self.updates.items()])
                self._copy_to_history(cursor, list(self.updates), "~")
            if self.unmatched_updates:
                cursor.executemany(self.unmatched_sql, self.unmatched_updates)
            if self.resolved:
                linked = UnmatchedStatus.LINKED
                cursor.executemany(
                    self.linked_sql, [(linked, client, self.seen_at, pk) for pk, client in self.resolved]
                )
        if self.size and time.monotonic() - self.progress_at >= 1:  # once a second is enough for the bar
            self.progress_at = time.monotonic()
            done = min(99, int(100 * self.stream.tell() / self.size))
            cache.set(progress_key(self.job.pk), done, 3600)
        self._reset_batch()


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
