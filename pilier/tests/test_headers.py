"""Every page answers with a Content-Security-Policy (this site's own scripts, styles and images
only: no inline script, no style attribute, no eval) and a Permissions-Policy (no camera,
microphone, geolocation, payment, USB…), with DEBUG on as in `make run` and off as in production.
Nothing in the templates needs more: no inline <script>, no on…= handler, no style attribute."""

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from pilier.accounts.models import ApiToken
from pilier.tests.test_access import ADMIN_ONLY, CLIENT_PAGES, PAGES, POST_ONLY, url_for

pytestmark = pytest.mark.django_db

TEMPLATES = Path(django_settings.BASE_DIR) / "templates"
# Drawn by WeasyPrint on the server, never shown by a browser: no CSP applies, it keeps its <style>.
PDF_TEMPLATES = {"analysis/client_pdf.html", "portal/letter_pdf.html", "portal/overview_pdf.html"}
PUBLIC_PAGES = [
    ("login", {}),
    ("password_reset", {}),
    ("password_reset_done", {}),
    ("password_reset_confirm", {"uidb64": "MQ", "token": "set-password"}),  # an invalid link: its page
    ("password_reset_complete", {}),
    ("api-v1:openapi-view", {}),  # the interactive docs, from the Swagger UI files ninja ships
]

CSP_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
DENIED_FEATURES = ["camera", "microphone", "geolocation", "payment", "usb", "serial", "bluetooth", "display-capture"]

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\ssrc=)(?![^>]*\stype=[\"']application/json[\"'])[^>]*>", re.I)
HANDLER_ATTRIBUTE = re.compile(r"<[a-z][^>]*?\s(on[a-z]+)\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*?\sstyle\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style\b", re.I)
SCRIPT_URL = re.compile(r"javascript:", re.I)
HTMX_EVAL = re.compile(r"\shx-on|hx-(?:vals|vars)=[\"']\s*(?:js|javascript):", re.I)


def what_a_strict_csp_refuses(html: str) -> list[str]:
    """The inline bits of `html` that the policy would block: scripts, handlers, styles, script URLs, htmx eval."""
    found = []
    for pattern in (INLINE_SCRIPT, HANDLER_ATTRIBUTE, STYLE_ATTRIBUTE, STYLE_ELEMENT, SCRIPT_URL, HTMX_EVAL):
        found += [m.group(0)[:120] for m in pattern.finditer(html)]
    return found


def assert_both_headers(response):
    policy = dict(
        (part.split(" ", 1) + [""])[:2] for part in (p.strip() for p in response["Content-Security-Policy"].split(";"))
    )
    for directive, value in CSP_DIRECTIVES.items():
        assert policy[directive] == value, (directive, policy)
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    features = dict(part.strip().split("=", 1) for part in response["Permissions-Policy"].split(","))
    for feature in DENIED_FEATURES:
        assert features[feature] == "()", feature


@pytest.fixture(params=[False, True], ids=["production", "debug"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


def call(client, name, url, world):
    if name not in POST_ONLY:
        return client.get(url)
    data = {"client": world.client.pk} if name == "couplings:unmatched_link" else {}
    if name == "followup:bulk_status":
        data = {"flow": "optimisation", "status": "done"}
    if name == "portal:mandate":  # the client asks their broker to take over a policy held elsewhere
        from pilier.tests.factories import PolicyFactory

        data = {"policy": PolicyFactory(client=world.client, managed=False, mandate=False).pk}
    return client.post(url, data)


def _who(name, world):
    """The user who opens the page: the client of world.client for their portal (pilier/portal), staff otherwise."""
    if name in CLIENT_PAGES or name == "portal:team_resend":
        from pilier.accounts.models import User
        from pilier.portal.models import ClientAccess

        user = User.objects.create_user("marc@example.be", password="a-long-and-new-passphrase")
        ClientAccess.objects.create(user=user, client=world.client)
        if name in CLIENT_PAGES:
            return user
    return world.admin if name in ADMIN_ONLY else world.alice


def page_url(name, params, world, user):
    if "token_id" in params:
        return reverse(name, kwargs={"token_id": ApiToken.issue(user=user)[0].pk})
    return url_for(name, params, world.client, world)


@pytest.mark.parametrize(("name", "params"), PAGES)
def test_every_page_answers_with_both_policies_and_nothing_inline(client, world, debug, name, params):
    user = _who(name, world)
    client.force_login(user)
    url = reverse(name) if name in CLIENT_PAGES else page_url(name, params, world, user)
    response = call(client, name, url, world)
    assert response.status_code in (200, 302), response.status_code
    assert_both_headers(response)
    if response["Content-Type"].startswith("text/html"):
        assert what_a_strict_csp_refuses(response.content.decode()) == []


@pytest.mark.parametrize(("name", "kwargs"), PUBLIC_PAGES)
def test_the_public_pages_and_the_api_docs_answer_with_both_policies(client, world, debug, name, kwargs):
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200
    assert_both_headers(response)
    assert what_a_strict_csp_refuses(response.content.decode()) == []


def test_the_api_answers_with_both_policies(client, world, debug):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert_both_headers(response)
    assert client.get("/api/v1/clients")["Permissions-Policy"]


def test_the_refused_and_not_found_pages_answer_with_both_policies(client, world, settings):
    settings.DEBUG = False
    client.force_login(world.alice)
    refused = client.get(reverse("clients:assignments"))
    assert refused.status_code == 403
    assert_both_headers(refused)
    missing = client.get(f"/clients/{world.other_client.pk}/")
    assert missing.status_code == 404
    assert_both_headers(missing)
    assert what_a_strict_csp_refuses(missing.content.decode()) == []


def test_in_debug_django_s_own_not_found_page_keeps_its_inline_css_but_not_the_features(client, world, settings):
    """django-csp leaves out only the yellow debug pages (404 and 500 with DEBUG), which need inline CSS and JS."""
    settings.DEBUG = True
    client.force_login(world.alice)
    missing = client.get(f"/clients/{world.other_client.pk}/")
    assert missing.status_code == 404
    assert "Content-Security-Policy" not in missing
    assert "camera=()" in missing["Permissions-Policy"]


def test_htmx_is_told_not_to_inject_its_style_nor_to_eval(client, world):
    client.force_login(world.alice)
    html = client.get(reverse("clients:list")).content.decode()
    config = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html)
    assert config, "no htmx-config"
    assert '"includeIndicatorStyles": false' in config.group(1)
    assert '"allowEval": false' in config.group(1)
    assert ".htmx-indicator" in (Path(django_settings.BASE_DIR) / "static/css/pilier.css").read_text()


def test_no_template_has_an_inline_script_a_handler_or_a_style_attribute():
    templates = sorted(TEMPLATES.rglob("*.html"))
    assert len(templates) > 20
    found = {}
    for path in templates:
        name = path.relative_to(TEMPLATES).as_posix()
        if name in PDF_TEMPLATES:
            continue
        if refused := what_a_strict_csp_refuses(path.read_text()):
            found[name] = refused
    assert found == {}


def test_the_scan_finds_what_the_policy_refuses():
    assert what_a_strict_csp_refuses('<script>alert(1)</script><script src="/a.js" defer></script>') == ["<script>"]
    assert what_a_strict_csp_refuses('<form method="post" onsubmit="return confirm()">')
    assert what_a_strict_csp_refuses('<button class="x" onclick="window.print()">')
    assert what_a_strict_csp_refuses('<h1 style="margin:0">')
    assert what_a_strict_csp_refuses("<style>h1{}</style>")
    assert what_a_strict_csp_refuses('<a href="javascript:void(0)">')
    assert what_a_strict_csp_refuses('<div hx-on:click="x()">')
    assert what_a_strict_csp_refuses('<div hx-vals="js:{a: 1}">')
    # Data for a script, SVG presentation attributes, data-* attributes and `action=` are fine.
    assert not what_a_strict_csp_refuses('<script id="h" type="application/json">{"a": 1}</script>')
    assert not what_a_strict_csp_refuses('<form action="/x" data-confirm="Sure?"><rect x="5%" fill="#fff"/>')
    assert not what_a_strict_csp_refuses('<meta name="viewport" content="width=device-width">')


def test_the_pdf_templates_are_still_there():
    """The exception above names real files (a renamed PDF template would otherwise be scanned, or worse, forgotten)."""
    for name in PDF_TEMPLATES:
        assert (TEMPLATES / name).exists()
