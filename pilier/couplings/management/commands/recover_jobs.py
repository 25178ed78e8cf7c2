from django.core.management.base import BaseCommand

from pilier.couplings import jobs


class Command(BaseCommand):
    help = (
        "Recovers the import runs whose worker died: each is queued again once, then failed with the reason. "
        "Every worker does it every minute; this is for a cron or by hand. Prints each run recovered."
    )

    def handle(self, *args, **options):
        recovered = jobs.recover_stale_runs()
        for run in recovered:
            self.stdout.write(f"{run.pk} {run.status}")
        self.stdout.write(f"{len(recovered)} run(s) recovered.")
