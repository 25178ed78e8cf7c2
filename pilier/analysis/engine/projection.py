"""Capital at retirement per policy and in total, gross and net, and the gap to 80 % of income."""

from dataclasses import dataclass, field
from decimal import Decimal

from .inputs import Inputs, Options, Rules
from .steps import Figure, Steps

ZERO = Decimal(0)


@dataclass
class PolicyProjection:
    policy_id: str
    label: str
    gross: Figure
    net: Figure | None  # None where the rules have no payout figures (3rd and 4th pillar)


@dataclass
class Projection:
    years_left: int | None
    policies: list[PolicyProjection] = field(default_factory=list)
    total_gross: Decimal | None = None
    total_net: Decimal | None = None
    series: list[tuple[int, Decimal]] = field(default_factory=list)  # (year, total gross capital)
    gap: Figure | None = None
    missing: list[str] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)


def _rate(steps: Steps, rules: Rules, options: Options, missing: list[str]) -> bool:
    if options.technical_rate is not None:
        steps.assume("technical_rate", options.technical_rate, "chosen for this analysis")
        return True
    default = rules.get("eighty.technical_interest_rate")
    if default.value is None:
        missing.append("technical_rate")
        return False
    steps.param("technical_rate", default)
    return True


def project(inputs: Inputs, rules: Rules, options: Options) -> Projection:
    out = Projection(inputs.years_left)
    if inputs.years_left is None:
        out.missing.append("birth_date")
        return out
    probe = Steps()
    if not _rate(probe, rules, options, out.missing):
        return out
    rate = probe.value("technical_rate")
    years = inputs.years_left
    payout_keys = ["payout.inami_rate", "payout.solidarity_rate_max", "payout.tax_rate_legal_age"]
    payout = [rules.get(k) for k in payout_keys]
    pension = [p for p in inputs.policies if p.section == "pension" and (p.reserves or p.annual_premium)]
    unverified: set[str] = set()
    total_gross = total_net = ZERO
    for policy in pension:
        steps = Steps()
        _rate(steps, rules, options, [])
        steps.input("years_left", Decimal(years), f"legal retirement age {inputs.retirement_age}")
        steps.input("reserves", policy.reserves or ZERO, policy.label)
        premium = policy.annual_premium if policy.status == "active" and policy.annual_premium else ZERO
        steps.input("premium", premium, policy.label)
        steps.calc("growth", "growth", "technical_rate", "years_left")
        steps.calc("reserves_grown", "mul", "reserves", "growth")
        steps.calc("annuity_factor", "annuity_due", "technical_rate", "years_left")
        steps.calc("premiums_grown", "mul", "premium", "annuity_factor")
        steps.calc("capital_exact", "add", "reserves_grown", "premiums_grown")
        steps.calc("capital", "round2", "capital_exact")
        gross = Figure(steps.value("capital"), list(steps.items), steps.unverified)
        total_gross += steps.value("capital")
        net = None
        if policy.pillar == 2 and all(p.value is not None for p in payout):
            for name, param in zip(("inami", "solidarity", "tax"), payout, strict=True):
                steps.param(name, param)
            steps.calc("contributions_rate", "add", "inami", "solidarity")
            steps.calc("contributions", "mul", "capital", "contributions_rate")
            steps.calc("taxable", "sub", "capital", "contributions")
            steps.calc("tax_amount", "mul", "taxable", "tax")
            steps.calc("net_exact", "sub", "taxable", "tax_amount")
            steps.calc("net", "round2", "net_exact")
            net = Figure(steps.value("net"), list(steps.items), steps.unverified)
        total_net += steps.value("net") if net else steps.value("capital")
        unverified |= set(steps.unverified)
        out.policies.append(PolicyProjection(policy.id, policy.label, gross, net))
    out.total_gross, out.total_net = total_gross, total_net
    # The total capital year by year, for the chart.
    for t in range(0, years + 1):
        growth = (Decimal(1) + rate) ** t
        total = ZERO
        for policy in pension:
            premium = policy.annual_premium if policy.status == "active" and policy.annual_premium else ZERO
            factor = Decimal(t) if rate == 0 else ((growth - 1) / rate * (1 + rate))
            total += (policy.reserves or ZERO) * growth + premium * factor
        out.series.append((inputs.year + t, total.quantize(Decimal("0.01"))))
    out.unverified = sorted(unverified)
    return out
