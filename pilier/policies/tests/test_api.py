import pytest

from conftest import api_headers
from pilier.policies.models import Policy
from pilier.tests.factories import PolicyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def headers(world):
    return api_headers(world.token(world.alice))


def new_policy(**overrides):
    data = {
        "section": "pension",
        "type": "plci",
        "insurer": "ERGO",
        "number": "330021091 r02",
        "annual_premium": "2451.00",
        "reserves": "12345.67",
        "reserves_date": "2026-01-01",
        "start_date": "2019-03-01",
    }
    data.update(overrides)
    return data


def test_it_adds_a_policy_and_answers_the_number_normalised(client, world, headers):
    response = client.post(f"/api/v1/clients/{world.client.pk}/policies", new_policy(), "application/json", **headers)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"] == "330021091-R02" and body["insurer"] == "ERGO"
    assert body["is_main"] is True and body["managed"] is True and body["mandate"] is False
    assert body["annual_premium"] == "2451.00" and body["status"] == "active"
    assert body["client"] == str(world.client.pk)


def test_a_refusal_is_422_with_the_reason_and_the_insurers_hint(client, world, headers):
    response = client.post(
        f"/api/v1/clients/{world.client.pk}/policies", new_policy(number="330021091"), "application/json", **headers
    )
    assert response.status_code == 422
    message = response.json()["errors"]["number"][0]
    assert "Ergo" in message and "330021091-R02" in message
    assert not Policy.objects.exists()


def test_a_plci_in_the_death_section_is_refused(client, world, headers):
    response = client.post(
        f"/api/v1/clients/{world.client.pk}/policies", new_policy(section="death"), "application/json", **headers
    )
    assert response.status_code == 422 and "type" in response.json()["errors"]


def test_an_unknown_insurer_is_refused(client, world, headers):
    response = client.post(
        f"/api/v1/clients/{world.client.pk}/policies", new_policy(insurer="ACME"), "application/json", **headers
    )
    assert response.status_code == 422 and "insurer" in response.json()["errors"]


def test_list_get_patch_delete(client, world, headers):
    first = PolicyFactory(client=world.client)
    second = PolicyFactory(client=world.client, type="plci_social")
    listed = client.get(f"/api/v1/clients/{world.client.pk}/policies", **headers).json()
    assert {p["id"] for p in listed} == {str(first.pk), str(second.pk)}
    assert client.get(f"/api/v1/policies/{second.pk}", **headers).json()["is_main"] is False
    patched = client.patch(f"/api/v1/policies/{second.pk}", {"is_main": True}, "application/json", **headers)
    assert patched.status_code == 200 and patched.json()["is_main"] is True
    first.refresh_from_db()
    assert not first.is_main
    patched = client.patch(f"/api/v1/policies/{first.pk}", {"notes": "Raise in 2027"}, "application/json", **headers)
    assert patched.json()["notes"] == "Raise in 2027" and patched.json()["is_main"] is False
    assert client.delete(f"/api/v1/policies/{second.pk}", **headers).status_code == 204
    first.refresh_from_db()
    assert first.is_main  # alone again


def test_insurers_are_listed_with_formats_examples_and_hints(client, world, headers):
    body = client.get("/api/v1/insurers", **headers).json()
    codes = {i["code"] for i in body}
    assert {"AG", "ALLIANZ", "ATHORA", "AXA", "BALOISE", "ERGO", "NN", "VIVIUM"} <= codes
    nn = next(i for i in body if i["code"] == "NN")
    assert nn["example"] == "300-0000256" and nn["hint"] == nn["hints"]["fr"] and set(nn["hints"]) == {"fr", "nl", "en"}
