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
        steps.input("paid", ZERO, "no active policy of this product")
    steps.calc("room_raw", "sub", max_name, "paid")
    steps.calc("room", "floor0", "room_raw")
    return Figure(steps.value("room"), steps.items, steps.unverified)


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
    room = _room(steps, "max_premium", inputs, {"plci", "plci_social"})
    return Product(key, True, max_premium=maximum, paid=steps.value("paid"), room=room)


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
    extra = {"regimes": regimes}
    return Product("pension_savings", True, max_premium=maximum, paid=value("paid"), room=room, extra=extra)


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
            _need(steps, rules, "absolute_max", "long_term_savings.max", missing),
        ]
    )
    if missing or not ok:
        return Product("long_term_savings", True, max_premium=Figure(None, steps.items, steps.unverified, missing))
    steps.calc("income_part", "mul", "net_income", "income_rate")
    steps.calc("limit_linear", "add", "fixed_amount", "income_part")
    # 15 % of the first 2,040 EUR of income (art. 145/16 CIR 92): below 2,040 the linear form overstates it.
    steps.calc("limit_first_bracket", "mul", "net_income", Decimal("0.15"), note="15 % x income")
    steps.calc("limit_on_income", "min", "limit_first_bracket", "limit_linear")
    steps.calc("limit_rounded", "round2", "limit_on_income")
    steps.calc("max_premium", "min", "limit_rounded", "absolute_max")
    maximum = Figure(steps.value("max_premium"), list(steps.items), steps.unverified)
    room = _room(steps, "max_premium", inputs, {"long_term_savings"})
    return Product("long_term_savings", True, max_premium=maximum, paid=steps.value("paid"), room=room)
