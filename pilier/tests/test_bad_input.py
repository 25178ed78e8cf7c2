"""Bad input answers a 4xx with a message, never a 500, on SQLite and on PostgreSQL (issue 9, points 8–13)."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from conftest import api_headers
from pilier.clients.models import CareerLine, Client, Income
from pilier.policies.models import Policy
from pilier.tests.factories import PolicyFactory

pytestmark = pytest.mark.django_db

NOT_NUMBERS = ["NaN", "nan", "sNaN", "-sNaN", "Infinity", "-Infinity", "inf", "1e999999", "abc", "1,2,3", "\x00"]


# 8. Assumptions of the analysis ---------------------------------------------------------------


@pytest.mark.parametrize("field", ["rate", "coefficient"])
@pytest.mark.parametrize("value", NOT_NUMBERS)
def test_an_assumption_that_is_not_a_number_is_a_form_error_on_the_analysis_page(client, world, field, value):
    client.force_login(world.alice)
    with translation.override("en"):
        response = client.get(reverse("analysis:client", args=[world.client.pk]), {"year": 2024, field: value})
    assert response.status_code == 400
    assert response.context["assumptions"].errors[field]
    assert "has-error" in response.content.decode()


@pytest.mark.parametrize(
    ("field", "value"), [("rate", "10.5"), ("rate", "-1"), ("coefficient", "0.5"), ("option", "x")]
)
def test_an_assumption_out_of_range_is_a_form_error_rather_than_silently_ignored(client, world, field, value):
    client.force_login(world.alice)
    with translation.override("en"):
        response = client.get(reverse("analysis:client", args=[world.client.pk]), {"year": 2024, field: value})
    assert response.status_code == 400
    assert response.context["assumptions"].errors[field]


def test_the_rate_in_range_is_still_taken_with_a_comma(client, world, self_employed):
    client.force_login(world.alice)
    response = client.get(reverse("analysis:client", args=[self_employed.pk]), {"year": 2024, "rate": "1,5"})
    assert response.status_code == 200
    assert response.context["assumptions"].options().technical_rate == Decimal("0.015")


@pytest.mark.parametrize("value", ["NaN", "sNaN", "Infinity", "-Infinity", "1e999999"])
def test_the_pdf_with_a_bad_assumption_answers_400_with_the_page_and_its_error(client, world, value):
    client.force_login(world.alice)
    response = client.get(reverse("analysis:pdf", args=[world.client.pk]), {"year": 2024, "rate": value})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert response.context["assumptions"].errors["rate"]


@pytest.mark.parametrize(
    ("field", "value"), [("rate", "NaN"), ("rate", "sNaN"), ("coefficient", "NaN"), ("rate", "-Infinity")]
)
def test_the_office_view_with_a_bad_assumption_is_400_with_the_error(client, world, self_employed, field, value):
    client.force_login(world.alice)
    response = client.get(reverse("analysis:room"), {"year": 2024, field: value})
    assert response.status_code == 400
    assert response.context["assumptions"].errors[field]


@pytest.mark.parametrize(
    ("field", "value"),
    [("rate", v) for v in NOT_NUMBERS]
    + [("coefficient", v) for v in ["NaN", "sNaN", "Infinity", "0", "41"]]
    + [("rate", "11"), ("option", "garbage"), ("year", "garbage"), ("year", "1e999999"), ("year", "99999999999")],
)
def test_the_api_analysis_refuses_a_bad_assumption_with_422(api, world, field, value):
    with translation.override("en"):
        response = api.get(f"/api/v1/clients/{world.client.pk}/analysis", **{"year": "2024", field: value})
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["detail"] and body["errors"][field]


def test_the_api_analysis_says_which_years_it_knows(api, world):
    with translation.override("en"):
        response = api.get(f"/api/v1/clients/{world.client.pk}/analysis", year="1990")
    assert response.status_code == 422
    message = response.json()["errors"]["year"][0]
    assert message.startswith("Choisissez une année pour laquelle les règles sont connues : 2024, 2025")  # French


# 9. Pagination ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"offset": "10000000000000000000"},
        {"offset": "9223372036854775807"},
        {"limit": "10000000000000000000"},
        {"limit": "201"},
        {"limit": "0"},
        {"offset": "-1"},
    ],
)
def test_a_page_out_of_range_is_422_not_500(api, params):
    response = api.get("/api/v1/clients", **params)
    assert response.status_code == 422, response.content
    assert response.json()["errors"]


def test_a_limit_over_200_says_the_limit_in_the_users_language(api):
    response = api.get("/api/v1/clients", limit="201")  # Alice reads French
    assert response.json()["errors"]["limit"] == ["Assurez-vous que cette valeur est inférieure ou égale à 200."]


def test_a_limit_of_200_is_accepted(api, world):
    response = api.get("/api/v1/clients", limit="200", offset="1000000")
    assert response.status_code == 200 and response.json()["items"] == []


def test_the_schema_states_the_limits_of_a_page(client):
    parameters = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/clients"]["get"]["parameters"]
    schema = {p["name"]: p["schema"] for p in parameters}
    assert (schema["limit"]["minimum"], schema["limit"]["maximum"]) == (1, 200)
    assert schema["offset"]["minimum"] == 0 and schema["offset"]["maximum"] < 2**63


# 11. Control characters ------------------------------------------------------------------------

CONTROL = ["Dubois\r\nX-Evil: 1", "a\x00b", "a\x07b", "a\tb", "a\x1bb", "a\x85b", "a\u202eb", "a\ufeffb", "a\ud800b"]


@pytest.mark.parametrize("value", CONTROL)
def test_the_api_refuses_a_control_character_in_a_name(api, world, value):
    with translation.override("en"):
        response = api.patch(f"/api/v1/clients/{world.client.pk}", {"last_name": value})
    assert response.status_code == 422, response.content
    assert response.json()["errors"]["last_name"]
    world.client.refresh_from_db()
    assert world.client.last_name == "Dubois"


@pytest.mark.parametrize("value", CONTROL)
def test_the_api_refuses_a_control_character_in_a_client_number(api, world, value):
    response = api.patch(f"/api/v1/clients/{world.client.pk}", {"client_number": value})
    assert response.status_code == 422, response.content
    assert response.json()["errors"]


def test_the_api_refuses_a_control_character_in_an_address_and_a_company(api, world):
    response = api.patch(
        f"/api/v1/clients/{world.client.pk}",
        {
            "address": {"street": "Rue\r\nX"},
            "social_status": {
                "code": "company_director",
                "fiscal_year_start": "2026-01-01",
                "fiscal_year_end": "2026-12-31",
                "company_name": "SR\x0bL",
            },
        },
    )
    assert response.status_code == 422, response.content
    assert set(response.json()["errors"]) >= {"address.street", "social_status.company_name"}


def test_the_identity_form_refuses_a_name_with_a_line_break(client, world):
    client.force_login(world.alice)
    with translation.override("en"):
        response = client.post(
            reverse("clients:edit", args=[world.client.pk]),
            {
                "last_name": "Dubois\r\nX",
                "first_name": "Marc",
                "national_number": world.client.national_number,
                "language": "fr",
                "country": "BE",
                "account_manager": world.alice.pk,
            },
        )
    assert response.status_code == 200
    assert "last_name" in response.context["form"].errors
    # The page as the user read it (in their French), not the lazy message read again after the request.
    assert "sans caractère de contrôle ni caractère invisible (U+000D en position 7)" in response.content.decode()
    world.client.refresh_from_db()
    assert world.client.last_name == "Dubois"


def test_a_career_line_refuses_a_control_character_in_the_employer(api, world):
    response = api.post(
        f"/api/v1/clients/{world.client.pk}/career-lines", {"from_year": 2005, "status": "employee", "employer": "A\rB"}
    )
    assert response.status_code == 422 and response.json()["errors"]["employer"]
    assert not CareerLine.objects.filter(client=world.client).exists()


def test_notes_keep_line_breaks_and_tabs_but_no_other_control_character(client, world):
    headers = api_headers(world.token(world.alice))
    url = f"/api/v1/clients/{world.client.pk}/policies"
    body = {"section": "pension", "type": "plci", "insurer": "ERGO", "number": "330021091 r02"}
    refused = client.post(url, {**body, "notes": "a\x07b"}, "application/json", **headers)
    assert refused.status_code == 422 and refused.json()["errors"]["notes"]
    refused = client.post(url, {**body, "goal": "a\nb"}, "application/json", **headers)
    assert refused.status_code == 422 and refused.json()["errors"]["goal"]
    assert not Policy.objects.filter(client=world.client).exists()
    taken = client.post(
        url, {**body, "notes": "line 1\r\nline 2\n\tindented", "beneficiary": "A\nB"}, "application/json", **headers
    )
    assert taken.status_code == 201, taken.content
    assert taken.json()["notes"] == "line 1\r\nline 2\n\tindented"


def test_the_policy_form_refuses_a_control_character_in_the_notes(client, world):
    client.force_login(world.alice)
    response = client.post(
        reverse("policies:new", args=[world.client.pk]),
        {
            "section": "pension",
            "type": "plci",
            "insurer": "ERGO",
            "number": "330021091 r02",
            "status": "active",
            "payment_frequency": "yearly",
            "notes": "a\x1bb",
        },
    )
    assert response.status_code == 200 and "notes" in response.context["form"].errors
    assert not Policy.objects.exists()


def test_the_schema_states_that_names_take_no_control_character(client):
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    last_name = schema["ClientIn"]["properties"]["last_name"]
    assert last_name["maxLength"] == 150 and "\\u0000" in last_name["pattern"]


@pytest.mark.parametrize("name", ["Dubois\r\nX-Evil: 1", "Dubois\x00", 'Lefèvre "l\'aîné";\\', "a\x0cb\u202e"])
def test_the_pdf_never_fails_on_the_stored_name(client, world, name):
    # Stored before names were checked (or by an older import): the PDF still works.
    Client.objects.filter(pk=world.client.pk).update(last_name=name.replace("\x00", "") if _is_pg() else name)
    client.force_login(world.alice)
    response = client.get(reverse("analysis:pdf", args=[world.client.pk]), {"year": 2024})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline; filename")
    assert not any(ord(c) < 32 or ord(c) == 127 for c in disposition)


def _is_pg() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


# 12. NUL bytes in a search ---------------------------------------------------------------------


@pytest.mark.parametrize("q", ["\x00", "a\x00b", "Dub\x00ois", "85.07\x00"])
def test_a_nul_byte_in_the_search_answers_the_list(client, world, q):
    client.force_login(world.alice)
    response = client.get(reverse("clients:list"), {"q": q, "sort": "\x00", "page": "\x00"})
    assert response.status_code == 200
    response = client.get(reverse("clients:list"), {"q": q}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200


def test_a_nul_byte_in_the_api_search_is_422_with_a_message(api):
    with translation.override("en"):
        response = api.get("/api/v1/clients", search="a\x00b")
    assert response.status_code == 422
    assert response.json()["errors"]["search"]


def test_the_search_still_finds_a_name(api, world):
    response = api.get("/api/v1/clients", search="dubois")
    assert [c["last_name"] for c in response.json()["items"]] == ["Dubois"]


# 13. Numbers and lengths out of the model's limits ---------------------------------------------


def test_a_waiting_period_out_of_range_is_422_on_the_api(api, world):
    url = f"/api/v1/clients/{world.client.pk}/policies"
    body = {"section": "disability", "type": "guaranteed_income", "insurer": "ERGO", "number": "330021091 r02"}
    response = api.post(url, {**body, "disability_waiting_days": 99999999})
    assert response.status_code == 422, response.content
    assert response.json()["errors"]["disability_waiting_days"]
    assert not Policy.objects.exists()


def test_a_waiting_period_out_of_range_is_a_form_error_on_the_page(client, world):
    policy = PolicyFactory(client=world.client, section="disability", type="guaranteed_income")
    client.force_login(world.alice)
    response = client.post(
        reverse("policies:edit", args=[policy.pk]),
        {
            "section": "disability",
            "type": "guaranteed_income",
            "insurer": policy.insurer,
            "number": policy.number,
            "status": "active",
            "payment_frequency": "yearly",
            "disability_waiting_days": "99999999",
        },
    )
    assert response.status_code == 200 and "disability_waiting_days" in response.context["form"].errors
    policy.refresh_from_db()
    assert policy.disability_waiting_days is None


@pytest.mark.parametrize("amount", ["1234567890123.00", "99999999999999999999", "1e20", "0.001"])
def test_an_amount_with_too_many_digits_is_refused_for_a_policy(api, world, amount):
    url = f"/api/v1/clients/{world.client.pk}/policies"
    body = {"section": "pension", "type": "plci", "insurer": "ERGO", "number": "330021091 r02"}
    response = api.post(url, {**body, "annual_premium": amount})
    assert response.status_code == 422, response.content
    assert not Policy.objects.exists()


@pytest.mark.parametrize("field", ["net_taxable_professional_income", "gross_remuneration", "plci_reference_income"])
def test_an_income_with_more_digits_than_the_column_is_refused(api, world, field):
    # Income amounts have 12 digits (10 before the decimal mark), policies 14.
    response = api.put(f"/api/v1/clients/{world.client.pk}/incomes/2024", {field: "12345678901.00"})
    assert response.status_code == 422, response.content
    assert response.json()["errors"][field]
    assert not Income.objects.exists()


def test_an_income_form_with_more_digits_than_the_column_is_a_form_error(client, world):
    client.force_login(world.alice)
    response = client.post(
        reverse("clients:income", args=[world.client.pk, 2024]), {"gross_remuneration": "12 345 678 901,00"}
    )
    assert response.status_code == 200 and "gross_remuneration" in response.context["form"].errors
    assert not Income.objects.exists()


def test_a_career_income_with_more_digits_than_the_column_is_refused(api, world):
    response = api.post(
        f"/api/v1/clients/{world.client.pk}/career-lines",
        {"from_year": 2005, "status": "employee", "gross_annual_income": "12345678901.00"},
    )
    assert response.status_code == 422 and response.json()["errors"]["gross_annual_income"]


@pytest.mark.parametrize("year", [99999999, 2**40, -5])
def test_a_career_year_out_of_range_is_422(api, world, year):
    response = api.post(f"/api/v1/clients/{world.client.pk}/career-lines", {"from_year": year, "status": "employee"})
    assert response.status_code == 422, response.content
    assert not CareerLine.objects.filter(client=world.client).exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("last_name", "x" * 151),
        ("first_name", "x" * 151),
        ("client_number", "x" * 51),
        ("phone", "1" * 41),
        ("address", {"municipality": "x" * 101}),
        ("address", {"postcode": "1" * 21}),
    ],
)
def test_a_string_longer_than_its_column_is_422(api, world, field, value):
    response = api.patch(f"/api/v1/clients/{world.client.pk}", {field: value})
    assert response.status_code == 422, response.content


def test_a_long_name_whose_search_form_is_longer_still_saves(api, world):
    # "ﷺ" is one character that NFKD spells with 18: the search key must not overflow its column.
    response = api.patch(
        f"/api/v1/clients/{world.client.pk}", {"last_name": "\ufdfa" * 150, "first_name": "\ufdfa" * 150}
    )
    assert response.status_code == 200, response.content
    world.client.refresh_from_db()
    assert world.client.last_name == "\ufdfa" * 150 and len(world.client.search_name) == 320


def test_a_policy_number_or_goal_too_long_is_422(api, world):
    url = f"/api/v1/clients/{world.client.pk}/policies"
    response = api.post(url, {"section": "pension", "type": "plci", "insurer": "ERGO", "number": "1" * 41})
    assert response.status_code == 422, response.content
    body = {"section": "investment", "type": "investment_insurance", "insurer": "ERGO", "number": "330021091 r02"}
    response = api.post(url, {**body, "goal": "x" * 101})
    assert response.status_code == 422, response.content


def test_the_schema_states_the_ranges_of_numbers_and_lengths_of_strings(client):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    waiting = schemas["PolicyIn"]["properties"]["disability_waiting_days"]
    assert '"maximum": 32767' in str(waiting).replace("'", '"')
    assert "maxLength" in str(schemas["PolicyIn"]["properties"]["number"])
    assert "maxLength" in str(schemas["AddressPatch"]["properties"]["street"])
    assert "maximum" in str(schemas["CareerLineIn"]["properties"]["from_year"])


@pytest.mark.parametrize("year", ["garbage", "1e999999", "99999999999999999999", "\x00", "٢٠٢٤"])
def test_a_year_that_is_not_one_the_rules_know_is_never_a_500_on_the_pages(client, world, self_employed, year):
    client.force_login(world.alice)
    for url in (reverse("analysis:client", args=[self_employed.pk]), reverse("analysis:room")):
        assert client.get(url, {"year": year}).status_code in (200, 404)


def test_an_income_year_out_of_range_is_422_and_stated(api, world, client):
    response = api.put(f"/api/v1/clients/{world.client.pk}/incomes/1900", {"gross_remuneration": "1000"})
    assert response.status_code == 422 and response.json()["errors"]["year"]
    parameters = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/clients/{client_id}/incomes/{year}"]
    year = next(p for p in parameters["put"]["parameters"] if p["name"] == "year")["schema"]
    assert (year["minimum"], year["maximum"]) == (1950, 2100)


def test_the_schema_says_which_fields_cannot_be_blanked(client):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    patch = schemas["ClientPatch"]["properties"]
    assert patch["first_name"]["minLength"] == 1 and "anyOf" not in patch["first_name"]
    assert "anyOf" not in patch["language"] and "default" not in patch["language"]
    assert "anyOf" in patch["email"]  # null clears it
    policy = schemas["PolicyPatch"]["properties"]
    assert "ERGO" in policy["insurer"]["enum"] and policy["number"]["minLength"] == 1
    assert schemas["CareerLinePatch"]["properties"]["from_year"]["minimum"] == 1940


@pytest.mark.parametrize(
    "body", [{"first_name": None}, {"first_name": "  "}, {"language": None}, {"national_number": None}]
)
def test_a_field_that_cannot_be_blanked_is_422(api, world, body):
    response = api.patch(f"/api/v1/clients/{world.client.pk}", body)
    assert response.status_code == 422, response.content
    world.client.refresh_from_db()
    assert world.client.first_name == "Marc"


@pytest.mark.parametrize("body", [{"mandate": 0}, {"managed": "yes"}, {"disability_waiting_days": "5"}, {"is_main": 1}])
def test_a_policy_flag_or_number_of_another_json_type_is_422(api, world, body):
    url = f"/api/v1/clients/{world.client.pk}/policies"
    response = api.post(
        url, {"section": "pension", "type": "plci", "insurer": "ERGO", "number": "330021091 r02", **body}
    )
    assert response.status_code == 422, response.content
    assert not Policy.objects.exists()


def test_a_career_year_written_as_a_string_is_422(api, world):
    response = api.post(f"/api/v1/clients/{world.client.pk}/career-lines", {"from_year": "2005", "status": "employee"})
    assert response.status_code == 422


def test_a_date_written_as_a_number_is_422(api, world):
    url = f"/api/v1/clients/{world.client.pk}/policies"
    response = api.post(
        url, {"section": "pension", "type": "plci", "insurer": "ERGO", "number": "330021091 r02", "start_date": 0}
    )
    assert response.status_code == 422 and response.json()["errors"]["start_date"]
    assert api.patch(f"/api/v1/clients/{world.client.pk}", {"birth_date": 1700000000}).status_code == 422


def test_the_analysis_of_year_0_is_refused_not_the_default_year(api, world):
    assert api.get(f"/api/v1/clients/{world.client.pk}/analysis", year="0").status_code == 422
