"""The net of a capital at payout, by product, under the payout year's rules (engine/payout.py, rules/payout.json).

Pure-engine tests build the inputs directly; with `years_left=0` and a 0 % technical rate the capital is the
reserves, so every amount can be checked by hand. One API test at the end.
"""

import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pilier.analysis.engine.inputs import Inputs, Options, PolicyInput, Rules
from pilier.analysis.engine.payout import TAX_REGIMES, PayoutRules, regime_for
from pilier.analysis.engine.projection import project
from pilier.analysis.engine.steps import Param, replay
from pilier.analysis.payout_rules import PAYOUT_FILE, effective_years, payout_rules

D = Decimal
NO_RULES = Rules(2026, {}, {})  # no assumption defaults: what the tests choose is what is used


def inputs(*policies: PolicyInput, year=2026, age=67, years_left=0) -> Inputs:
    return Inputs(
        year=year,
        social_status="self_employed",
        birth_year=year + years_left - age,
        retirement_age=age,
        years_done=30,
        years_left=years_left,
        years_before_2021=20,
        started_self_employed=1990,
        policies=list(policies),
    )


def policy(type_="plci", reserves="100000", premium=None, profit_sharing=None, pillar=2, n=1) -> PolicyInput:
    return PolicyInput(
        id=str(n),
        type=type_,
        main_group="",
        pillar=pillar,
        section="pension",
        is_main=False,
        status="active",
        annual_premium=D(premium) if premium else None,
        reserves=D(reserves) if reserves else None,
        managed=True,
        label=f"{type_} #{n}",
        profit_sharing=D(profit_sharing) if profit_sharing is not None else None,
    )


def options(**overrides: Any) -> Options:
    values: dict[str, Any] = {"technical_rate": D(0), "marginal_rate": D("0.45"), "active_until_legal_age": True}
    values.update(overrides)
    return Options(**values)


def one(item: PolicyInput, rules: Rules = NO_RULES, **kwargs: Any):
    """The projection of one policy: (its PolicyProjection, the Projection, its net steps by name)."""
    opts = kwargs.pop("options", None) or options()
    projection = project(inputs(item, **kwargs), rules, opts)
    (result,) = projection.policies
    steps = {s.name: s.value for s in result.net.steps} if result.net else {}
    return result, projection, steps


def assert_replays(figure) -> None:
    assert replay(figure.steps)[figure.steps[-1].name] == figure.value


# The data file -------------------------------------------------------------------------------------


def test_every_payout_figure_has_a_value_a_unit_a_source_and_a_verified_mark():
    data = json.loads(PAYOUT_FILE.read_text())
    figures = []
    for entry in data["by_year"].values():
        figures += list(entry.get("parameters", {}).values())
        figures += [part for band in entry.get("solidarity_bands", []) for part in (band["from"], band["rate"])]
        figures += [row["rate"] for row in entry.get("fictitious_annuity_rates", [])]
    assert len(figures) > 30
    for figure in figures:
        assert set(figure) >= {"value", "unit", "verified", "source", "url", "published", "note"}
        assert isinstance(figure["verified"], bool) and figure["source"] and figure["url"].startswith("https://")
        assert "DOMAIN" not in figure["source"] + figure["note"]
        if figure["value"] is not None:
            Decimal(figure["value"])


def test_the_rules_of_a_payout_year_are_the_latest_entry_at_or_before_it():
    assert effective_years() == (2018, 2026, 2027)
    before = payout_rules(2025)
    assert [(b.value, r.value) for b, r in before.solidarity_bands] == [
        (D("0"), D("0")),
        (D("2478.94"), D("0.01")),
        (D("24789.35"), D("0.02")),
    ]
    assert "payout.extra_solidarity_rate" not in before.params
    flat = payout_rules(2026)
    assert [(b.value, r.value) for b, r in flat.solidarity_bands] == [(D("0"), D("0.02"))]
    assert flat.get("payout.inami_rate").value == D("0.0355")  # carried over from 2018
    assert "payout.extra_solidarity_rate" not in flat.params
    extra = payout_rules(2040)
    assert extra.get("payout.extra_solidarity_threshold").value == D("150000")
    assert extra.get("payout.extra_solidarity_rate").value == D("0.02")
    assert not extra.get("payout.extra_solidarity_rate").verified  # secondary sources only
    assert len(extra.annuity_rates) == 9 and extra.annuity_rates[-1][0] == 65
    assert payout_rules(2017).params == {}


# Regimes ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_", "age", "active", "regime"),
    [
        ("plci", 67, True, "fictitious_annuity"),
        ("plci_social", 66, False, "fictitious_annuity"),
        ("inami", 67, True, "fictitious_annuity"),
        ("eip", 67, True, "separate_10"),
        ("group_insurance", 67, False, "separate_16_5"),
        ("eip", 61, False, "separate_18"),
        ("eip", 60, False, "separate_20"),
        ("cpti", 67, False, "cpti_10"),
        ("pension_savings", 67, True, "anticipatory_8"),
        ("long_term_savings", 67, True, "anticipatory_10"),
        ("non_fiscal_savings", 67, True, ""),
    ],
)
def test_each_product_has_its_tax_regime(type_, age, active, regime):
    assert regime_for(policy(type_), age, active) == regime
    assert regime == "" or regime in TAX_REGIMES


def test_plci_fictitious_annuity_on_80_percent_when_active_until_the_legal_age():
    result, projection, steps = one(policy("plci"))
    assert result.tax_regime == "fictitious_annuity"
    # 100,000 − INAMI 3,550 − solidarity 2 % (2026) 2,000 = 94,450; 80 % × 5 % × 10 years × 45 % = 17,001
    assert steps["after_contributions"] == D("94450")
    assert steps["converted_share"] == D("0.80") and steps["annuity_rate"] == D("0.05")
    assert steps["years_declared"] == 10 and steps["marginal_rate"] == D("0.45")
    assert steps["tax_amount"] == D("17001")
    assert result.net.value == D("77449.00") and projection.total_net == D("77449.00")
    assert_replays(result.net)


def test_plci_not_active_converts_the_whole_capital():
    result, _projection, steps = one(policy("plci_social"), options=options(active_until_legal_age=False))
    assert "converted_share" not in steps
    assert steps["tax_amount"] == D("21251.25")  # 94,450 × 5 % × 10 × 45 %
    assert result.net.value == D("73198.75")


@pytest.mark.parametrize(
    ("age", "rate", "years"),
    [
        (40, "0.01", 13),
        (41, "0.015", 13),
        (50, "0.02", 13),
        (55, "0.025", 13),
        (58, "0.03", 13),
        (60, "0.035", 13),
        (61, "0.04", 13),
        (64, "0.045", 13),
        (65, "0.05", 10),
        (67, "0.05", 10),
    ],
)
def test_the_fictitious_annuity_rate_and_years_follow_the_age_at_payout(age, rate, years):
    result, _projection, steps = one(policy("inami"), age=age, options=options(active_until_legal_age=False))
    assert steps["payout_age"] == age
    assert (steps["annuity_rate"], steps["years_declared"]) == (D(rate), years)
    assert steps["tax_amount"] == D("94450") * D(rate) * years * D("0.45")
    assert_replays(result.net)


def test_without_a_marginal_rate_the_net_of_a_fictitious_annuity_is_unknown_and_asked():
    result, projection, _steps = one(policy("plci"), options=options(marginal_rate=None))
    assert result.tax_regime == "fictitious_annuity"
    assert result.net is not None and result.net.value is None and result.net.missing == ["marginal_rate"]
    assert "marginal_rate" in projection.missing
    assert projection.total_net is None and projection.net_unknown == ["plci #1"]
    assert projection.total_net_known == 0 and projection.total_gross == D("100000.00")


def test_the_rules_default_marginal_rate_is_used_when_none_is_chosen():
    default = Param("assumptions.marginal_rate", D("0.50"), "ratio", True, "SPF Finances", None)
    rules = Rules(2026, {"assumptions.marginal_rate": default}, {})
    result, _projection, steps = one(policy("plci"), rules, options=options(marginal_rate=None))
    assert steps["marginal_rate"] == D("0.50") and result.net.value == D("94450") - D("18890")


@pytest.mark.parametrize(
    ("active", "regime", "net"), [(True, "separate_10", "85005.00"), (False, "separate_16_5", "78865.75")]
)
def test_eip_and_group_insurance_10_percent_when_active_else_16_5(active, regime, net):
    for type_ in ("eip", "group_insurance"):
        result, _projection, steps = one(policy(type_), options=options(active_until_legal_age=active))
        assert result.tax_regime == regime
        assert steps["tax_rate"] == (D("0.10") if active else D("0.165"))
        assert result.net.value == D(net)  # 94,450 − 10 % / 16.5 % of it
        assert_replays(result.net)


def test_eip_paid_at_61_is_taxed_18_percent():
    result, _projection, steps = one(policy("eip"), age=61, options=options(active_until_legal_age=False))
    assert result.tax_regime == "separate_18" and steps["tax_rate"] == D("0.18")
    assert result.net.value == D("77449.00")  # 94,450 − 17,001


def test_cpti_is_taxed_10_percent_at_retirement():
    result, _projection, steps = one(policy("cpti"), options=options(active_until_legal_age=False))
    assert result.tax_regime == "cpti_10" and steps["tax_rate"] == D("0.10")
    assert result.net.value == D("85005.00")


# Contributions ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("capital", "rate"),
    [
        ("2000", "0"),
        ("2478.94", "0"),
        ("2478.95", "0.01"),
        ("24789.35", "0.01"),
        ("24789.36", "0.02"),
        ("90000", "0.02"),
    ],
)
def test_solidarity_by_band_of_the_capital_before_2026(capital, rate):
    result, _projection, steps = one(policy("eip", reserves=capital), year=2025)
    assert steps["payout_year"] == 2025
    assert steps["solidarity_rate"] == D(rate)
    assert steps["solidarity_amount"] == D(capital) * D(rate)
    assert_replays(result.net)


@pytest.mark.parametrize("capital", ["2000", "24789.35", "90000"])
def test_solidarity_is_a_flat_2_percent_withheld_from_2026(capital):
    _result, _projection, steps = one(policy("eip", reserves=capital), year=2026)
    assert steps["solidarity_threshold"] == 0 and steps["solidarity_rate"] == D("0.02")


def test_the_extra_contribution_above_150000_only_for_a_payout_from_2027():
    # Paid in 2026: no extra contribution.
    _result, _projection, steps = one(policy("eip", reserves="200000"), year=2026)
    assert "extra_solidarity_amount" not in steps
    assert steps["after_contributions"] == D("188900")  # 200,000 − 7,100 − 4,000
    # Paid in 2027 (analysis 2026, one year left): 2 % on the 50,000 above 150,000.
    result, _projection, steps = one(policy("eip", reserves="200000"), year=2026, years_left=1)
    assert steps["payout_year"] == 2027
    assert steps["capital_above_threshold"] == D("50000") and steps["extra_solidarity_amount"] == D("1000")
    assert steps["after_contributions"] == D("187900")
    assert result.net.value == D("169110.00")  # 187,900 − 10 %
    assert "payout.extra_solidarity_rate" in result.net.unverified
    assert_replays(result.net)
    # At or below 150,000: nothing extra, even from 2027.
    _result, _projection, steps = one(policy("eip", reserves="150000"), year=2030)
    assert steps["capital_above_threshold"] == 0 and steps["extra_solidarity_amount"] == 0


def test_an_extra_contribution_without_its_rate_leaves_the_net_unknown_and_says_which_figure():
    rules = payout_rules(2027)
    params = dict(rules.params)
    params["payout.extra_solidarity_rate"] = Param("payout.extra_solidarity_rate", None)
    book = PayoutRules(2027, params, rules.solidarity_bands, rules.annuity_rates)
    projection = project(inputs(policy("eip")), NO_RULES, options(), payout=lambda year: book)
    assert projection.policies[0].net.value is None
    assert "param:payout.extra_solidarity_rate" in projection.missing and projection.total_net is None


def test_profit_sharing_bears_the_contributions_but_not_the_tax():
    result, _projection, steps = one(policy("eip", profit_sharing="20000"))
    assert steps["inami_amount"] == D("3550")  # on the whole 100,000
    assert steps["taxable_share"] == D("0.8")
    assert steps["taxable_base"] == D("75560")  # 94,450 × 80,000 / 100,000
    assert result.net.value == D("86894.00")  # 94,450 − 7,556 (instead of 85,005 without profit-sharing)
    plci, _projection, plci_steps = one(policy("plci", profit_sharing="20000"))
    assert plci_steps["annuity_base"] == D("60448")  # 80 % of 75,560
    assert_replays(plci.net)


def test_profit_sharing_grows_with_the_reserves_and_is_never_more_than_the_capital():
    opts = options(technical_rate=D("0.02"))
    result, _projection, steps = one(policy("eip", profit_sharing="10000"), years_left=10, options=opts)
    assert steps["profit_sharing_grown"] == D("10000") * D("1.02") ** 10
    assert_replays(result.net)
    _result, _projection, steps = one(policy("eip", reserves="1000", profit_sharing="5000"))
    assert steps["profit_sharing_at_payout"] == D("1000.00") and steps["tax_amount"] == 0


# 3rd and 4th pillar ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_", "regime", "tax"),
    [("pension_savings", "anticipatory_8", "1600"), ("long_term_savings", "anticipatory_10", "2000")],
)
def test_third_pillar_anticipatory_tax_at_60_without_contributions(type_, regime, tax):
    # 50 today, paid at 67: the reserve at 60 is 10,000 + 10 × 1,000 = 20,000 (0 % growth).
    result, _projection, steps = one(policy(type_, reserves="10000", premium="1000", pillar=3), years_left=17)
    assert result.tax_regime == regime
    assert "inami_amount" not in steps and "solidarity_amount" not in steps
    assert steps["age_now"] == 50 and steps["years_to_tax"] == 10 and steps["capital_at_tax"] == D("20000")
    assert steps["tax_amount"] == D(tax)
    assert result.net.value == D("27000") - D(tax)
    assert_replays(result.net)


def test_a_client_past_60_has_paid_the_anticipatory_tax_already():
    result, _projection, steps = one(policy("pension_savings", reserves="30000", pillar=3), years_left=5)
    assert steps["tax_already_levied"] == 0 and result.net.value == D("30000.00")


def test_fourth_pillar_has_no_regime_and_its_net_is_said_unknown():
    result, projection, _steps = one(policy("non_fiscal_savings", pillar=4))
    assert result.tax_regime == "" and result.net is None
    assert projection.total_net is None and projection.net_unknown == ["non_fiscal_savings #1"]


# The total -------------------------------------------------------------------------------------------


def test_the_net_total_adds_nets_only_and_names_the_unknown_ones():
    file = inputs(
        policy("eip", n=1),
        policy("cpti", n=2),
        policy("plci", n=3),
        policy("non_fiscal_savings", reserves="5000", pillar=4, n=4),
    )
    projection = project(file, NO_RULES, options(marginal_rate=None))
    assert projection.total_gross == D("305000.00")
    assert projection.total_net is None  # never a gross added in place of an unknown net
    assert projection.net_unknown == ["plci #3", "non_fiscal_savings #4"]
    assert projection.total_net_known == D("85005.00") * 2
    known = project(inputs(policy("eip", n=1), policy("plci", n=2)), NO_RULES, options())
    assert known.net_unknown == [] and known.total_net == known.total_net_known == D("85005.00") + D("77449.00")


# The API ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_gives_each_policy_its_tax_regime_and_the_net_total(client, world, self_employed):
    from conftest import api_headers
    from pilier.tests.factories import PolicyFactory

    PolicyFactory(client=self_employed, type="plci", reserves=Decimal("20000"), profit_sharing=Decimal("2000"))
    PolicyFactory(client=self_employed, type="non_fiscal_savings", reserves=Decimal("5000"), annual_premium=None)
    headers = api_headers(world.token(world.alice))
    body = client.get(f"/api/v1/clients/{self_employed.pk}/analysis", {"year": 2026, "rate": "1.75"}, **headers).json()
    policies = {p["tax_regime"]: p for p in body["projection"]["policies"]}
    assert set(policies) == {"fictitious_annuity", ""}
    assert policies[""]["net"] is None
    assert body["projection"]["total_net"] is None
    assert body["projection"]["net_unknown"] == [policies[""]["label"]]
    plci_net = policies["fictitious_annuity"]["net"]
    assert body["projection"]["total_net_known"] == (plci_net["value"] or "0")
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["PolicyProjectionOut"]
    assert schema["properties"]["tax_regime"]["enum"] == ["", *TAX_REGIMES]


@pytest.mark.django_db
def test_the_page_says_each_tax_regime_and_which_net_is_unknown(client, world, self_employed):
    from django.urls import reverse

    from pilier.tests.factories import PolicyFactory

    PolicyFactory(client=self_employed, type="eip", reserves=Decimal("20000"))
    PolicyFactory(client=self_employed, type="non_fiscal_savings", number="B21-9", reserves=Decimal("5000"))
    client.force_login(world.alice)
    html = client.get(
        reverse("analysis:client", args=[self_employed.pk]), {"year": 2026, "rate": "1,75"}
    ).content.decode()
    assert "tax-regime" in html and 'id="net-unknown"' in html and "B21-9" in html
    assert 'id="total-net"' in html


@settings(max_examples=150, deadline=None)
@given(
    type_=st.sampled_from(["plci", "plci_social", "inami", "eip", "group_insurance", "cpti", "pension_savings",
                           "long_term_savings"]),
    reserves=st.decimals(min_value=1, max_value=900000, places=2),
    share=st.decimals(min_value=0, max_value=1, places=2),
    years_left=st.integers(min_value=0, max_value=40),
    active=st.booleans(),
)  # fmt: skip
def test_a_net_is_never_above_the_gross_nor_below_zero_and_always_replays(type_, reserves, share, years_left, active):
    item = policy(type_, reserves=str(reserves), premium="500", profit_sharing=str(reserves * share))
    opts = options(technical_rate=D("0.0175"), active_until_legal_age=active)
    result, projection, _steps = one(item, years_left=years_left, options=opts)
    assert 0 <= result.net.value <= result.gross.value
    assert projection.total_net == result.net.value
    assert_replays(result.net)
