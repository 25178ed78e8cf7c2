"""Settings come from the environment; each case imports them in a fresh interpreter."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
IGNORED = {"DATABASE_URL", "SECRET_KEY", "DEBUG", "EMAIL_URL", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def settings_in(tmp_path, **env) -> dict:
    code = (
        "import json, django; from django.conf import settings as s; django.setup();"
        "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], 'name': str(s.DATABASES['default']['NAME']),"
        "'host': s.DATABASES['default'].get('HOST', ''), 'key': s.SECRET_KEY, 'debug': s.DEBUG,"
        "'hosts': s.ALLOWED_HOSTS, 'email': s.EMAIL_BACKEND}))"
    )
    environment = {k: v for k, v in os.environ.items() if k not in IGNORED}
    environment.update(DJANGO_SETTINGS_MODULE="pilier.settings", PILIER_VAR_DIR=str(tmp_path), **env)
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def test_the_default_is_sqlite_under_var_and_a_generated_secret_key(tmp_path):
    first = settings_in(tmp_path)
    assert first["engine"] == "django.db.backends.sqlite3"
    assert first["name"] == str(tmp_path / "pilier.sqlite3")
    assert len(first["key"]) > 50
    assert (tmp_path / "secret_key").read_text().strip() == first["key"]
    assert settings_in(tmp_path)["key"] == first["key"]  # generated once, then kept
    assert first["debug"] is False
    assert first["email"] == "django.core.mail.backends.console.EmailBackend"


def test_a_postgres_url_selects_postgresql(tmp_path):
    found = settings_in(tmp_path, DATABASE_URL="postgres://pilier:pw@db.example:5432/pilier")
    assert found["engine"] == "django.db.backends.postgresql"
    assert found["host"] == "db.example" and found["name"] == "pilier"


def test_secret_key_debug_hosts_and_email_come_from_the_environment(tmp_path):
    found = settings_in(
        tmp_path,
        SECRET_KEY="from-env",
        DEBUG="true",
        ALLOWED_HOSTS="pilier.example.be,www.pilier.example.be",
        EMAIL_URL="smtp://user:pw@mail.example:587",
    )
    assert found["key"] == "from-env" and found["debug"] is True
    assert found["hosts"] == ["pilier.example.be", "www.pilier.example.be"]
    assert found["email"] == "django.core.mail.backends.smtp.EmailBackend"
    assert not (tmp_path / "secret_key").exists()


def test_check_deploy_passes_with_production_settings(tmp_path):
    environment = {k: v for k, v in os.environ.items() if k not in IGNORED}
    environment.update(
        PILIER_VAR_DIR=str(tmp_path),
        SECRET_KEY=secrets.token_urlsafe(64),
        DEBUG="false",
        ALLOWED_HOSTS="pilier.example.be",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
