"""The office's Team section: create access (the file's e-mail, or one asked for), the letter, re-send, revoke
(the client's sessions end at once), the printable overview; and the client's portal."""

import pytest
from django.core import mail
from django.urls import reverse

from pilier.accounts.models import User
from pilier.portal.models import AccessEvent, ClientAccess, EventKind, Invitation
from pilier.portal.services import access_state
from pilier.tests.factories import PolicyFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-and-new-passphrase"


def create(client, world, file, email=None, action="send", **fields):
    client.force_login(world.alice)
    data = {"email": email or file.email, "subject": "S", "body": "Hello {link}", "action": action, **fields}
    return client.post(reverse("portal:team_invite", args=[file.pk]), data)


def link_in(message) -> str:
    return next(w for w in message.body.split() if "/invitation/" in w)


def accept(client, link):
    path = link.split("testserver", 1)[1]
    return client.post(path, {"new_password1": PASSWORD, "new_password2": PASSWORD})


def test_the_team_section_shows_on_the_file(client, world, portal_client):
    client.force_login(world.alice)
    html = client.get(portal_client.get_absolute_url()).content.decode()
    assert 'id="team"' in html and 'data-status="none"' in html


def test_the_letter_is_filled_in_in_the_clients_language(client, world, portal_client):
    client.force_login(world.alice)
    response = client.get(reverse("portal:team_invite", args=[portal_client.pk]))
    body = response.context["form"].initial["body"]
    assert "Beste Marc Dubois" in body and "Alice Aerts" in body and "Courtage Alpha" in body and "{link}" in body


def test_creating_access_sends_the_invitation_and_the_client_lands_on_their_file(client, world, portal_client):
    response = create(client, world, portal_client)
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["marc.dubois@example.be"]
    assert mail.outbox[0].reply_to == ["alice@alpha.be"]
    client.logout()
    assert accept(client, link_in(mail.outbox[0]))["Location"] == reverse("home")
    assert client.get(reverse("home"))["Location"] == reverse("portal:home")
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200 and "Marc" in response.content.decode()
    kinds = set(AccessEvent.objects.filter(client=portal_client).values_list("kind", flat=True))
    assert {
        EventKind.ACCESS_CREATED,
        EventKind.INVITATION_SENT,
        EventKind.INVITATION_ACCEPTED,
        EventKind.PORTAL_VIEW,
    } <= kinds


def test_a_file_without_an_email_asks_for_one_checked(client, world):
    file = world.client
    response = create(client, world, file, email="not an address")
    assert response.status_code == 400 and not ClientAccess.objects.exists() and not mail.outbox
    response = create(client, world, file, email="marc@example.be")
    assert response.status_code == 302
    file.refresh_from_db()
    assert file.email == "marc@example.be"


def test_a_staff_address_is_refused(client, world, portal_client):
    response = create(client, world, portal_client, email="bob@alpha.be")
    assert response.status_code == 400 and not ClientAccess.objects.exists()
    assert not Invitation.objects.exists()


def test_an_address_opening_another_file_is_refused(client, world, portal_client):
    create(client, world, portal_client)
    response = create(client, world, world.restricted, email="marc.dubois@example.be")
    assert response.status_code == 400
    assert ClientAccess.objects.count() == 1


def test_resend_voids_the_previous_link(client, world, portal_client):
    create(client, world, portal_client)
    first = link_in(mail.outbox[0])
    client.post(reverse("portal:team_resend", args=[portal_client.pk]))
    assert len(mail.outbox) == 2
    client.logout()
    assert accept(client, first).status_code == 410
    assert accept(client, link_in(mail.outbox[1])).status_code == 302


def test_revoking_ends_the_clients_sessions_at_once(client, world, portal_client, django_user_model):
    from django.test import Client

    create(client, world, portal_client)
    visitor = Client()
    accept(visitor, link_in(mail.outbox[0]))
    assert visitor.get(reverse("portal:home")).status_code == 200
    client.post(reverse("portal:team_revoke", args=[portal_client.pk]))
    response = visitor.get(reverse("portal:home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert access_state(portal_client).status == "revoked"
    user = User.objects.get(email="marc.dubois@example.be")
    assert not user.is_active and not user.has_usable_password()
    assert AccessEvent.objects.filter(client=portal_client, kind=EventKind.ACCESS_REVOKED, user=world.alice).exists()


def test_revoke_voids_a_pending_link_and_access_can_be_given_again(client, world, portal_client):
    create(client, world, portal_client)
    client.post(reverse("portal:team_revoke", args=[portal_client.pk]))
    visitor_link = link_in(mail.outbox[0])
    create(client, world, portal_client)
    assert access_state(portal_client).status == "pending"
    client.logout()
    assert accept(client, visitor_link).status_code == 410
    assert accept(client, link_in(mail.outbox[1])).status_code == 302


def test_the_letter_prints_as_a_pdf(client, world, portal_client):
    response = create(client, world, portal_client, action="print")
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    assert not mail.outbox and access_state(portal_client).status == "pending"


def test_the_overview_prints_as_a_pdf(client, world, portal_client):
    PolicyFactory(client=portal_client, managed=False)
    client.force_login(world.alice)
    response = client.get(reverse("portal:overview_pdf", args=[portal_client.pk]))
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")


def test_the_portal_marks_policies_not_managed_and_records_a_mandate_proposal(client, world, portal_client):
    policy = PolicyFactory(client=portal_client, managed=False)
    create(client, world, portal_client)
    client.logout()
    accept(client, link_in(mail.outbox[0]))
    html = client.get(reverse("portal:home")).content.decode()
    assert f'id="portal-policy-{policy.pk}"' in html and "not-managed" in html
    assert 'lang="nl"' in html
    client.post(reverse("portal:mandate"), {"policy": str(policy.pk)})
    assert AccessEvent.objects.filter(client=portal_client, kind=EventKind.MANDATE_PROPOSED).exists()
    client.post(reverse("portal:language"), {"language": "fr"})
    assert 'lang="fr"' in client.get(reverse("portal:home")).content.decode()


def test_a_restricted_file_opens_for_its_client(client, world):
    file = world.restricted
    create(client, world, file, email="anne@example.be")
    client.logout()
    accept(client, link_in(mail.outbox[0]))
    assert client.get(reverse("portal:home")).status_code == 200
    assert client.get(file.get_absolute_url()).status_code == 404


def test_a_staff_login_never_opens_a_portal(client, world):
    client.force_login(world.alice)
    for name in ("portal:home", "portal:pdf"):
        assert client.get(reverse(name)).status_code == 404


def test_an_office_admin_edits_the_letter_and_it_is_used(client, world, portal_client):
    url = reverse("portal:letter_template", args=["nl"])
    client.force_login(world.alice)
    assert client.get(url).status_code == 403
    client.force_login(world.admin)
    assert client.get(url).status_code == 200
    assert (
        client.post(url, {"subject": "Toegang", "body": "Dag {client_name}, van {office}: {link}"}).status_code == 302
    )
    client.force_login(world.alice)
    body = client.get(reverse("portal:team_invite", args=[portal_client.pk])).context["form"].initial["body"]
    assert body == "Dag Marc Dubois, van Courtage Alpha: {link}"
    client.force_login(world.admin)
    client.post(url, {"action": "reset"})
    assert client.get(url).context["custom"] is False
    assert client.get(reverse("portal:letter_template", args=["de"])).status_code == 404
