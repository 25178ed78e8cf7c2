"""What Pilier keeps on disk is readable by its owner only (files 0600, folders 0700), and an import's
file is deleted when the import ends, in any way."""

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.cache.backends.filebased import FileBasedCache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection
from django.urls import reverse

from conftest import api_headers
from pilier.couplings import jobs, services
from pilier.couplings.models import ImportRun
from pilier.couplings.portfolio import importer
from pilier.couplings.tests.conftest import csv_bytes, row

ROOT = Path(__file__).resolve().parents[2]


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path / "upload-tmp"
    (tmp_path / "upload-tmp").mkdir()
    return tmp_path / "media"


# Start-up -------------------------------------------------------------------------------------


def start_in(var: Path) -> None:
    """Imports the settings in a fresh interpreter with var/ at `var`, as `make run` or the worker would."""
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    environment.update(DJANGO_SETTINGS_MODULE="pilier.settings", PILIER_VAR_DIR=str(var))
    code = "import django; django.setup()"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, check=True, capture_output=True)


def test_a_new_var_folder_is_private(tmp_path):
    var = tmp_path / "var"
    start_in(var)
    assert mode(var) == 0o700
    assert mode(var / "secret_key") == 0o600
    assert mode(var / "tmp") == 0o700


def test_what_an_older_installation_left_readable_is_made_private_at_start_up(tmp_path):
    var = tmp_path / "var"
    (var / "media" / "imports" / "2026" / "01").mkdir(parents=True)
    (var / "cache").mkdir()
    old = {
        var / "pilier.sqlite3": b"",
        var / "pilier.sqlite3-wal": b"",
        var / "pilier.sqlite3-shm": b"",
        var / "secret_key": b"k" * 64,
        var / "media" / "imports" / "2026" / "01" / "x.dat": b"national numbers",
        var / "cache" / "entry.djcache": b"",
    }
    for path, content in old.items():
        path.write_bytes(content)
        path.chmod(0o644)
    for folder in (var, var / "media", var / "media" / "imports", var / "cache"):
        folder.chmod(0o755)
    start_in(var)
    assert {str(path): mode(path) for path in old} == {str(path): 0o600 for path in old}
    assert mode(var) == mode(var / "media") == mode(var / "media" / "imports" / "2026") == mode(var / "cache") == 0o700


def test_temporary_copies_left_by_a_stopped_process_are_removed_at_start_up(tmp_path):
    var = tmp_path / "var"
    (var / "tmp").mkdir(parents=True)
    stale, recent = var / "tmp" / "stale.upload", var / "tmp" / "recent.upload"
    stale.write_bytes(b"x")
    recent.write_bytes(b"x")
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(stale, (two_days_ago, two_days_ago))
    start_in(var)
    assert not stale.exists() and recent.exists()  # a request may still be reading a recent one


def test_files_the_process_creates_are_its_owners_only(tmp_path):
    current = os.umask(0o077)
    os.umask(current)
    assert current == 0o077  # set by the settings
    path = tmp_path / "new"
    path.write_text("x")
    assert mode(path) == 0o600


@pytest.mark.django_db
def test_the_sqlite_database_and_its_journal_are_private():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's own files")
    connection.ensure_connection()
    name = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    files = [p for p in (name, f"{name}-wal", f"{name}-shm") if os.path.exists(p)]
    assert name in files
    assert {p: mode(p) for p in files} == dict.fromkeys(files, 0o600)


def test_the_file_cache_is_private(tmp_path):
    cache = FileBasedCache(str(tmp_path / "cache"), {})
    cache.set("progress", 42)
    assert mode(tmp_path / "cache") == 0o700
    assert {mode(p) for p in files_under(tmp_path / "cache")} == {0o600}


# Uploaded files -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_uploaded_file_is_private_while_it_waits(client, world, media, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 100  # this one goes through a temporary file, as large ones do
    client.force_login(world.bob)
    client.post(reverse("couplings:imports"), {"file": SimpleUploadedFile("nn.csv", csv_bytes([row()] * 10))})
    job = ImportRun.objects.get()
    assert job.status == "queued"  # no worker in this test
    path = Path(job.file.path)
    assert mode(path) == 0o600
    folders = [folder for folder in path.parents if media in (folder, *folder.parents)]
    assert {str(f): mode(f) for f in folders} == {str(f): 0o700 for f in folders}
    assert not files_under(Path(settings.FILE_UPLOAD_TEMP_DIR))  # the temporary copy went with the request


@pytest.fixture
def queued(world, media):
    """An import waiting for the worker, with its file."""

    def make(status="queued") -> ImportRun:
        job = ImportRun.objects.create(
            office=world.office, created_by=world.admin, file_name="nn.csv", source="upload", status=status
        )
        job.file.save(f"{job.pk}.dat", ContentFile(csv_bytes([row()])), save=True)
        assert files_under(media)
        return job

    return make


@pytest.mark.django_db
def test_the_file_goes_when_the_import_is_done(queued, media):
    job = jobs.run_import(run=queued())
    assert job.status == "done" and not files_under(media)
    job.refresh_from_db()
    assert not job.file


@pytest.mark.django_db
def test_the_file_goes_when_the_import_fails_on_an_unexpected_error(queued, media, monkeypatch):
    def broken(*args):
        raise RuntimeError("a bug")

    monkeypatch.setattr(importer, "import_portfolio", broken)
    job = jobs.run_import(run=queued())
    assert job.status == "failed" and not files_under(media)


@pytest.mark.django_db
def test_the_file_goes_even_when_the_result_cannot_be_saved(queued, media, monkeypatch):
    job = queued()

    def failing_finish(*args, **kwargs):
        raise DatabaseError("the database went away")

    monkeypatch.setattr(jobs, "_finish", failing_finish)
    with pytest.raises(DatabaseError):
        jobs.run_import(run=job)
    assert not files_under(media)


@pytest.mark.django_db
def test_a_finished_import_that_still_has_its_file_loses_it_when_run_again(queued, media):
    job = queued(status="failed")  # a process stopped between saving the result and deleting the file
    jobs.run_import(run=job)
    assert not files_under(media)
    job.refresh_from_db()
    assert job.status == "failed" and not job.file


@pytest.mark.django_db
def test_an_import_running_elsewhere_keeps_its_file(queued, media):
    job = queued(status="running")  # the other worker is reading it
    jobs.run_import(run=job)
    assert files_under(media)


@pytest.mark.django_db
def test_an_import_that_cannot_be_queued_fails_and_its_file_goes(
    client, world, media, monkeypatch, django_capture_on_commit_callbacks
):
    from pilier.couplings import tasks

    def refuse(*args, **kwargs):
        raise ConnectionError("the queue is down")

    monkeypatch.setattr(tasks, "run_import", SimpleNamespace(enqueue=refuse))
    world.alice.language = "en"
    world.alice.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/portfolio-imports",
            json.dumps([row()]).encode(),
            content_type="application/json",
            **api_headers(world.token(world.alice)),
        )
    job = ImportRun.objects.get(pk=response.json()["id"])
    assert job.status == "failed" and job.finished_at is not None
    assert job.failure == "The import could not be queued: nothing was changed. Try again or contact support."
    assert not job.file and not files_under(media)


@pytest.mark.django_db
def test_a_file_whose_import_cannot_be_saved_is_not_kept(world, media, monkeypatch):
    def failing_save(self, *args, **kwargs):
        raise DatabaseError("the database went away")

    monkeypatch.setattr(ImportRun, "save", failing_save)
    with pytest.raises(DatabaseError):
        services.import_run_create(
            office=world.office, user=world.admin, file=ContentFile(b"x"), file_name="nn.csv", source="api"
        )
    assert not files_under(media)


@pytest.mark.django_db
def test_a_refused_upload_leaves_no_temporary_copy(client, world, media, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 100
    settings.UPLOAD_MAX_BYTES = 1000
    client.force_login(world.bob)
    response = client.post(reverse("couplings:imports"), {"file": SimpleUploadedFile("nn.csv", b"x" * 5000)})
    assert response.status_code == 413
    assert not files_under(Path(settings.FILE_UPLOAD_TEMP_DIR)) and not ImportRun.objects.exists()
