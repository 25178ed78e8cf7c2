from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("couplings", "0006_importrun_chunk_size"),
    ]

    operations = [
        migrations.AddField(
            model_name="importrun",
            name="file_size",
            field=models.PositiveBigIntegerField(blank=True, help_text="Bytes", null=True),
        ),
        migrations.AddField(
            model_name="importrun",
            name="file_sha256",
            field=models.CharField(blank=True, help_text="SHA-256 of the file, hexadecimal", max_length=64),
        ),
        migrations.AddField(
            model_name="importrun",
            name="insurer",
            field=models.CharField(blank=True, max_length=20),
        ),
        migrations.AddField(
            model_name="importrun",
            name="failure_kind",
            field=models.CharField(
                blank=True,
                choices=[
                    ("refused", "The file was refused"),
                    ("interrupted", "The import was interrupted"),
                    ("error", "The import stopped on an error"),
                ],
                max_length=12,
            ),
        ),
    ]
