from django.core.management.base import BaseCommand, CommandError

from pilier.accounts.access import staff_membership
from pilier.accounts.models import User
from pilier.accounts.services import api_token_create


class Command(BaseCommand):
    help = "Creates an API token for a staff user and prints it alone on stdout."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", default="command line")

    def handle(self, *args, email, name, **options):
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None or staff_membership(user) is None:
            raise CommandError(f"No active staff user with the e-mail {email}.")
        _token, secret = api_token_create(user=user, name=name)
        self.stdout.write(secret)
