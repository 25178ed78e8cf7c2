import json
from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from pilier.accounts.access import staff_membership
from pilier.accounts.models import User
from pilier.couplings.models import ImportSource, ImportRun
from pilier.couplings.selectors import import_as_dict
from pilier.couplings.services import portfolio_import_run


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
        job = ImportRun(
            office=membership.office, created_by=user, file_name=path.name, source=ImportSource.COMMAND
        )
        with path.open("rb") as stream:
            job.file.save(f"{job.pk}.dat", File(stream), save=False)
        job.save()
        job = portfolio_import_run(portfolio_import=job)
        self.stdout.write(json.dumps(import_as_dict(job), ensure_ascii=False))
        if job.status != "done":
            raise CommandError(job.failure)
