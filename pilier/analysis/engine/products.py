"""One function per product: the maximum premium of the year, what is paid, the room left."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .inputs import Inputs, PolicyInput, Rules
from .steps import Figure, Steps

ZERO = Decimal(0)
SELF_EMPLOYED = {"self_employed", "company_director", "assisting_spouse"}


@dataclass
class Product:
    key: str
    applicable: bool
    reason: str = ""  # why not applicable (a code the page translates)
    max_premium: Figure = field(default_factory=lambda: Figure(None))
    paid: Decimal = ZERO
    room: Figure = field(default_factory=lambda: Figure(None))
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. back_service, regimes

    @property
    def unverified(self) -> list[str]:
        keys = set(self.max_premium.unverified) | set(self.room.unverified)
        for value in self.extra.values():
            if isinstance(value, Figure):
                keys |= set(value.unverified)
        return sorted(keys)

    @property
    def missing(self) -> list[str]:
        return sorted(set(self.max_premium.missing) | set(self.room.missing))


def _paid(inputs: Inputs, types: set[str]) -> list[tuple[PolicyInput, Decimal]]:
    """The active policies of `types` with a premium, each with that premium."""
    return [
        (p, p.annual_premium) for p in inputs.policies if p.type in types and p.status == "active" and p.annual_premium
    ]


def _room(steps: Steps, max_name: str, inputs: Inputs, types: set[str]) -> Figure:
    policies = _paid(inputs, types)
    for index, (policy, premium) in enumerate(policies):
        steps.input(f"paid_{index + 1}", premium, policy.label)
    if policies:
        steps.calc("paid", "sum", *[f"paid_{i + 1}" for i in range(len(policies))])
    else:
        steps.input("paid", ZERO, "none:active_policy")
    steps.calc("room_raw", "sub", max_name, "paid")
    steps.calc("room", "floor0", "room_raw")
    return Figure(steps.value("room"), steps.items, steps.unverified)


def _overpaid(steps: Steps, max_name: str) -> Decimal | None:
    """What is paid above the maximum (not deductible), None when it is not over."""
    over = steps.value("paid") - steps.value(max_name)
    return over if over > 0 else None


def _need(steps: Steps, rules: Rules, name: str, key: str, missing: list[str]) -> bool:
    param = rules.get(key)
    if param.value is None:
        missing.append(f"param:{key}")
        return False
    steps.param(name, param)
    return True


# PLCI -------------------------------------------------------------------------------------------


def plci(inputs: Inputs, rules: Rules, social: bool) -> Product:
    key = "plci_social" if social else "plci"
    if inputs.social_status not in SELF_EMPLOYED:
        return Product(key, False, "not_self_employed")
    steps = Steps()
    missing: list[str] = []
    year = inputs.year
    if inputs.plci_reference_income is not None:
        steps.input("reference_income", inputs.plci_reference_income.value, inputs.plci_reference_income.source)
    elif (year - 3) in inputs.net_income:
        income = inputs.net_income[year - 3]
        steps.input("income_n3", income.value, income.source)
        if _need(steps, rules, "revaluation_coefficient", "plci.revaluation_coefficient", missing):
            steps.calc("reference_income", "mul", "income_n3", "revaluation_coefficient")
    elif inputs.started_self_employed is not None and inputs.started_self_employed > year - 3:
        # A starter has no income of N-3 yet: the minimum income of a main activity applies.
        _need(steps, rules, "reference_income", "plci.minimum_income_main_activity", missing)
    else:
        missing.append(f"income:{year - 3}")
    rate_key = "plci.rate_social" if social else "plci.rate_ordinary"
    cap_key = "plci.max_premium_social" if social else "plci.max_premium_ordinary"
    ok = _need(steps, rules, "rate", rate_key, missing) & _need(steps, rules, "absolute_max", cap_key, missing)
    if missing or not ok:
        return Product(key, True, max_premium=Figure(None, steps.items, steps.unverified, missing))
    steps.calc("premium_on_income", "mul", "reference_income", "rate")
    steps.calc("premium_rounded", "round2", "premium_on_income")
    steps.calc("max_premium", "min", "premium_rounded", "absolute_max")
    maximum = Figure(steps.value("max_premium"), list(steps.items), steps.unverified)
    extra: dict[str, Any] = {}
    proposed = _proposed_change(steps.fork(), rules, social)
    if proposed:
        extra["proposed_change"] = proposed
    room = _room(steps, "max_premium", inputs, {"plci", "plci_social"})
    # Paid above the maximum: said on the row of the kind of PLCI paid (a social PLCI against the social maximum).
    social_paid = any(p.type == "plci_social" for p, _premium in _paid(inputs, {"plci_social"}))
    overpaid = _overpaid(steps, "max_premium")
    if overpaid is not None and social_paid == social:
        extra["overpaid"] = overpaid
    return Product(key, True, max_premium=maximum, paid=steps.value("paid"), room=room, extra=extra)


def _proposed_change(steps: Steps, rules: Rules, social: bool) -> dict[str, Any] | None:
    """The maximum a bill would give (`plci.proposed_*` in the year's rules), beside the one in force, which the
    analysis applies; None when the rules name no such bill."""
    kind = "social" if social else "ordinary"
    rate, cap = rules.get(f"plci.proposed_rate_{kind}"), rules.get(f"plci.proposed_max_premium_{kind}")
    if rate.value is None or cap.value is None:
        return None
    steps.param("proposed_rate", rate)
    steps.param("proposed_absolute_max", cap)
    steps.calc("proposed_premium_on_income", "mul", "reference_income", "proposed_rate")
    steps.calc("proposed_premium_rounded", "round2", "proposed_premium_on_income")
    steps.calc("proposed_max_premium", "min", "proposed_premium_rounded", "proposed_absolute_max")
    figure = Figure(steps.value("proposed_max_premium"), steps.items, steps.unverified)
    status = rules.get("plci.proposed_change_status")
    return {"max_premium": figure, "status": status.text or "unknown", "status_param": status}


# Pension savings and long-term savings ------------------------------------------------------------


def pension_savings(inputs: Inputs, rules: Rules) -> Product:
    steps = Steps()
    missing: list[str] = []
    ok = all(
        [
            _need(steps, rules, "max_30", "pension_savings.max_30", missing),
            _need(steps, rules, "rate_30", "pension_savings.rate_30", missing),
            _need(steps, rules, "max_25", "pension_savings.max_25", missing),
            _need(steps, rules, "rate_25", "pension_savings.rate_25", missing),
        ]
    )
    if not ok:
        return Product("pension_savings", True, max_premium=Figure(None, steps.items, steps.unverified, missing))
    steps.calc("reduction_30", "mul", "max_30", "rate_30")
    steps.calc("reduction_30_rounded", "round2", "reduction_30")
    steps.calc("reduction_25", "mul", "max_25", "rate_25")
    steps.calc("reduction_25_rounded", "round2", "reduction_25")
    steps.calc("max_premium", "max", "max_30", "max_25")
    maximum = Figure(steps.value("max_premium"), list(steps.items), steps.unverified)
    room = _room(steps, "max_premium", inputs, {"pension_savings"})
    regime_30 = steps.fork()  # the room in the 30 % regime, told apart
    regime_30.calc("room_30_raw", "sub", "max_30", "paid")
    regime_30.calc("room_30", "floor0", "room_30_raw")
    value = steps.value
    regimes = {
        "30": {
            "max": value("max_30"),
            "tax_reduction": value("reduction_30_rounded"),
            "room": regime_30.value("room_30"),
        },
        "25": {"max": value("max_25"), "tax_reduction": value("reduction_25_rounded"), "room": value("room")},
    }
    extra: dict[str, Any] = {"regimes": regimes}
    overpaid = _overpaid(steps, "max_premium")
    if overpaid is not None:
        extra["overpaid"] = overpaid
    if value("paid") > 0:
        extra["tax_reduction_paid"] = _pension_savings_reduction(steps.fork())
        zone = _low_zone(steps.fork())
        if zone:
            extra["low_zone"] = zone
    return Product("pension_savings", True, max_premium=maximum, paid=value("paid"), room=room, extra=extra)


def _pension_savings_reduction(steps: Steps) -> Figure:
    """The tax reduction of what is paid: 30 % up to the 30 % regime's maximum; above it, the 25 % regime on what is
    paid up to its own maximum."""
    if steps.value("paid") <= steps.value("max_30"):
        steps.calc("reduction_paid_exact", "mul", "paid", "rate_30")
    else:
        steps.calc("paid_deductible", "min", "paid", "max_25")
        steps.calc("reduction_paid_exact", "mul", "paid_deductible", "rate_25")
    steps.calc("reduction_paid", "round2", "reduction_paid_exact")
    return Figure(steps.value("reduction_paid"), steps.items, steps.unverified)


def _low_zone(steps: Steps) -> dict[str, Any] | None:
    """Paid a little above the 30 % regime's maximum: up to max_30 × rate_30 ÷ rate_25 (1,260 EUR when the maxima
    are 1,050 and 1,350), the 25 % regime then gives less than the 30 % regime at its maximum."""
    steps.calc("zone_limit_exact", "div", "reduction_30_rounded", "rate_25")
    steps.calc("zone_limit", "round2", "zone_limit_exact")
    paid = steps.value("paid")
    if not (steps.value("max_30") < paid <= steps.value("zone_limit")):
        return None
    reduction = _pension_savings_reduction(steps.fork())
    return {
        "paid": paid,
        "limit": Figure(steps.value("zone_limit"), steps.items, steps.unverified),
        "max_30": steps.value("max_30"),
        "reduction_30": steps.value("reduction_30_rounded"),
        "reduction_paid": reduction.value,
        "shortfall": steps.value("reduction_30_rounded") - (reduction.value or ZERO),
    }


def long_term_savings(inputs: Inputs, rules: Rules) -> Product:
    steps = Steps()
    missing: list[str] = []
    income = inputs.net_income.get(inputs.year)
    if income is None:
        missing.append(f"income:{inputs.year}")
    else:
        steps.input("net_income", income.value, income.source)
    ok = all(
        [
            _need(steps, rules, "fixed_amount", "long_term_savings.fixed_amount", missing),
            _need(steps, rules, "income_rate", "long_term_savings.income_rate", missing),
            _need(steps, rules, "first_bracket_rate", "long_term_savings.first_bracket_rate", missing),
            _need(steps, rules, "absolute_max", "long_term_savings.max", missing),
        ]
    )
    if missing or not ok:
        return Product("long_term_savings", True, max_premium=Figure(None, steps.items, steps.unverified, missing))
    steps.calc("income_part", "mul", "net_income", "income_rate")
    steps.calc("limit_linear", "add", "fixed_amount", "income_part")
    # 15 % of the income within the first bracket (2,040 EUR, art. 145/16 CIR 92): below it the linear form
    # overstates the limit.
    steps.calc("limit_first_bracket", "mul", "net_income", "first_bracket_rate")
    steps.calc("limit_on_income", "min", "limit_first_bracket", "limit_linear")
    steps.calc("limit_rounded", "round2", "limit_on_income")
    steps.calc("max_premium", "min", "limit_rounded", "absolute_max")
    maximum = Figure(steps.value("max_premium"), list(steps.items), steps.unverified)
    room = _room(steps, "max_premium", inputs, {"long_term_savings"})
    extra: dict[str, Any] = {}
    overpaid = _overpaid(steps, "max_premium")
    if overpaid is not None:
        extra["overpaid"] = overpaid
    reduction_rate = rules.get("long_term_savings.rate")
    if steps.value("paid") > 0 and reduction_rate.value is not None:
        # The tax reduction of what is paid: the rate on the part of it that is deductible.
        reduction = steps.fork()
        reduction.param("reduction_rate", reduction_rate)
        reduction.calc("paid_deductible", "min", "paid", "max_premium")
        reduction.calc("reduction_paid_exact", "mul", "paid_deductible", "reduction_rate")
        reduction.calc("reduction_paid", "round2", "reduction_paid_exact")
        extra["tax_reduction_paid"] = Figure(reduction.value("reduction_paid"), reduction.items, reduction.unverified)
    return Product("long_term_savings", True, max_premium=maximum, paid=steps.value("paid"), room=room, extra=extra)
