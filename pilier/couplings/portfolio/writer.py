"""Every SQL statement of the portfolio import: the office's keys loaded once, then the batches written.

The import runs in one transaction (jobs.run_import); this module reads the office's policies, clients and
unmatched records in raw SQL (ids as the database gives them, the insurer's fields as canonical text, compared
with the records as they are), then writes each batch of the matcher with executemany, history rows included.
Django's bulk_create builds and converts each row field by field, about ten times slower: the values an import
writes are already in the form the database stores (ids as text, dates "YYYY-MM-DD", amounts "2451.50"; both
SQLite and PostgreSQL take them as they are), and the matcher's rows are tuples in the order of the columns
their fields name.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper
from django.utils.translation import gettext as _

from pilier.clients.models import Client
from pilier.couplings.models import ImportRun, UnmatchedRecord, UnmatchedStatus
from pilier.policies.models import INSURER_FIELDS, Policy

from .matcher import (
    Batch,
    ChangedUnmatched,
    KnownPolicy,
    KnownUnmatched,
    LinkedUnmatched,
    NewPolicy,
    NewUnmatched,
    OfficeKeys,
)
from .records import PolicyValues

_IN_CHUNK = 500  # ids per "IN (...)" list (SQLite as Django uses it takes 999 parameters)

assert PolicyValues._fields == INSURER_FIELDS, "a record's values are the policy's insurer fields"


class _Insert:
    """INSERT with executemany of rows given as tuples of database values, in `columns` order; the columns
    that are the same for every row (`constants`, and the model's defaults for the columns not named) are
    converted once by their field."""

    def __init__(
        self, db: BaseDatabaseWrapper, model: type[models.Model], columns: Sequence[str], constants: Mapping[str, Any]
    ) -> None:
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
        names = ", ".join(quote(_column(model, name)) for name in (*columns, *values))
        marks = ", ".join(["%s"] * (len(columns) + len(values)))
        self.sql = f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608 (model meta)
        self.db = db

    def run(self, rows: Sequence[tuple[Any, ...]]) -> None:
        if rows:
            constants = self.constants
            with self.db.cursor() as cursor:
                cursor.executemany(self.sql, [row + constants for row in rows])


def _update_sql(
    db: BaseDatabaseWrapper, model: type[models.Model], constant_columns: Sequence[str], row_columns: Sequence[str]
) -> str:
    """UPDATE of one row by its id: the constant columns, then the row's columns but its last (`id`)."""
    quote = db.ops.quote_name
    assert row_columns[-1] == "id"
    sets = ", ".join(f"{quote(_column(model, n))} = %s" for n in (*constant_columns, *row_columns[:-1]))
    return f"UPDATE {quote(model._meta.db_table)} SET {sets} WHERE {quote(_column(model, 'pk'))} = %s"  # noqa: S608 (model meta)


def _column(model: type[models.Model], name: str) -> str:
    """The database column of one of the model's concrete fields (its name or attname; "pk": the primary key)."""
    meta = model._meta
    field = meta.pk if name == "pk" else meta.get_field(name)
    assert isinstance(field, models.Field) and field.column, f"{model.__name__}.{name} is not a column"
    return field.column


def _as_text(db: BaseDatabaseWrapper, column: str, kind: str) -> str:
    """SQL for a date or amount column read back in canonical text ("YYYY-MM-DD", "2451.50"; NULL stays NULL)."""
    if db.vendor == "sqlite":  # dates are stored as such (an expression: no "date" converter); amounts as numbers
        if kind == "date":
            return f"CAST({column} AS text)"
        return f"CASE WHEN {column} IS NULL THEN NULL ELSE printf('%%.2f', {column}) END"
    return f"to_char({column}, 'YYYY-MM-DD')" if kind == "date" else f"CAST({column} AS text)"  # numeric(14, 2)


_KINDS = {"start_date": "date", "end_date": "date", "reserves_date": "date"}
_KINDS.update(annual_premium="money", reserves="money", death_capital="money")


class Writer:
    """The statements of one run, prepared once (with what every row shares converted once)."""

    def __init__(self, *, run: ImportRun, now: datetime.datetime) -> None:
        self.db = db = connections[
            DEFAULT_DB_ALIAS
        ]  # the wrapper itself: the `connection` proxy costs a lookup per use
        self.office_id = run.office_id
        if db.vendor == "sqlite":
            # A larger page cache for this connection: the inserts touch several indexes (64 MB).
            with db.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -65536")
        quote, history = db.ops.quote_name, Policy.history.model
        stamp = {"created_at": now, "updated_at": now}
        policy = {"office_id": run.office_id, "managed": True, "mandate": True}
        self.insert_policies = _Insert(db, Policy, NewPolicy._fields, {**policy, **stamp})
        self.insert_unmatched = _Insert(
            db,
            UnmatchedRecord,
            NewUnmatched._fields,
            {"office_id": run.office_id, "status": UnmatchedStatus.OPEN, "seen_at": now, "last_import_id": run.pk},
        )
        self.update_policy_sql = _update_sql(db, Policy, PolicyValues._fields + ("updated_at",), ("id",))
        self.updated_at = Policy._meta.get_field("updated_at").get_db_prep_save(now, db)
        # The history rows of created or updated policies: copies of the policies as written, by SQLite or
        # PostgreSQL itself (twice as fast as sending the same values again), a few hundred at a time.
        table, pk = quote(Policy._meta.db_table), quote(_column(Policy, "pk"))
        copied = [f.column for f in history._meta.fields if not f.name.startswith("history_")]
        meta = ["history_date", "history_change_reason", "history_type", "history_user_id"]
        self.history_sql = (
            f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(quote(c) for c in copied + meta)}) "  # noqa: S608 (model meta)
            f"SELECT {', '.join(quote(c) for c in copied)}, %s, %s, %s, %s FROM {table} WHERE {pk} IN "
        )
        # The user who ran the import is the author of its rows, the file's name their reason.
        self.history_meta = (
            history._meta.get_field("history_date").get_db_prep_save(now, db),
            _("Portfolio import: %(file)s") % {"file": run.file_name},
        )
        self.history_user = history._meta.get_field("history_user").get_db_prep_save(run.created_by_id, db)
        unmatched = UnmatchedRecord._meta
        seen_at = unmatched.get_field("seen_at").get_db_prep_save(now, db)
        last_import = unmatched.get_field("last_import").get_db_prep_save(run.pk, db)
        # Seen again with other values: open again, seen now, by this run.
        self.changed_unmatched_sql = _update_sql(
            db, UnmatchedRecord, ("status", "handled_at", "seen_at", "last_import_id"), ChangedUnmatched._fields
        )
        self.changed_unmatched = (UnmatchedStatus.OPEN, None, seen_at, last_import)
        self.linked_unmatched_sql = _update_sql(db, UnmatchedRecord, ("status", "handled_at"), LinkedUnmatched._fields)
        self.linked_unmatched = (UnmatchedStatus.LINKED, seen_at)

    # Loading what the office has, once ------------------------------------------------------------------

    def load_office_keys(self) -> OfficeKeys:
        """The office's policies, clients with a national number and unmatched records."""
        db, quote = self.db, self.db.ops.quote_name
        office = Policy._meta.get_field("office").get_db_prep_value(self.office_id, db)
        insurer_columns = ", ".join(
            _as_text(db, quote(name), _KINDS[name]) if name in _KINDS else quote(name) for name in INSURER_FIELDS
        )
        policies: dict[tuple[str, str], KnownPolicy] = {}
        groups: set[tuple[Any, str]] = set()
        make_values = PolicyValues._make
        with db.cursor() as cursor:
            cursor.execute(
                f"SELECT insurer, number_key, id, client_id, main_group, {insurer_columns} "  # noqa: S608 (model meta)
                f"FROM {quote(Policy._meta.db_table)} WHERE office_id = %s",
                [office],
            )
            for insurer, key, pk, client_id, group, *values in cursor.fetchall():
                policies[(insurer, key)] = KnownPolicy(pk, make_values(values), client_id)
                if group:
                    groups.add((client_id, group))
            cursor.execute(
                f"SELECT national_number_digits, id FROM {quote(Client._meta.db_table)} "  # noqa: S608 (model meta)
                "WHERE office_id = %s AND NOT national_number_provisional",
                [office],
            )
            clients = dict(cursor.fetchall())
            cursor.execute(
                f"SELECT insurer, number_key, id, fingerprint, status FROM {quote(UnmatchedRecord._meta.db_table)} "  # noqa: S608 (model meta)
                "WHERE office_id = %s",
                [office],
            )
            unmatched = {
                (insurer, key): KnownUnmatched(pk, fingerprint, status)
                for insurer, key, pk, fingerprint, status in cursor
            }
        return OfficeKeys(policies=policies, groups=groups, clients=clients, unmatched=unmatched)

    # Writing a batch -------------------------------------------------------------------------------------

    def write(self, batch: Batch) -> None:
        self.insert_policies.run(batch.new_policies)
        self.insert_unmatched.run(batch.new_unmatched)
        with self.db.cursor() as cursor:
            self._copy_to_history(cursor, [row.id for row in batch.new_policies], "+")
            if batch.changed_policies:
                stamp = self.updated_at
                cursor.executemany(
                    self.update_policy_sql, [(*values, stamp, pk) for pk, values in batch.changed_policies.items()]
                )
                self._copy_to_history(cursor, list(batch.changed_policies), "~")
            self._update(cursor, self.changed_unmatched_sql, self.changed_unmatched, batch.changed_unmatched)
            self._update(cursor, self.linked_unmatched_sql, self.linked_unmatched, batch.linked_unmatched)

    @staticmethod
    def _update(cursor: CursorWrapper, sql: str, constants: tuple[Any, ...], rows: Iterable[tuple[Any, ...]]) -> None:
        params = [constants + row for row in rows]
        if params:
            cursor.executemany(sql, params)

    def _copy_to_history(self, cursor: CursorWrapper, ids: list[Any], kind: str) -> None:
        for start in range(0, len(ids), _IN_CHUNK):
            chunk = ids[start : start + _IN_CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"{self.history_sql}({marks})", [*self.history_meta, kind, self.history_user, *chunk])
