"""Published cases reproduced to the cent with the rules data as shipped: long-term savings, PLCI 2024–2026, pension
savings (sources: life-experts.be, mysavings.be, huysman.be, solifisc.be, pareto.be as cited in the rules files)."""

from decimal import Decimal as D

import pytest

from pilier.analysis.engine.inputs import Amount
from pilier.analysis.engine.products import long_term_savings
from pilier.analysis.rulebook import load_rules
from pilier.analysis.tests.test_engine import inputs


@pytest.mark.parametrize(
    ("income", "expected"),
    [
        ("1000", "150.00"),  # 15 % of the first 2,040 EUR: not 183.60 + 60 = 243.60
        ("2040", "306.00"),  # both forms meet at 2,040
        ("20000", "1383.60"),  # 183.60 + 6 % x 20,000
    ],
)
def test_long_term_savings_2025_published_cases(income, expected):
    file = inputs(year=2025, net_income={2025: Amount(D(income), "income 2025")})
    product = long_term_savings(file, load_rules(2025))
    assert product.max_premium.value == D(expected)


def test_plci_2025_from_income_n3():
    from pilier.analysis.engine.products import plci

    file = inputs(year=2025, net_income={2022: Amount(D("40000"), "income 2022")})
    product = plci(file, load_rules(2025), social=False)
    assert product.max_premium.value == D("3569.74")  # 40,000 x 1.092330529 x 8.17 % (huysman.be)


# PLCI 2024–2026 with the rules data as shipped (DOMAIN.md's published figures). -----------------------------------


def _plci(year, social=False, **fields):
    from pilier.analysis.engine.products import plci

    return plci(inputs(year=year, **fields), load_rules(year), social=social)


def _reference(value):
    return Amount(D(value), "income:plci_reference:2024")


@pytest.mark.parametrize(
    ("reference", "ordinary", "social"),
    [
        ("30000", "2451.00", "2820.00"),  # life-experts.be, mysavings.be
        ("16861.46", "1377.58", "1584.98"),  # the 2024 minimum income of a main activity
        ("48540.64", "3965.77", "4562.82"),  # the 2024 reference income cap gives the absolute maxima
        ("120000", "3965.77", "4562.82"),
    ],
)
def test_plci_2024_published_cases(reference, ordinary, social):
    assert _plci(2024, plci_reference_income=_reference(reference)).max_premium.value == D(ordinary)
    assert _plci(2024, True, plci_reference_income=_reference(reference)).max_premium.value == D(social)


def test_a_2024_starter_gets_the_minimum_income_figure():
    assert _plci(2024, started_self_employed=2023).max_premium.value == D("1377.58")
    assert _plci(2024, True, started_self_employed=2023).max_premium.value == D("1584.98")


@pytest.mark.parametrize(("year", "ordinary", "social"), [(2025, "4000.44", "4602.71"), (2026, "4086.34", "4701.54")])
def test_plci_absolute_maxima_2025_2026(year, ordinary, social):
    high = {year - 3: Amount(D("150000"), f"income:net:{year - 3}")}
    assert _plci(year, net_income=high).max_premium.value == D(ordinary)
    assert _plci(year, True, net_income=high).max_premium.value == D(social)


def test_a_2026_starter_gets_a_figure_from_the_2026_minimum_income():
    """2026 starters used to get nothing (minimum income null): 17,374.08 × 8.17 % = 1,419.46 (unverified)."""
    product = _plci(2026, started_self_employed=2025)
    assert product.max_premium.value == D("1419.46")
    assert "plci.minimum_income_main_activity" in product.unverified


@pytest.mark.parametrize(
    ("year", "max_30", "max_25"), [(2024, "1020", "1310"), (2025, "1050", "1350"), (2026, "1050", "1350")]
)
def test_pension_savings_published_ceilings(year, max_30, max_25):
    from pilier.analysis.engine.products import pension_savings

    product = pension_savings(inputs(year=year), load_rules(year))
    regimes = product.extra["regimes"]
    assert regimes["30"]["max"] == D(max_30) and regimes["25"]["max"] == D(max_25)
    assert regimes["30"]["tax_reduction"] == (D(max_30) * D("0.30")).quantize(D("0.01"))
    assert regimes["25"]["tax_reduction"] == (D(max_25) * D("0.25")).quantize(D("0.01"))
