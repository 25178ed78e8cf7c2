from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "pilier.backups"
    label = "backups"
    verbose_name = "Backups"
