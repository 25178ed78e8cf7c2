"""One JSON line per request with its id, status, duration and office, never personal data; errors with the
request id; Sentry only with SENTRY_DSN, its events scrubbed (pilier/lib/observability.py)."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import sentry_sdk
from django.urls import path

from pilier.lib import observability

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def boom(request, pk):
    raise ValueError(f"client dupont@example.com, {pk}: something broke")


urlpatterns = [path("boom/<uuid:pk>/", boom)]


def lines(capsys) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]


def requests_logged(capsys) -> list[dict]:
    return [line for line in lines(capsys) if line.get("event") == "request"]


def test_each_request_is_one_json_line_with_its_id_status_duration_and_office(client, world, capsys):
    client.force_login(world.bob)
    capsys.readouterr()
    response = client.get(f"/clients/{world.client.pk}/?q={world.bob.email}&name=Dubois")
    assert response.status_code == 200
    [line] = requests_logged(capsys)
    assert line["request_id"] == response["X-Request-ID"] and len(line["request_id"]) == 32
    assert line["method"] == "GET" and line["status"] == 200 and line["logger"] == "pilier.request"
    assert line["path"] == f"/clients/{world.client.pk}/"  # no query string
    assert line["view"] == "clients:detail" and line["office"] == str(world.office.pk)
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0 and line["level"] == "INFO"
    text = json.dumps(line)
    for personal in (world.bob.email, "Dubois", world.client.last_name, world.client.first_name):
        assert personal not in text


def test_a_request_id_given_by_the_proxy_is_kept_and_a_bad_one_replaced(client, capsys):
    given = "req-" + uuid.uuid4().hex
    assert client.get("/accounts/login/", HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given
    for bad in ("short", "a b c d e f g h", "x" * 200, "<script>alert(1)</script>"):
        echoed = client.get("/accounts/login/", HTTP_X_REQUEST_ID=bad)["X-Request-ID"]
        assert echoed != bad and len(echoed) == 32
    assert [line["request_id"] for line in requests_logged(capsys)][0] == given


def test_a_path_never_carries_anything_but_uuids(client, rf):
    response = client.get("/accounts/reset/MQ/set-password/")
    request = response.wsgi_request
    assert observability.safe_path(request) == "/accounts/reset/<uidb64>/<token>/"
    unmatched = rf.get("/clients/jean.dupont@example.com/85073003361/")
    assert observability.safe_path(unmatched) == "/clients/*/*/"
    some = uuid.uuid4()
    assert observability.safe_path(rf.get(f"/nowhere/{some}/x")) == f"/nowhere/{some}/*"
    api = client.get(f"/api/v1/clients/{some}", HTTP_AUTHORIZATION="Bearer x")
    assert observability.safe_path(api.wsgi_request) == f"/api/v1/clients/{some}"


def test_an_error_is_logged_with_its_request_id_and_never_its_message(client, settings, capsys):
    settings.ROOT_URLCONF = __name__
    client.raise_request_exception = False
    some = uuid.uuid4()
    response = client.get(f"/boom/{some}/?email=dupont@example.com")
    assert response.status_code == 500
    logged = lines(capsys)
    [error] = [line for line in logged if line.get("event") == "error"]
    [request] = [line for line in logged if line.get("event") == "request"]
    assert error["request_id"] == request["request_id"] == response["X-Request-ID"]
    assert error["error"] == request["error"] == "ValueError" and error["level"] == "ERROR"
    assert error["path"] == f"/boom/{some}/" and any("in boom" in frame for frame in error["where"])
    assert request["status"] == 500 and request["level"] == "ERROR"
    django_lines = [line for line in logged if line["logger"] == "django.request"]
    assert django_lines and django_lines[0]["request_id"] == request["request_id"]
    assert "dupont@example.com" not in json.dumps(logged) and "something broke" not in json.dumps(logged)


def test_the_formatter_writes_other_records_as_json_without_emails():
    import logging

    record = logging.LogRecord("pilier.x", logging.WARNING, __file__, 1, "mail to %s failed", ("a.b@example.be",), None)
    line = json.loads(observability.JsonFormatter().format(record))
    assert line["message"] == "mail to [email] failed" and line["level"] == "WARNING"


# Sentry ------------------------------------------------------------------------------------------------------


def test_sentry_events_are_scrubbed_of_request_data_and_emails():
    event = {
        "request": {
            "method": "POST",
            "url": "https://pilier.example/clients/?q=Dubois#x",
            "query_string": "q=Dubois",
            "cookies": {"sessionid": "secret"},
            "data": {"national_number": "85.07.30-033.61", "email": "marc@example.com"},
            "env": {"REMOTE_ADDR": "203.0.113.9"},
            "headers": {
                "Authorization": "Bearer abc",
                "Cookie": "sessionid=secret",
                "X-Csrftoken": "tok",
                "User-Agent": "Firefox",
                "X-Request-Id": "req-1234567890",
            },
        },
        "user": {"id": 42, "email": "bob@office.be", "username": "bob@office.be", "ip_address": "203.0.113.9"},
        "exception": {
            "values": [
                {
                    "type": "IntegrityError",
                    "value": "duplicate key (email)=(marc@example.com)",
                    "stacktrace": {"frames": [{"function": "save", "vars": {"client": "Marc Dubois"}}]},
                }
            ]
        },
        "breadcrumbs": {
            "values": [{"category": "query", "message": "SELECT … WHERE email = %s", "data": {"params": ["x@y.be"]}}]
        },
        "extra": {"note": "written by anne@office.be"},
    }
    scrubbed = observability.scrub_event(event, {})
    request = scrubbed["request"]
    assert request["url"] == "https://pilier.example/clients/" and request["method"] == "POST"
    assert set(request) == {"method", "url", "headers"}  # no cookies, query string, body, environment
    assert request["headers"]["Authorization"] == request["headers"]["Cookie"] == "[Filtered]"
    assert request["headers"]["X-Csrftoken"] == "[Filtered]" and request["headers"]["User-Agent"] == "Firefox"
    assert scrubbed["user"] == {"id": 42}
    frame = scrubbed["exception"]["values"][0]["stacktrace"]["frames"][0]
    assert "vars" not in frame and "data" not in scrubbed["breadcrumbs"]["values"][0]
    text = json.dumps(scrubbed)
    for personal in ("@example.com", "@office.be", "x@y.be", "Dubois", "secret", "85.07.30", "203.0.113.9"):
        assert personal not in text
    assert scrubbed["exception"]["values"][0]["value"] == "duplicate key (email)=([email])"


@pytest.mark.skipif(bool(os.environ.get("SENTRY_DSN")), reason="SENTRY_DSN is set in this environment")
def test_nothing_goes_to_sentry_without_sentry_dsn():
    assert not sentry_sdk.get_client().is_active()


def _sentry_after_settings(tmp_path, dsn: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
    env.update(PILIER_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="pilier.settings")
    if dsn:
        env["SENTRY_DSN"] = dsn
    code = (
        "import json, django, sentry_sdk; django.setup(); c = sentry_sdk.get_client(); "
        "print(json.dumps({'active': c.is_active(), 'pii': c.options.get('send_default_pii'), "
        "'locals': c.options.get('include_local_variables'), "
        "'before_send': getattr(c.options.get('before_send'), '__name__', None)}))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_sentry_is_set_up_by_settings_only_with_sentry_dsn_and_without_personal_data(tmp_path):
    assert _sentry_after_settings(tmp_path, None)["active"] is False
    assert _sentry_after_settings(tmp_path, "https://public@o0.ingest.sentry.invalid/1") == {
        "active": True,
        "pii": False,
        "locals": False,
        "before_send": "scrub_event",
    }


# A view's error sent by Sentry's own Django integration through the WSGI handler, as gunicorn serves it
# (sentry_probe.py, in a process of its own).
def test_an_error_reaches_sentry_scrubbed_through_the_django_integration(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
    env.update(
        PILIER_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="pilier.settings",
        SENTRY_DSN="https://public@o0.ingest.sentry.invalid/1",
        PYTHONPATH=str(ROOT),
    )
    probe = [sys.executable, str(Path(__file__).with_name("sentry_probe.py"))]
    out = subprocess.run(probe, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    result = json.loads([line for line in out.stdout.splitlines() if '"events"' in line][-1])
    assert result["status"].startswith("500") and len(result["events"]) == 1
    [event] = result["events"]
    assert event["request"]["url"] == "http://127.0.0.1/boom/" and event["request"]["method"] == "POST"
    assert event["request"]["headers"]["Authorization"] == event["request"]["headers"]["Cookie"] == "[Filtered]"
    assert event["exception"]["values"][0]["value"] == "client [email] broke"
    assert event["tags"]["request_id"]
    text = json.dumps(result)
    for personal in ("marc@example.com", "anne@office.be", "secretcookie", "tok123", "85.07.30", "203.0.113.9"):
        assert personal not in text
