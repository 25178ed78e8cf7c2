import re

import pytest
from django.core import mail
from django.urls import reverse

from pilier.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, email, password):
    return client.post(reverse("login"), {"username": email, "password": password})


def test_it_logs_in_with_email_and_password(client, world):
    response = login(client, "ALICE@alpha.be", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("clients:list")
    assert client.get(reverse("clients:list")).status_code == 200


def test_a_wrong_password_is_refused(client, world):
    response = login(client, "alice@alpha.be", "wrong-password")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_it_logs_out(client, world):
    client.force_login(world.alice)
    client.post(reverse("logout"))
    assert client.get(reverse("clients:list")).status_code == 302


def test_repeated_failures_lock_the_account_for_a_while(client, world, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "alice@alpha.be", "wrong-password")
    response = login(client, "alice@alpha.be", PASSWORD)
    assert response.status_code == 429
    assert "Compte bloqué" in response.content.decode()
    # Another account is not locked.
    assert login(client, "bob@alpha.be", PASSWORD).status_code == 302


def test_passwords_are_hashed_with_argon2_outside_tests():
    from pilier import settings as module  # the tests swap in a fast hasher

    assert module.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_a_forgotten_password_is_reset_by_email(client, world):
    response = client.post(reverse("password_reset"), {"email": "alice@alpha.be"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    form_url = client.get(link)["Location"]
    response = client.post(
        form_url, {"new_password1": "a-new-long-passphrase", "new_password2": "a-new-long-passphrase"}
    )
    assert response.status_code == 302
    assert login(client, "alice@alpha.be", "a-new-long-passphrase").status_code == 302


def test_reset_says_nothing_about_unknown_addresses(client, world):
    response = client.post(reverse("password_reset"), {"email": "nobody@alpha.be"})
    assert response.status_code == 302 and len(mail.outbox) == 0


@pytest.mark.parametrize(("language", "word"), [("fr", "Nouveau client"), ("nl", "Nieuwe klant"), ("en", "New client")])
def test_the_interface_follows_the_users_language(client, world, language, word):
    world.bob.language = language
    world.bob.save()
    client.force_login(world.bob)
    html = client.get(reverse("clients:list")).content.decode()
    assert f'<html lang="{language}">' in html
    assert word in html


def test_a_user_changes_their_language(client, world):
    client.force_login(world.bob)
    client.post(reverse("accounts:profile"), {"first_name": "Bob", "last_name": "Bauwens", "language": "nl"})
    world.bob.refresh_from_db()
    assert world.bob.language == "nl"
    assert "Klanten" in client.get(reverse("clients:list")).content.decode()


def test_the_login_page_is_french_by_default(client, db):
    assert "Se connecter" in client.get(reverse("login")).content.decode()


def test_api_tokens_are_created_in_the_ui_shown_once_and_revocable(client, world):
    client.force_login(world.alice)
    response = client.post(reverse("accounts:token_create"), {"name": "Brio"})
    token = response.context["new_token"]
    assert token.startswith("plr_")
    assert client.get("/api/v1/clients", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    assert token not in client.get(reverse("accounts:profile")).content.decode()
    row = world.alice.api_tokens.get()
    client.post(reverse("accounts:token_revoke", args=[row.pk]))
    assert client.get("/api/v1/clients", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_nobody_revokes_someone_elses_token(client, world):
    world.token(world.alice)
    row = world.alice.api_tokens.get()
    client.force_login(world.bob)
    client.post(reverse("accounts:token_revoke", args=[row.pk]))
    assert world.alice.api_tokens.exists()
