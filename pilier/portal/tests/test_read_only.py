"""The Team section's writes and the portal's API writes as a staff member who may read the file but not write:
403, nothing changed (the walk of pilier/tests/test_read_only_actor.py, for the portal's routes)."""

import pytest
from django.urls import reverse

from conftest import api_headers
from pilier.accounts.access import Actor
from pilier.portal.models import ClientAccess, Invitation, LetterTemplate

pytestmark = pytest.mark.django_db


@pytest.fixture
def read_only(monkeypatch):
    monkeypatch.setattr(Actor, "can_write_files", property(lambda self: False))
    monkeypatch.setattr(Actor, "can_write_incomes", property(lambda self: False))


@pytest.mark.parametrize("name", ["portal:team_invite", "portal:team_resend", "portal:team_revoke"])
def test_the_team_writes_answer_403(client, world, portal_client, read_only, name):
    client.force_login(world.admin)
    data = {"email": "marc@example.be", "subject": "S", "body": "B", "action": "send"}
    assert client.post(reverse(name, args=[portal_client.pk]), data).status_code == 403
    assert not ClientAccess.objects.exists() and not Invitation.objects.exists()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/clients/{id}/access"),
        ("delete", "/api/v1/clients/{id}/access"),
        ("put", "/api/v1/letter-templates/client-access/fr"),
    ],
)
def test_the_api_writes_answer_403(client, world, portal_client, read_only, method, path):
    headers = api_headers(world.token(world.admin))
    body = {"subject": "S", "body": "B"} if "letter" in path else {}
    response = getattr(client, method)(
        path.format(id=portal_client.pk), body, content_type="application/json", **headers
    )
    assert response.status_code == 403, response.content
    assert not ClientAccess.objects.exists() and not LetterTemplate.objects.exists()
