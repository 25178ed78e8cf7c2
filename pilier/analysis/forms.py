from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .engine.inputs import Options
from .labels import ANNUITY_OPTIONS


class DecimalInAnyLanguageField(forms.DecimalField):
    """`1,75` or `1.75`, whatever the UI language. NaN and infinities are refused by DecimalField."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        return super().to_python(value)


RATE_RANGE = (Decimal(0), Decimal(10))  # percent
COEFFICIENT_RANGE = (Decimal(1), Decimal(40))
MARGINAL_RATE_RANGE = (Decimal(0), Decimal(60))  # percent


class AssumptionsForm(forms.Form):
    """The analysis's assumptions, from the query string of the page, its PDF, the office view and the API."""

    rate = DecimalInAnyLanguageField(
        label=_("Technical interest rate (%)"), required=False, min_value=RATE_RANGE[0], max_value=RATE_RANGE[1]
    )
    coefficient = DecimalInAnyLanguageField(
        label=_("Coefficient (where the rules have none)"),
        required=False,
        min_value=COEFFICIENT_RANGE[0],
        max_value=COEFFICIENT_RANGE[1],
    )
    option = forms.ChoiceField(label=_("Annuity"), choices=list(ANNUITY_OPTIONS.items()), required=False)
    marginal_rate = DecimalInAnyLanguageField(
        label=_("Marginal tax rate at payout (%)"),
        required=False,
        min_value=MARGINAL_RATE_RANGE[0],
        max_value=MARGINAL_RATE_RANGE[1],
    )
    active = forms.TypedChoiceField(
        label=_("Active until the legal pension age"),
        choices=[("", _("default")), ("yes", _("yes")), ("no", _("no"))],
        coerce=lambda v: v == "yes",
        empty_value=None,
        required=False,
    )

    def options(self) -> Options:
        """The valid assumptions; a refused one is left to the rules' default."""
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        rate, marginal = data.get("rate"), data.get("marginal_rate")
        return Options(
            technical_rate=None if rate is None else rate / Decimal(100),
            annuity_option=data.get("option") or None,
            coefficient=data.get("coefficient"),
            marginal_rate=None if marginal is None else marginal / Decimal(100),
            active_until_legal_age=data.get("active"),
        )
