"""manage.py backup / restore, on the database the suite runs on (SQLite under `make test`, PostgreSQL
under `make test-pg`).

The restore replaces the database the test runs against: the test database of this process (SQLite: the
file of settings' TEST NAME, one per process; PostgreSQL: this process's test database), never another
process's nor the developer's. var/ (the secret key file, the uploaded files, the backups) is a folder of
the test's own. transaction=True: the restore goes through its own connections, and the test database is
flushed afterwards like any transactional test's.
"""

import hashlib
import io
import json
import stat
import tarfile
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction

from pilier.clients.models import Client
from pilier.policies.models import Policy
from pilier.tests.factories import ClientFactory, OfficeFactory, PolicyFactory

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "the-secret-key-of-this-instance"


@pytest.fixture
def var(settings, tmp_path, monkeypatch):
    """A var/ of the test's own: its secret key file (SECRET_KEY not in the environment) and one upload."""
    var = tmp_path / "var"
    (var / "media" / "imports").mkdir(parents=True)
    (var / "media" / "imports" / "nn.csv").write_text("number;status\n300-0000256;active\n")
    (var / "secret_key").write_text(SECRET)
    settings.VAR_DIR = var
    settings.MEDIA_ROOT = var / "media"
    monkeypatch.delenv("SECRET_KEY", raising=False)
    return var


def backup(*args) -> tuple[Path, str]:
    out = io.StringIO()
    call_command("backup", *args, stdout=out)
    printed = out.getvalue()
    return Path(printed.strip()), printed


def restore(path: Path) -> str:
    out = io.StringIO()
    call_command("restore", str(path), "--noinput", stdout=out)
    return out.getvalue()


def rewrite(archive: Path, change) -> None:
    """Rewrites an archive with change(members) applied, and a matching .sha256: only the manifest's
    own checks can then find what is wrong."""
    with tarfile.open(archive, "r:gz") as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar}  # type: ignore[union-attr]
    change(members)
    with tarfile.open(archive, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    Path(f"{archive}.sha256").write_text(f"{hashlib.sha256(archive.read_bytes()).hexdigest()}  {archive.name}\n")


def test_backup_then_restore_brings_back_the_state_as_at_the_backup(var, tmp_path):
    office = OfficeFactory.create(name="Courtage Alpha")
    first = ClientFactory.create(office=office, last_name="Dubois", first_name="Marc")
    policy = PolicyFactory.create(client=first)

    path, printed = backup("--output", str(tmp_path / "backups"))

    assert printed == f"{path}\n"  # the path and nothing else: scripts capture it
    assert path.is_file() and path.name.endswith(".tar.gz")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    sums = Path(f"{path}.sha256").read_text()
    assert sums == f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.name}\n"
    with tarfile.open(path) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["migrations"]["clients"] == manifest["migrations_applied"]["clients"][-1]
    assert {f["name"] for f in manifest["files"]} == set(names) - {"manifest.json"}
    assert {"media/imports/nn.csv", "secret_key", manifest["database"]["member"]} <= set(names)

    first_id, policy_id = first.pk, policy.pk
    # Life goes on: the client goes, another comes, the uploads and the secret change.
    policy.delete()
    first.delete()
    second = ClientFactory.create(office=office, last_name="Janssens", first_name="Els")
    (var / "media" / "imports" / "nn.csv").unlink()
    (var / "media" / "later.csv").write_text("later")
    (var / "secret_key").write_text("another-secret")

    output = restore(path)

    assert Client.objects.filter(pk=first_id, last_name="Dubois").exists()
    assert not Client.objects.filter(pk=second.pk).exists()
    assert Policy.objects.filter(pk=policy_id, client_id=first_id).exists()
    assert sorted(p.relative_to(var / "media").as_posix() for p in (var / "media").rglob("*") if p.is_file()) == [
        "imports/nn.csv"
    ]
    assert (var / "secret_key").read_text() == SECRET
    assert stat.S_IMODE((var / "secret_key").stat().st_mode) == 0o600
    assert "Database restored" in output and "migration" not in output
    assert not list(var.glob(".restore-*")) and not list(var.glob(".media.*"))  # nothing left behind


def test_a_backup_made_while_a_write_is_under_way_neither_waits_for_it_nor_holds_it(var, tmp_path):
    office = OfficeFactory.create()
    ClientFactory.create(office=office, last_name="Dubois")
    started, done = threading.Event(), threading.Event()

    def broker_saving():  # another connection, in the middle of its write transaction
        try:
            with transaction.atomic():
                ClientFactory.create(office=office, last_name="Inflight")
                started.set()
                done.wait(timeout=30)
                transaction.set_rollback(True)
        finally:
            connections.close_all()

    broker = threading.Thread(target=broker_saving)
    broker.start()
    try:
        assert started.wait(timeout=30)
        path, _ = backup("--output", str(tmp_path / "backups"))
        assert broker.is_alive()  # the backup did not wait for the broker's transaction to end
    finally:
        done.set()
        broker.join()
    ClientFactory.create(office=office, last_name="Janssens")

    restore(path)

    assert _state() == ["Dubois"]


@pytest.mark.django_db  # a backup only, of the committed state: no flush needed afterwards
def test_backup_goes_to_var_backups_by_default(var):
    path, _ = backup()

    assert path.parent == var / "backups"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((var / "backups").stat().st_mode) == 0o700
    # the archive and its checksum, no temporary file left
    assert sorted(p.name for p in (var / "backups").iterdir()) == [path.name, f"{path.name}.sha256"]


@pytest.mark.django_db  # no restore: no flush needed afterwards
def test_a_failed_backup_says_why_and_leaves_no_archive(var, tmp_path, monkeypatch):
    def disk_full(self, data, name):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("pilier.backups.archive._Writer.add_bytes", disk_full)  # the manifest, written last

    with pytest.raises(CommandError, match="Backup failed: Writing the archive failed: .*No space left"):
        backup("--output", str(tmp_path / "backups"))

    assert list((tmp_path / "backups").iterdir()) == []  # no half-written archive, no temporary file


def _state():
    return sorted(Client.objects.values_list("last_name", flat=True))


def _truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _flipped(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _tampered(path: Path) -> None:  # a member changed, the .sha256 made to match: the manifest finds it
    rewrite(path, lambda members: members.update({"media/imports/nn.csv": b"tampered"}))


def _no_checksum(path: Path) -> None:
    Path(f"{path}.sha256").unlink()


def test_a_damaged_archive_is_refused_and_nothing_changes(var, tmp_path):
    office = OfficeFactory.create()
    ClientFactory.create(office=office, last_name="Dubois")
    made, _ = backup("--output", str(tmp_path / "backups"))
    ClientFactory.create(office=office, last_name="Janssens")
    cases = [
        (_truncated, "does not match its checksum"),
        (_flipped, "does not match its checksum"),
        (_tampered, "do not match their SHA-256"),
        (_no_checksum, "checksum file .* is missing"),
    ]
    for damage, message in cases:
        path = tmp_path / f"{damage.__name__}.tar.gz"
        path.write_bytes(made.read_bytes())
        Path(f"{path}.sha256").write_text(Path(f"{made}.sha256").read_text().replace(made.name, path.name))
        damage(path)

        with pytest.raises(CommandError, match=message):
            restore(path)

        assert _state() == ["Dubois", "Janssens"], damage.__name__
        assert (var / "media" / "imports" / "nn.csv").exists()
        assert (var / "secret_key").read_text() == SECRET
        assert not list(var.glob(".restore-*"))  # the staging folder removed


def test_an_archive_of_another_database_vendor_or_a_newer_pilier_is_refused(var, tmp_path):
    ClientFactory.create(last_name="Dubois")
    made, _ = backup("--output", str(tmp_path / "backups"))
    ClientFactory.create(last_name="Janssens")
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    member = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}[other]

    def to_other_vendor(members):
        manifest = json.loads(members.pop("manifest.json"))
        old = manifest["database"]["member"]
        members[member] = members.pop(old)
        manifest["database"].update(vendor=other, member=member)
        for entry in manifest["files"]:
            if entry["name"] == old:
                entry["name"] = member
        members["manifest.json"] = json.dumps(manifest).encode()

    def from_the_future(members):
        manifest = json.loads(members["manifest.json"])
        manifest["migrations_applied"]["clients"].append("9999_from_the_future")
        members["manifest.json"] = json.dumps(manifest).encode()

    for change, message in [
        (to_other_vendor, "database; this instance runs on"),
        (from_the_future, r"newer Pilier.*clients\.9999_from_the_future"),
    ]:
        path = tmp_path / f"{change.__name__}.tar.gz"
        path.write_bytes(made.read_bytes())
        rewrite(path, change)

        with pytest.raises(CommandError, match=message):
            restore(path)

        assert _state() == ["Dubois", "Janssens"], change.__name__


def test_an_archive_from_an_older_state_is_migrated_after_the_restore(var, tmp_path):
    # An archive made before the sessions app's migration: restoring it on this code applies it again.
    call_command("migrate", "sessions", "zero", verbosity=0)
    try:
        path, _ = backup("--output", str(tmp_path / "backups"))
    finally:
        call_command("migrate", "sessions", verbosity=0)

    output = restore(path)

    assert "older Pilier: applying 1 migration(s)" in output and "sessions.0001_initial" in output
    assert "django_session" in connection.introspection.table_names()


def test_restore_asks_first_and_stops_unless_yes(var, tmp_path, monkeypatch):
    office = OfficeFactory.create()
    ClientFactory.create(office=office, last_name="Dubois")
    path, _ = backup("--output", str(tmp_path / "backups"))
    ClientFactory.create(office=office, last_name="Janssens")
    questions = []
    monkeypatch.setattr("builtins.input", lambda prompt: questions.append(prompt) or "no")

    with pytest.raises(CommandError, match="cancelled: nothing was changed"):
        call_command("restore", str(path), stdout=io.StringIO())

    assert "This replaces the database and the uploaded files of this instance" in questions[0]
    assert _state() == ["Dubois", "Janssens"]
