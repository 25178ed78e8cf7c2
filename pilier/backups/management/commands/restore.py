from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection

from pilier.backups.archive import VENDOR_NAMES, BackupError, check_archive, check_compatible, restore


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # an operator's tool: its own checks, with their own messages
    help = (
        "Restores a backup archive written by `manage.py backup`: checks it whole first (its .sha256 and each "
        "file's SHA-256), then replaces the database, the uploaded files and the secret key of this instance, "
        "and migrates when the archive is older than this code. Stop the site and the worker first "
        "(docs/backup.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", metavar="FILE", help="The .tar.gz written by `manage.py backup`.")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive", help="Do not ask.")

    def handle(self, *args, **options):
        archive = Path(options["archive"])
        media_root = Path(settings.MEDIA_ROOT)
        try:
            checked = check_archive(archive, staging_parent=media_root.parent)
        except (BackupError, DatabaseError) as e:
            raise CommandError(f"Restore refused: {e}") from e
        try:
            try:
                check_compatible(checked)
            except BackupError as e:
                raise CommandError(f"Restore refused: {e}") from e
            except DatabaseError as e:
                raise CommandError(
                    f"Restore refused: the database of this instance cannot be opened ({e}). If it is a damaged "
                    "SQLite file, move it aside (keep it) and run the restore again; on PostgreSQL, check "
                    "DATABASE_URL or create the database, empty."
                ) from e
            manifest = checked.manifest
            self.stdout.write(
                f"Archive {archive}: made {manifest.get('created_at')} by Pilier {manifest.get('pilier_version')}"
                f" ({(manifest.get('pilier_commit') or 'commit unknown')[:12]}), "
                f"{VENDOR_NAMES[checked.vendor]} database, {len(manifest['files'])} file(s); checks passed."
            )
            if options["interactive"]:
                database = connection.settings_dict["NAME"]
                answer = input(
                    "This replaces the database and the uploaded files of this instance "
                    f"(database {database}, uploaded files in {media_root}) with those of the archive.\n"
                    "Type 'yes' to continue, anything else to stop: "
                )
                if answer.strip().lower() != "yes":
                    raise CommandError("Restore cancelled: nothing was changed.")
            restore(checked, say=self.stdout.write)
        except (BackupError, DatabaseError) as e:
            raise CommandError(f"Restore failed: {e}") from e
        finally:
            checked.cleanup()
        self.stdout.write(self.style.SUCCESS(f"Restored from {archive}."))
