"""What a broker sees when something goes wrong or is looked for: 404 and 500 pages in their language, DEBUG off
under `make run` (Django's English technical pages only under `make dev`), the site's icon, the API docs in a new
tab with a way back."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

from pilier.clients import views as client_views

pytestmark = pytest.mark.django_db

MAKEFILE = (Path(settings.BASE_DIR) / "Makefile").read_text(encoding="utf-8")


def _target(name: str) -> str:
    match = re.search(rf"^{name}:.*?(?=^\S|\Z)", MAKEFILE, flags=re.M | re.S)
    assert match, name
    return match.group(0)


def test_make_run_serves_with_debug_off_through_the_production_server():
    run = _target("run")
    assert "DEBUG=true" not in run and "runserver" not in run
    assert "load_demo" in run and "-m pilier.serve" in run and "DEBUG=false" in run


def test_make_dev_keeps_djangos_development_server_with_debug_on():
    dev = _target("dev")
    assert "DEBUG=true" in dev and "runserver 127.0.0.1:$(PORT)" in dev and "db_worker" in dev


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", "Page introuvable"), ("nl", "Pagina niet gevonden"), ("en", "Page not found")],
)
def test_a_wrong_link_answers_the_404_page_in_the_users_language(client, world, language, expected):
    world.alice.language = language
    world.alice.save()
    client.force_login(world.alice)
    response = client.get("/clients/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404
    page = response.content.decode()
    assert expected in page and "Traceback" not in page and "URLconf" not in page


@pytest.mark.parametrize(
    ("language", "expected", "absent"),
    [("fr", "Une erreur est survenue", "Server Error"), ("nl", "Er ging iets mis", "Server Error")],
)
def test_an_error_answers_the_500_page_in_the_users_language(client, world, monkeypatch, language, expected, absent):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(client_views, "client_list", broken)
    world.alice.language = language
    world.alice.save()
    client.force_login(world.alice)
    client.raise_request_exception = False
    response = client.get("/clients/")
    assert response.status_code == 500
    page = response.content.decode()
    assert expected in page and absent not in page and "boom" not in page


def test_the_site_has_its_icon(client, world):
    assert finders.find("img/favicon.svg")
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("img/favicon.svg")
    client.force_login(world.alice)
    page = client.get("/clients/").content.decode()
    assert 'rel="icon"' in page and "favicon.svg" in page


def test_the_restricted_marker_is_an_svg_icon_not_an_emoji(client, world):
    client.force_login(world.alice)
    for url in ("/clients/", world.restricted.get_absolute_url()):
        page = client.get(url).content.decode()
        assert "\U0001f512" not in page
        assert '<svg class="icon"' in page


def test_the_api_docs_open_in_a_new_tab_and_lead_back(client, world):
    world.alice.language = "nl"
    world.alice.save()
    client.force_login(world.alice)
    page = client.get("/clients/").content.decode()
    link = re.search(r'<a href="/api/v1/docs"[^>]*>', page)
    assert link and 'target="_blank"' in link.group(0) and 'rel="noopener"' in link.group(0)
    docs = client.get("/api/v1/docs").content.decode()
    assert 'id="back-to-pilier" href="/"' in docs and "Terug naar Pilier" in docs
