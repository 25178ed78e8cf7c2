"""The rules data files: complete, well-formed, public sources only, and the public worked figures."""

import json
from decimal import Decimal

import pytest

from pilier.analysis.engine.inputs import Amount, Inputs
from pilier.analysis.engine.products import pension_savings, plci
from pilier.analysis.rulebook import RULES_DIR, available_years, load_rules

YEARS = available_years()
UNITS = {"EUR", "ratio", "years", "coefficient", "code"}


def year_params(year: int) -> dict:
    return json.loads((RULES_DIR / f"{year}.json").read_text())["parameters"]


def common_params() -> dict:
    return json.loads((RULES_DIR / "common.json").read_text())["parameters"]


def all_params():
    """(file, key, entry) for every parameter of the year files and common.json (not the annuity table)."""
    for year in YEARS:
        for key, param in year_params(year).items():
            yield str(year), key, param
    for key, param in common_params().items():
        yield "common", key, param


def test_there_are_rules_for_2024_2025_and_2026():
    assert {2024, 2025, 2026} <= set(YEARS)


@pytest.mark.parametrize("year", YEARS)
def test_every_parameter_has_a_value_or_null_a_source_and_a_verified_mark(year):
    data = json.loads((RULES_DIR / f"{year}.json").read_text())
    assert data["year"] == year and data["assessment_year"] == year + 1
    for key, param in data["parameters"].items():
        assert set(param) >= {"value", "unit", "verified", "source", "url", "published", "note"}, key
        assert isinstance(param["verified"], bool), key
        assert param["value"] is None or isinstance(param["value"], str), key  # decimals as strings
        if param["value"] is not None and param.get("unit") != "code":  # a code is text, read as such
            Decimal(param["value"])
        if param["verified"]:
            assert param["value"] is not None and param["source"], key


def test_every_year_has_the_same_keys_so_adding_a_year_is_adding_data():
    keys = {year: set(year_params(year)) for year in YEARS}
    first = keys[YEARS[0]]
    assert all(k == first for k in keys.values()), {y: k ^ first for y, k in keys.items() if k != first}


def test_every_parameter_names_its_source_and_a_known_unit():
    for where, key, param in all_params():
        assert isinstance(param["source"], str) and param["source"].strip(), (where, key)
        assert param.get("unit") in UNITS, (where, key)
        assert param.get("url") is None or param["url"].startswith(("http://", "https://")), (where, key)


def test_no_figure_rests_on_our_own_notes():
    """Sources are public pages or texts: never DOMAIN.md, our notes, or a bare 'derived'."""
    for where, key, param in all_params():
        for field in ("source", "note"):
            assert "domain.md" not in (param.get(field) or "").lower(), (where, key, field)
        assert "derived" not in param["source"].lower(), (where, key)  # the `derived` field says it


def test_a_source_is_a_citation_that_reads_in_any_language():
    """The source is shown beside the figure on French and Dutch pages: publisher, title and the figure quoted,
    no English sentences of ours (those go in the note). A null figure's source is 'none'."""
    for where, key, param in all_params():
        source = param["source"]
        for words in ("not found", "to verify", "per ", " the "):
            assert words not in f" {source.lower()} ", (where, key, words)
        if param["value"] is None:
            assert source == "none", (where, key)


def test_a_derived_figure_is_never_verified():
    for where, key, param in all_params():
        assert "derived" not in param or isinstance(param["derived"], bool), (where, key)
        if param.get("derived"):
            assert param["verified"] is False, (where, key)
            assert param["value"] is not None and param["url"], (where, key)  # derived from a named public page


def value(year: int, key: str):
    return year_params(year)[key]["value"]


def test_the_plci_figures_of_the_analysis_issue():
    assert value(2025, "plci.revaluation_coefficient") == "1.092330529"
    assert value(2026, "plci.minimum_income_main_activity") == "17374.08"
    assert year_params(2026)["plci.minimum_income_main_activity"]["verified"] is False


def test_the_2026_plci_bill_is_data_with_its_status_and_absent_other_years():
    proposed = {
        "plci.proposed_rate_ordinary": "0.0850",
        "plci.proposed_rate_social": "0.0978",
        "plci.proposed_max_premium_ordinary": "4251.39",
        "plci.proposed_max_premium_social": "4891.60",
        "plci.proposed_change_status": "pending",
    }
    for key, expected in proposed.items():
        assert value(2026, key) == expected, key
        assert year_params(2026)[key]["verified"] is False, key
        assert value(2024, key) is None and value(2025, key) is None, key
    assert year_params(2026)["plci.proposed_change_status"]["unit"] == "code"
    rules = load_rules(2026)
    assert rules.get("plci.proposed_change_status").text == "pending"  # read as text, not a number
    assert rules.get("plci.proposed_rate_ordinary").value == Decimal("0.0850")
    # the bill raises the rates, not the cap: rate x 2026 cap = the proposed maxima
    cap = Decimal(value(2026, "plci.reference_income_cap"))
    assert (cap * Decimal("0.0850")).quantize(Decimal("0.01")) == Decimal("4251.39")
    assert (cap * Decimal("0.0978")).quantize(Decimal("0.01")) == Decimal("4891.60")


def test_the_80_percent_rule_keys_exist_every_year():
    for year in YEARS:
        params = year_params(year)
        for key in ("eighty.salary_ceiling", "eighty.self_employed_pension_min", "eighty.self_employed_pension_max"):
            assert key in params, (year, key)
            assert params[key]["unit"] == "EUR", (year, key)
        ceiling = params["eighty.salary_ceiling"]
        if ceiling["value"] is not None and not ceiling["verified"]:
            assert "figure of" in ceiling["note"].lower(), year  # a carried-over figure says which year it is


def test_long_term_savings_first_bracket_wijninckx_and_premium_tax_by_product():
    for year in YEARS:
        assert value(year, "long_term_savings.first_bracket") == "2040"
        assert value(year, "long_term_savings.first_bracket_rate") == "0.15"
        assert value(year, "premium_tax.group_insurance") == "0.044"
        assert value(year, "premium_tax.long_term_savings") == "0.02"
        assert value(year, "premium_tax.inami") == "0"
        for product in ("eip", "plci", "pension_savings", "cpti"):
            assert f"premium_tax.{product}" in year_params(year)
        assert "premium_tax.life_rate" not in year_params(year)  # replaced by the rates per product
    assert value(2024, "wijninckx.threshold") == "93760.79"


def test_the_assumption_defaults():
    common = common_params()
    assert "assumptions.technical_rate" not in common  # the legal minimum return changes by year
    assert value(2024, "assumptions.technical_rate") == "0.0175"
    assert year_params(2024)["assumptions.technical_rate"]["verified"] is True
    assert value(2025, "assumptions.technical_rate") == "0.025"
    assert common["assumptions.marginal_rate"]["value"] == "0.45"
    assert common["cpti.minimum_years_activity"]["value"] == "3"
    for year in YEARS:
        rules = load_rules(year)
        assert rules.get("assumptions.technical_rate").value is not None
        assert rules.get("assumptions.marginal_rate").value == Decimal("0.45")


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
