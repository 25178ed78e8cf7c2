from django.core.management.base import BaseCommand

from pilier.demo import DEMO_PASSWORD, demo_load


class Command(BaseCommand):
    help = "Loads the demo office (once: does nothing when it exists)."

    def handle(self, *args, **options):
        office, created = demo_load()
        state = "created" if created else "already there"
        self.stdout.write(f"Demo office {office.name}: {state}. Logins (password {DEMO_PASSWORD}):")
        for membership in office.memberships.select_related("user").order_by("-role", "user__email"):
            self.stdout.write(f"  {membership.user.email:32} {membership.get_role_display()}")
