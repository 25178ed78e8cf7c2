"""A parsed Dossier as plain JSON (amounts as "12345.67", dates ISO) and back: how a draft keeps it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from .parsed import Contract, Dossier, Event, Warning


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _date(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _read_amount(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


def _read_date(value: Any) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


def contract_to_json(contract: Contract) -> dict[str, Any]:
    event = contract.event
    return {
        "key": contract.key,
        "part": contract.part,
        "organiser": contract.organiser,
        "organiser_enterprise_number": contract.organiser_enterprise_number,
        "institution": contract.institution,
        "institution_enterprise_number": contract.institution_enterprise_number,
        "plan_label": contract.plan_label,
        "type": contract.policy_type,
        "reference": contract.reference,
        "db2p_id": contract.db2p_id,
        "status": contract.status,
        "event": None if event is None else {"kind": event.kind, "date": _date(event.date)},
        "reserves": _amount(contract.reserves),
        "reserves_date": _date(contract.reserves_date),
        "vested_benefit": _amount(contract.vested_benefit),
        "vested_benefit_date": _date(contract.vested_benefit_date),
        "death_cover": _amount(contract.death_cover),
        "branch": contract.branch,
    }


def contract_from_json(data: dict[str, Any]) -> Contract:
    event = data.get("event")
    return Contract(
        key=data["key"],
        part=data["part"],
        organiser=data["organiser"],
        organiser_enterprise_number=data["organiser_enterprise_number"],
        institution=data["institution"],
        institution_enterprise_number=data["institution_enterprise_number"],
        plan_label=data["plan_label"],
        policy_type=data["type"],
        reference=data["reference"],
        db2p_id=data["db2p_id"],
        status=data["status"],
        event=None if event is None else Event(kind=event["kind"], date=_read_date(event["date"])),
        reserves=_read_amount(data["reserves"]),
        reserves_date=_read_date(data["reserves_date"]),
        vested_benefit=_read_amount(data["vested_benefit"]),
        vested_benefit_date=_read_date(data["vested_benefit_date"]),
        death_cover=_read_amount(data["death_cover"]),
        branch=data["branch"],
    )


def dossier_to_json(dossier: Dossier) -> dict[str, Any]:
    return {
        "language": dossier.language,
        "reference_date": dossier.reference_date.isoformat(),
        "holder_name": dossier.holder_name,
        "national_number": dossier.national_number,
        "contracts": [contract_to_json(c) for c in dossier.contracts],
        "warnings": [{"code": w.code, "params": dict(w.params)} for w in dossier.warnings],
    }


def dossier_from_json(data: dict[str, Any]) -> Dossier:
    return Dossier(
        language=data["language"],
        reference_date=dt.date.fromisoformat(data["reference_date"]),
        holder_name=data["holder_name"],
        national_number=data["national_number"],
        contracts=tuple(contract_from_json(c) for c in data["contracts"]),
        warnings=tuple(Warning(code=w["code"], params=dict(w["params"])) for w in data["warnings"]),
    )
