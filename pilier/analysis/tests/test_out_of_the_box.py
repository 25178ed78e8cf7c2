"""A figure out of the box: every demo director with a pay and a career gets an EIP maximum without anyone typing
an assumption; the assumptions used are named, with where they come from, on the API."""

from decimal import Decimal

import pytest

from conftest import api_headers
from pilier.analysis.engine.inputs import Options
from pilier.analysis.rulebook import load_rules
from pilier.analysis.selectors import analysis_for_client
from pilier.clients.models import Client
from pilier.demo import demo_load

pytestmark = pytest.mark.django_db

YEAR = 2026


@pytest.fixture
def demo_directors():
    demo_load()
    return [c for c in Client.objects.filter(social_status="company_director") if c.career_lines.exists()]


def test_every_demo_director_gets_an_eip_maximum_without_typing_anything(demo_directors):
    assert demo_directors
    for director in demo_directors:
        analysis, inputs = analysis_for_client(director, YEAR, Options())
        eip = analysis.products["eip"]
        assert eip.applicable, director
        assert eip.missing == [], (director, inputs.retirement_age, eip.missing)
        assert eip.max_premium.value is not None and eip.max_premium.value >= 0
        assert eip.room.value is not None
        names = {s.name for s in eip.max_premium.steps}
        assert {"technical_rate", "coefficient", "legal_pension", "salary_ceiling"} <= names


def test_the_defaults_are_named_assumptions_from_the_rules(demo_directors):
    analysis, _inputs = analysis_for_client(demo_directors[0], YEAR, Options())
    used = analysis.assumptions
    assert list(used) == ["technical_rate", "marginal_rate", "annuity_option", "active_until_legal_age"]
    for assumption in used.values():
        assert not assumption.chosen and assumption.param is not None and assumption.param.source
    rules = load_rules(YEAR)
    assert used["technical_rate"].value == rules.get("assumptions.technical_rate").value
    assert used["annuity_option"].value == "plain"


def test_a_chosen_assumption_replaces_the_default_and_is_said_chosen(demo_directors):
    director = demo_directors[0]
    default, _ = analysis_for_client(director, YEAR, Options())
    chosen, _ = analysis_for_client(director, YEAR, Options(technical_rate=Decimal("0.03")))
    assert chosen.assumptions["technical_rate"].chosen and chosen.assumptions["technical_rate"].value == Decimal("0.03")
    assert chosen.products["eip"].max_premium.value != default.products["eip"].max_premium.value


def test_the_api_adds_the_assumptions_used_and_keeps_its_shape(client, demo_directors):
    from pilier.accounts.models import ApiToken

    director = demo_directors[0]
    admin = director.office.memberships.get(role="office_admin").user
    token = ApiToken.issue(user=admin)[1]
    url = f"/api/v1/clients/{director.pk}/analysis"
    body = client.get(url, {"year": YEAR}, **api_headers(token)).json()
    assert set(body) == {"client", "year", "assumptions", "products", "projection", "missing", "unverified"}
    assumptions = body["assumptions"]
    assert assumptions["annuity_option"] == "plain" and assumptions["technical_rate"] is not None
    used = {a["name"]: a for a in assumptions["used"]}
    assert set(used) == {"technical_rate", "marginal_rate", "annuity_option", "active_until_legal_age"}
    assert used["technical_rate"]["chosen"] is False and used["technical_rate"]["source"]
    body = client.get(url, {"year": YEAR, "rate": "2.5", "active": "false"}, **api_headers(token)).json()
    used = {a["name"]: a for a in body["assumptions"]["used"]}
    assert used["technical_rate"] == {**used["technical_rate"], "chosen": True, "value": "0.025", "source": None}
    assert used["active_until_legal_age"]["value"] == "false" and used["active_until_legal_age"]["chosen"]
    assert body["products"]["eip"]["max_premium"] is not None


def test_ages_66_and_67_take_the_coefficient_derived_from_the_mortality_tables_marked_derived():
    import json

    from pilier.analysis.rulebook import RULES_DIR

    derived = json.loads((RULES_DIR / "coefficients_derived.json").read_text())["by_age"]
    rules = load_rules(YEAR)
    for age in (66, 67):
        coefficient = rules.coefficients[age]["plain"]
        assert coefficient.value == Decimal(derived[str(age)]["plain"])
        assert coefficient.derived and not coefficient.verified and coefficient.url
        for option, value in derived[str(age)].items():  # an option the method does not reproduce stays asked
            assert (option in rules.coefficients[age]) == (value is not None)
    # A published coefficient is never replaced by a derived one.
    assert not rules.coefficients[65]["plain"].derived and rules.coefficients[65]["plain"].value == Decimal("11.3761")


def test_a_missing_marginal_rate_is_asked_in_the_users_language(demo_directors):
    from django.utils import translation

    from pilier.analysis.labels import missing_item

    with translation.override("fr"):
        item = missing_item("marginal_rate", demo_directors[0], YEAR)
        assert str(item["label"]).startswith("Taux marginal") and item["url"] == "#assumptions"
