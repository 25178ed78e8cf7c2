import pytest

from conftest import api_headers
from pilier.clients.models import Client

pytestmark = pytest.mark.django_db

NEW = {
    "last_name": "Lefèvre",
    "first_name": "Olivier",
    "national_number": "85073003328",
    "language": "fr",
    "email": "olivier@example.be",
    "address": {"street": "Rue de Fer", "number": "12", "postcode": "5000", "municipality": "Namur"},
    "client_number": "B-2041",
}


def test_it_creates_a_client_and_derives_birth_date_and_gender(api, world):
    payload = {**NEW, "account_manager": "ALICE@alpha.be", "file_manager": "bob@alpha.be"}
    response = api.post("/api/v1/clients", payload)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["national_number"] == "85.07.30-033.28"
    assert body["national_number_provisional"] is False
    assert body["birth_date"] == "1985-07-30" and body["gender"] == "M"
    assert body["address"]["municipality"] == "Namur" and body["address"]["country"] == "BE"
    assert body["account_manager"] == "alice@alpha.be" and body["file_manager"] == "bob@alpha.be"
    assert body["social_status"] is None
    client = Client.objects.get(pk=body["id"])
    assert client.office == world.office
    assert client.history.first().history_user == world.alice


def test_it_creates_a_company_director_in_one_call(api):
    payload = {
        **NEW,
        "social_status": {
            "code": "company_director",
            "fiscal_year_start": "2026-01-01",
            "fiscal_year_end": "2026-12-31",
            "enterprise_number": "0403170701",
        },
    }
    body = api.post("/api/v1/clients", payload).json()
    assert body["social_status"]["code"] == "company_director"
    assert body["social_status"]["enterprise_number"] == "0403.170.701"


def test_invalid_input_is_422_with_a_message_per_field_and_writes_nothing(api):
    before = Client.objects.count()
    payload = {
        **NEW,
        "national_number": "85073003329",
        "email": "not-an-email",
        "account_manager": "nobody@alpha.be",
        "social_status": {"code": "company_director"},
    }
    response = api.post("/api/v1/clients", payload)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {
        "national_number",
        "email",
        "account_manager",
        "social_status.fiscal_year_start",
        "social_status.fiscal_year_end",
    }
    assert all(isinstance(m, str) and m for msgs in errors.values() for m in msgs)
    assert Client.objects.count() == before


def test_schema_errors_have_the_same_shape(api):
    response = api.post("/api/v1/clients", {"first_name": "X", "social_status": {"code": "astronaut"}})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert "last_name" in errors and "national_number" in errors and "social_status.code" in errors
    assert errors["last_name"] == ["Ce champ est obligatoire."]  # the user's language (fr)


def test_messages_follow_the_users_language(client, world):
    world.bob.language = "nl"
    world.bob.save()
    response = client.post(
        "/api/v1/clients",
        {**NEW, "national_number": "1"},
        content_type="application/json",
        **api_headers(world.token(world.bob)),
    )
    assert "11" in response.json()["errors"]["national_number"][0]
    assert response.json()["detail"] == "Ongeldige invoer."


def test_a_real_number_already_used_in_the_office_is_refused(api, world):
    response = api.post("/api/v1/clients", {**NEW, "national_number": world.client.national_number})
    assert response.status_code == 422
    assert "national_number" in response.json()["errors"]


def test_the_placeholder_may_repeat(api):
    for first in ("A", "B"):
        response = api.post(
            "/api/v1/clients", {**NEW, "first_name": first, "client_number": "", "national_number": "99.99.99-999.99"}
        )
        assert response.status_code == 201
        assert response.json()["national_number_provisional"] is True
        assert "National number to complete" in response.json()["todos"] or response.json()["todos"]


def test_list_and_search_show_exactly_what_the_user_sees(api, world):
    body = api.get("/api/v1/clients").json()
    assert {c["last_name"] for c in body["items"]} == {"Dubois", "Delvaux"}
    assert body["count"] == 2
    found = api.get("/api/v1/clients", search=world.client.national_number.replace(".", "").replace("-", "")).json()
    assert [c["last_name"] for c in found["items"]] == ["Dubois"]


def test_list_is_paginated(api, world):
    assert len(api.get("/api/v1/clients", limit=1).json()["items"]) == 1


def test_get_one(api, world):
    body = api.get(f"/api/v1/clients/{world.client.pk}").json()
    assert body["id"] == str(world.client.pk) and body["client_number"] == "A-100"


def test_patch_changes_only_the_given_fields(api, world):
    response = api.patch(f"/api/v1/clients/{world.client.pk}", {"phone": "0470 12 34 56", "address": {"box": "B"}})
    assert response.status_code == 200, response.json()
    world.client.refresh_from_db()
    assert world.client.phone == "0470 12 34 56" and world.client.box == "B"
    assert world.client.last_name == "Dubois" and world.client.account_manager == world.alice


def test_patch_a_new_national_number_re_derives_birth_date(api, world):
    response = api.patch(f"/api/v1/clients/{world.client.pk}", {"national_number": "85073003328"})
    assert response.status_code == 200, response.json()
    assert response.json()["birth_date"] == "1985-07-30"


def test_patch_validates_the_social_status(api, world):
    url = f"/api/v1/clients/{world.client.pk}"
    bad = {
        "social_status": {
            "code": "company_director",
            "fiscal_year_start": "2026-01-01",
            "fiscal_year_end": "2028-06-30",
        }
    }
    response = api.patch(url, bad)
    assert response.status_code == 422
    assert "social_status.fiscal_year_end" in response.json()["errors"]
    world.client.refresh_from_db()
    assert world.client.social_status == "employee"


def test_delete(api, world):
    assert api.delete(f"/api/v1/clients/{world.client.pk}").status_code == 204
    assert not Client.objects.filter(pk=world.client.pk).exists()


def test_the_openapi_document_and_the_docs_are_served(client):
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert "/api/v1/clients/{client_id}" in doc["paths"]
    assert doc["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"
    assert client.get("/api/v1/docs").status_code == 200


def test_a_revoked_or_inactive_users_token_is_refused(client, world):
    token = world.token(world.alice)
    world.alice.is_active = False
    world.alice.save()
    assert client.get("/api/v1/clients", **api_headers(token)).status_code == 401


def test_a_body_that_is_not_json_is_refused_with_a_clear_message(client, world):
    response = client.post(
        "/api/v1/clients", "{not json", content_type="application/json", **api_headers(world.token(world.alice))
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "Le corps de la requête n’est pas du JSON valide."
