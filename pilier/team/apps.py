from django.apps import AppConfig


class TeamConfig(AppConfig):
    name = "pilier.team"
    label = "team"
    verbose_name = "Team"
