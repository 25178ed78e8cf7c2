"""The API: /clients/{id}/access (POST, GET, DELETE) and /letter-templates/client-access/{lang} (GET, PUT)."""

import pytest
from django.core import mail

from conftest import api_headers
from pilier.portal.letters import DEFAULTS

pytestmark = pytest.mark.django_db


def test_create_read_and_revoke_the_access(api, world, portal_client):
    url = f"/api/v1/clients/{portal_client.pk}/access"
    assert api.get(url).json()["status"] == "none"
    response = api.post(url, {})
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "pending" and response.json()["email"] == "marc.dubois@example.be"
    assert len(mail.outbox) == 1 and "/invitation/" in mail.outbox[0].body
    assert api.get(url).json()["status"] == "pending"
    assert api.delete(url).json()["status"] == "revoked"


def test_an_address_is_asked_for_and_checked(api, world):
    url = f"/api/v1/clients/{world.client.pk}/access"
    response = api.post(url, {})
    assert response.status_code == 422 and "email" in response.json()["errors"]
    assert api.post(url, {"email": "nope"}).status_code == 422
    assert api.post(url, {"email": "marc@example.be"}).status_code == 201


def test_another_offices_file_answers_404(client, world):
    headers = api_headers(world.token(world.outsider))
    url = f"/api/v1/clients/{world.client.pk}/access"
    assert client.get(url, **headers).status_code == 404
    assert client.post(url, {}, content_type="application/json", **headers).status_code == 404


def test_the_letter_template_default_then_the_offices_own(client, world):
    url = "/api/v1/letter-templates/client-access/nl"
    admin = api_headers(world.token(world.admin))
    body = client.get(url, **admin).json()
    assert body["body"] == DEFAULTS["nl"].body and not body["custom"]
    staff = api_headers(world.token(world.alice))
    data = {"subject": "Uw dossier", "body": "Beste {client_name}, {link}"}
    assert client.put(url, data, content_type="application/json", **staff).status_code == 403
    response = client.put(url, data, content_type="application/json", **admin)
    assert response.status_code == 200 and response.json()["custom"]
    other = api_headers(world.token(world.outsider))
    assert client.get(url, **other).json()["body"] == DEFAULTS["nl"].body
    assert client.get("/api/v1/letter-templates/client-access/de", **admin).status_code == 404
