from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from pilier.accounts.services import office_create


class Command(BaseCommand):
    help = "Creates a broker office and its first office admin."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-password", required=True)

    def handle(self, *args, name, admin_email, admin_password, **options):
        try:
            office = office_create(name=name, admin_email=admin_email, admin_password=admin_password)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(f"Office {office.name} created ({office.pk}); admin: {admin_email.lower()}")
