"""Every write of a confirmed client import, in the caller's transaction: the new files inserted and the
changed ones updated with executemany (Django's bulk_create / bulk_update convert each row field by field
and bulk_update writes one CASE per column: ten times slower for 20,000 files), their history rows copied by
the database from the rows written (as the portfolio writer does), then the insurers' records that waited for
one of their national numbers linked (pilier.couplings.services.unmatched_link, few).

The derived columns are those `Client.save` sets (provisional mark, digits of the national number, search
name), by the same helpers."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Field
from django.utils.translation import gettext as _

from pilier.clients.identifiers import PLACEHOLDER, digits
from pilier.clients.models import SEARCH_NAME_LENGTH, Client, search_key
from pilier.couplings import services as coupling_services
from pilier.couplings.models import ImportRun, UnmatchedRecord, UnmatchedStatus

from .plan import COLUMNS, Plan

_IN_CHUNK = 500  # ids per "IN (...)" list (SQLite takes 999 parameters)
DERIVED = ("national_number_provisional", "national_number_digits", "search_name")


def _derived(values: dict[str, Any]) -> tuple[Any, ...]:
    number = values["national_number"]
    return (
        number == PLACEHOLDER,
        digits(number),
        search_key(values["last_name"], values["first_name"])[:SEARCH_NAME_LENGTH],
    )


class Writer:
    def __init__(self, *, office_id: Any, user_id: Any, file_name: str, now: datetime.datetime) -> None:
        self.db = db = connections[DEFAULT_DB_ALIAS]
        self.office_id, self.now = office_id, now
        quote = db.ops.quote_name
        meta = Client._meta

        def col(name: str) -> str:
            return quote(str(self.fields[name].column))

        self.fields: dict[str, Field[Any, Any]] = {f.attname: f for f in meta.concrete_fields if isinstance(f, Field)}
        self.table = quote(meta.db_table)
        self.row_columns = (*COLUMNS, *DERIVED)
        insert = ("id", "office_id", "restricted_access", "created_at", "updated_at", *self.row_columns)
        self.insert_sql = (
            f"INSERT INTO {self.table} ({', '.join(col(n) for n in insert)}) "  # noqa: S608 (model meta)
            f"VALUES ({', '.join(['%s'] * len(insert))})"
        )
        sets = ", ".join(f"{col(n)} = %s" for n in ("updated_at", *self.row_columns))
        self.update_sql = f"UPDATE {self.table} SET {sets} WHERE {col('id')} = %s"  # noqa: S608 (model meta)
        history = Client.history.model
        copied = [str(f.column) for f in history._meta.fields if not f.name.startswith("history_")]
        extra = ["history_date", "history_change_reason", "history_type", "history_user_id"]
        self.history_sql = (
            f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(quote(c) for c in copied + extra)}) "  # noqa: S608 (model meta)
            f"SELECT {', '.join(quote(c) for c in copied)}, %s, %s, %s, %s FROM {self.table} "
            f"WHERE {col('id')} IN "
        )
        self.history_meta = (
            history._meta.get_field("history_date").get_db_prep_save(now, db),
            _("Client import: %(file)s") % {"file": file_name},
        )
        self.history_user = history._meta.get_field("history_user").get_db_prep_save(user_id, db)
        self.prep_id = self.fields["id"]
        self.stamp = self.fields["updated_at"].get_db_prep_save(now, db)
        self.office = self.fields["office_id"].get_db_prep_save(office_id, db)

    def _row(self, values: dict[str, Any]) -> tuple[Any, ...]:
        db, fields = self.db, self.fields
        row = [*(values[name] for name in COLUMNS), *_derived(values)]
        return tuple(
            fields[name].get_db_prep_save(value, db) for name, value in zip(self.row_columns, row, strict=True)
        )

    def write(self, plan: Plan) -> list[uuid.UUID]:
        """Writes the plan; returns the ids of the files created."""
        db = self.db
        created = [uuid.uuid4() for _values in plan.new]
        with db.cursor() as cursor:
            if plan.new:
                stamp, office, no = (
                    self.stamp,
                    self.office,
                    self.fields["restricted_access"].get_db_prep_save(False, db),
                )
                cursor.executemany(
                    self.insert_sql,
                    [
                        (self.prep_id.get_db_prep_save(pk, db), office, no, stamp, stamp, *self._row(values))
                        for pk, values in zip(created, plan.new, strict=True)
                    ],
                )
                self._history(cursor, created, "+")
            if plan.changed:
                cursor.executemany(
                    self.update_sql,
                    [
                        (self.stamp, *self._row(values), self.prep_id.get_db_prep_save(pk, db))
                        for pk, values in plan.changed.items()
                    ],
                )
                self._history(cursor, list(plan.changed), "~")
        return created

    def _history(self, cursor: Any, ids: Sequence[uuid.UUID], kind: str) -> None:
        for start in range(0, len(ids), _IN_CHUNK):
            chunk = [self.prep_id.get_db_prep_save(pk, self.db) for pk in ids[start : start + _IN_CHUNK]]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"{self.history_sql}({marks})", [*self.history_meta, kind, self.history_user, *chunk])


def link_waiting_records(*, plan: Plan, office_id: Any, run: ImportRun | None) -> list[str]:
    """Links the insurers' records that waited for one of the import's national numbers to their new (or
    completed) file, in the caller's transaction; returns what could not be linked, said for the broker."""
    if not plan.to_link:
        return []
    problems: list[str] = []
    clients = {
        c.national_number: c for c in Client.objects.filter(office_id=office_id, national_number__in=list(plan.to_link))
    }
    ids = [pk for pks in plan.to_link.values() for pk in pks]
    for record in UnmatchedRecord.objects.filter(pk__in=ids, status=UnmatchedStatus.OPEN):
        client = clients.get(record.holder_national_number)
        if client is None:
            continue
        try:
            coupling_services.unmatched_link(record=record, client=client)
        except ValidationError as exc:
            problems.append(
                _("The insurer's record %(insurer)s %(number)s could not be linked to the file of %(name)s: %(reason)s")
                % {
                    "insurer": record.insurer,
                    "number": record.number,
                    "name": client.full_name,
                    "reason": " ".join(exc.messages),
                }
            )
    return problems
