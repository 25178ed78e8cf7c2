"""The rules data files: complete, well-formed, and the public worked figures with the real 2024 data."""

import json
from decimal import Decimal

import pytest

from pilier.analysis.engine.inputs import Amount, Inputs
from pilier.analysis.engine.products import pension_savings, plci
from pilier.analysis.rulebook import RULES_DIR, available_years, load_rules

YEARS = available_years()


def test_there_are_rules_for_2024_2025_and_2026():
    assert {2024, 2025, 2026} <= set(YEARS)


@pytest.mark.parametrize("year", YEARS)
def test_every_parameter_has_a_value_or_null_a_source_and_a_verified_mark(year):
    data = json.loads((RULES_DIR / f"{year}.json").read_text())
    assert data["year"] == year and data["assessment_year"] == year + 1
    for key, param in data["parameters"].items():
        assert set(param) >= {"value", "verified", "source"}, key
        assert isinstance(param["verified"], bool), key
        assert param["value"] is None or isinstance(param["value"], str), key  # decimals as strings
        if param["value"] is not None and param.get("unit") != "code":  # a code is text, read as such
            Decimal(param["value"])
        if param["verified"]:
            assert param["value"] is not None and param["source"], key


def test_every_year_has_the_same_keys_so_adding_a_year_is_adding_data():
    keys = {year: set(json.loads((RULES_DIR / f"{year}.json").read_text())["parameters"]) for year in YEARS}
    first = keys[YEARS[0]]
    assert all(k == first for k in keys.values())


def reference(value) -> Inputs:
    return Inputs(
        year=2024,
        social_status="self_employed",
        birth_year=1980,
        retirement_age=67,
        years_done=20,
        years_left=23,
        years_before_2021=17,
        started_self_employed=2004,
        plci_reference_income=Amount(Decimal(value), "invoice"),
    )


@pytest.mark.parametrize(
    ("income", "ordinary", "social"),
    [("30000", "2451.00", "2820.00"), ("16861.46", "1377.58", "1584.98"), ("1000000", "3965.77", "4562.82")],
)
def test_the_2024_data_gives_the_public_worked_figures(income, ordinary, social):
    rules = load_rules(2024)
    assert plci(reference(income), rules, social=False).max_premium.value == Decimal(ordinary)
    assert plci(reference(income), rules, social=True).max_premium.value == Decimal(social)
    assert plci(reference(income), rules, social=False).unverified == []


def test_the_2025_pension_savings_regimes_from_the_data():
    product = pension_savings(reference("1"), load_rules(2025))
    assert product.extra["regimes"]["30"]["tax_reduction"] == Decimal("315.00")
    assert product.extra["regimes"]["25"]["tax_reduction"] == Decimal("337.50")


def test_a_result_that_depends_on_an_unverified_figure_says_so():
    product = plci(reference("30000"), load_rules(2025), social=False)
    assert product.max_premium.value == Decimal("2451.00")
    assert "plci.max_premium_ordinary" in product.unverified
