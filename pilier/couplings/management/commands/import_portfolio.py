import json
from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from pilier.accounts.access import staff_membership
from pilier.accounts.models import User
from pilier.couplings.jobs import run_import
from pilier.couplings.models import ImportKind, ImportRun, ImportSource
from pilier.couplings.selectors import import_as_dict


class Command(BaseCommand):
    help = "Imports a portfolio file into an office admin's office, in the foreground; prints the result as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--office-admin", required=True, metavar="EMAIL")
        parser.add_argument("file")

    def handle(self, *args, office_admin, file, **options):
        user = User.objects.filter(email__iexact=office_admin, is_active=True).first()
        membership = staff_membership(user) if user else None
        if membership is None or not membership.is_admin:
            raise CommandError(f"{office_admin} is not an office admin.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        run = ImportRun(
            office=membership.office,
            created_by=user,
            file_name=path.name,
            source=ImportSource.COMMAND,
            kind=ImportKind.PORTFOLIO,
        )
        with path.open("rb") as stream:
            run.file.save(f"{run.pk}.dat", File(stream), save=False)
        run.save()
        run = run_import(run=run)  # claimed and run here, in the foreground
        self.stdout.write(json.dumps(import_as_dict(run), ensure_ascii=False))
        if run.status != "done":
            raise CommandError(run.failure)
