"""What the MyPension parser returns: the contract between the PDF reader (`parser.py`) and the draft /
review / confirm side (`services.py`, `views.py`, `api.py`). Pure data, no Django import.

Amounts are `Decimal` (two places), dates `datetime.date`. Codes are the API's: `part` is "employee" or
"self_employed"; `status` is "active", "not_active" or "dormant"; `policy_type` a policy type code of
`pilier.policies.catalogue` (plci, plci_social, eip, group_insurance, cpti, inami, …) or None when the label
is unknown (never guessed); `branch` "21", "23" or None.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Event:
    kind: str  # "exit" (Sortie le / Uittreding op); other kinds as data when met
    date: dt.date | None


@dataclass(frozen=True)
class Warning:
    code: str  # a stable slug: "total_mismatch", "unknown_plan_label", "part_empty", …
    params: dict[str, str] = field(default_factory=dict)  # rendered in the reader's language by the caller


@dataclass(frozen=True)
class Contract:
    key: str  # stable within one file: the DB2P id when given, else part + reference + row number
    part: str  # "employee" | "self_employed"
    organiser: str  # name as printed, "" for "Pas d'application" / "Niet van toepassing"
    organiser_enterprise_number: str | None  # "0404.483.367" form, None when none
    institution: str
    institution_enterprise_number: str | None
    plan_label: str  # as printed
    policy_type: str | None
    reference: str  # the institution's reference as printed
    db2p_id: str | None  # YYYY-0000-0000-NNNN-NNNN-NNNN
    status: str  # "active" | "not_active" | "dormant"
    event: Event | None
    reserves: Decimal | None
    reserves_date: dt.date | None
    vested_benefit: Decimal | None = None
    vested_benefit_date: dt.date | None = None  # the due date (échéance / einddatum)
    death_cover: Decimal | None = None
    branch: str | None = None


@dataclass(frozen=True)
class Dossier:
    language: str  # "fr" | "nl"
    reference_date: dt.date  # "Situation au" / "Situatie op"
    holder_name: str
    national_number: str  # 11 digits, no separators
    contracts: tuple[Contract, ...]
    warnings: tuple[Warning, ...] = ()


class NotMyPension(ValueError):
    """Raised by the parser; `code` says which refusal ("not_pdf", "unreadable", "encrypted", "not_mypension")."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code
