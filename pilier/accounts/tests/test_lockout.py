"""The login lockout keys on the account (its normalised address), whatever the spelling."""

import itertools
import re

import pytest
from django.core import mail
from django.urls import reverse

from pilier.accounts.models import User
from pilier.tests.factories import PASSWORD, staff

pytestmark = pytest.mark.django_db

ADDRESS = "a.lock1@alpha.be"


def login(client, email, password, ip="203.0.113.7"):
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=ip)


def spellings(address: str, count: int) -> list[str]:
    """`count` spellings of one address: letters in every case, spaces and tabs around it."""
    letters = [i for i, c in enumerate(address) if c.isalpha()]
    pads = itertools.cycle([("", ""), (" ", " "), ("  ", ""), ("", "\t"), ("\t", " ")])
    variants = []
    for n in range(1, count + 1):
        chars = list(address)
        for bit, i in enumerate(letters):
            if n >> (bit % 12) & 1:
                chars[i] = chars[i].upper()
        before, after = next(pads)
        variants.append(before + "".join(chars) + after)
    return variants


@pytest.fixture
def locksmith(world):
    return staff(world.office, email=ADDRESS, first_name="Lena", last_name="Lock")


def lock(client, ip="203.0.113.7"):
    statuses = [login(client, ADDRESS, "wrong-password", ip=ip).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]  # the fifth failure locks


@pytest.mark.parametrize(
    "spelling", ["A.lock1@alpha.be", " a.lock1@alpha.be ", "A.LOCK1@ALPHA.BE", "\ta.Lock1@Alpha.Be  "]
)
def test_a_locked_account_is_refused_in_every_spelling_even_with_the_right_password(client, locksmith, spelling):
    lock(client)
    response = login(client, spelling, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_wrong_passwords_in_other_spellings_count_against_the_same_account(client, locksmith):
    for spelling in spellings(ADDRESS, 5):
        login(client, spelling, "wrong-password")
    assert login(client, ADDRESS, PASSWORD).status_code == 429


def test_eighty_guesses_over_twenty_spellings_are_stopped_after_five(client, locksmith):
    variants = spellings(ADDRESS, 20)
    assert len(set(variants)) == 20
    statuses = [login(client, variants[i % 20], f"guess-{i}").status_code for i in range(80)]
    assert statuses[:4] == [200] * 4
    assert set(statuses[4:]) == {429}
    assert all(login(client, spelling, PASSWORD).status_code == 429 for spelling in variants)


@pytest.mark.parametrize("look_alike", ["al\u0131ce@alpha.be", "ALICE@ALPHA.BE".replace("I", "\u0131")])
def test_a_look_alike_letter_that_the_database_folds_does_not_open_a_locked_account(client, world, look_alike):
    # PostgreSQL's UPPER() turns the dotless ı into I: an address compared case-insensitively by the
    # database found the account under a spelling that the lockout counted apart.
    for _ in range(5):
        login(client, "alice@alpha.be", "wrong-password")
    response = login(client, look_alike, PASSWORD)
    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session


def test_the_lock_is_on_the_account_not_on_the_address_it_came_from(client, locksmith):
    lock(client, ip="203.0.113.7")
    assert login(client, ADDRESS, PASSWORD, ip="198.51.100.20").status_code == 429


def test_a_colleague_behind_the_same_address_still_logs_in(client, world, locksmith):
    lock(client, ip="203.0.113.7")
    assert login(client, "Bob@Alpha.be ", PASSWORD, ip="203.0.113.7").status_code == 302


def test_each_failure_is_recorded_with_the_normalised_address_and_the_client_ip(client, locksmith):
    from axes.models import AccessAttempt

    login(client, " A.Lock1@Alpha.BE", "wrong-password", ip="203.0.113.7")
    login(client, "a.LOCK1@alpha.be", "wrong-password", ip="203.0.113.7")
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.ip_address, attempt.failures_since_start) == (ADDRESS, "203.0.113.7", 2)


def test_behind_a_proxy_the_client_ip_is_the_one_the_proxy_saw(client, locksmith, settings):
    from axes.models import AccessAttempt

    settings.BEHIND_PROXY = True
    client.post(
        reverse("login"),
        {"username": ADDRESS, "password": "wrong-password"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7",  # the first one is whatever the client wrote
    )
    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"


def test_without_a_proxy_a_forwarded_for_header_is_ignored(client, locksmith):
    from axes.models import AccessAttempt

    client.post(
        reverse("login"),
        {"username": ADDRESS, "password": "wrong-password"},
        REMOTE_ADDR="203.0.113.7",
        HTTP_X_FORWARDED_FOR="1.2.3.4",
    )
    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"


def test_the_password_reset_mails_only_the_stored_address_whatever_the_spelling(client, locksmith):
    client.post(reverse("password_reset"), {"email": " A.LOCK1@alpha.be "})
    assert [m.to for m in mail.outbox] == [[ADDRESS]]


def test_a_completed_password_reset_lifts_the_lock_as_the_locked_page_says(client, locksmith):
    lock(client)
    client.post(reverse("password_reset"), {"email": ADDRESS})
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    form_url = client.get(link)["Location"]
    client.post(form_url, {"new_password1": "a-new-long-passphrase", "new_password2": "a-new-long-passphrase"})
    assert login(client, " A.lock1@alpha.be", "a-new-long-passphrase").status_code == 302


def test_addresses_are_stored_in_their_one_spelling(world):
    user = User.objects.create_user(" Mixed.Case@Alpha.BE ", PASSWORD)
    assert user.email == "mixed.case@alpha.be"
    user.email = "Mixed.Case@Alpha.BE"
    user.save()
    user.refresh_from_db()
    assert user.email == "mixed.case@alpha.be"
