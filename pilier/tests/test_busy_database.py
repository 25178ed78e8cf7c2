"""A busy database: a write waits for the writer before it and succeeds, or answers a clear 503 "try again"
(page in the user's language, API JSON, both with Retry-After), never a 500; a long import writes in chunks,
so that a broker's save made meanwhile goes through (pilier/lib/busy.py, couplings/portfolio/importer.py).

The tests that hold SQLite's write lock from a second connection are SQLite's own (skipped on PostgreSQL);
the mapping of a busy error to the 503 runs on both, with the error faked."""

import sqlite3
import threading
import time

import pytest
from django.core.files.base import ContentFile
from django.db import OperationalError, connection
from django.test import Client as _Browser
from django.urls import reverse
from django.utils import translation

from pilier.couplings import jobs
from pilier.couplings.models import ImportRun, ImportStatus
from pilier.couplings.portfolio import importer
from pilier.couplings.portfolio.writer import Writer
from pilier.lib import busy

from ..couplings.tests.conftest import csv_bytes, row

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's write lock, held from a second connection to the database file"
)


@pytest.fixture
def browser(world):
    """Bob, logged in, Dutch speaking; exceptions answered as in production (no re-raise in the test)."""
    world.bob.language = "nl"
    world.bob.save()
    browser = _Browser(raise_request_exception=False)
    browser.force_login(world.bob)
    return browser


def post_profile(browser):
    return browser.post(reverse("accounts:profile"), {"first_name": "Bob", "last_name": "Bauwens", "language": "nl"})


def in_dutch(text: str) -> str:
    with translation.override("nl"):
        return translation.gettext(text)


def assert_busy_page(response):
    assert response.status_code == 503, response.content[:500]
    assert response["Retry-After"] == str(busy.RETRY_AFTER)
    page = response.content.decode()
    assert in_dutch("The database is busy, try again in a moment.") in page
    assert '<html lang="nl">' in page and response["Content-Language"] == "nl"


def assert_busy_api(response):
    assert response.status_code == 503 and response["Retry-After"] == str(busy.RETRY_AFTER)
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": in_dutch("The database is busy, try again in a moment.")}


# The mapping, on both databases ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_busy_database_in_a_page_is_a_503_page_in_the_users_language(browser, monkeypatch):
    from pilier.accounts import views

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(views.PreferencesForm, "save", locked)
    assert_busy_page(post_profile(browser))


@pytest.mark.django_db
def test_a_busy_database_in_the_api_is_a_503_in_its_error_format(client, world, monkeypatch):
    from pilier.clients import api as clients_api

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    world.alice.language = "nl"
    world.alice.save()
    monkeypatch.setattr(clients_api, "_get", locked)
    token = world.token(world.alice)
    response = client.patch(
        f"/api/v1/clients/{world.client.pk}",
        {"phone": "0470 12 34 56"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert_busy_api(response)


@pytest.mark.django_db
def test_another_database_error_is_still_a_500(browser, monkeypatch):
    from pilier.accounts import views

    def broken(*args, **kwargs):
        raise OperationalError("no such table: accounts_user")

    monkeypatch.setattr(views.PreferencesForm, "save", broken)
    assert post_profile(browser).status_code == 500


class _PgError(Exception):
    def __init__(self, sqlstate):
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("message", "sqlstate", "expected"),
    [
        ("database is locked", None, True),  # SQLite, busy timeout run out
        ("database table is locked", None, True),
        ("canceling statement due to lock timeout", "55P03", True),  # PostgreSQL lock_timeout
        ("could not serialize access", "40001", True),
        ("deadlock detected", "40P01", True),
        ("no such table: x", None, False),
        ("connection refused", "08006", False),
    ],
)
def test_what_counts_as_busy(message, sqlstate, expected):
    exc = OperationalError(message)
    if sqlstate:
        exc.__cause__ = _PgError(sqlstate)
    assert busy.is_busy(exc) is expected
    assert busy.is_busy(ValueError("database is locked")) is False


@pytest.mark.django_db
def test_a_busy_database_outside_the_view_is_a_503_too(rf, world):
    request = rf.get("/clients/")
    try:
        raise OperationalError("database is locked")  # e.g. the session saved after the view
    except OperationalError:
        response = busy.server_error(request)
    assert response.status_code == 503 and response["Retry-After"] == str(busy.RETRY_AFTER)
    api = rf.get("/api/v1/clients")
    try:
        raise OperationalError("database is locked")
    except OperationalError:
        assert busy.server_error(api).status_code == 503
    assert busy.server_error(request).status_code == 500  # no exception: Django's own 500


# SQLite's write lock, held from another connection -------------------------------------------------------------


class Holder:
    """A second connection to the database file holding its write lock (BEGIN IMMEDIATE)."""

    def __init__(self):
        self.db = sqlite3.connect(connection.settings_dict["NAME"], timeout=5, check_same_thread=False)
        self.db.isolation_level = None
        self.db.execute("BEGIN IMMEDIATE")

    def release_after(self, seconds: float) -> threading.Thread:
        def release():
            time.sleep(seconds)
            self.release()

        thread = threading.Thread(target=release)
        thread.start()
        return thread

    def release(self):
        if self.db.in_transaction:
            self.db.execute("ROLLBACK")
        self.db.close()


@pytest.fixture
def busy_timeout():
    """Sets this connection's busy timeout (ms) for the test, then back to the settings' one."""
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        (before,) = cursor.fetchone()

    def set_to(ms: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {int(ms)}")

    yield set_to
    set_to(before)


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_a_write_while_another_connection_holds_the_lock_waits_then_succeeds(browser, world, busy_timeout):
    busy_timeout(5000)  # as settings.py
    holder = Holder()
    releasing = holder.release_after(0.3)
    started = time.monotonic()
    response = post_profile(browser)
    waited = time.monotonic() - started
    releasing.join()
    assert response.status_code == 302, response.content[:500]  # saved
    assert waited >= 0.25  # it did wait for the lock
    world.bob.refresh_from_db()
    assert world.bob.language == "nl"


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_a_lock_held_beyond_the_timeout_is_a_503_never_a_500(browser, client, world, busy_timeout):
    busy_timeout(200)  # lowered for the test
    world.alice.language = "nl"
    world.alice.save()
    token = world.token(world.alice)
    holder = Holder()
    try:
        assert_busy_page(post_profile(browser))
        response = client.patch(
            f"/api/v1/clients/{world.client.pk}",
            {"phone": "0470 12 34 56"},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        assert_busy_api(response)
    finally:
        holder.release()
    assert post_profile(browser).status_code == 302  # the lock released: saved


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_a_save_during_an_import_goes_through_between_its_chunks(world, settings, tmp_path, monkeypatch):
    """The import writes 80 chunks, each made slow (50 ms holding the lock): in one transaction that would
    keep a save waiting 4 s and more; in chunks the save waits for a chunk or a few. The bound asserted is
    generous (the latency itself is measured by `bench/import_bench.py --saves`)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(importer, "BATCH", 50)
    real = Writer.write

    def heavy(self, batch):
        real(self, batch)
        time.sleep(0.05)  # a chunk that takes its time, the lock held

    monkeypatch.setattr(Writer, "write", heavy)
    rows = [row(policy_number=f"31{i:08d}", mandate="no") for i in range(4000)]
    run = ImportRun.objects.create(office=world.office, created_by=world.admin, file_name="nn.csv", source="command")
    run.file.save(f"{run.pk}.dat", ContentFile(csv_bytes(rows)), save=True)
    outcome = {}

    def worker():
        try:
            outcome["run"] = jobs.run_import(run=ImportRun.objects.get(pk=run.pk))
        finally:
            connection.close()

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not ImportRun.objects.filter(pk=run.pk, applied_chunks__gte=2).exists():  # it is writing
            assert time.monotonic() < deadline and thread.is_alive(), "the import never started writing"
            time.sleep(0.01)
        client = world.client
        client.phone = "0470 12 34 56"
        started = time.monotonic()
        client.save()
        took = time.monotonic() - started
        writing = ImportRun.objects.get(pk=run.pk).applied_chunks
    finally:
        thread.join(60)
    assert outcome["run"].status == ImportStatus.DONE and outcome["run"].unmatched == 4000
    assert writing < 80  # the save was made while the import was still writing
    assert took < 2.5, f"the save waited {took:.2f} s"
    client.refresh_from_db()
    assert client.phone == "0470 12 34 56"


def test_a_token_call_while_the_database_is_busy_still_knows_its_user_and_language(world, monkeypatch):
    """The token's "last used" bookkeeping is skipped when the database is busy, never fails the call: the user,
    and so the language of a later 503, is known."""
    from django.db import OperationalError

    from pilier.accounts.models import ApiToken

    token = world.token(world.alice)
    ApiToken.objects.update(last_used_at=None)

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr("django.db.models.query.QuerySet.update", locked)
    assert ApiToken.user_for(token) == world.alice
