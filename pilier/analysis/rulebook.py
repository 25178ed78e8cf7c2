"""Loads the rules data (pilier/analysis/rules/<year>.json and common.json) into engine Rules."""

import json
from decimal import Decimal
from functools import cache
from pathlib import Path

from .engine.inputs import Rules
from .engine.steps import Param

RULES_DIR = Path(__file__).parent / "rules"


class NoRules(LookupError):
    pass


def _param(key: str, raw: dict) -> Param:
    value = raw.get("value")
    if raw.get("unit") == "code":  # a code (an assumption's default option), not a number
        return Param(
            key=key,
            value=None,
            unit="code",
            verified=bool(raw.get("verified")),
            source=raw.get("source", ""),
            url=raw.get("url"),
            note=raw.get("note", ""),
            text=str(value or ""),
            derived=bool(raw.get("derived")),
        )
    return Param(
        key=key,
        value=None if value in (None, "") else Decimal(str(value)),
        unit=raw.get("unit", ""),
        verified=bool(raw.get("verified")),
        source=raw.get("source", ""),
        url=raw.get("url"),
        note=raw.get("note", ""),
        derived=bool(raw.get("derived")),
    )


@cache
def available_years() -> tuple[int, ...]:
    return tuple(sorted(int(p.stem) for p in RULES_DIR.glob("[0-9][0-9][0-9][0-9].json")))


@cache
def load_rules(year: int) -> Rules:
    path = RULES_DIR / f"{year}.json"
    if not path.exists():
        raise NoRules(year)
    data = json.loads(path.read_text())
    common = json.loads((RULES_DIR / "common.json").read_text())
    params = {k: _param(k, v) for k, v in common.get("parameters", {}).items()}
    params.update({k: _param(k, v) for k, v in data["parameters"].items()})
    table = common.get("annuity_coefficients", {})
    coefficients = {}
    for age, options in table.get("by_age", {}).items():
        coefficients[int(age)] = {
            option: Param(
                f"annuity_coefficient.{age}.{option}",
                Decimal(str(value)),
                "coefficient",
                bool(table.get("verified")),
                table.get("source", ""),
                table.get("url"),
                table.get("note", ""),
            )
            for option, value in options.items()
            if value not in (None, "")
        }
    _add_derived(coefficients)
    return Rules(year, params, coefficients)


# The coefficients derived from the Belgian mortality tables where no published one exists (ages 66 and 67; see
# pilier/analysis/engine/mortality.py): shown as derived, never verified.
DERIVED_SOURCE = (
    "Arrêté royal du 14 novembre 2003 / Koninklijk besluit van 14 november 2003, annexe/bijlage 1 (tables MR/FR)"
)


def _add_derived(coefficients: dict[int, dict[str, Param]]) -> None:
    path = RULES_DIR / "coefficients_derived.json"
    if not path.exists():
        return
    data = json.loads(path.read_text())
    for age, options in data.get("by_age", {}).items():
        have = coefficients.setdefault(int(age), {})
        for option, value in options.items():
            if value in (None, "") or option in have:  # a published coefficient always wins
                continue
            have[option] = Param(
                f"annuity_coefficient.{age}.{option}",
                Decimal(str(value)),
                "coefficient",
                False,
                DERIVED_SOURCE,
                data.get("table", {}).get("url"),
                data.get("method", ""),
                derived=True,
            )
