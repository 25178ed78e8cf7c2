"""The 80 % rule by the tax administration's method (circular 2022/C/33, addendum 2023/C/10).

The legal pension estimate is per career year, by its status: self-employed years before 2021 at 25 % of the frozen
2020 pay, kept between the year's minimum and maximum self-employed pension; years from 2021 and employee years
before 2021 at 50 % of the pay capped at the legal pension's salary ceiling. The properties hold whatever the
ceiling's value (hypothesis draws it).
"""

import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pilier.analysis.engine.eighty import eighty_percent
from pilier.analysis.engine.inputs import Amount, Inputs, Options, PolicyInput
from pilier.analysis.engine.steps import replay

from .test_engine import policy, rules_2024

D = Decimal
RATE = Options(technical_rate=D("0.0175"))


def director(pay="60000", pay_2020=None, *, self_employed_before_2021=0, before_2021=20, done=25, left=15, **extra):
    remuneration = {2024: Amount(D(pay), "income:gross:2024")}
    if pay_2020 is not None:
        remuneration[2020] = Amount(D(pay_2020), "income:gross:2020")
    return Inputs(
        year=2024,
        social_status="company_director",
        birth_year=1975,
        retirement_age=65,
        years_done=done,
        years_left=left,
        years_before_2021=before_2021,
        years_before_2021_self_employed=self_employed_before_2021,
        started_self_employed=2000,
        gross_remuneration=remuneration,
        policies=extra.pop("policies", [policy(type_="eip", group="eip", premium="0", reserves="0")]),
        **extra,
    )


def values(product) -> dict[str, Decimal]:
    return {s.name: s.value for s in product.max_premium.steps}


def rules(ceiling="67266.74"):
    return rules_2024(**{"eighty.salary_ceiling": (ceiling, False)})


def test_a_director_paid_120000_gets_the_ceiling_not_his_pay():
    """The issue's case: 20 self-employed years before 2021 on a 2020 pay of 120,000 and 20 years from 2021. The
    old estimate (120,000 × (25 % × 20 + 50 % × 20) ÷ 40 = 45,000) left ~25–30 % too little room."""
    file = director("120000", "120000", self_employed_before_2021=20, before_2021=20, done=24, left=16)
    product = eighty_percent(file, rules(), RATE, "eip")
    v = values(product)
    # 25 % × 120,000 = 30,000, kept at the maximum pension 20,446.57; 50 % × min(120,000, 67,266.74) = 33,633.37
    assert v["lp_full_25"] == D("20446.57")
    assert v["lp_full_50"] == D("33633.370")
    assert v["legal_pension"] == (D("20446.57") * 20 + D("33633.370") * 20) / 40  # 27,039.97
    assert D(26000) < v["legal_pension"] < D(28000)
    assert v["room_annuity"] == D("96000") - v["legal_pension"]  # 80 % × 120,000 − the estimate
    old_room = D("96000") - D("45000")
    assert v["room_annuity"] / old_room > D("1.35")  # the old method proposed ~26 % less
    replay(product.max_premium.steps)


def test_employee_years_before_2021_count_at_50_percent():
    file = director("40000", before_2021=20, self_employed_before_2021=0)
    v = values(eighty_percent(file, rules(), RATE, "eip"))
    assert v["legal_pension"] == D("20000")  # 50 % × 40,000 for every year, employee ones before 2021 included
    assert "lp_full_25" not in v and "pay_2020" not in v


def test_the_2020_pay_is_asked_for_when_self_employed_years_before_2021_need_it():
    product = eighty_percent(director(self_employed_before_2021=10), rules(), RATE, "eip")
    assert product.max_premium.value is None and "gross_remuneration:2020" in product.missing
    # Not asked when every year before 2021 was as an employee.
    assert "gross_remuneration:2020" not in eighty_percent(director(), rules(), RATE, "eip").missing


def test_the_minimum_self_employed_pension_is_a_floor():
    file = director("30000", "30000", self_employed_before_2021=20, done=24, left=16)
    v = values(eighty_percent(file, rules(), RATE, "eip"))
    assert v["lp_full_25_raw"] == D("7500.00") and v["lp_full_25"] == D("17332.32")


def test_the_ceiling_and_the_pensions_are_rules_data_and_missing_says_so():
    product = eighty_percent(director(), rules_2024(**{"eighty.salary_ceiling": (None, False)}), RATE, "eip")
    assert "param:eighty.salary_ceiling" in product.missing and product.max_premium.value is None


def test_other_contracts_count_with_the_premiums_they_will_still_receive():
    """A PLCI beside the EIP: its reserves grown and its premiums still to be paid reduce the capital left."""
    eip = policy(type_="eip", group="eip", premium="0", reserves="0")
    plain = director("90000", policies=[eip, policy(type_="plci", premium="0", reserves="10000", main=True, n=2)])
    paying = director("90000", policies=[eip, policy(type_="plci", premium="3000", reserves="10000", main=True, n=2)])
    a, b = values(eighty_percent(plain, rules(), RATE, "eip")), values(eighty_percent(paying, rules(), RATE, "eip"))
    assert b["other_capitals"] - a["other_capitals"] == D(3000) * b["annuity_factor"]
    assert b["capital_max"] < a["capital_max"]


def test_an_eip_paid_above_its_maximum_says_by_how_much():
    file = director("50000", policies=[policy(type_="eip", group="eip", premium="90000", reserves="0")])
    product = eighty_percent(file, rules(), RATE, "eip")
    assert product.room.value == 0
    assert product.extra["overpaid"] == D("90000") - product.max_premium.value


def test_a_cpti_needs_three_years_of_activity():
    file = Inputs(
        year=2024,
        social_status="self_employed",
        birth_year=1980,
        retirement_age=67,
        years_done=10,
        years_left=23,
        years_before_2021=8,
        started_self_employed=2022,
        net_income={y: Amount(D("50000"), f"income:net:{y}") for y in (2021, 2022, 2023)},
    )
    assert eighty_percent(file, rules(), RATE, "cpti").reason == "cpti_too_early"
    file.started_self_employed = 2021
    assert eighty_percent(file, rules(), RATE, "cpti").applicable


pay = st.integers(min_value=1_000, max_value=400_000).map(D)
ceiling = st.integers(min_value=30_000, max_value=150_000).map(D)
extra = st.integers(min_value=1, max_value=50_000).map(D)


@settings(max_examples=60, deadline=None)
@given(pay=pay, ceiling=ceiling, extra=extra, self_employed=st.integers(0, 20))
def test_above_the_ceiling_each_extra_euro_adds_80_percent_below_it_30(pay, ceiling, extra, self_employed):
    """d(room annuity)/dR: 80 % above the ceiling (the estimate no longer grows); 30 % below it for the years at 50 %
    (80 % − 50 %), the self-employed years before 2021 resting on the frozen 2020 pay. Capped by n ÷ D."""
    r = rules(str(ceiling))

    def room(amount):
        file = director(str(amount), "50000", self_employed_before_2021=self_employed, done=25, left=15)
        return values(eighty_percent(file, r, RATE, "eip"))

    low, high = room(pay), room(pay + extra)
    n, share_50 = D(40), D(40 - self_employed) / D(40)
    if pay >= ceiling:
        expected = D("0.80") * extra
    elif pay + extra <= ceiling:
        expected = (D("0.80") - D("0.50") * share_50) * extra
    else:
        return  # crosses the ceiling: a mix of both
    assert high["room_annuity_raw"] - low["room_annuity_raw"] == expected
    if low["room_annuity_raw"] > 0:  # not floored at zero: the annuity allowed moves by as much, × n ÷ D
        assert high["annuity_capped"] - low["annuity_capped"] == expected * min(n / D(40), D(1))


@settings(max_examples=60, deadline=None)
@given(pay=st.integers(min_value=41_000, max_value=400_000).map(D), ceiling=ceiling, years=st.integers(1, 20))
def test_the_same_years_as_employee_give_less_room_than_as_self_employed(pay, ceiling, years):
    """Employee years before 2021 count at 50 % of the capped pay, self-employed ones at 25 % of the 2020 pay kept at
    most at the maximum pension: whenever 50 % of the capped pay reaches that maximum, employee years leave less room
    (below it the minimum pension can make the 25 % estimate the larger)."""
    r = rules(str(ceiling))
    if D("0.50") * min(pay, ceiling) < D("20446.57"):
        return
    as_self = values(eighty_percent(director(str(pay), str(pay), self_employed_before_2021=years), r, RATE, "eip"))
    as_employee = values(eighty_percent(director(str(pay), str(pay), self_employed_before_2021=0), r, RATE, "eip"))
    assert as_employee["room_annuity_raw"] <= as_self["room_annuity_raw"]
    if D("0.50") * min(pay, ceiling) > D("20446.57"):
        assert as_employee["room_annuity_raw"] < as_self["room_annuity_raw"]


@settings(max_examples=60, deadline=None)
@given(pay=pay, other=pay, pay_2020=pay, ceiling=ceiling)
def test_the_25_percent_part_does_not_move_with_todays_pay(pay, other, pay_2020, ceiling):
    r = rules(str(ceiling))
    a = values(eighty_percent(director(str(pay), str(pay_2020), self_employed_before_2021=12), r, RATE, "eip"))
    b = values(eighty_percent(director(str(other), str(pay_2020), self_employed_before_2021=12), r, RATE, "eip"))
    assert a["lp_full_25"] == b["lp_full_25"] and a["lp_part_25"] == b["lp_part_25"]


def test_a_policy_input_label_is_kept_as_the_source_of_its_reserves():
    file = director(policies=[policy(type_="eip", group="eip", premium="100", reserves="1000")])
    steps = {s.name: s for s in eighty_percent(file, rules(), RATE, "eip").max_premium.steps}
    assert steps["main_reserves"].source == "eip #1"
    assert isinstance(file.policies[0], PolicyInput)


@pytest.mark.django_db
def test_the_career_lines_give_each_year_before_2021_its_status():
    """Employee 2000–2009, self-employed from 2010 with a job beside it in 2015: ten self-employed years before 2021
    (2015 counts as an employee year), twenty-one years before 2021 in all."""
    from pilier.analysis.selectors import build_inputs
    from pilier.tests.factories import CareerLineFactory, ClientFactory

    file = ClientFactory(social_status="company_director", birth_date=datetime.date(1977, 5, 4))
    CareerLineFactory(client=file, from_year=2000, to_year=2009, status="employee")
    CareerLineFactory(client=file, from_year=2010, to_year=None, status="company_director")
    CareerLineFactory(client=file, from_year=2015, to_year=2015, status="employee")
    built = build_inputs(file, 2026)
    assert built.years_before_2021 == 21
    assert built.years_before_2021_self_employed == 10
