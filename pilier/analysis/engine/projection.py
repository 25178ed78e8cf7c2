"""Capital at retirement per policy and in total, gross and net, and the gap to 80 % of income."""

from dataclasses import dataclass, field
from decimal import Decimal

from .assumptions import rate_step
from .inputs import Inputs, Options, Rules
from .payout import PayoutBook, net_of
from .steps import Figure, Steps

ZERO = Decimal(0)


@dataclass
class PolicyProjection:
    policy_id: str
    label: str
    gross: Figure
    # None: no payout regime (4th pillar); `net.value` None: the net is unknown (`net.missing` says why).
    net: Figure | None
    tax_regime: str = ""  # a code of engine/payout.py TAX_REGIMES; "" for the 4th pillar


@dataclass
class Projection:
    years_left: int | None
    policies: list[PolicyProjection] = field(default_factory=list)
    total_gross: Decimal | None = None
    # The sum of the nets, only when every policy's net is known; else None and `net_unknown` names the
    # policies. A gross capital is never added in place of an unknown net.
    total_net: Decimal | None = None
    series: list[tuple[int, Decimal]] = field(default_factory=list)  # (year, total gross capital)
    gap: Figure | None = None
    missing: list[str] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)
    net_unknown: list[str] = field(default_factory=list)  # labels of the policies whose net is unknown
    total_net_known: Decimal | None = None  # the sum of the nets that are known (all of them or not)


def _rate(steps: Steps, rules: Rules, options: Options, missing: list[str]) -> bool:
    """The technical interest rate: chosen for this analysis, or the rules' named default (engine/assumptions.py)."""
    if rate_step(steps, "technical_rate", options, rules):
        return True
    missing.append("technical_rate")
    return False


def project(inputs: Inputs, rules: Rules, options: Options, payout: PayoutBook | None = None) -> Projection:
    """`payout`: the payout rules by payout year (default: pilier/analysis/rules/payout.json)."""
    if payout is None:
        from ..payout_rules import payout_rules

        payout = payout_rules
    out = Projection(inputs.years_left)
    if inputs.years_left is None:
        out.missing.append("birth_date")
        return out
    probe = Steps()
    if not _rate(probe, rules, options, out.missing):
        return out
    rate = probe.value("technical_rate")
    years = inputs.years_left
    rules_at_payout = payout(inputs.year + years)
    pension = [p for p in inputs.policies if p.section == "pension" and (p.reserves or p.annual_premium)]
    unverified: set[str] = set()
    total_gross = total_net = ZERO
    missing: set[str] = set()
    for policy in pension:
        steps = Steps()
        _rate(steps, rules, options, [])
        steps.input("years_left", Decimal(years), f"retirement_age:{inputs.retirement_age}")
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
        result = net_of(steps, policy, inputs, rules, options, rules_at_payout)
        net = result.figure
        if net is not None and net.value is not None:
            total_net += net.value
        else:
            out.net_unknown.append(policy.label)
            missing |= set(result.missing)
        unverified |= set(steps.unverified)
        out.policies.append(PolicyProjection(policy.id, policy.label, gross, net, result.regime))
    out.total_gross = total_gross
    out.total_net_known = total_net
    out.total_net = None if out.net_unknown else total_net
    out.missing.extend(sorted(missing - set(out.missing)))
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
