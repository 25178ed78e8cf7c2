"""The net of a projected pension capital: contributions and tax at payout, by product, under the payout year's rules.

Order of the steps (each one recorded with a stable name, pilier/analysis/labels.py says them):

1. the acquired profit-sharing, grown like the reserves: it bears the contributions but no tax;
2. 2nd pillar only: INAMI contribution, solidarity contribution by band of the capital, and from the payout
   year the rules give it (2027) the extra solidarity contribution on the part of the capital above its threshold;
3. the tax by regime (`TAX_REGIMES`), on the capital after contributions without the profit-sharing's share:
   - PLCI, social PLCI, INAMI contract: fictitious annuity, (80 % of) the base × the % for the age at payout ×
     the years it is declared × the client's marginal rate (an assumption; without one the net is unknown);
   - EIP, group insurance: separate rate, 10 % when active until the legal pension age, else 16.5 %
     (20 % at 60, 18 % at 61);
   - CPTI: 10 % at retirement (33 % otherwise, never the case of a capital projected to the legal age);
   - pension savings, long-term savings: the anticipatory tax (8 % / 10 %) on the reserve at 60.

The rules are those of the payout year (`PayoutRules`, from pilier/analysis/rules/payout.json), not of the
analysis year. Municipal surcharges on the tax are not included.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from .assumptions import rate_step, resolve
from .inputs import Inputs, Options, PolicyInput, Rules
from .steps import Figure, Param, Steps

ZERO = Decimal(0)

# Policy type → its tax regime at payout ("" where there is none: 4th pillar).
FICTITIOUS_ANNUITY_TYPES = ("plci", "plci_social", "inami")
SEPARATE_TYPES = ("eip", "group_insurance")
TAX_REGIMES = (
    "fictitious_annuity",
    "separate_10",
    "separate_16_5",
    "separate_18",
    "separate_20",
    "cpti_10",
    "cpti_33",
    "anticipatory_8",
    "anticipatory_10",
)
# The rules key of each flat-rate regime's rate.
REGIME_RATE_KEYS = {
    "separate_10": "payout.separate_rate_legal_age",
    "separate_16_5": "payout.separate_rate_other",
    "separate_18": "payout.separate_rate_61",
    "separate_20": "payout.separate_rate_60",
    "cpti_10": "payout.cpti_rate_retirement",
    "cpti_33": "payout.cpti_rate_other",
    "anticipatory_8": "payout.anticipatory_rate_pension_savings",
    "anticipatory_10": "payout.anticipatory_rate_long_term_savings",
}


@dataclass(frozen=True)
class PayoutRules:
    """The payout rules in force in one year (each figure with its source)."""

    year: int
    params: dict[str, Param] = field(default_factory=dict)
    solidarity_bands: tuple[tuple[Param, Param], ...] = ()  # (capitals above, rate), lowest first
    annuity_rates: tuple[tuple[int, Param], ...] = ()  # (from age, % of the capital), lowest first

    def get(self, key: str) -> Param:
        return self.params.get(key) or Param(key, None, note="not in the payout rules data")


PayoutBook = Callable[[int], PayoutRules]  # payout year → the rules in force that year


def regime_for(policy: PolicyInput, payout_age: int, active: bool) -> str:
    """The tax regime of a capital paid at `payout_age` (the legal pension age in the projection)."""
    if policy.type in FICTITIOUS_ANNUITY_TYPES:
        return "fictitious_annuity"
    if policy.type in SEPARATE_TYPES:
        if active:
            return "separate_10"
        return {60: "separate_20", 61: "separate_18"}.get(payout_age, "separate_16_5")
    if policy.type == "cpti":
        return "cpti_10"  # paid at retirement; 33 % only when paid before the early-retirement date
    if policy.type == "pension_savings":
        return "anticipatory_8"
    if policy.type == "long_term_savings":
        return "anticipatory_10"
    return ""


@dataclass
class Net:
    regime: str
    figure: Figure | None  # None: no payout regime (4th pillar); figure.value None: the net is unknown
    missing: list[str] = field(default_factory=list)


def _need(payout: PayoutRules, keys: list[str], missing: list[str]) -> bool:
    absent = [k for k in keys if payout.get(k).value is None]
    missing.extend(f"param:{k}" for k in absent)
    return not absent


def _band(payout: PayoutRules, capital: Decimal) -> tuple[Param, Param] | None:
    """The solidarity band of the capital: the highest whose lower limit the capital is above (0 included)."""
    chosen = None
    for threshold, rate in payout.solidarity_bands:
        if threshold.value is None or rate.value is None:
            return None
        if capital > threshold.value or threshold.value == 0:
            chosen = (threshold, rate)
    return chosen


def _annuity_rate(payout: PayoutRules, age: int) -> Param | None:
    chosen = None
    for from_age, rate in payout.annuity_rates:
        if age >= from_age:
            chosen = rate
    return chosen


def _unknown(regime: str, steps: Steps, missing: list[str]) -> Net:
    return Net(regime, Figure(None, list(steps.items), steps.unverified, list(missing)), list(missing))


def net_of(
    steps: Steps, policy: PolicyInput, inputs: Inputs, rules: Rules, options: Options, payout: PayoutRules
) -> Net:
    """Continues the gross capital's steps (`capital`, `growth`, `technical_rate`, `reserves`, `premium`, …)
    to the net capital at payout."""
    assert inputs.retirement_age is not None and inputs.years_left is not None
    age = inputs.retirement_age
    active = bool(resolve(options, rules)["active_until_legal_age"].value)
    regime = regime_for(policy, age, active)
    if not regime:
        return Net("", None)
    missing: list[str] = []
    capital = steps.value("capital")
    steps.input("payout_year", Decimal(inputs.year + inputs.years_left), f"retirement_age:{age}")
    steps.input("payout_age", Decimal(age), f"retirement_age:{age}")
    # 1. Profit-sharing: part of the reserves, grown with them; contributions yes, tax no.
    steps.input("profit_sharing", policy.profit_sharing or ZERO, policy.label)
    steps.calc("profit_sharing_grown", "mul", "profit_sharing", "growth")
    steps.calc("profit_sharing_at_payout", "min", "profit_sharing_grown", "capital")
    if regime.startswith("anticipatory"):
        return _anticipatory(steps, policy, inputs, payout, regime, missing)
    # 2. Contributions on the whole capital (profit-sharing included).
    if not _need(payout, ["payout.inami_rate"], missing):
        return _unknown(regime, steps, missing)
    band = _band(payout, capital)
    if band is None:
        missing.append("param:payout.solidarity_bands")
        return _unknown(regime, steps, missing)
    steps.param("inami", payout.get("payout.inami_rate"))
    steps.calc("inami_amount", "mul", "capital", "inami")
    steps.param("solidarity_threshold", band[0])
    steps.param("solidarity_rate", band[1])
    steps.calc("solidarity_amount", "mul", "capital", "solidarity_rate")
    steps.calc("contributions", "add", "inami_amount", "solidarity_amount")
    extra_keys = ["payout.extra_solidarity_threshold", "payout.extra_solidarity_rate"]
    if any(k in payout.params for k in extra_keys):  # in force from its year on (2027)
        if not _need(payout, extra_keys, missing):
            return _unknown(regime, steps, missing)
        steps.param("extra_solidarity_threshold", payout.get("payout.extra_solidarity_threshold"))
        steps.calc("capital_above_threshold_raw", "sub", "capital", "extra_solidarity_threshold")
        steps.calc("capital_above_threshold", "floor0", "capital_above_threshold_raw")
        steps.param("extra_solidarity_rate", payout.get("payout.extra_solidarity_rate"))
        steps.calc("extra_solidarity_amount", "mul", "capital_above_threshold", "extra_solidarity_rate")
        steps.calc("all_contributions", "add", "contributions", "extra_solidarity_amount")
        total = "all_contributions"
    else:
        total = "contributions"
    steps.calc("after_contributions", "sub", "capital", total)
    # 3. The tax base: the capital after contributions, without the profit-sharing's share.
    steps.calc("capital_without_profit_sharing", "sub", "capital", "profit_sharing_at_payout")
    if capital > 0:
        steps.calc("taxable_share", "div", "capital_without_profit_sharing", "capital")
    else:
        steps.input("taxable_share", Decimal(1), "")
    steps.calc("taxable_base", "mul", "after_contributions", "taxable_share")
    if regime == "fictitious_annuity":
        if not _fictitious_annuity(steps, options, rules, payout, age, active, missing):
            return _unknown(regime, steps, missing)
    else:
        key = REGIME_RATE_KEYS[regime]
        if not _need(payout, [key], missing):
            return _unknown(regime, steps, missing)
        steps.param("tax_rate", payout.get(key))
        steps.calc("tax_amount", "mul", "taxable_base", "tax_rate")
    steps.calc("net_exact", "sub", "after_contributions", "tax_amount")
    steps.calc("net", "round2", "net_exact")
    return Net(regime, Figure(steps.value("net"), list(steps.items), steps.unverified))


def _fictitious_annuity(
    steps: Steps,
    options: Options,
    rules: Rules,
    payout: PayoutRules,
    age: int,
    active: bool,
    missing: list[str],
) -> bool:
    rate = _annuity_rate(payout, age)
    if rate is None or rate.value is None:
        missing.append("param:payout.fictitious_annuity_rates")
        return False
    years_key = "payout.fictitious_annuity_years"
    fewer = payout.get("payout.fictitious_annuity_fewer_years_age")
    keys = [years_key, "payout.fictitious_annuity_fewer_years_age"]
    if fewer.value is not None and age >= fewer.value:
        years_key = "payout.fictitious_annuity_years_from_65"
        keys.append(years_key)
    if active:
        keys.append("payout.fictitious_annuity_active_ratio")
    if not _need(payout, keys, missing):
        return False
    base = "taxable_base"  # not active until the legal pension age: the whole base is converted
    if active:
        steps.param("converted_share", payout.get("payout.fictitious_annuity_active_ratio"))
        steps.calc("annuity_base", "mul", "taxable_base", "converted_share")
        base = "annuity_base"
    steps.param("annuity_rate", rate)
    steps.calc("fictitious_annuity", "mul", base, "annuity_rate")
    steps.param("years_declared", payout.get(years_key))
    steps.calc("annuities_declared", "mul", "fictitious_annuity", "years_declared")
    if not rate_step(steps, "marginal_rate", options, rules):
        missing.append("marginal_rate")
        return False
    steps.calc("tax_amount", "mul", "annuities_declared", "marginal_rate")
    return True


def _anticipatory(
    steps: Steps, policy: PolicyInput, inputs: Inputs, payout: PayoutRules, regime: str, missing: list[str]
) -> Net:
    """3rd pillar: no INAMI or solidarity contribution; the anticipatory tax on the reserve at 60 (without
    profit-sharing), levied then and so already out of the reserves of a client who is 60 or more today."""
    assert inputs.retirement_age is not None and inputs.years_left is not None
    key = REGIME_RATE_KEYS[regime]
    if not _need(payout, [key, "payout.anticipatory_age"], missing):
        return _unknown(regime, steps, missing)
    tax_age = payout.get("payout.anticipatory_age").value
    assert tax_age is not None
    age_now = inputs.retirement_age - inputs.years_left
    if age_now >= tax_age:
        # Levied at 60 already: today's reserves are after it.
        steps.input("tax_already_levied", ZERO, policy.label)
        tax = "tax_already_levied"
    else:
        tax = "tax_amount"
        steps.calc("age_now", "sub", "payout_age", "years_left")
        steps.param("anticipatory_age", payout.get("payout.anticipatory_age"))
        steps.calc("years_to_tax", "sub", "anticipatory_age", "age_now")
        steps.calc("growth_to_tax", "growth", "technical_rate", "years_to_tax")
        steps.calc("reserves_at_tax", "mul", "reserves", "growth_to_tax")
        steps.calc("annuity_factor_to_tax", "annuity_due", "technical_rate", "years_to_tax")
        steps.calc("premiums_at_tax", "mul", "premium", "annuity_factor_to_tax")
        steps.calc("capital_at_tax_exact", "add", "reserves_at_tax", "premiums_at_tax")
        steps.calc("capital_at_tax", "round2", "capital_at_tax_exact")
        steps.calc("profit_sharing_at_tax_raw", "mul", "profit_sharing", "growth_to_tax")
        steps.calc("profit_sharing_at_tax", "min", "profit_sharing_at_tax_raw", "capital_at_tax")
        steps.calc("taxable_at_tax", "sub", "capital_at_tax", "profit_sharing_at_tax")
        steps.param("tax_rate", payout.get(key))
        steps.calc("tax_amount", "mul", "taxable_at_tax", "tax_rate")
    steps.calc("net_exact", "sub", "capital", tax)
    steps.calc("net", "round2", "net_exact")
    return Net(regime, Figure(steps.value("net"), list(steps.items), steps.unverified))
