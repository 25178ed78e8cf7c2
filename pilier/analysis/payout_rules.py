"""Loads pilier/analysis/rules/payout.json: the payout rules in force in a given payout year.

The file is keyed by the year each entry takes effect. For a payout year, each parameter comes from the latest
entry at or before that year that has it; the solidarity bands and the fictitious-annuity rates are taken whole
from the latest such entry that has them. A year before the first entry has no rules (every figure missing).
"""

import json
from functools import cache

from .engine.payout import PayoutRules
from .rulebook import RULES_DIR, _param

PAYOUT_FILE = RULES_DIR / "payout.json"


@cache
def _entries() -> tuple[tuple[int, dict], ...]:
    data = json.loads(PAYOUT_FILE.read_text())
    return tuple(sorted((int(year), entry) for year, entry in data["by_year"].items()))


def effective_years() -> tuple[int, ...]:
    return tuple(year for year, _entry in _entries())


@cache
def payout_rules(year: int) -> PayoutRules:
    """The rules in force for a capital paid in `year`."""
    params = {}
    bands: tuple = ()
    rates: tuple = ()
    for effective, entry in _entries():
        if effective > year:
            break
        params.update({k: _param(k, v) for k, v in entry.get("parameters", {}).items()})
        if "solidarity_bands" in entry:
            bands = tuple(
                (
                    _param(f"payout.solidarity.{effective}.band_{i}.from", band["from"]),
                    _param(f"payout.solidarity.{effective}.band_{i}.rate", band["rate"]),
                )
                for i, band in enumerate(entry["solidarity_bands"])
            )
        if "fictitious_annuity_rates" in entry:
            rates = tuple(
                (
                    int(row["from_age"]),
                    _param(f"payout.fictitious_annuity.{effective}.from_{row['from_age']}", row["rate"]),
                )
                for row in entry["fictitious_annuity_rates"]
            )
    return PayoutRules(year, params, bands, rates)
