"""The 80 % rule (EIP and group insurance for company directors, CPTI for the self-employed).

Method of the tax circular 2022/C/33 (31/03/2022) and its addendum 2023/C/10, the legal pension estimate by career
year and by its status:
  self-employed years before 2021  A = 25 % × the 2020 gross pay (frozen), kept between the year's minimum and
                                   maximum self-employed pension
  years from 2021, and employee    B = 50 % × min(R, the legal pension's salary ceiling of the year)
  years before 2021
  legal pension LP = (A × self-employed years before 2021 + B × the other years) ÷ n
  capital max      = (80 % × R − LP) × min(n ÷ D, 1) × coefficient(age, option) − other 2nd-pillar capitals
  yearly premium   = (capital max − main policy's reserves grown to retirement) ÷ annuity-due factor(i, T)
with R the remuneration (director: gross remuneration; CPTI: average net professional income of the three
previous years), n the career years done + left, D a full career, i the technical interest rate (an assumption,
named default in the rules), T the years left. The other capitals are what the other 2nd-pillar contracts (PLCI
included) will have built at retirement: today's reserves grown, plus their premiums still to be paid.
"""

from decimal import Decimal
from typing import Any

from .assumptions import annuity_option, rate_step
from .inputs import Inputs, Options, PolicyInput, Rules
from .products import ZERO, Product, _need
from .steps import Figure, Param, Steps

MAIN_GROUP = {"eip": "eip", "cpti": "cpti"}
NOT_FOR = {"eip": "not_company_director", "cpti": "not_self_employed_without_company"}
REFERENCE_YEAR = 2020  # the frozen pay of the self-employed years before 2021


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


def _pay_2020(inputs: Inputs, key: str) -> tuple[Any, str]:
    """The 2020 pay of the frozen 25 % part and the missing code that asks for it."""
    if key == "eip":
        return inputs.gross_remuneration.get(REFERENCE_YEAR), f"gross_remuneration:{REFERENCE_YEAR}"
    return inputs.net_income.get(REFERENCE_YEAR), f"income:{REFERENCE_YEAR}"


def legal_pension_needs(rules: Rules, inputs: Inputs, key: str, missing: list[str]) -> None:
    """Lists in `missing` what the legal pension estimate lacks (rules figures, the 2020 pay)."""
    keys = ["eighty.legal_pension_rate_from_2021", "eighty.salary_ceiling"]
    if inputs.years_before_2021_self_employed:
        keys += [
            "eighty.legal_pension_rate_before_2021",
            "eighty.self_employed_pension_min",
            "eighty.self_employed_pension_max",
        ]
        if _pay_2020(inputs, key)[0] is None:
            missing.append(_pay_2020(inputs, key)[1])
    missing.extend(f"param:{k}" for k in keys if rules.get(k).value is None)


def legal_pension_and_target(steps: Steps, inputs: Inputs, rules: Rules, income: str, key: str = "eip") -> None:
    """Steps `legal_pension` (the estimate by the circular's method) and `target` (80 % of `income`).

    Callers check first with `legal_pension_needs` that nothing is missing."""
    if inputs.years_left is None:  # callers list "birth_date" as missing and stop before
        raise ValueError("no years left without a birth date")
    steps.input("years_done", Decimal(inputs.years_done), "career")
    steps.input("years_left", Decimal(inputs.years_left), f"retirement_age:{inputs.retirement_age}")
    steps.calc("career_years", "add", "years_done", "years_left")
    self_employed = inputs.years_before_2021_self_employed
    steps.input("years_before_2021_self_employed", Decimal(self_employed), "career")
    steps.calc("years_at_50", "sub", "career_years", "years_before_2021_self_employed")
    # Years from 2021 and employee years before 2021: 50 % of the pay, capped at the salary ceiling.
    steps.param("rate_from_2021", rules.get("eighty.legal_pension_rate_from_2021"))
    steps.param("salary_ceiling", rules.get("eighty.salary_ceiling"))
    steps.calc("pay_capped", "min", income, "salary_ceiling")
    steps.calc("lp_full_50", "mul", "pay_capped", "rate_from_2021")
    steps.calc("lp_part_50", "mul", "lp_full_50", "years_at_50")
    if self_employed:
        # Self-employed years before 2021: 25 % of the frozen 2020 pay, between the minimum and maximum pension.
        pay, _code = _pay_2020(inputs, key)
        steps.input("pay_2020", pay.value, pay.source)
        steps.param("rate_before_2021", rules.get("eighty.legal_pension_rate_before_2021"))
        steps.param("pension_min", rules.get("eighty.self_employed_pension_min"))
        steps.param("pension_max", rules.get("eighty.self_employed_pension_max"))
        steps.calc("lp_full_25_raw", "mul", "pay_2020", "rate_before_2021")
        steps.calc("lp_full_25_floor", "max", "lp_full_25_raw", "pension_min")
        steps.calc("lp_full_25", "min", "lp_full_25_floor", "pension_max")
        steps.calc("lp_part_25", "mul", "lp_full_25", "years_before_2021_self_employed")
        steps.calc("lp_parts", "add", "lp_part_25", "lp_part_50")
        steps.calc("legal_pension", "div", "lp_parts", "career_years")
    else:
        steps.calc("legal_pension", "div", "lp_part_50", "career_years")
    steps.calc("target", "mul", income, "target_ratio")


def coefficient_for(rules: Rules, inputs: Inputs, options: Options) -> Param | None:
    """The rules' coefficient for the retirement age and the annuity option (published, or derived)."""
    if inputs.retirement_age is None:
        return None
    found = rules.coefficients.get(inputs.retirement_age, {}).get(annuity_option(options, rules))
    return found if found is not None and found.value is not None else None


def _future_capital(steps: Steps, index: int, policy: PolicyInput) -> str:
    """What another 2nd-pillar contract will have built at retirement: its reserves grown, plus its premiums still
    to be paid (while it is active)."""
    steps.input(f"other_reserves_{index}", policy.reserves or ZERO, policy.label)
    steps.calc(f"other_reserves_grown_{index}", "mul", f"other_reserves_{index}", "growth")
    premium = policy.annual_premium if policy.status == "active" and policy.annual_premium else ZERO
    if not premium:
        return f"other_reserves_grown_{index}"
    steps.input(f"other_premium_{index}", premium, policy.label)
    steps.calc(f"other_premiums_grown_{index}", "mul", f"other_premium_{index}", "annuity_factor")
    steps.calc(f"other_capital_{index}", "add", f"other_reserves_grown_{index}", f"other_premiums_grown_{index}")
    return f"other_capital_{index}"


def _too_early(inputs: Inputs, rules: Rules, key: str) -> bool:
    """A CPTI needs a number of years of activity as self-employed (rules `cpti.minimum_years_activity`)."""
    if key != "cpti" or inputs.started_self_employed is None:
        return False
    minimum = rules.get("cpti.minimum_years_activity").value
    return minimum is not None and inputs.year - inputs.started_self_employed < minimum


def eighty_percent(inputs: Inputs, rules: Rules, options: Options, key: str) -> Product:
    status = {"eip": "company_director", "cpti": "self_employed"}[key]
    if inputs.social_status != status:
        # Said for this product: an EIP is a company director's, a CPTI a self-employed person's without company.
        return Product(key, False, NOT_FOR[key])
    if _too_early(inputs, rules, key):
        return Product(key, False, "cpti_too_early")
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
        ]
    )
    legal_pension_needs(rules, inputs, key, missing)
    if not rate_step(steps, "technical_rate", options, rules):
        missing.append("technical_rate")
    coefficient = coefficient_for(rules, inputs, options)
    if inputs.retirement_age is not None and coefficient is None and options.coefficient is None:
        missing.append(f"coefficient:{inputs.retirement_age}:{annuity_option(options, rules)}")
    if missing or not ok or not have_pay:
        return Product(key, True, max_premium=Figure(None, steps.items, steps.unverified, sorted(set(missing))))
    if coefficient is not None:
        steps.param("coefficient", coefficient)
    elif options.coefficient is not None:
        steps.assume("coefficient", options.coefficient, "chosen_no_rule")
    else:  # no retirement age: years_left is None too, so "birth_date" is missing and we stopped above
        raise ValueError("no coefficient for an unknown retirement age")
    legal_pension_and_target(steps, inputs, rules, "remuneration", key)
    steps.calc("room_annuity_raw", "sub", "target", "legal_pension")
    steps.calc("room_annuity", "floor0", "room_annuity_raw")
    steps.calc("career_fraction_raw", "div", "career_years", "full_career")
    steps.calc("career_fraction", "min", "career_fraction_raw", Decimal(1))
    steps.calc("annuity_capped", "mul", "room_annuity", "career_fraction")
    steps.calc("capital_allowed", "mul", "annuity_capped", "coefficient")
    steps.calc("growth", "growth", "technical_rate", "years_left")
    steps.calc("annuity_factor", "annuity_due", "technical_rate", "years_left")
    group = MAIN_GROUP[key]
    main = next((p for p in inputs.policies if p.main_group == group and p.is_main), None)
    others = [
        p
        for p in inputs.policies
        if p.pillar == 2 and p is not main and (p.reserves or (p.status == "active" and p.annual_premium))
    ]
    names = [_future_capital(steps, index, policy) for index, policy in enumerate(others, start=1)]
    if names:
        steps.calc("other_capitals", "sum", *names)
    else:
        steps.input("other_capitals", ZERO, "none:other_reserves")
    steps.calc("capital_max_raw", "sub", "capital_allowed", "other_capitals")
    steps.calc("capital_max", "floor0", "capital_max_raw")
    reserves = main.reserves if main and main.reserves else ZERO
    steps.input("main_reserves", reserves, main.label if main else "none:main_policy")
    steps.calc("main_capital", "mul", "main_reserves", "growth")
    steps.calc("capital_to_build_raw", "sub", "capital_max", "main_capital")
    steps.calc("capital_to_build", "floor0", "capital_to_build_raw")
    steps.calc("premium_exact", "div", "capital_to_build", "annuity_factor")
    steps.calc("max_premium", "round2", "premium_exact")
    maximum = Figure(steps.value("max_premium"), list(steps.items), steps.unverified)
    paid = main.annual_premium if main and main.status == "active" and main.annual_premium else ZERO
    steps.input("paid", paid, main.label if main else "none:main_policy")
    steps.calc("room_raw", "sub", "max_premium", "paid")
    steps.calc("room", "floor0", "room_raw")
    room = Figure(steps.value("room"), list(steps.items), steps.unverified)
    extra: dict[str, Any] = {"capital_max": steps.value("capital_max")}
    if paid > steps.value("max_premium"):
        extra["overpaid"] = paid - steps.value("max_premium")
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
