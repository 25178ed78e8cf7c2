"""Matching a portfolio's records with what the office has: pure Python, no SQL, no ORM query.

In: the office's keys (`OfficeKeys`, loaded once beforehand: writer.load_office_keys) and the records read
from the file (`records.Record`), one at a time. Out: a `Decision` per record, or `RecordError` with the
reason it is refused, and the rows to write, named (`NewPolicy`, `NewUnmatched` ...), gathered in a `Batch`
that the writer writes. The keys are kept up to date as records are matched: a policy created by one record
is the one a later record of the same file updates.

Each row's fields are the columns the writer writes, in order: a row is a tuple the database driver takes
as it is (writer.py), and its field names are the one list of those columns.
"""

from __future__ import annotations

import enum
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.utils import translation
from django.utils.translation import gettext as _

from pilier.couplings.models import UnmatchedReason, UnmatchedStatus
from pilier.policies.catalogue import TYPES
from pilier.policies.insurers import InvalidPolicyNumber, normalise_policy_number
from pilier.policies.rules import end_before_start, main_after

from .records import PolicyValues, Record, RecordError


class Decision(enum.StrEnum):
    """What matching did with a record; the values are the run's counts (ImportRun.created ...)."""

    CREATED = "created"  # a new policy in the file of the holder (mandate, known national number)
    UPDATED = "updated"  # the office's policy with this number, with the record's values
    UNCHANGED = "unchanged"  # the policy (or the unmatched record) already has these values
    UNMATCHED = "unmatched"  # no policy, and no mandate or no file: the broker links it or dismisses it


# The rows of a batch. Field names are column names (attnames) of the model written; `id` last in the rows
# that change an existing row (the WHERE of the writer's UPDATE).


class NewPolicy(NamedTuple):
    """A policy created by the import (pilier.policies.models.Policy)."""

    id: str
    client_id: Any
    section: str
    type: str
    insurer: str
    number: str  # the insurer's display form (normalise_policy_number)
    status: str | None
    start_date: str | None
    end_date: str | None
    annual_premium: str | None
    reserves: str | None
    reserves_date: str | None
    death_capital: str | None
    is_main: bool
    number_key: str
    main_group: str


class NewUnmatched(NamedTuple):
    """A record no policy matches, listed for the broker (couplings.models.UnmatchedRecord)."""

    id: str
    insurer: str
    number_key: str
    number: str
    type: str
    holder_national_number: str
    holder_name: str
    mandate: bool
    reason: str
    data: str  # JSON of Record.as_data()
    fingerprint: str


class ChangedUnmatched(NamedTuple):
    """An unmatched record seen again with other values: open again, whatever it was (dismissed ...)."""

    number: str
    type: str
    holder_national_number: str
    holder_name: str
    mandate: bool
    reason: str
    data: str
    fingerprint: str
    id: Any


class LinkedUnmatched(NamedTuple):
    """An unmatched record whose policy the import has now created in the holder's file."""

    linked_client_id: Any
    id: Any


# Policy's fields an import writes, by name: the record's values are copied into NewPolicy by position.
assert NewPolicy._fields[6:13] == PolicyValues._fields


@dataclass(slots=True)
class KnownPolicy:
    id: Any
    values: PolicyValues  # as the office has them (or as this file has set them so far)
    client_id: Any


class KnownUnmatched(NamedTuple):
    id: Any
    fingerprint: str
    status: str


@dataclass(slots=True)
class OfficeKeys:
    """What the office has, by the keys a record is matched on."""

    policies: dict[tuple[str, str], KnownPolicy]  # (insurer, number key) -> the policy
    groups: set[tuple[Any, str]]  # (client id, main group) of the groups that have a policy
    clients: dict[str, Any]  # national number digits (not provisional) -> client id
    unmatched: dict[tuple[str, str], KnownUnmatched]  # (insurer, number key) -> the unmatched record
    client_digits: dict[Any, str] = field(init=False)  # client id -> national number digits

    def __post_init__(self) -> None:
        self.client_digits = {pk: digits for digits, pk in self.clients.items()}


@dataclass(slots=True)
class Batch:
    """The rows to write, gathered over a few thousand records."""

    new_policies: list[NewPolicy] = field(default_factory=list)
    changed_policies: dict[Any, PolicyValues] = field(default_factory=dict)  # policy id -> its new values
    new_unmatched: list[NewUnmatched] = field(default_factory=list)
    changed_unmatched: list[ChangedUnmatched] = field(default_factory=list)
    linked_unmatched: list[LinkedUnmatched] = field(default_factory=list)


_VARIANT = {digit: "89ab"[int(digit, 16) % 4] for digit in "0123456789abcdef"}  # RFC 4122 variant bits


def new_id() -> str:
    """A random (version 4) UUID in text, as SQLite stores it; PostgreSQL reads it as a uuid.

    What uuid.uuid4().hex gives, without building a UUID object (a third of the time)."""
    digits = os.urandom(16).hex()
    return f"{digits[:12]}4{digits[13:16]}{_VARIANT[digits[16]]}{digits[17:]}"


def unmatched_fingerprint(data: str) -> str:
    """Digest of an unmatched record's data: a re-import of the same record changes nothing."""
    return hashlib.blake2b(data.encode(), digest_size=16).hexdigest()


CREATED, UPDATED, UNCHANGED, UNMATCHED = Decision.CREATED, Decision.UPDATED, Decision.UNCHANGED, Decision.UNMATCHED


class Matcher:
    """Matches the records of one file against `keys` (which it keeps up to date)."""

    def __init__(self, keys: OfficeKeys, *, number_limit: int, make_id: Callable[[], str] = new_id) -> None:
        self.keys = keys
        self.number_limit = number_limit  # Policy.number's max_length
        self.new_id = make_id
        self.batch = Batch()

    def take_batch(self) -> Batch:
        """The rows gathered since the last call, for the writer."""
        batch, self.batch = self.batch, Batch()
        return batch

    def match(self, record: Record) -> Decision:
        """What the record does; RecordError when it contradicts what the office has."""
        found = self.keys.policies.get((record.insurer, record.key))
        if found is not None:
            return self._update(record, found)
        client_id = self.keys.clients.get(record.national_digits) if record.national_digits else None
        if record.mandate and client_id is not None:
            return self._create(record, client_id)
        return self._unmatched(record, UnmatchedReason.NO_CLIENT if record.mandate else UnmatchedReason.NO_MANDATE)

    def _update(self, record: Record, found: KnownPolicy) -> Decision:
        holder = self.keys.client_digits.get(found.client_id)
        if record.national_digits and holder and record.national_digits != holder:
            raise RecordError(_("The holder's national number is not the one of the file this policy is in."))
        new = record.values
        if None in new:  # an empty field in the file says nothing: the value we have stays
            new = PolicyValues._make([c if n is None else n for n, c in zip(new, found.values, strict=True)])
        if end_before_start(new.start_date, new.end_date):  # the record's dates with the policy's
            raise RecordError(_("end_date would be before the policy's start date."))
        if new == found.values:
            return UNCHANGED
        found.values = new
        self.batch.changed_policies[found.id] = new
        return UPDATED

    def _create(self, record: Record, client_id: Any) -> Decision:
        try:
            number = normalise_policy_number(record.insurer, record.number)
        except InvalidPolicyNumber as exc:
            raise RecordError(
                _("policy_number: “%(value)s” is not written the %(insurer)s way (%(hint)s)")
                % {
                    "value": record.number,
                    "insurer": exc.insurer.name,
                    "hint": exc.insurer.hint_in(translation.get_language()),
                }
            ) from None
        if len(number.number) > self.number_limit:  # the insurer's way may add separators
            raise RecordError(
                _("%(field)s: %(length)s characters, at most %(max)s are allowed.")
                % {"field": "policy_number", "length": len(number.number), "max": self.number_limit}
            )
        kind = TYPES[record.type]
        group = kind.main_group
        groups = self.keys.groups
        # The policy rule: a new policy alone in its group (the first of the client's) is its main policy.
        is_main = main_after(main_group=group, alone=(client_id, group) not in groups)
        pk = self.new_id()
        values = record.values
        self.batch.new_policies.append(
            NewPolicy(
                pk,
                client_id,
                kind.section,
                record.type,
                record.insurer,
                number.number,
                *values,
                is_main,
                record.key,
                group,
            )
        )
        if group:
            groups.add((client_id, group))
        where = (record.insurer, record.key)
        self.keys.policies[where] = KnownPolicy(pk, values, client_id)
        resolved = self.keys.unmatched.pop(where, None)
        if resolved is not None:
            self.batch.linked_unmatched.append(LinkedUnmatched(client_id, resolved.id))
        return CREATED

    def _unmatched(self, record: Record, reason: str) -> Decision:
        data = record.data_json()  # json.dumps(record.as_data()): always the same keys in the same order
        fingerprint = unmatched_fingerprint(data)
        where = (record.insurer, record.key)
        existing = self.keys.unmatched.get(where)
        if existing is not None and existing.fingerprint == fingerprint:
            return UNCHANGED
        holder = record.national_number or ""
        name = f"{record.last_name} {record.first_name}".strip()
        if existing is not None:
            # What changed deserves a new look, even on a record dismissed before.
            self.batch.changed_unmatched.append(
                ChangedUnmatched(
                    record.number, record.type, holder, name, record.mandate, reason, data, fingerprint, existing.id
                )
            )
            self.keys.unmatched[where] = KnownUnmatched(existing.id, fingerprint, UnmatchedStatus.OPEN)
        else:
            pk = self.new_id()
            self.batch.new_unmatched.append(
                NewUnmatched(
                    pk,
                    record.insurer,
                    record.key,
                    record.number,
                    record.type,
                    holder,
                    name,
                    record.mandate,
                    reason,
                    data,
                    fingerprint,
                )
            )
            self.keys.unmatched[where] = KnownUnmatched(pk, fingerprint, UnmatchedStatus.OPEN)
        return UNMATCHED
