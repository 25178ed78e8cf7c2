"""Each contract of a MyPension file against the client's policies, and what importing it would do. Pure: the
caller loads the policies (`Known`) and the office's numbers used on other files; nothing here reads or writes
the database.

A contract matches, in this order:
1. the policy with the same DB2P identifier (set by an earlier import: the same plan year after year);
2. the policy of the same insurer — ours by the institution's enterprise number, else by its name; an
   institution outside our list is OTHER, kept by its name — with the same number by that insurer's number
   rules (`policy_number_key`: the key portfolio files match on).

Then the proposed action: `create` when nothing matches; `update` when the file brings other figures (old → new
per field); `unchanged` when it brings nothing new, when the file is older than the reserves on record (never
overwrite newer figures), or when the contract cannot be created (its `reason`). Policies that an earlier
import brought (a DB2P identifier) and that this file no longer lists are `missing`: the broker decides.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pilier.policies.catalogue import TYPES
from pilier.policies.insurers import (
    Insurer,
    InvalidPolicyNumber,
    insurers,
    normalise_policy_number,
    policy_number_key,
)

from .parsed import Contract, Dossier

OTHER = "OTHER"
NUMBER_MAX = 40  # Policy.number
# The policy's fields an import writes, in the order the review shows them.
FIELDS = ("status", "reserves", "reserves_date", "death_capital", "db2p_id")

# Why a contract is proposed `unchanged` (or how it matched); the review says each in the user's language.
SAME = "same"  # the file brings nothing new
OLDER_FILE = "older_file"  # the policy has reserves at a later date than the file's
NUMBER_IN_ANOTHER_FILE = "number_in_another_file"  # the office has that insurer and number on another file
TYPE_UNKNOWN = "type_unknown"  # a plan label we do not map to a type: add it by hand
NO_REFERENCE = "no_reference"  # neither a reference nor a DB2P identifier to number the policy
REFERENCE_TOO_LONG = "reference_too_long"
TWICE_IN_FILE = "twice_in_file"  # a second contract of the file for the same policy


@dataclass(frozen=True)
class Known:
    """A policy of the client, as matching needs it."""

    id: str
    type: str
    insurer: str
    number: str
    number_key: str
    institution: str = ""
    db2p_id: str = ""
    status: str = "active"
    reserves: Decimal | None = None
    reserves_date: dt.date | None = None
    death_capital: Decimal | None = None


@dataclass(frozen=True)
class Proposal:
    key: str
    action: str  # "create" | "update" | "unchanged"
    policy: str | None  # the matched policy's id
    insurer: str  # our insurer code, OTHER when the institution is not ours
    number: str  # the policy number to create with (the insurer's display form when it reads it)
    number_key: str
    matched_by: str = ""  # "db2p" | "number" | ""
    reason: str = ""
    # field -> (old, new), each as the JSON text of the value (amounts "12345.67", dates ISO, None)
    changes: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)

    @property
    def managed(self) -> bool:
        """A created policy is not managed by the office: one the office manages with that insurer and number
        would have matched (the number is unique in the office), or been refused as on another file."""
        return False


@dataclass(frozen=True)
class Review:
    proposals: tuple[Proposal, ...]
    missing: tuple[str, ...]  # ids of the client's policies from an earlier file that this one does not list


# ── The institution as one of our insurers ────────────────────────────────────────────────────────────────────

_LEGAL_FORMS = {"sa", "nv", "scrl", "cvba", "sc", "cv", "srl", "bv", "asbl", "vzw", "ofp", "sca", "comm", "v"}
_NOT_WORD = re.compile(r"[^a-z0-9&]+")


def _name_key(name: str) -> str:
    """Lower case, no accents, no punctuation, no legal form: "AXA Belgium S.A." -> "axa belgium"."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"\(.*?\)", " ", text).replace(".", "")
    words = [w for w in _NOT_WORD.split(text) if w and w not in _LEGAL_FORMS]
    return " ".join(words)


def _digits(text: str | None) -> str:
    return re.sub(r"\D", "", text or "")


def insurer_of(institution: str, enterprise_number: str | None) -> Insurer | None:
    """Our insurer for a pension institution: by enterprise number, else by one of its names; None when not ours
    (OTHER is never a match)."""
    number = _digits(enterprise_number)
    candidates = [i for i in insurers() if i.code != OTHER]
    if number:
        for item in candidates:
            if _digits(item.enterprise_number) == number:
                return item
    wanted = _name_key(institution)
    if not wanted:
        return None
    for item in candidates:
        if wanted in {_name_key(part) for part in item.name.split("/")} | {_name_key(item.name)}:
            return item
    return None


# ── Numbers ─────────────────────────────────────────────────────────────────────────────────────────────────


def _number_of(code: str, contract: Contract) -> tuple[str, str]:
    """(display form, key) of the contract's number: the institution's reference, else its DB2P identifier."""
    raw = (contract.reference or "").strip() or (contract.db2p_id or "")
    if not raw:
        return "", ""
    try:
        key = policy_number_key(code, raw)
    except InvalidPolicyNumber:
        return "", ""
    try:
        display = normalise_policy_number(code, raw).number
    except InvalidPolicyNumber:
        display = " ".join(raw.split())  # as the institution prints it: not in the form we know for it
    return display, key


# ── Values ──────────────────────────────────────────────────────────────────────────────────────────────────


def policy_status(contract: Contract) -> str:
    """Active stays active; a not-active plan (left the employer) and a dormant account are dormant."""
    return "active" if contract.status == "active" else "dormant"


def _text(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def target_values(contract: Contract, reference_date: dt.date) -> dict[str, object]:
    """What the file says of each field (None: the file says nothing, the policy keeps its value)."""
    return {
        "status": policy_status(contract),
        "reserves": contract.reserves,
        "reserves_date": contract.reserves_date or (reference_date if contract.reserves is not None else None),
        "death_capital": contract.death_cover,
        "db2p_id": contract.db2p_id or None,
    }


def _changes(known: Known, values: dict[str, object]) -> dict[str, tuple[str | None, str | None]]:
    out: dict[str, tuple[str | None, str | None]] = {}
    for name in FIELDS:
        new = _text(values[name])
        if new is None:
            continue
        old = _text(getattr(known, name))
        if old != new:
            out[name] = (old, new)
    return out


# ── Matching ────────────────────────────────────────────────────────────────────────────────────────────────


def match(dossier: Dossier, policies: Iterable[Known], numbers_elsewhere: Iterable[tuple[str, str]] = ()) -> Review:
    """The proposals for every contract of `dossier`, against the client's `policies`; `numbers_elsewhere`:
    the (insurer, number key) of the office's policies on other files."""
    known = list(policies)
    by_db2p = {p.db2p_id: p for p in known if p.db2p_id}
    by_number: dict[tuple[str, str], list[Known]] = {}
    for p in known:
        by_number.setdefault((p.insurer, p.number_key), []).append(p)
    elsewhere = set(numbers_elsewhere)
    taken: set[str] = set()  # policies already matched by a contract of this file
    new_numbers: set[tuple[str, str]] = set()  # numbers a contract of this file creates
    proposals = []
    for contract in dossier.contracts:
        company = insurer_of(contract.institution, contract.institution_enterprise_number)
        code = company.code if company else OTHER
        number, key = _number_of(code, contract)
        found, how = None, ""
        if contract.db2p_id and contract.db2p_id in by_db2p:
            found, how = by_db2p[contract.db2p_id], "db2p"
        elif key:
            for candidate in by_number.get((code, key), []):
                if code != OTHER or _name_key(candidate.institution) == _name_key(contract.institution):
                    found, how = candidate, "number"
                    break
        base: dict[str, Any] = {"key": contract.key, "insurer": code, "number": number, "number_key": key}
        if found is not None and found.id in taken:
            proposals.append(Proposal(**base, action="unchanged", policy=None, reason=TWICE_IN_FILE))
            continue
        if found is not None:
            taken.add(found.id)
            values = target_values(contract, dossier.reference_date)
            file_date = values["reserves_date"]
            if isinstance(file_date, dt.date) and found.reserves_date is not None and file_date < found.reserves_date:
                proposals.append(
                    Proposal(**base, action="unchanged", policy=found.id, matched_by=how, reason=OLDER_FILE)
                )
                continue
            changes = _changes(found, values)
            action = "update" if changes else "unchanged"
            proposals.append(
                Proposal(
                    **base,
                    action=action,
                    policy=found.id,
                    matched_by=how,
                    reason="" if changes else SAME,
                    changes=changes,
                )
            )
            continue
        reason = ""
        if contract.policy_type not in TYPES or TYPES[contract.policy_type].section != "pension":
            reason = TYPE_UNKNOWN
        elif not key:
            reason = NO_REFERENCE
        elif len(number) > NUMBER_MAX:
            reason = REFERENCE_TOO_LONG
        elif (code, key) in elsewhere:
            reason = NUMBER_IN_ANOTHER_FILE
        elif (code, key) in new_numbers or (code, key) in by_number:
            reason = TWICE_IN_FILE  # (in by_number: an OTHER policy of another institution with that number)
        if reason:
            proposals.append(Proposal(**base, action="unchanged", policy=None, reason=reason))
            continue
        new_numbers.add((code, key))
        proposals.append(Proposal(**base, action="create", policy=None))
    missing = tuple(p.id for p in known if p.db2p_id and p.id not in taken)
    return Review(proposals=tuple(proposals), missing=missing)
