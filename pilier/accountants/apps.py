from django.apps import AppConfig


class AccountantsConfig(AppConfig):
    name = "pilier.accountants"
    label = "accountants"
    verbose_name = "Accountants"
