from django.apps import AppConfig


class FollowupConfig(AppConfig):
    name = "pilier.followup"
    label = "followup"
    verbose_name = "PRO follow-up"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (the room kept fresh when a file's inputs change)
