"""Advice the client can read (issue 11, point 5): a French or Dutch analysis page and PDF show no English, no
internal key, no engine function or step code; every step is a sentence with its amount; an over-payment, the
pension-savings zone above the 30 % regime's maximum, the tax reduction of what is paid and a bill on the PLCI
maxima are said as such; the PDF carries the office, the date, the client, the assumptions and a disclaimer in the
client's language."""

import dataclasses
import datetime
import re
from decimal import Decimal as D
from html.parser import HTMLParser

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from pilier.analysis import labels
from pilier.analysis.engine.analysis import analyse
from pilier.analysis.engine.inputs import Amount, Inputs, Options, PolicyInput, Rules
from pilier.analysis.engine.products import long_term_savings, pension_savings, plci
from pilier.analysis.engine.steps import Param
from pilier.analysis.forms import AssumptionsForm
from pilier.analysis.presenters import explain
from pilier.analysis.rulebook import RULES_DIR, available_years, load_rules
from pilier.clients.services import income_set
from pilier.tests.factories import CareerLineFactory, ClientFactory, PolicyFactory

from .test_engine import all_figures

# Rules figures a path of the engine needs that the shipped data may leave null (not found yet): test values, so
# that every step the engine can produce is produced and read.
FILL = {
    "eighty.technical_interest_rate": "0.0175",
    "eighty.salary_ceiling": "76395.98",
    "eighty.self_employed_pension_min": "15000",
    "eighty.self_employed_pension_max": "20000",
    "assumptions.marginal_rate": "0.40",
    "long_term_savings.first_bracket": "2040",
    "long_term_savings.first_bracket_rate": "0.15",
    "plci.revaluation_coefficient": "1.09",
    "plci.minimum_income_main_activity": "17374.08",
    "plci.proposed_rate_ordinary": "0.085",
    "plci.proposed_rate_social": "0.0978",
    "plci.proposed_max_premium_ordinary": "4251.39",
    "plci.proposed_max_premium_social": "4891.60",
}


def rich_rules(year: int) -> Rules:
    rules = load_rules(year)
    params = dict(rules.params)
    for key, value in FILL.items():
        if params.get(key) is None or params[key].value is None:
            params[key] = Param(key, D(value), "", False, "SPF Finances", "https://finances.belgium.be")
    if not params.get("plci.proposed_change_status") or not params["plci.proposed_change_status"].text:
        params["plci.proposed_change_status"] = Param("plci.proposed_change_status", None, "code", text="pending")
    coefficients = {age: dict(options) for age, options in rules.coefficients.items()}
    for age in range(60, 69):
        coefficients.setdefault(age, {})
        for option in ("plain", "indexed", "reversible", "indexed_reversible"):
            coefficients[age].setdefault(option, Param(f"annuity_coefficient.{age}.{option}", D("12"), "coefficient"))
    return Rules(year, params, coefficients)


def _policy(type_, premium, reserves, n, group="", pillar=2, main=False):
    return PolicyInput(
        str(n),
        type_,
        group,
        pillar,
        "pension",
        main,
        "active",
        D(premium) if premium else None,
        D(reserves) if reserves else None,
        True,
        f"{type_} #{n}",
    )


def rich_files(year: int):
    """A self-employed, a company director, an assisting spouse, an employee; settled and starting; PLCI over-paid,
    a social PLCI, pension savings in and above the 25 % zone, long-term savings within and above the limit."""
    for status in ("self_employed", "company_director", "assisting_spouse", "employee"):
        for started in (2004, year - 1):
            for variant in range(3):
                net = {y: Amount(D("40000"), f"income:net:{y}|a@b.be|2026-01-02") for y in range(2018, year + 1)}
                gross = {y: Amount(D("70000"), f"income:gross:{y}") for y in range(2018, year + 1)}
                policies = [
                    _policy("eip", "3000", "20000", 1, "eip", main=True),
                    _policy("cpti", "2000", "5000", 2, "cpti", main=True),
                    _policy("plci", "9000", "15000", 3, "plci", main=True),
                    _policy("pension_savings", ("1100", "1500", "800")[variant], "8000", 4, pillar=3),
                    _policy("long_term_savings", ("900", "5000", "100")[variant], "0", 5, pillar=3),
                ]
                if variant == 1:
                    policies.append(_policy("plci_social", "500", "1000", 6, "plci"))
                file = Inputs(
                    year=year,
                    social_status=status,
                    birth_year=1975,
                    retirement_age=(67, 68, 66)[variant],
                    years_done=25,
                    years_left=1975 + 67 - year,
                    years_before_2021=20,
                    started_self_employed=started,
                    net_income=net if started == 2004 else {},
                    gross_remuneration=gross,
                    policies=policies,
                )
                if hasattr(file, "years_before_2021_self_employed"):
                    file.years_before_2021_self_employed = 15 if variant else 0
                if variant == 2:
                    file.plci_reference_income = Amount(D("30000"), f"income:plci_reference:{year}|a@b.be|2026-01-02")
                yield file


OPTIONS = (
    Options(),
    Options(technical_rate=D("0.0175"), coefficient=D("14")),
    Options(technical_rate=D("0.02"), marginal_rate=D("0.4"), active_until_legal_age=False, annuity_option="indexed"),
)


def every_figure():
    for year in available_years():
        rules = rich_rules(year)
        for file in rich_files(year):
            for options in OPTIONS:
                analysis = analyse(file, rules, options)
                yield from all_figures(analysis)
                for product in analysis.products.values():
                    for value in product.extra.values():
                        if isinstance(value, dict):
                            yield from (v for v in value.values() if hasattr(v, "steps") and v.value is not None)


def every_step():
    seen = {}
    for figure in every_figure():
        for step in figure.steps:
            seen.setdefault(step.name, step)
    return seen


def _translated(lazy, language: str) -> str:
    with translation.override(language):
        return str(lazy)


def test_every_step_the_engine_produces_has_a_label_in_french_and_dutch():
    steps = every_step()
    assert len(steps) > 60  # the rich files reach the 80 % rule, the payout and every product's paths
    unlabelled = sorted(name for name in steps if not labels.has_step_label(name))
    assert unlabelled == []
    for language in ("fr", "nl"):
        with translation.override(language):
            for name in steps:
                label = labels.step_label(name)
                assert label != name and label != str(labels.STEP_GENERIC), (language, name)


def test_an_unknown_step_gets_a_generic_label_never_its_code():
    with translation.override("fr"):
        assert labels.step_label("brand_new_step") == str(labels.STEP_GENERIC) != "brand_new_step"
        assert "2" in labels.step_label("other_reserves_grown_2") and "grown" not in labels.step_label(
            "other_reserves_grown_2"
        )


def _all_rules_keys() -> set[str]:
    import json

    keys: set[str] = set()
    for path in RULES_DIR.glob("*.json"):
        data = json.loads(path.read_text())
        keys |= set(data.get("parameters", {}))
        for entry in data.get("by_year", {}).values():
            keys |= set(entry.get("parameters", {}))
    return keys


def test_every_rules_key_has_a_human_label_never_the_key():
    keys = _all_rules_keys() | set(FILL)
    assert {"plci.rate_ordinary", "eighty.full_career_years", "assumptions.technical_rate"} <= keys
    for language in ("fr", "nl"):
        with translation.override(language):
            for key in keys:
                label = labels.param_label(key)
                assert key in labels.PARAM_LABELS, key
                assert key not in label and label != str(labels.PARAM_GENERIC), (language, key)
            assert labels.param_label("annuity_coefficient.65.plain") != "annuity_coefficient.65.plain"
            assert labels.param_label("something.new") == str(labels.PARAM_GENERIC)


def test_every_legal_figure_a_step_uses_is_named():
    """The keys of the steps (coefficients by age and option, payout bands by year) and the unverified lists."""
    keys = set()
    for figure in every_figure():
        keys |= {s.key for s in figure.steps if s.key} | set(figure.unverified)
    generic = {str(labels.PARAM_GENERIC), *(str(v) for v in labels.PARAM_GROUPS.values())}
    for language in ("fr", "nl"):
        with translation.override(language):
            unnamed = sorted(k for k in keys if labels.param_label(k) in generic or k in labels.param_label(k))
            assert unnamed == [], language


def test_a_missing_legal_figure_is_said_by_its_name():
    client = ClientFactory.build(pk=1)
    with translation.override("fr"):
        item = labels.missing_item("param:eighty.salary_ceiling", client, 2026)
    assert "eighty." not in str(item["label"]) and "plafond" in str(item["label"]).lower()


@pytest.mark.parametrize(
    ("code", "fr", "nl"),
    [
        ("career", "lignes de carrière", "loopbaanlijnen"),
        ("retirement_age:67", "67", "67"),
        ("chosen", "choisi", "gekozen"),
        ("none:main_policy", "contrat principal", "hoofdcontract"),
        ("income:net:2024|alice@alpha.be|2026-02-03", "03/02/2026", "03/02/2026"),
        ("income:gross:2024", "2024", "2024"),
        ("PLCI NN 300-0000256", "PLCI NN 300-0000256", "PLCI NN 300-0000256"),
    ],
)
def test_a_source_code_reads_in_the_users_language(code, fr, nl):
    for language, expected in (("fr", fr), ("nl", nl)):
        with translation.override(language):
            text = labels.source_label(code)
        assert expected in text, (language, text)
        assert not re.search(r"\b(income|none|retirement_age):", text)


def test_every_step_reads_as_a_sentence_with_its_amount():
    with translation.override("fr"):
        file = Inputs(2024, "self_employed", 1980, 67, 20, 23, 17, 2004)
        file.plci_reference_income = Amount(D("30000"), "income:plci_reference:2024")
        rows = explain(plci(file, load_rules(2024), social=False).max_premium)
    sentences = {row["name"]: row["sentence"] for row in rows}
    assert (
        sentences["premium_on_income"]
        == "Revenu de référence × taux : 30\u00a0000,00\u00a0€ × 8,17\u00a0% = 2\u00a0451,00\u00a0€"
    )
    assert sentences["reference_income"] == "Revenu de référence : 30\u00a0000,00\u00a0€"
    assert (
        sentences["premium_rounded"] == "Arrondi au cent : 2\u00a0451,00\u00a0€"
    )  # not "2 451,00 € rounded = 2 451,00 €"
    assert all(row["sentence"].endswith(row["value"]) for row in rows)


# Products --------------------------------------------------------------------------------------------------------


def _file(year=2024, **overrides):
    base = dict(
        year=year,
        social_status="self_employed",
        birth_year=1980,
        retirement_age=67,
        years_done=20,
        years_left=1980 + 67 - year,
        years_before_2021=17,
        started_self_employed=2004,
    )
    base.update(overrides)
    return Inputs(**base)


def test_a_plci_paid_above_the_maximum_says_the_over_payment():
    file = _file(plci_reference_income=Amount(D("30000"), "income:plci_reference:2024"))
    file.policies = [_policy("plci", str(D("2451.00") + D("5464.66")), "0", 1, "plci", main=True)]
    product = plci(file, load_rules(2024), social=False)
    assert product.max_premium.value == D("2451.00") and product.extra["overpaid"] == D("5464.66")
    assert "overpaid" not in plci(file, load_rules(2024), social=True).extra  # an ordinary PLCI, not a social one


def test_pension_savings_in_the_zone_above_the_30_percent_maximum():
    rules = load_rules(2025)
    file = _file(2025, policies=[_policy("pension_savings", "1100", "0", 1, pillar=3)])
    product = pension_savings(file, rules)
    zone = product.extra["low_zone"]
    assert (zone["limit"].value, zone["reduction_paid"], zone["reduction_30"]) == (
        D("1260.00"),
        D("275.00"),
        D("315.00"),
    )
    assert product.extra["tax_reduction_paid"].value == D("275.00")
    for paid, reduction in (("800", "240.00"), ("1300", "325.00"), ("1500", "337.50")):
        file.policies = [_policy("pension_savings", paid, "0", 1, pillar=3)]
        product = pension_savings(file, rules)
        assert product.extra["tax_reduction_paid"].value == D(reduction), paid
        assert "low_zone" not in product.extra
    assert product.extra["overpaid"] == D("150")  # 1,500 paid, 1,350 at most


def test_long_term_savings_reduction_of_what_is_paid():
    rules = load_rules(2025)
    file = _file(2025, net_income={2025: Amount(D("20000"), "income:net:2025")})
    file.policies = [_policy("long_term_savings", "900", "0", 1, pillar=3)]
    assert long_term_savings(file, rules).extra["tax_reduction_paid"].value == D("270.00")  # 30 % × 900
    file.policies = [_policy("long_term_savings", "2000", "0", 1, pillar=3)]
    product = long_term_savings(file, rules)
    assert product.max_premium.value == D("1383.60")
    assert product.extra["tax_reduction_paid"].value == D("415.08")  # 30 % × 1,383.60
    assert product.extra["overpaid"] == D("616.40")


def test_a_bill_on_the_plci_maxima_is_shown_beside_the_maximum_in_force():
    """2026: a bill would raise the rates to 8.50 % / 9.78 % and the maxima to 4,251.39 / 4,891.60 (rules data)."""
    rules = load_rules(2026)
    file = _file(2026, plci_reference_income=Amount(D("60000"), "income:plci_reference:2026"))
    product = plci(file, rules, social=False)
    proposed = product.extra["proposed_change"]
    assert proposed["max_premium"].value == D("4251.39")  # min(60,000 × 8.50 %, 4,251.39)
    assert product.max_premium.value == rules.get("plci.max_premium_ordinary").value  # the maximum in force applies
    assert proposed["status"] == rules.get("plci.proposed_change_status").text
    from pilier.analysis.views import _product_row

    with translation.override("fr"):
        row = _product_row("plci", product)
    assert row["proposed"]["text"].startswith("Un projet de loi porterait le maximum à 4\u00a0251,39\u00a0€ (")
    assert [r["name"] for r in row["proposed"]["steps"]][0] == "proposed_rate"  # only its own steps
    assert (
        "proposed_change"
        not in plci(_file(2025, plci_reference_income=file.plci_reference_income), load_rules(2025), False).extra
    )


# Pages and PDF ---------------------------------------------------------------------------------------------------


class _Text(HTMLParser):
    """What a reader sees: the text, and the attributes a browser shows (title, aria-label, placeholder, alt)."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in ("title", "aria-label", "placeholder", "alt") and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return re.sub(r"[ \t\r\n]+", " ", " ".join(parser.parts))


ENGLISH = [
    "not found",
    "derived",
    "DOMAIN",
    "chosen for",
    "career lines",
    "legal retirement age",
    "no main policy",
    "rules data",
    "to verify",
    "Legal figure missing",
]
THE = re.compile(r"\b[Tt]he\b")
KEY = re.compile(r"\b[a-z_0-9]+(?:\.[a-z_0-9]+)+\b")
DOMAINS = ("be", "com", "pro", "eu", "org", "net", "fr", "nl", "lu", "html", "htm", "pdf", "io", "info", "php")
FUNCTIONS = re.compile(r"\b(round2|floor0|min|max|sum|growth|annuity_due)\(|annuity_due")
CODES = re.compile(r"\b(income|none|retirement_age|param|coefficient):[a-z0-9_]")


def problems(html: str, step_codes: set[str]) -> list[str]:
    """What a French or Dutch reader should not see: English of our notes and sources, internal keys, engine
    functions, source or step codes (each with its context)."""
    text = visible_text(html)
    found = [f"{word!r}: {_around(text, word)}" for word in ENGLISH if word.lower() in text.lower()]
    found += [f"'the': {text[max(0, m.start() - 60) : m.end() + 60]}" for m in THE.finditer(text)]
    for m in KEY.finditer(text):
        key = m.group(0)
        if key.rsplit(".", 1)[1] not in DOMAINS and not re.fullmatch(r"[0-9.]+", key):  # a domain; 1.234 in Dutch
            found.append(f"key {key!r}: {_around(text, key)}")
    found += [f"function {m.group(0)!r}" for m in FUNCTIONS.finditer(text)]
    found += [f"code {m.group(0)!r}: {_around(text, m.group(0))}" for m in CODES.finditer(text)]
    found += [f"step code {code!r}" for code in step_codes if re.search(rf"\b{re.escape(code)}\b", text)]
    return found


def assert_reads(html: str, language: str, step_codes: set[str]) -> None:
    found = problems(html, step_codes)
    assert found == [], (language, found)


def _around(text: str, word: str) -> str:
    at = text.lower().find(word.lower())
    return text[max(0, at - 60) : at + 60]


YEAR = 2025
OVER = D("5464.66")


@pytest.fixture
def rich(world, monkeypatch):
    """The office's files: a self-employed with a PLCI paid above the maximum, pension savings in the 25 % zone and
    long-term savings; a company director with an EIP; a self-employed with a CPTI; a starter. The rules as
    shipped, with the figures not found yet filled (rich_rules) so every step is shown."""
    monkeypatch.setattr("pilier.analysis.selectors.load_rules", rich_rules)
    alice = world.alice
    files = {}
    plci_file = world.client
    plci_file.social_status, plci_file.birth_date = "self_employed", datetime.date(1980, 5, 1)
    plci_file.save()
    CareerLineFactory(client=plci_file, from_year=2004, to_year=None, status="self_employed")
    income_set(client=plci_file, year=YEAR, user=alice, plci_reference_income=D("30000"))
    income_set(client=plci_file, year=YEAR, user=alice, net_taxable_professional_income=D("30000"))
    maximum = rich_rules(YEAR).get("plci.rate_ordinary").value * D("30000")
    PolicyFactory(client=plci_file, type="plci", annual_premium=maximum.quantize(D("0.01")) + OVER, is_main=True)
    PolicyFactory(client=plci_file, type="pension_savings", annual_premium=D("1100"))
    PolicyFactory(client=plci_file, type="long_term_savings", annual_premium=D("900"))
    files["plci"] = plci_file

    director = ClientFactory(
        office=world.office, social_status="company_director", birth_date=datetime.date(1972, 3, 1), language="nl"
    )
    CareerLineFactory(client=director, from_year=1995, to_year=2009, status="employee")
    CareerLineFactory(client=director, from_year=2010, to_year=None, status="company_director")
    for year in (2020, YEAR - 1, YEAR):
        income_set(client=director, year=year, user=alice, gross_remuneration=D("70000"))
    PolicyFactory(client=director, type="eip", annual_premium=D("3000"), reserves=D("20000"), is_main=True)
    PolicyFactory(client=director, type="plci", annual_premium=D("1000"), reserves=D("5000"))
    files["eip"] = director

    cpti = ClientFactory(
        office=world.office, social_status="self_employed", birth_date=datetime.date(1978, 9, 1), language="fr"
    )
    CareerLineFactory(client=cpti, from_year=2003, to_year=None, status="self_employed")
    for year in range(2018, YEAR + 1):
        income_set(client=cpti, year=year, user=alice, net_taxable_professional_income=D("45000"))
    PolicyFactory(client=cpti, type="cpti", annual_premium=D("2500"), reserves=D("12000"), is_main=True)
    files["cpti"] = cpti

    starter = ClientFactory(
        office=world.office, social_status="self_employed", birth_date=datetime.date(1995, 1, 1), language="de"
    )
    CareerLineFactory(client=starter, from_year=YEAR - 1, to_year=None, status="self_employed")
    files["starter"] = starter
    return files


def _step_codes() -> set[str]:
    return {name for name in every_step() if "_" in name}


def _set_language(user, language):
    user.language = language
    user.save(update_fields=["language"])


def _pdf_html(world, client, language, **params):
    from pilier.analysis.views import client_pdf_html

    request = RequestFactory().get("/", {"year": YEAR, **params})
    request.user = world.alice
    with translation.override(language):  # the broker's language: the PDF follows the client's
        form = AssumptionsForm(params)
        form.is_valid()
        return client_pdf_html(request, client, form)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "nl"])
def test_the_page_and_the_pdf_read_in_french_and_dutch(client, world, rich, language):
    codes = _step_codes()
    _set_language(world.alice, language)
    client.force_login(world.alice)
    for name, file in rich.items():
        for params in ({"year": YEAR}, {"year": YEAR, "rate": "2", "coefficient": "14", "marginal_rate": "40"}):
            response = client.get(reverse("analysis:client", args=[file.pk]), params)
            assert response.status_code == 200, name
            assert_reads(response.content.decode(), language, codes)
        file.language = language
        file.save(update_fields=["language"])
        assert_reads(_pdf_html(world, file, "fr" if language == "nl" else "nl"), language, codes)


@pytest.mark.django_db
def test_the_over_payment_the_zone_and_the_reduction_paid_on_the_page(client, world, rich):
    client.force_login(world.alice)
    html = client.get(reverse("analysis:client", args=[rich["plci"].pk]), {"year": YEAR}).content.decode()
    text = visible_text(html)
    assert "dépassement de 5\u00a0464,66\u00a0€ : non déductible" in text
    assert "Réduction d'impôt sur le versé : 275,00\u00a0€" in text  # pension savings, 1,100 at 25 %
    assert "1\u00a0260,00\u00a0€" in text and "315,00\u00a0€" in text  # the zone up to 1,260, the 30 % regime's 315
    assert "Réduction d'impôt sur le versé : 270,00\u00a0€" in text  # long-term savings: 30 % × 900
    _set_language(world.alice, "nl")
    text = visible_text(client.get(reverse("analysis:client", args=[rich["plci"].pk]), {"year": YEAR}).content.decode())
    assert "overschrijding van 5.464,66\u00a0€: niet aftrekbaar" in text


@pytest.mark.django_db
def test_the_assumptions_say_their_value_and_where_it_comes_from(client, world, rich):
    client.force_login(world.alice)
    html = client.get(reverse("analysis:client", args=[rich["eip"].pk]), {"year": YEAR, "rate": "2"}).content.decode()
    assumptions = visible_text(html[html.index('id="assumption-defaults"') :])
    assert "Taux d'intérêt technique : 2\u00a0% — choisi pour cette analyse" in assumptions
    assert "Actif jusqu'à l'âge légal de la pension : oui — par défaut" in assumptions
    assert 'name="marginal_rate"' in html and 'name="active"' in html


@pytest.mark.django_db
def test_a_dutch_clients_pdf_is_in_dutch_with_its_header_even_for_a_french_broker(world, rich):
    director = rich["eip"]  # language "nl"
    html = _pdf_html(world, director, "fr")
    text = visible_text(html)
    assert '<html lang="nl">' in html
    assert "Courtage Alpha" in text and director.full_name in text
    assert "Analyse" in text and "Hypothesen" in text and "Technische rentevoet" in text
    today = datetime.date.today()
    assert today.strftime("%d/%m/%Y") in text or today.strftime("%d-%m-%Y") in text
    assert "raming" in text.lower() and "belastingadministratie" in text.lower()  # the disclaimer
    assert "Analyse" in text and "IPT" in text
    assert "70.000,00\u00a0€" in text and "70\u00a0000,00" not in text  # amounts written the Dutch way


@pytest.mark.django_db
def test_a_german_speaking_clients_pdf_is_in_french(world, rich):
    html = _pdf_html(world, rich["starter"], "nl")
    assert '<html lang="fr">' in html and "estimation" in visible_text(html).lower()


@pytest.mark.django_db
def test_the_pdf_view_gives_a_pdf_in_the_clients_language(client, world, rich):
    client.force_login(world.alice)
    response = client.get(reverse("analysis:pdf", args=[rich["eip"].pk]), {"year": YEAR})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_not_applicable_labels_name_who_the_product_is_for():
    with translation.override("fr"):
        text = str(labels.NOT_APPLICABLE["not_self_employed"])
    assert "conjoints aidants" in text and "dirigeants" in text
    for status in ("employee", "civil_servant", "unemployed", "retired", ""):
        product = plci(_file(social_status=status), load_rules(2024), social=False)
        assert not product.applicable and product.reason in labels.NOT_APPLICABLE
    assert plci(dataclasses.replace(_file(), social_status="assisting_spouse"), load_rules(2024), False).applicable
