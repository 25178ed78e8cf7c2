"""The analysis's assumptions: what the broker may choose, and the named default used when they do not.

Each default is rules data (`assumptions.*` in pilier/analysis/rules/common.json, with its source), so the page,
the PDF and the API say which value was taken and where it comes from; a value the broker chose for this analysis
is said as chosen.
"""

from dataclasses import dataclass
from decimal import Decimal

from .inputs import Options, Rules
from .steps import Param, Steps

# name → the rules key of its default
DEFAULT_KEYS = {
    "technical_rate": "assumptions.technical_rate",
    "annuity_option": "assumptions.annuity_option",
    "marginal_rate": "assumptions.marginal_rate",
    "active_until_legal_age": "assumptions.active_until_legal_age",
}
ANNUITY_OPTIONS = ("plain", "indexed", "reversible", "indexed_reversible")


@dataclass(frozen=True)
class Assumption:
    name: str  # technical_rate, annuity_option, marginal_rate, active_until_legal_age
    value: Decimal | str | bool | None  # None: no default in the rules and none chosen
    chosen: bool  # True: the broker chose it for this analysis; False: the rules' default
    param: Param | None = None  # the default's rules entry (source, url, verified), None when chosen


def _default(rules: Rules, name: str) -> Param:
    return rules.get(DEFAULT_KEYS[name])


def resolve(options: Options, rules: Rules) -> dict[str, Assumption]:
    """Every assumption of the analysis, chosen or by default, in a fixed order."""
    out: dict[str, Assumption] = {}
    for name in ("technical_rate", "marginal_rate"):
        chosen = getattr(options, name)
        param = _default(rules, name)
        if chosen is not None:
            out[name] = Assumption(name, chosen, True)
        else:
            out[name] = Assumption(name, param.value, False, param)
    param = _default(rules, "annuity_option")
    default_option = param.text or "plain"
    if options.annuity_option:
        out["annuity_option"] = Assumption("annuity_option", options.annuity_option, True)
    else:
        out["annuity_option"] = Assumption("annuity_option", default_option, False, param)
    param = _default(rules, "active_until_legal_age")
    if options.active_until_legal_age is not None:
        out["active_until_legal_age"] = Assumption("active_until_legal_age", options.active_until_legal_age, True)
    else:
        out["active_until_legal_age"] = Assumption(
            "active_until_legal_age", (param.text or "true") == "true", False, param
        )
    return out


def annuity_option(options: Options, rules: Rules) -> str:
    value = resolve(options, rules)["annuity_option"].value
    return value if isinstance(value, str) else "plain"


def rate_step(steps: Steps, name: str, options: Options, rules: Rules) -> bool:
    """Records the rate assumption `name` (technical_rate or marginal_rate) as a step; False when there is none."""
    assumption = resolve(options, rules)[name]
    if assumption.chosen and isinstance(assumption.value, Decimal):
        steps.assume(name, assumption.value, "chosen")
        return True
    if assumption.param is not None and assumption.param.value is not None:
        steps.param(name, assumption.param)
        return True
    return False
