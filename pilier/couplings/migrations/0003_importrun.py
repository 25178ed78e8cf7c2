"""PortfolioImport becomes ImportRun, the family of imports (issue 10): the same table renamed, its rows kept
(every one an insurer portfolio), a kind, and the times a worker claimed it; the office's own index dropped
(import_office_created_idx starts with the office)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("couplings", "0002_unmatched_fewer_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameModel(old_name="PortfolioImport", new_name="ImportRun"),
        migrations.AddField(
            model_name="importrun",
            name="kind",
            field=models.CharField(
                choices=[
                    ("portfolio", "Insurer portfolio"),
                    ("client_export", "Client export"),
                    ("mypension", "MyPension"),
                ],
                default="portfolio",
                max_length=16,
            ),
        ),
        migrations.AddField(
            model_name="importrun",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0, help_text="Times a worker claimed it (recovered runs)"),
        ),
        migrations.AlterField(
            model_name="importrun",
            name="progress",
            field=models.PositiveSmallIntegerField(
                default=0, help_text="0 to 100; while running, see jobs.progress_of"
            ),
        ),
        migrations.AlterField(
            model_name="importrun",
            name="office",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="import_runs",
                to="accounts.office",
            ),
        ),
        migrations.AlterField(
            model_name="importrun",
            name="created_by",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="import_runs",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]
