"""Backups of one Pilier instance: the database, the uploaded files and the secret key, in one archive.

An archive is a tar.gz with, in this order:

- ``database.sqlite3`` (SQLite: a consistent copy by SQLite's online backup API) or ``database.pgdump``
  (PostgreSQL: ``pg_dump --format=custom``, one snapshot);
- ``media/…``: the uploaded files (MEDIA_ROOT);
- ``secret_key``: the file var/secret_key, when the secret comes from it (not when SECRET_KEY is set in
  the environment);
- ``manifest.json`` last: the format, Pilier's version and commit, the database vendor, the migrations
  applied (the last one per app, and all of them), when it was made, and each member's size and SHA-256.

Beside it, ``<archive>.sha256`` holds the archive's SHA-256 in ``sha256sum``'s format, so that
``sha256sum -c`` checks it too. Archives hold personal data and the secret: mode 0600 in a 0700 folder.

The restore checks everything before it changes anything: the archive's checksum, each member's hash
against the manifest, the set of members, the vendor, and that this code knows every migration the
archive's database has. Only then does it replace the database, the uploaded files and the secret.
docs/backup.md is the operator's side of this.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

FORMAT = 1
MANIFEST = "manifest.json"
SECRET_MEMBER = "secret_key"
MEDIA_PREFIX = "media/"
DB_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
VENDOR_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
CHUNK = 1024 * 1024
ARCHIVE_MODE = 0o600
DIRECTORY_MODE = 0o700


class BackupError(Exception):
    """A backup or a restore that cannot go on; the message says why, for the operator."""


# -- where things are -------------------------------------------------------------------------------------


def var_dir() -> Path:
    return Path(settings.VAR_DIR)


def default_output_dir() -> Path:
    return var_dir() / "backups"


def secret_key_file() -> Path | None:
    """var/secret_key when the secret comes from it; None when SECRET_KEY is set in the environment."""
    if os.environ.get("SECRET_KEY"):
        return None
    return var_dir() / "secret_key"


def _connection(alias: str = "default"):
    return connections[alias]


# -- hashing ----------------------------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


class _HashingReader(io.RawIOBase):
    """Reads a file for tarfile while hashing what it hands over (one read for the archive and the hash:
    a file that changes meanwhile cannot be archived with another file's hash)."""

    def __init__(self, f: IO[bytes]):
        self._f = f
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self._f.read(size)
        self.digest.update(data)
        return data


# -- manifest facts ---------------------------------------------------------------------------------------


def pilier_version() -> str | None:
    try:
        with (Path(settings.BASE_DIR) / "pyproject.toml").open("rb") as f:
            return str(tomllib.load(f)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return None


def pilier_commit() -> str | None:
    git = shutil.which("git")
    if not git or not (Path(settings.BASE_DIR) / ".git").exists():
        return None
    try:
        out = subprocess.run(  # noqa: S603 (a fixed command, no user input)
            [git, "-C", str(settings.BASE_DIR), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def applied_migrations(alias: str = "default") -> dict[str, list[str]]:
    """The migrations applied to the database, app by app, in the order they were applied."""
    recorder = MigrationRecorder(_connection(alias))
    if not recorder.has_table():
        return {}
    applied: dict[str, list[str]] = {}
    for app, name in recorder.migration_qs.order_by("applied", "id").values_list("app", "name"):
        applied.setdefault(app, []).append(name)
    return applied


def migrations_to_apply(alias: str = "default") -> list[str]:
    """The migrations this code has that the database has not applied yet ("app.name")."""
    from django.db.migrations.executor import MigrationExecutor

    connection = _connection(alias)
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def unknown_migrations(applied: dict[str, list[str]], alias: str = "default") -> list[str]:
    """Migrations in an archive that this code does not have (the archive is from a newer Pilier)."""
    loader = MigrationLoader(_connection(alias), ignore_no_migrations=True, load=True)
    known = set(loader.disk_migrations) | set(loader.replacements)
    return sorted(f"{app}.{name}" for app, names in applied.items() for name in names if (app, name) not in known)


# -- backup -----------------------------------------------------------------------------------------------


@dataclass
class _Writer:
    tar: tarfile.TarFile
    files: list[dict[str, Any]] = field(default_factory=list)

    def add_file(self, path: Path, name: str) -> None:
        with path.open("rb") as f:
            size = os.fstat(f.fileno()).st_size
            info = tarfile.TarInfo(name)
            info.size = size
            info.mode = 0o600
            info.mtime = int(os.fstat(f.fileno()).st_mtime)
            reader = _HashingReader(f)
            self.tar.addfile(info, reader)
        self.files.append({"name": name, "size": size, "sha256": reader.digest.hexdigest()})

    def add_bytes(self, data: bytes, name: str) -> None:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        info.mode = 0o600
        info.mtime = int(datetime.datetime.now(tz=datetime.UTC).timestamp())
        self.tar.addfile(info, io.BytesIO(data))


def _sqlite_copy(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database (the online backup API, in one step: with WAL, the
    site's writers go on meanwhile), checked and made standalone (no -wal file to go with it)."""
    if not source.is_file():
        raise BackupError(f"The SQLite database {source} does not exist.")
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")
        result = dst.execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            raise BackupError(f"The copy of the SQLite database failed its check: {result}")
    except sqlite3.Error as e:
        raise BackupError(f"Could not copy the SQLite database {source}: {e}") from e
    finally:
        dst.close()
        src.close()


def _pg_env(settings_dict: dict[str, Any]) -> dict[str, str]:
    """The connection of the settings as libpq's environment (the password in PGPASSWORD, never in the
    command's arguments, where any user of the machine could read it)."""
    from django.db.backends.postgresql.client import DatabaseClient

    _args, extra = DatabaseClient.settings_to_cmd_args_env(settings_dict, [])
    env = {**os.environ, **(extra or {})}
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("NAME", "PGDATABASE")):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    return env


def _pg_tool(name: str, server_version: int | None) -> str:
    """The path of pg_dump / pg_restore, refusing one older than the server (it cannot read it)."""
    path = shutil.which(name)
    if not path:
        raise BackupError(
            f"{name} was not found: install PostgreSQL's client tools (on Debian: apt-get install postgresql-client)."
        )
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30, check=True)  # noqa: S603
    except (OSError, subprocess.SubprocessError) as e:
        raise BackupError(f"{name} does not run: {e}") from e
    match = re.search(r"(\d+)(?:\.(\d+))?", out.stdout)
    if match and server_version:
        client_major = int(match.group(1))
        server_major = server_version // 10000 if server_version >= 100000 else server_version // 100
        if client_major < server_major:
            raise BackupError(
                f"{name} {client_major} is older than the PostgreSQL server ({server_major}): install the "
                f"client tools of version {server_major} or later (on Debian: postgresql-client-{server_major})."
            )
    return path


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except OSError as e:
        raise BackupError(f"{what} failed: {e}") from e
    if result.returncode != 0:
        raise BackupError(f"{what} failed (exit code {result.returncode}): {result.stderr.strip()}")


def _pg_dump(settings_dict: dict[str, Any], server_version: int | None, target: Path) -> None:
    pg_dump = _pg_tool("pg_dump", server_version)
    _run([pg_dump, "--format=custom", "--no-password", f"--file={target}"], _pg_env(settings_dict), "pg_dump")


def _archive_name(directory: Path, now: datetime.datetime) -> Path:
    stem = f"pilier-{now:%Y%m%d-%H%M%S}"
    candidate = directory / f"{stem}.tar.gz"
    n = 1
    while candidate.exists() or Path(f"{candidate}.sha256").exists():
        n += 1
        candidate = directory / f"{stem}-{n}.tar.gz"
    return candidate


def _private_dir(path: Path) -> None:
    path.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
    path.chmod(DIRECTORY_MODE)


def _write_private(path: Path, data: bytes) -> None:
    """Writes a file of mode 0600 under a temporary name, then renames it: never half there."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, ARCHIVE_MODE)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _media_files(root: Path) -> Iterator[tuple[Path, str]]:
    if not root.is_dir():
        return
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            path = Path(folder, name)
            if path.is_symlink() or not path.is_file():
                continue
            yield path, MEDIA_PREFIX + path.relative_to(root).as_posix()


def create_backup(output_dir: Path | None = None, alias: str = "default") -> Path:
    """Writes one archive into output_dir (var/backups/ by default) and its .sha256; returns its path."""
    directory = Path(output_dir) if output_dir else default_output_dir()
    try:
        _private_dir(directory)
    except OSError as e:
        raise BackupError(f"Cannot use {directory} for backups: {e}") from e
    connection = _connection(alias)
    vendor = connection.vendor
    if vendor not in DB_MEMBERS:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    now = datetime.datetime.now(tz=datetime.UTC)
    staging = Path(tempfile.mkdtemp(dir=directory, prefix=".staging-"))
    fd, tmp_name = tempfile.mkstemp(dir=directory, prefix=".pilier-", suffix=".tar.gz.tmp")
    tmp_archive = Path(tmp_name)
    try:
        os.chmod(tmp_archive, ARCHIVE_MODE)
        if vendor == "sqlite" and not Path(connection.settings_dict["NAME"]).is_file():
            # Checked before connecting: a connection would create an empty database there.
            raise BackupError(f"The SQLite database {connection.settings_dict['NAME']} does not exist.")
        # Facts first: the migrations as they are when the copy starts (a migration during a backup is
        # not a thing an operator does; the database itself carries its own django_migrations table).
        try:
            connection.ensure_connection()
            migrations = applied_migrations(alias)
        except DatabaseError as e:
            raise BackupError(f"The database cannot be reached: {e}") from e
        if not migrations:
            raise BackupError("The database has no migrations applied: there is nothing of Pilier's to back up.")
        server_version = getattr(connection, "pg_version", None) if vendor == "postgresql" else None
        db_file = staging / DB_MEMBERS[vendor]
        if vendor == "sqlite":
            _sqlite_copy(Path(connection.settings_dict["NAME"]), db_file)
            engine_version = sqlite3.sqlite_version
        else:
            _pg_dump(connection.settings_dict, server_version, db_file)
            engine_version = str(server_version)
        secret = secret_key_file()
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as tar:
            writer = _Writer(tar)
            writer.add_file(db_file, DB_MEMBERS[vendor])
            for path, name in _media_files(Path(settings.MEDIA_ROOT)):
                with contextlib.suppress(FileNotFoundError):  # deleted since the walk: not part of the copy
                    writer.add_file(path, name)
            if secret is not None and secret.is_file():
                writer.add_file(secret, SECRET_MEMBER)
            manifest = {
                "format": FORMAT,
                "application": "pilier",
                "pilier_version": pilier_version(),
                "pilier_commit": pilier_commit(),
                "created_at": now.isoformat(timespec="seconds"),
                "database": {"vendor": vendor, "version": engine_version, "member": DB_MEMBERS[vendor]},
                "secret_key": "file" if secret is not None and secret.is_file() else "environment (not archived)",
                "migrations": {app: names[-1] for app, names in sorted(migrations.items())},
                "migrations_applied": dict(sorted(migrations.items())),
                "files": writer.files,
            }
            writer.add_bytes(json.dumps(manifest, indent=2).encode(), MANIFEST)
            raw.flush()
            os.fsync(raw.fileno())
        target = _archive_name(directory, now)
        # The checksum first, then the archive under its name: an archive is never there without it.
        _write_private(Path(f"{target}.sha256"), f"{sha256_of(tmp_archive)}  {target.name}\n".encode())
        os.replace(tmp_archive, target)
        return target
    except BackupError:
        raise
    except (OSError, tarfile.TarError, sqlite3.Error) as e:
        raise BackupError(f"Writing the archive failed: {e}") from e
    finally:
        with contextlib.suppress(OSError):
            tmp_archive.unlink()
        shutil.rmtree(staging, ignore_errors=True)


# -- restore ----------------------------------------------------------------------------------------------


@dataclass
class Checked:
    """An archive that passed every check, unpacked into a staging folder (removed by cleanup())."""

    archive: Path
    manifest: dict[str, Any]
    staging: Path

    @property
    def vendor(self) -> str:
        return str(self.manifest["database"]["vendor"])

    @property
    def database(self) -> Path:
        return self.staging / str(self.manifest["database"]["member"])

    @property
    def media(self) -> Path:
        return self.staging / "media"

    @property
    def secret(self) -> Path | None:
        path = self.staging / SECRET_MEMBER
        return path if path.is_file() else None

    def cleanup(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


def _read_checksum(archive: Path) -> str:
    sums = Path(f"{archive}.sha256")
    try:
        text = sums.read_text().strip()
    except OSError:
        raise BackupError(f"The checksum file {sums} is missing: cannot tell whether the archive is intact.")
    match = re.fullmatch(r"([0-9a-f]{64})(?:\s+\*?(.+))?", text.splitlines()[0] if text else "")
    if not match:
        raise BackupError(f"The checksum file {sums} is not a SHA-256 line.")
    return match.group(1)


def _safe_member_name(name: str) -> bool:
    path = PurePosixPath(name)
    if path.is_absolute() or not path.parts or any(part in ("", ".", "..") for part in path.parts):
        return False
    return name in DB_MEMBERS.values() or name in (MANIFEST, SECRET_MEMBER) or name.startswith(MEDIA_PREFIX)


def check_archive(archive: Path, staging_parent: Path) -> Checked:
    """Checks an archive whole and unpacks it into a staging folder under staging_parent; raises
    BackupError (leaving nothing behind) when anything is wrong with it."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"{archive} is not a file.")
    expected = _read_checksum(archive)
    actual = sha256_of(archive)
    if actual != expected:
        raise BackupError(
            f"{archive} does not match its checksum (expected {expected}, found {actual}): the archive is "
            "damaged or incomplete. Nothing was changed."
        )
    _private_dir(staging_parent)
    staging = Path(tempfile.mkdtemp(dir=staging_parent, prefix=".restore-"))
    try:
        hashes: dict[str, tuple[int, str]] = {}
        manifest_bytes: bytes | None = None
        with tarfile.open(archive, mode="r:gz") as tar:
            for member in tar:
                if not member.isfile() or not _safe_member_name(member.name):
                    raise BackupError(f"The archive holds an unexpected entry: {member.name!r}.")
                if member.name in hashes or (member.name == MANIFEST and manifest_bytes is not None):
                    raise BackupError(f"The archive holds {member.name!r} twice.")
                source = tar.extractfile(member)
                assert source is not None  # a regular file
                if member.name == MANIFEST:
                    manifest_bytes = source.read()
                    continue
                target = staging / member.name
                target.parent.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
                digest = hashlib.sha256()
                size = 0
                with target.open("xb") as out:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
                hashes[member.name] = (size, digest.hexdigest())
        if manifest_bytes is None:
            raise BackupError("The archive has no manifest.json: it is not a Pilier backup.")
        try:
            manifest = json.loads(manifest_bytes)
            listed = {entry["name"]: (int(entry["size"]), str(entry["sha256"])) for entry in manifest["files"]}
            vendor = manifest["database"]["vendor"]
            member = manifest["database"]["member"]
        except (ValueError, KeyError, TypeError) as e:
            raise BackupError(f"The archive's manifest.json cannot be read: {e}") from e
        if manifest.get("format") != FORMAT or DB_MEMBERS.get(vendor) != member:
            raise BackupError("The archive's manifest is of a format this Pilier does not know.")
        if set(listed) != set(hashes):
            missing = sorted(set(listed) - set(hashes))
            extra = sorted(set(hashes) - set(listed))
            raise BackupError(
                f"The archive's files differ from its manifest (missing: {missing}, not listed: {extra})."
            )
        damaged = sorted(name for name in listed if listed[name] != hashes[name])
        if damaged:
            raise BackupError(f"These files of the archive do not match their SHA-256 in the manifest: {damaged}.")
        if member not in hashes:
            raise BackupError("The archive holds no database.")
        return Checked(archive=archive, manifest=manifest, staging=staging)
    except BackupError:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    except (OSError, tarfile.TarError, EOFError) as e:
        shutil.rmtree(staging, ignore_errors=True)
        raise BackupError(f"The archive cannot be read: {e}") from e


def check_compatible(checked: Checked, alias: str = "default") -> None:
    """Refuses an archive of another database vendor, or from a Pilier newer than this code."""
    vendor = _connection(alias).vendor
    if checked.vendor != vendor:
        raise BackupError(
            f"The archive holds a {VENDOR_NAMES.get(checked.vendor, checked.vendor)} database; this instance "
            f"runs on {VENDOR_NAMES.get(vendor, vendor)}. Restore it on an instance of the same kind. "
            "Nothing was changed."
        )
    unknown = unknown_migrations(checked.manifest.get("migrations_applied", {}), alias)
    if unknown:
        raise BackupError(
            "The archive comes from a newer Pilier: this code does not have the migrations "
            f"{', '.join(unknown)}. Install that version (or a later one) first. Nothing was changed."
        )


def _restore_sqlite(source: Path, target: Path) -> None:
    """Replaces the SQLite database with the archive's copy.

    Through SQLite's backup API into the database itself: it takes the write lock, replaces every page in
    one transaction and deals with the -wal and -shm files (renaming a file over a database in WAL mode
    would leave its old -wal to be replayed onto the new one). An absent one is written under a temporary
    name, then renamed; a damaged one is refused (it is the operator's to keep or remove)."""
    src = sqlite3.connect(source)
    try:
        if target.is_file():
            try:
                dst = sqlite3.connect(target, timeout=30)
                try:
                    dst.execute("PRAGMA schema_version").fetchone()
                    src.backup(dst)
                    return
                finally:
                    dst.close()
            except sqlite3.OperationalError:
                raise  # locked, read-only, …: not a reason to put another file in its place
            except sqlite3.DatabaseError as e:  # damaged: the operator may want it, never overwritten
                raise BackupError(
                    f"{target} is not a SQLite database ({e}): move it aside (keep it) and run the restore again."
                ) from e
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        os.close(fd)
        try:
            copy = sqlite3.connect(tmp)
            try:
                src.backup(copy)
            finally:
                copy.close()
            os.chmod(tmp, ARCHIVE_MODE)
            for suffix in ("-wal", "-shm", "-journal"):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(f"{target}{suffix}")
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    finally:
        src.close()


def _pg_dump_tables(pg_restore: str, dump: Path, env: dict[str, str]) -> set[str]:
    """The tables a custom-format dump holds (its table of contents: "id; oid oid TABLE schema name owner")."""
    try:
        result = subprocess.run(  # noqa: S603
            [pg_restore, "--list", str(dump)], env=env, capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError) as e:
        raise BackupError(f"pg_restore cannot read the archive's dump: {e}") from e
    tables = set()
    for line in result.stdout.splitlines():
        match = re.match(r"^\d+; \d+ \d+ TABLE (\S+) (\S+) ", line)
        if match:
            tables.add(match.group(2))
    return tables


def _restore_postgresql(
    source: Path, settings_dict: dict[str, Any], server_version: int | None, alias: str, say: Callable[[str], None]
) -> None:
    """pg_restore --clean --if-exists into the configured database, in one transaction. The tables the
    dump does not have (made by a later version's migrations since) are dropped first: left there, they
    would stop the migrations that bring the archive up to this version."""
    pg_restore = _pg_tool("pg_restore", server_version)
    env = _pg_env(settings_dict)
    connection = _connection(alias)
    extra = sorted(set(connection.introspection.table_names()) - _pg_dump_tables(pg_restore, source, env))
    if extra:
        say(f"Dropping {len(extra)} table(s) the archive does not have: {', '.join(extra)}.")
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            for table in extra:
                cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)} CASCADE")
    connections.close_all()
    _run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={env.get('PGDATABASE', 'postgres')}",
            str(source),
        ],
        env,
        "pg_restore",
    )


def _replace_media(source: Path, media_root: Path) -> None:
    """Puts the archive's uploaded files in place of MEDIA_ROOT's: staged beside it, then renamed."""
    media_root.parent.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
    staged = media_root.parent / f".{media_root.name}.new-{os.getpid()}"
    shutil.rmtree(staged, ignore_errors=True)
    if source.is_dir():
        try:
            source.rename(staged)
        except OSError:  # the staging folder on another file system
            shutil.copytree(source, staged)
    else:
        staged.mkdir(mode=DIRECTORY_MODE)
    staged.chmod(DIRECTORY_MODE)
    old = None
    if media_root.exists():
        old = media_root.parent / f".{media_root.name}.old-{os.getpid()}"
        shutil.rmtree(old, ignore_errors=True)
        media_root.rename(old)
    staged.rename(media_root)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def restore(checked: Checked, alias: str = "default", say: Callable[[str], None] = print) -> list[str]:
    """Brings back a checked archive: the database, the uploaded files, the secret key; then migrates
    when the archive is older than this code. Returns the migrations applied."""
    connection = _connection(alias)
    connection.ensure_connection()
    server_version = getattr(connection, "pg_version", None) if connection.vendor == "postgresql" else None
    settings_dict = dict(connection.settings_dict)
    connections.close_all()
    try:
        if checked.vendor == "sqlite":
            _restore_sqlite(checked.database, Path(settings_dict["NAME"]))
        else:
            _restore_postgresql(checked.database, settings_dict, server_version, alias, say)
    except sqlite3.Error as e:
        raise BackupError(
            f"Restoring the SQLite database failed: {e}. Stop the app servers and the workers, then try again."
        ) from e
    say(f"Database restored ({VENDOR_NAMES[checked.vendor]}).")
    media_root = Path(settings.MEDIA_ROOT)
    _replace_media(checked.media, media_root)
    count = sum(1 for name in (e["name"] for e in checked.manifest["files"]) if name.startswith(MEDIA_PREFIX))
    say(f"Uploaded files restored into {media_root} ({count} file(s)).")
    secret = secret_key_file()
    if checked.secret is not None:
        if secret is None:
            say(
                "The archive holds a secret key file, but SECRET_KEY is set in this environment: it stays in "
                "effect. Put the archive's secret in SECRET_KEY, or sessions and signed links made before "
                "the backup no longer hold."
            )
            secret = var_dir() / "secret_key"
        _write_private(secret, checked.secret.read_bytes())
        say(f"Secret key restored into {secret}.")
    else:
        say(
            "The archive holds no secret key (SECRET_KEY came from the environment when it was made): keep "
            "using the same SECRET_KEY."
        )
    connections.close_all()
    pending = migrations_to_apply(alias)
    if pending:
        from django.core.management import call_command

        say(
            f"The archive is from an older Pilier: applying {len(pending)} migration(s) to bring the database "
            f"up to this version ({', '.join(pending)})."
        )
        call_command("migrate", database=alias, interactive=False, verbosity=0)
        say("Migrations applied.")
    return pending
