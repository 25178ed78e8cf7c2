"""Browser tests: Debian's Chromium driven by Playwright (sync API) against pytest-django's live server.

The shared `world` fixture (root conftest.py) provides the offices, staff and client files.
Debian's Chromium is required (`make browser` installs it): without it the browser tests fail,
they are never skipped. A failing test leaves a screenshot in e2e/artifacts/ (git-ignored).
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from pilier.tests.factories import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
MISSING_CHROMIUM = f"The browser tests need Debian's Chromium at {CHROMIUM}: install Debian's chromium: make browser"
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
ARTIFACTS = Path(__file__).parent / "artifacts"
TIMEOUT_MS = 10_000  # a step that takes longer is a failure, not a slow machine

expect.set_options(timeout=TIMEOUT_MS)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item):
    # A failure (not a skip, not a set-up error) so that a machine without Chromium cannot pass.
    if item.get_closest_marker("browser") and not CHROMIUM.exists():
        pytest.fail(MISSING_CHROMIUM, pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def _live_server_settings():
    """The live server builds its middleware once, when it starts: the root conftest's per-test
    `settings` (SECURE_SSL_REDIRECT=False…) come too late for SecurityMiddleware, which would
    redirect the browser to https://localhost. Plain http for the session's server."""
    from django.test import override_settings

    with override_settings(SECURE_SSL_REDIRECT=False):
        yield


@pytest.fixture(scope="session")
def live_server(_live_server_settings, live_server):
    return live_server


class Chromium:
    """One Chromium per pytest process, shared by the browser tests, launched by the first of them.

    Playwright's sync API keeps an event loop running in the test thread for as long as it is
    started, so Django's ORM needs DJANGO_ALLOW_ASYNC_UNSAFE meanwhile (fixtures and tests query
    the database). It is set only then, not at import time: every pytest process imports this
    file when it collects, and the variable would leak into other tests, e.g. the subprocess of
    `manage.py check --deploy` (async.E001) in pilier/tests/test_settings.py. pytest-django runs
    the tests without a database after the transactional ones (these), so Chromium stops after
    the last browser test of the run: the next tests see neither the loop nor the variable.
    """

    def __init__(self):
        self._playwright = None
        self._browser: Browser | None = None
        self._previous_env: str | None = None

    def get(self) -> Browser:
        if self._browser is None:
            self._previous_env = os.environ.get(ASYNC_UNSAFE)
            os.environ[ASYNC_UNSAFE] = "true"
            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        return self._browser

    def stop(self) -> None:
        if self._playwright is None:
            return
        try:
            self._browser.close()
            self._playwright.stop()
        finally:
            self._playwright = self._browser = None
            if self._previous_env is None:
                os.environ.pop(ASYNC_UNSAFE, None)
            else:
                os.environ[ASYNC_UNSAFE] = self._previous_env


_chromium = Chromium()


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item, nextitem):
    if nextitem is None or nextitem.get_closest_marker("browser") is None:
        _chromium.stop()


@pytest.fixture(scope="session")
def browser() -> Browser | None:
    """The session's Chromium (None when missing: pytest_runtest_call then fails the test)."""
    if not CHROMIUM.exists():
        yield None
        return
    yield _chromium.get()
    _chromium.stop()


@pytest.fixture
def page(browser, live_server, transactional_db, request) -> Page | None:
    """A fresh browser context per test (no cookie survives), a French-speaking Belgian browser."""
    if browser is None:
        yield None
        return
    if not browser.is_connected():  # stopped after an earlier browser test (unusual test order)
        browser = _chromium.get()
    context = browser.new_context(
        base_url=live_server.url, locale="fr-BE", timezone_id="Europe/Brussels", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        try:
            page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
        except Exception as exc:  # the screenshot is a help, never the reason a test errors
            print(f"no failure screenshot: {exc}")
    context.close()


@pytest.fixture
def log_in(page):
    """`log_in(user)`: through the login form, as a user would; lands on the Clients list."""

    def log_in(user, password: str = PASSWORD) -> None:
        page.goto("/accounts/login/")
        page.fill("input[name=username]", user.email)
        page.fill("input[name=password]", password)
        page.click("form.stacked button[type=submit]")
        page.wait_for_url(re.compile(r"/clients/$"))

    return log_in
