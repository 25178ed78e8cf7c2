from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from pilier.backups.archive import BackupError, create_backup


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # an operator's tool: its own checks, with their own messages
    help = (
        "Writes one backup archive while the site runs: the database (SQLite's online backup, or pg_dump on "
        "PostgreSQL), the uploaded files and the secret key file, with a manifest of SHA-256 sums, and "
        "<archive>.sha256 beside it. Prints the archive's path and nothing else (docs/backup.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", metavar="DIR", help="The folder to write into (default: var/backups/, mode 0700)."
        )

    def handle(self, *args, **options):
        try:
            path = create_backup(Path(options["output"]) if options["output"] else None)
        except (BackupError, DatabaseError) as e:
            raise CommandError(f"Backup failed: {e}") from e
        self.stdout.write(str(path))
