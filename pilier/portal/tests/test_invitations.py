"""The one-time link: 7 days, single use, stored hashed, a re-send voids the previous link, revoke voids it;
the page behind it speaks the invited person's language and says why a link is refused."""

import datetime
import hashlib

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from pilier.accounts.models import User
from pilier.portal import invitations
from pilier.portal.models import Invitation, Purpose

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    """`clock(when)`: the invitations module (and the model's status) read that time as now."""

    def set_now(when):
        monkeypatch.setattr(invitations.timezone, "now", lambda: when)

    return set_now


NEW_PASSWORD = "a-long-and-new-passphrase"


def choose(client, token, password=NEW_PASSWORD):
    url = reverse("portal:invitation", args=[token])
    return client.post(url, {"new_password1": password, "new_password2": password})


@pytest.fixture
def newcomer(db):
    return User.objects.create_user("new@example.be", password=None, language="nl", is_active=False)


def test_only_the_tokens_hash_is_stored(newcomer):
    invitation, token = invitations.issue(user=newcomer, purpose=Purpose.STAFF)
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert not Invitation.objects.filter(token_hash=token).exists()
    assert len(token) >= 40


def test_a_link_is_valid_seven_days(newcomer, clock):
    start = timezone.now()
    clock(start)
    _invitation, token = invitations.issue(user=newcomer, purpose=Purpose.STAFF)
    clock(start + datetime.timedelta(days=7, seconds=-1))
    assert invitations.check(token)
    clock(start + datetime.timedelta(days=7))
    with pytest.raises(invitations.InvitationError) as exc:
        invitations.check(token)
    assert exc.value.code == "expired"


def test_a_link_is_used_once(newcomer):
    _invitation, token = invitations.issue(user=newcomer, purpose=Purpose.STAFF)
    invitations.accept(token, NEW_PASSWORD)
    newcomer.refresh_from_db()
    assert newcomer.check_password(NEW_PASSWORD) and newcomer.is_active
    with pytest.raises(invitations.InvitationError) as exc:
        invitations.accept(token, "another-long-passphrase")
    assert exc.value.code == "used"
    newcomer.refresh_from_db()
    assert newcomer.check_password(NEW_PASSWORD)


def test_a_new_link_voids_the_previous_one(newcomer):
    first, old = invitations.issue(user=newcomer, purpose=Purpose.STAFF)
    _second, new = invitations.issue(user=newcomer, purpose=Purpose.STAFF)
    with pytest.raises(invitations.InvitationError) as exc:
        invitations.check(old)
    assert exc.value.code == "replaced"
    first.refresh_from_db()
    assert first.status == "replaced"
    assert invitations.check(new)


def test_a_link_of_another_purpose_stays_valid(newcomer):
    _staff, token = invitations.issue(user=newcomer, purpose=Purpose.STAFF)
    invitations.issue(user=newcomer, purpose=Purpose.ACCOUNTANT)
    assert invitations.check(token)


def test_revoke_voids_the_pending_links(newcomer):
    _invitation, token = invitations.issue(user=newcomer, purpose=Purpose.STAFF)
    assert invitations.revoke(user=newcomer, purpose=Purpose.STAFF) == 1
    with pytest.raises(invitations.InvitationError) as exc:
        invitations.check(token)
    assert exc.value.code == "revoked"


def test_an_unknown_token_is_refused():
    for token in ("", "nope", "x" * 43):
        with pytest.raises(invitations.InvitationError) as exc:
            invitations.check(token)
        assert exc.value.code == "unknown"


def test_the_accept_hooks_run(newcomer):
    seen = []
    invitations.on_accept("test-purpose")(seen.append)
    try:
        invitation, token = invitations.issue(user=newcomer, purpose="test-purpose")
        invitations.accept(token, NEW_PASSWORD)
    finally:
        invitations._ON_ACCEPT.pop("test-purpose")
    assert [i.pk for i in seen] == [invitation.pk]


# The page ------------------------------------------------------------------------------------------


def test_the_page_asks_for_a_password_in_the_invited_persons_language(client, newcomer):
    _invitation, token = invitations.issue(user=newcomer, purpose=Purpose.STAFF)
    response = client.get(reverse("portal:invitation", args=[token]))
    assert response.status_code == 200
    assert 'lang="nl"' in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_page_refuses_a_weak_password_and_changes_nothing(client, newcomer):
    _invitation, token = invitations.issue(user=newcomer, purpose=Purpose.STAFF)
    response = choose(client, token, "1234")
    assert response.status_code == 200 and response.context["form"].errors
    newcomer.refresh_from_db()
    assert not newcomer.has_usable_password() and not newcomer.is_active
    assert invitations.check(token)


def test_the_page_sets_the_password_logs_in_and_the_link_is_spent(client, newcomer):
    _invitation, token = invitations.issue(user=newcomer, purpose=Purpose.STAFF)
    response = choose(client, token)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.session["_auth_user_id"] == str(newcomer.pk)
    client.logout()
    response = client.get(reverse("portal:invitation", args=[token]))
    assert response.status_code == 410
    assert response.context["code"] == "used"
    newcomer.refresh_from_db()
    assert newcomer.check_password(NEW_PASSWORD)


@pytest.mark.parametrize("code", ["expired", "used", "replaced", "revoked"])
def test_each_refusal_says_why_in_the_invited_persons_language(client, newcomer, code):
    invitation, token = invitations.issue(user=newcomer, purpose=Purpose.STAFF)
    if code == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    if code == "used":
        invitations.accept(token, NEW_PASSWORD)
    elif code == "replaced":
        invitations.issue(user=newcomer, purpose=Purpose.STAFF)
    elif code == "revoked":
        invitations.revoke(user=newcomer, purpose=Purpose.STAFF)
    response = client.get(reverse("portal:invitation", args=[token]))
    assert response.status_code == 410
    assert response.context["code"] == code
    html = response.content.decode()
    assert 'lang="nl"' in html and 'id="invitation-error"' in html
    assert not mail.outbox


def test_an_unknown_link_answers_404_with_a_message(client):
    response = client.get(reverse("portal:invitation", args=["not-a-token"]))
    assert response.status_code == 404
    assert response.context["code"] == "unknown"
