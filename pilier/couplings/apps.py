from django.apps import AppConfig


class CouplingsConfig(AppConfig):
    name = "pilier.couplings"
    label = "couplings"
    verbose_name = "Couplings"
