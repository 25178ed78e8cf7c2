"""The shared test set-up: two offices, staff of each, a restricted file."""

import datetime
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from hypothesis import settings as hypothesis_settings

from pilier.accounts.models import ApiToken, Office, User
from pilier.clients.models import Client
from pilier.tests.factories import CareerLineFactory, ClientFactory, OfficeFactory, PolicyFactory, staff

# Timings are for the benchmarks, not the tests: on a shared 2-core machine one example may take ten
# times longer than the next, and a deadline would fail a correct property now and then.
hypothesis_settings.register_profile("pilier", deadline=None)
hypothesis_settings.load_profile("pilier")


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.SECURE_SSL_REDIRECT = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()  # nothing counted in the cache (rate limits) carries over from one test to the next


@dataclass
class World:
    office: Office
    other_office: Office
    admin: User  # office admin of `office`
    alice: User  # staff of `office`, assigned to the restricted file
    bob: User  # staff of `office`, not assigned to it
    outsider: User  # staff of `other_office`
    client: Client  # an ordinary file of `office`
    restricted: Client  # restricted to alice
    other_client: Client  # a file of `other_office`

    def token(self, user: User) -> str:
        return ApiToken.issue(user=user)[1]

    def line_of(self, client: Client):
        return client.career_lines.first() or CareerLineFactory(client=client)

    def policy_of(self, client: Client):
        return client.policies.first() or PolicyFactory(client=client)

    def import_of(self, office: Office):
        from pilier.couplings.models import ImportRun

        return ImportRun.objects.filter(office=office).first() or ImportRun.objects.create(
            office=office, file_name="nn.csv", status="done"
        )

    def unmatched_of(self, office: Office):
        from django.utils import timezone

        from pilier.couplings.models import UnmatchedRecord

        return UnmatchedRecord.objects.filter(office=office).first() or UnmatchedRecord.objects.create(
            office=office,
            insurer="NN",
            number="300-0000256",
            number_key="3000000256",
            type="plci",
            reason="no_mandate",
            data={"status": "active", "annual_premium": "100.00"},
            fingerprint="x",
            seen_at=timezone.now(),
        )


@pytest.fixture
def world(db) -> World:
    office = OfficeFactory.create(name="Courtage Alpha")
    other_office = OfficeFactory.create(name="Courtage Beta")
    admin = staff(office, admin=True, email="admin@alpha.be", first_name="Ada", last_name="Admin")
    alice = staff(office, email="alice@alpha.be", first_name="Alice", last_name="Aerts")
    bob = staff(office, email="bob@alpha.be", first_name="Bob", last_name="Bauwens")
    outsider = staff(other_office, admin=True, email="oscar@beta.be", first_name="Oscar", last_name="Outsider")
    client = ClientFactory.create(
        office=office, last_name="Dubois", first_name="Marc", client_number="A-100", account_manager=alice
    )
    restricted = ClientFactory.create(
        office=office,
        last_name="Delvaux",
        first_name="Anne",
        client_number="A-001",
        restricted_access=True,
        account_manager=alice,
        file_manager=alice,
    )
    other_client = ClientFactory.create(office=other_office, last_name="Peeters", first_name="An")
    return World(office, other_office, admin, alice, bob, outsider, client, restricted, other_client)


def api_headers(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def api(client, world):
    """The API as Alice (staff of `office`, assigned to the restricted file) calls it with her token."""
    headers = api_headers(world.token(world.alice))

    class Api:
        def get(self, url, **params):
            return client.get(url, params, **headers)

        def post(self, url, data):
            return client.post(url, data, content_type="application/json", **headers)

        def patch(self, url, data):
            return client.patch(url, data, content_type="application/json", **headers)

        def put(self, url, data):
            return client.put(url, data, content_type="application/json", **headers)

        def delete(self, url):
            return client.delete(url, **headers)

    return Api()


@pytest.fixture
def self_employed(world):
    """`world.client` as a self-employed person born in 1980, self-employed since 2004."""
    client = world.client
    client.social_status = "self_employed"
    client.birth_date = datetime.date(1980, 5, 1)
    client.save()
    CareerLineFactory(client=client, from_year=2004, to_year=None, status="self_employed")
    return client
