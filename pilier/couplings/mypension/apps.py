from django.apps import AppConfig


class MyPensionConfig(AppConfig):
    """The MyPension PDF → a draft the broker reviews → policies. Its own app (label `mypension`), so that its
    migrations never meet the couplings app's."""

    name = "pilier.couplings.mypension"
    label = "mypension"
    verbose_name = "MyPension"
