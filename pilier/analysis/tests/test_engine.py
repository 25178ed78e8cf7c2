"""The engine against the public worked figures, and its explanations replayed."""

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pilier.analysis.engine.analysis import analyse
from pilier.analysis.engine.eighty import eighty_percent
from pilier.analysis.engine.inputs import Amount, Inputs, Options, PolicyInput, Rules
from pilier.analysis.engine.products import long_term_savings, pension_savings, plci
from pilier.analysis.engine.steps import Param, replay

D = Decimal


def rules_2024(**overrides) -> Rules:
    values = {
        "plci.rate_ordinary": ("0.0817", True),
        "plci.rate_social": ("0.0940", True),
        "plci.revaluation_coefficient": ("1.186783", True),
        "plci.max_premium_ordinary": ("3965.77", True),
        "plci.max_premium_social": ("4562.82", True),
        "plci.minimum_income_main_activity": ("16861.46", True),
        "pension_savings.max_30": ("1050", True),
        "pension_savings.rate_30": ("0.30", True),
        "pension_savings.max_25": ("1350", True),
        "pension_savings.rate_25": ("0.25", True),
        "long_term_savings.fixed_amount": ("176.40", False),
        "long_term_savings.income_rate": ("0.06", True),
        "long_term_savings.first_bracket_rate": ("0.15", True),
        "long_term_savings.max": ("2450", False),
        "eighty.full_career_years": ("40", True),
        "eighty.target_ratio": ("0.80", True),
        "eighty.legal_pension_rate_before_2021": ("0.25", False),
        "eighty.legal_pension_rate_from_2021": ("0.50", False),
        "eighty.salary_ceiling": ("67266.74", False),
        "eighty.self_employed_pension_min": ("17332.32", False),
        "eighty.self_employed_pension_max": ("20446.57", False),
        "assumptions.technical_rate": (None, False),
        "cpti.minimum_years_activity": ("3", False),
        "payout.inami_rate": ("0.0355", True),
        "payout.solidarity_rate_max": ("0.02", True),
        "payout.tax_rate_legal_age": ("0.10", True),
    }
    values.update(overrides)
    params = {
        k: Param(k, None if v is None else D(v), verified=ok, source=f"test {k}") for k, (v, ok) in values.items()
    }
    coefficients = {
        age: {"plain": Param(f"coef.{age}", D(value), verified=True, source="Com.IB")}
        for age, value in {65: "11.3761", 66: "11.0500", 67: "10.7000"}.items()
    }
    return Rules(2024, params, coefficients)


def inputs(**overrides: Any) -> Inputs:
    base: dict[str, Any] = dict(
        year=2024,
        social_status="self_employed",
        birth_year=1980,
        retirement_age=67,
        years_done=20,
        years_left=23,
        years_before_2021=17,
        started_self_employed=2004,
    )
    base.update(overrides)
    return Inputs(**base)


def policy(type_="plci", premium="1000", reserves="5000", main=True, group="plci", pillar=2, status="active", n=1):
    return PolicyInput(
        id=str(n),
        type=type_,
        main_group=group,
        pillar=pillar,
        section="pension",
        is_main=main,
        status=status,
        annual_premium=D(premium) if premium else None,
        reserves=D(reserves) if reserves else None,
        managed=True,
        label=f"{type_} #{n}",
    )


def with_reference(value) -> Inputs:
    return inputs(plci_reference_income=Amount(D(value), "fund's invoice"))


@pytest.mark.parametrize(
    ("reference", "ordinary", "social"),
    [
        ("30000", "2451.00", "2820.00"),
        ("16861.46", "1377.58", "1584.98"),
        ("48540.64", "3965.77", "4562.82"),
        ("90000", "3965.77", "4562.82"),
    ],
)
def test_plci_2024_worked_figures(reference, ordinary, social):
    assert plci(with_reference(reference), rules_2024(), social=False).max_premium.value == D(ordinary)
    assert plci(with_reference(reference), rules_2024(), social=True).max_premium.value == D(social)


def test_plci_reference_income_is_income_n3_times_the_coefficient():
    product = plci(inputs(net_income={2021: Amount(D("25000"), "income 2021")}), rules_2024(), social=False)
    # 25,000 × 1.186783 = 29,669.575; × 8.17 % = 2,424.0042… → 2,424.00
    assert product.max_premium.value == D("2424.00")
    names = [s.name for s in product.max_premium.steps]
    assert names[:3] == ["income_n3", "revaluation_coefficient", "reference_income"]


def test_a_starter_without_income_n3_gets_the_minimum_income():
    product = plci(inputs(started_self_employed=2023), rules_2024(), social=False)
    assert product.max_premium.value == D("1377.58")


def test_missing_income_is_listed_never_guessed():
    product = plci(inputs(), rules_2024(), social=False)
    assert product.max_premium.value is None and product.missing == ["income:2021"]


def test_plci_room_counts_every_plci_managed_or_not():
    file = with_reference("30000")
    file.policies = [policy(premium="1200"), policy(type_="plci_social", premium="500", main=False, n=2)]
    product = plci(file, rules_2024(), social=False)
    assert product.paid == D("1700") and product.room.value == D("751.00")


def test_plci_does_not_apply_to_an_employee():
    assert not plci(inputs(social_status="employee"), rules_2024(), social=False).applicable


def test_pension_savings_2025_regimes():
    product = pension_savings(inputs(), rules_2024())
    regimes = product.extra["regimes"]
    assert (regimes["30"]["max"], regimes["30"]["tax_reduction"]) == (D("1050"), D("315.00"))
    assert (regimes["25"]["max"], regimes["25"]["tax_reduction"]) == (D("1350"), D("337.50"))


def test_pension_savings_room():
    file = inputs(policies=[policy(type_="pension_savings", premium="600", group="", pillar=3)])
    product = pension_savings(file, rules_2024())
    assert product.room.value == D("750") and product.extra["regimes"]["30"]["room"] == D("450")


def test_long_term_savings_limit_from_income_and_unverified_marks():
    file = inputs(net_income={2024: Amount(D("20000"), "income 2024")})
    product = long_term_savings(file, rules_2024())
    assert product.max_premium.value == D("1376.40")  # 176.40 + 6 % × 20,000
    assert set(product.unverified) == {"long_term_savings.fixed_amount", "long_term_savings.max"}


def director(**overrides) -> Inputs:
    file = inputs(
        social_status="company_director",
        gross_remuneration={2024: Amount(D("60000"), "gross pay 2024")},
        policies=[policy(type_="eip", group="eip", premium="3000", reserves="20000")],
    )
    for key, value in overrides.items():
        setattr(file, key, value)
    return file


def test_eip_needs_a_technical_rate_then_gives_a_premium_and_back_service():
    missing = eighty_percent(director(), rules_2024(), Options(), "eip")
    assert "technical_rate" in missing.missing
    product = eighty_percent(director(), rules_2024(), Options(technical_rate=D("0.02")), "eip")
    assert product.max_premium.value > 0 and product.extra["back_service"].value >= 0
    assert "eighty.legal_pension_rate_from_2021" in product.unverified


def test_cpti_uses_the_average_income_of_three_years():
    file = inputs(
        net_income={y: Amount(D(v), f"income {y}") for y, v in ((2021, "30000"), (2022, "36000"), (2023, "42000"))}
    )
    product = eighty_percent(file, rules_2024(), Options(technical_rate=D("0.02")), "cpti")
    steps = {s.name: s.value for s in product.max_premium.steps}
    assert steps["remuneration"] == D("36000")


def test_a_missing_coefficient_for_the_retirement_age_is_listed():
    product = eighty_percent(director(retirement_age=68), rules_2024(), Options(technical_rate=D("0.02")), "eip")
    assert product.missing == ["coefficient:68:plain"]


def all_figures(analysis):
    for product in analysis.products.values():
        for figure in (product.max_premium, product.room, *[v for v in product.extra.values() if hasattr(v, "steps")]):
            if figure.value is not None:
                yield figure
    for item in analysis.projection.policies:
        yield item.gross
        if item.net and item.net.value is not None:
            yield item.net
    if analysis.gap and analysis.gap.value is not None:
        yield analysis.gap


def test_every_explanation_replays_to_its_figure():
    file = director(
        net_income={y: Amount(D("40000"), f"income {y}") for y in (2021, 2022, 2023, 2024)},
        policies=[
            policy(type_="eip", group="eip", premium="3000", reserves="20000"),
            policy(type_="plci", group="plci", premium="2000", reserves="15000", n=2),
            policy(type_="pension_savings", group="", pillar=3, premium="1000", reserves="8000", main=False, n=3),
            policy(type_="long_term_savings", group="", pillar=3, premium="900", reserves="0", main=False, n=4),
        ],
    )
    for status in ("company_director", "self_employed"):
        file.social_status = status
        analysis = analyse(file, rules_2024(), Options(technical_rate=D("0.0175"), marginal_rate=D("0.45")))
        assert all(p.net and p.net.value is not None for p in analysis.projection.policies)
        figures = list(all_figures(analysis))
        assert len(figures) >= 8
        for figure in figures:
            replayed = replay(figure.steps)
            assert replayed[figure.steps[-1].name] == figure.value


@settings(max_examples=200, deadline=None)
@given(
    income=st.decimals(min_value=0, max_value=200000, places=2),
    more=st.decimals(min_value=0, max_value=50000, places=2),
    paid=st.decimals(min_value=0, max_value=10000, places=2),
)
def test_room_is_never_negative_and_more_income_never_lowers_the_plci_max(income, more, paid):
    rules = rules_2024()
    low = with_reference(income)
    low.policies = [policy(premium=str(paid))]
    high = with_reference(income + more)
    for social in (False, True):
        a, b = plci(low, rules, social=social), plci(high, rules, social=social)
        assert a.room.value >= 0
        assert b.max_premium.value >= a.max_premium.value


@settings(max_examples=100, deadline=None)
@given(
    reserves=st.decimals(min_value=0, max_value=500000, places=2),
    more=st.decimals(min_value=0, max_value=500000, places=2),
)
def test_more_other_capital_never_raises_the_eip_max(reserves, more):
    def run(other):
        file = director(
            policies=[
                policy(type_="eip", group="eip", premium="3000", reserves="20000"),
                policy(type_="plci", group="plci", reserves=str(other), n=2),
            ]
        )
        return eighty_percent(file, rules_2024(), Options(technical_rate=D("0.02")), "eip")

    a, b = run(reserves), run(reserves + more)
    assert b.max_premium.value <= a.max_premium.value
    assert a.room.value >= 0
