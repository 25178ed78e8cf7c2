"""The 80 % rule (EIP and group insurance for company directors, CPTI for the self-employed).

Method (DOMAIN.md; tax circular 2022/C/33 is the reference since 31/03/2022):
  legal pension   LP = R × (rate_before_2021 × years before 2021 + rate_from_2021 × other years) ÷ n
  capital max        = (80 % × R − LP) × min(n ÷ D, 1) × coefficient(age, option) − other 2nd-pillar capitals
  yearly premium     = (capital max − main policy's reserves grown to retirement) ÷ annuity-due factor(i, T)
with R the remuneration (director: gross remuneration; CPTI: average net professional income of the
three previous years), n the career years done + left, D a full career, i the technical interest
rate (an assumption), T the years left.
"""

from decimal import Decimal
from typing import Any

from .assumptions import annuity_option
from .inputs import Inputs, Options, Rules
from .products import ZERO, Product, _need
from .steps import Figure, Param, Steps

MAIN_GROUP = {"eip": "eip", "cpti": "cpti"}
NOT_FOR = {"eip": "not_company_director", "cpti": "not_self_employed_without_company"}


def _remuneration(steps: Steps, inputs: Inputs, key: str, missing: list[str]) -> bool:
    if key == "eip":
        years = sorted(y for y in inputs.gross_remuneration if y <= inputs.year)
        if not years:
            missing.append(f"gross_remuneration:{inputs.year}")
            return False
        amount = inputs.gross_remuneration[years[-1]]
        steps.input("remuneration", amount.value, amount.source)
        return True
    years = [inputs.year - 1, inputs.year - 2, inputs.year - 3]
    absent = [y for y in years if y not in inputs.net_income]
    if absent:
        missing.extend(f"income:{y}" for y in absent)
        return False
    for y in years:
        steps.input(f"income_{y}", inputs.net_income[y].value, inputs.net_income[y].source)
    steps.calc("income_total", "sum", *[f"income_{y}" for y in years])
    steps.calc("remuneration", "div", "income_total", Decimal(3))
    return True


def legal_pension_and_target(steps: Steps, inputs: Inputs, income: str) -> None:
    """Steps `legal_pension` (the estimate) and `target` (80 % of `income`), from the career."""
    if inputs.years_left is None:  # callers list "birth_date" as missing and stop before
        raise ValueError("no years left without a birth date")
    steps.input("years_done", Decimal(inputs.years_done), "career lines")
    steps.input("years_left", Decimal(inputs.years_left), f"legal retirement age {inputs.retirement_age}")
    steps.input("years_before_2021", Decimal(inputs.years_before_2021), "career lines")
    steps.calc("career_years", "add", "years_done", "years_left")
    steps.calc("years_from_2021", "sub", "career_years", "years_before_2021")
    steps.calc("lp_before", "mul", "rate_before_2021", "years_before_2021")
    steps.calc("lp_from", "mul", "rate_from_2021", "years_from_2021")
    steps.calc("lp_rate_sum", "add", "lp_before", "lp_from")
    steps.calc("lp_rate", "div", "lp_rate_sum", "career_years")
    steps.calc("legal_pension", "mul", income, "lp_rate")
    steps.calc("target", "mul", income, "target_ratio")


def eighty_percent(inputs: Inputs, rules: Rules, options: Options, key: str) -> Product:
    status = {"eip": "company_director", "cpti": "self_employed"}[key]
    if inputs.social_status != status:
        # Said for this product: an EIP is a company director's, a CPTI a self-employed person's without company.
        return Product(key, False, NOT_FOR[key])
    steps = Steps()
    missing: list[str] = []
    have_pay = _remuneration(steps, inputs, key, missing)
    if inputs.years_left is None:
        missing.append("birth_date")
    elif inputs.years_left == 0:
        return Product(key, False, "at_retirement_age")
    if inputs.years_done == 0:
        missing.append("career")
    ok = all(
        [
            _need(steps, rules, "full_career", "eighty.full_career_years", missing),
            _need(steps, rules, "target_ratio", "eighty.target_ratio", missing),
            _need(steps, rules, "rate_before_2021", "eighty.legal_pension_rate_before_2021", missing),
            _need(steps, rules, "rate_from_2021", "eighty.legal_pension_rate_from_2021", missing),
        ]
    )
    rate = options.technical_rate
    if rate is None:
        default = rules.get("eighty.technical_interest_rate")
        if default.value is None:
            missing.append("technical_rate")
        else:
            steps.param("technical_rate", default)
    else:
        steps.assume("technical_rate", rate, "chosen for this analysis")
    coefficient: Param | None = None
    if inputs.retirement_age is not None:
        coefficient = rules.coefficients.get(inputs.retirement_age, {}).get(annuity_option(options, rules))
        if (coefficient is None or coefficient.value is None) and options.coefficient is None:
            missing.append(f"coefficient:{inputs.retirement_age}:{annuity_option(options, rules)}")
    if missing or not ok or not have_pay:
        return Product(key, True, max_premium=Figure(None, steps.items, steps.unverified, sorted(set(missing))))
    if coefficient is not None and coefficient.value is not None:
        steps.param("coefficient", coefficient)
    elif options.coefficient is not None:
        steps.assume("coefficient", options.coefficient, "chosen for this analysis: the rules have none for this age")
    else:  # no retirement age: years_left is None too, so "birth_date" is missing and we stopped above
        raise ValueError("no coefficient for an unknown retirement age")
    legal_pension_and_target(steps, inputs, "remuneration")
    steps.calc("room_annuity_raw", "sub", "target", "legal_pension")
    steps.calc("room_annuity", "floor0", "room_annuity_raw")
    steps.calc("career_fraction_raw", "div", "career_years", "full_career")
    steps.calc("career_fraction", "min", "career_fraction_raw", Decimal(1))
    steps.calc("annuity_capped", "mul", "room_annuity", "career_fraction")
    steps.calc("capital_allowed", "mul", "annuity_capped", "coefficient")
    steps.calc("growth", "growth", "technical_rate", "years_left")
    group = MAIN_GROUP[key]
    main = next((p for p in inputs.policies if p.main_group == group and p.is_main), None)
    others = [p for p in inputs.policies if p.pillar == 2 and p is not main and p.reserves]
    names: list[str] = []
    for index, policy in enumerate(others, start=1):
        steps.input(f"other_reserves_{index}", policy.reserves or ZERO, policy.label)
        steps.calc(f"other_capital_{index}", "mul", f"other_reserves_{index}", "growth")
        names.append(f"other_capital_{index}")
    if names:
        steps.calc("other_capitals", "sum", *names)
    else:
        steps.input("other_capitals", ZERO, "no other 2nd-pillar reserves")
    steps.calc("capital_max_raw", "sub", "capital_allowed", "other_capitals")
    steps.calc("capital_max", "floor0", "capital_max_raw")
    reserves = main.reserves if main and main.reserves else ZERO
    steps.input("main_reserves", reserves, main.label if main else "no main policy yet")
    steps.calc("main_capital", "mul", "main_reserves", "growth")
    steps.calc("capital_to_build_raw", "sub", "capital_max", "main_capital")
    steps.calc("capital_to_build", "floor0", "capital_to_build_raw")
    steps.calc("annuity_factor", "annuity_due", "technical_rate", "years_left")
    steps.calc("premium_exact", "div", "capital_to_build", "annuity_factor")
    steps.calc("max_premium", "round2", "premium_exact")
    maximum = Figure(steps.value("max_premium"), list(steps.items), steps.unverified)
    paid = main.annual_premium if main and main.status == "active" and main.annual_premium else ZERO
    steps.input("paid", paid, main.label if main else "no main policy yet")
    steps.calc("room_raw", "sub", "max_premium", "paid")
    steps.calc("room", "floor0", "room_raw")
    room = Figure(steps.value("room"), list(steps.items), steps.unverified)
    extra: dict[str, Any] = {"capital_max": steps.value("capital_max")}
    if key == "eip":
        # A one-off premium for the years already worked (back service), paid now.
        back = steps.fork()
        back.calc("past_fraction", "div", "years_done", "career_years")
        back.calc("past_capital", "mul", "capital_max", "past_fraction")
        back.calc("past_to_fund_raw", "sub", "past_capital", "main_capital")
        back.calc("past_to_fund", "floor0", "past_to_fund_raw")
        back.calc("back_service_exact", "div", "past_to_fund", "growth")
        back.calc("back_service", "round2", "back_service_exact")
        extra["back_service"] = Figure(back.value("back_service"), back.items, back.unverified)
    return Product(key, True, max_premium=maximum, paid=paid, room=room, extra=extra)
