"""Bearer tokens: invalid ones are rate-limited per client address, valid ones never; last use recorded
without a write on every request."""

import datetime
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pilier.accounts.models import ApiToken

pytestmark = pytest.mark.django_db

URL = "/api/v1/clients"
ATTACKER = "203.0.113.7"


@pytest.fixture
def clock(monkeypatch):
    """The limiter's clock, set 20 seconds into a minute."""
    now = SimpleNamespace(value=1_800_000_000.0 - 1_800_000_000.0 % 60 + 20)
    monkeypatch.setattr("pilier.accounts.limits.time", SimpleNamespace(time=lambda: now.value))
    return now


def call(client, token, ip=ATTACKER, **headers):
    return client.get(URL, HTTP_AUTHORIZATION=f"Bearer {token}", REMOTE_ADDR=ip, **headers)


def test_invalid_tokens_from_one_address_get_429_with_retry_after_past_the_limit(client, world, settings, clock):
    statuses = [call(client, f"plr_guess-{i}").status_code for i in range(settings.API_INVALID_TOKENS_PER_MINUTE)]
    assert set(statuses) == {401}
    response = call(client, "plr_one-more", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert response["Retry-After"] == "40"  # the rest of the minute
    assert response.json() == {
        "detail": "Too many requests with an invalid token from your address. Try again later (see Retry-After)."
    }


def test_the_default_limit_is_a_few_dozen_a_minute():
    from pilier import settings as module

    assert 10 <= module.API_INVALID_TOKENS_PER_MINUTE <= 60


def test_the_limit_is_per_address_and_ends_with_the_minute(client, world, settings, clock):
    for i in range(settings.API_INVALID_TOKENS_PER_MINUTE + 5):
        call(client, f"plr_guess-{i}")
    assert call(client, "plr_guess").status_code == 429
    assert call(client, "plr_guess", ip="198.51.100.20").status_code == 401
    clock.value += 40
    assert call(client, "plr_guess").status_code == 401


def test_a_valid_token_is_never_slowed_even_from_a_throttled_address(client, world, settings, clock):
    token = world.token(world.alice)
    for i in range(settings.API_INVALID_TOKENS_PER_MINUTE + 5):
        call(client, f"plr_guess-{i}")
    assert call(client, "plr_guess").status_code == 429
    assert all(call(client, token).status_code == 200 for _ in range(3 * settings.API_INVALID_TOKENS_PER_MINUTE))


def test_a_token_of_someone_who_left_the_office_counts_as_invalid(client, world, settings, clock):
    token = world.token(world.alice)
    world.alice.memberships.all().delete()
    statuses = [call(client, token).status_code for _ in range(settings.API_INVALID_TOKENS_PER_MINUTE + 1)]
    assert statuses[-2:] == [401, 429]


def test_behind_a_proxy_the_limit_is_per_address_the_proxy_saw(client, world, settings, clock):
    settings.BEHIND_PROXY = True
    for i in range(settings.API_INVALID_TOKENS_PER_MINUTE):
        call(client, f"plr_guess-{i}", ip="10.0.0.2", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}, {ATTACKER}")
    assert call(client, "plr_guess", ip="10.0.0.2", HTTP_X_FORWARDED_FOR=ATTACKER).status_code == 429
    assert call(client, "plr_guess", ip="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.20").status_code == 401


def test_without_a_proxy_the_forwarded_for_header_changes_nothing(client, world, settings, clock):
    for i in range(settings.API_INVALID_TOKENS_PER_MINUTE):
        call(client, f"plr_guess-{i}", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}")
    assert call(client, "plr_guess", HTTP_X_FORWARDED_FOR="198.51.100.20").status_code == 429


def apitoken_updates(queries) -> int:
    return sum(1 for q in queries if q["sql"].startswith("UPDATE") and "accounts_apitoken" in q["sql"])


def test_last_use_is_written_once_a_minute_not_on_every_request(client, world):
    token = world.token(world.alice)
    with CaptureQueriesContext(connection) as first:
        assert call(client, token).status_code == 200
    with CaptureQueriesContext(connection) as second:
        assert call(client, token).status_code == 200
    assert apitoken_updates(first.captured_queries) == 1
    assert apitoken_updates(second.captured_queries) == 0
    assert len(second.captured_queries) == len(first.captured_queries) - 1  # the same, less the write


def test_last_use_is_written_again_after_a_minute(client, world):
    token = world.token(world.alice)
    call(client, token)
    row = world.alice.api_tokens.get()
    a_while_ago = timezone.now() - datetime.timedelta(seconds=61)
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=a_while_ago)
    with CaptureQueriesContext(connection) as queries:
        call(client, token)
    assert apitoken_updates(queries.captured_queries) == 1
    row.refresh_from_db()
    assert row.last_used_at > a_while_ago + datetime.timedelta(seconds=60)


def test_a_valid_token_does_not_touch_the_limiter(client, world, monkeypatch):
    token = world.token(world.alice)
    monkeypatch.setattr("pilier.accounts.limits.cache", None)  # would fail if used
    assert call(client, token).status_code == 200
