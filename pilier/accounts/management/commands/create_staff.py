from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from pilier.accounts.access import staff_membership
from pilier.accounts.models import User
from pilier.accounts.services import staff_create


class Command(BaseCommand):
    help = "Adds a staff member to the office of an office admin."

    def add_arguments(self, parser):
        parser.add_argument("--office-admin-email", required=True)
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--admin", action="store_true", help="make the new member an office admin")

    def handle(self, *args, office_admin_email, email, password, admin, **options):
        admin_user = User.objects.filter(email__iexact=office_admin_email).first()
        membership = staff_membership(admin_user) if admin_user else None
        if membership is None or not membership.is_admin:
            raise CommandError(f"{office_admin_email} is not an office admin.")
        try:
            staff_create(office=membership.office, email=email, password=password, admin=admin)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        role = "office admin" if admin else "staff"
        self.stdout.write(f"{email.lower()} added to {membership.office.name} as {role}")
