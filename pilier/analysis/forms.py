from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from pilier.clients.models import Income
from pilier.lib.money import AmountField

from .engine.inputs import Options
from .labels import ANNUITY_OPTIONS

# Income amounts are 12 digits in the database (policies' 14, AmountField's default).
INCOME_DIGITS = 12


class IncomeForm(forms.ModelForm):
    net_taxable_professional_income = AmountField(
        label=_("Net taxable professional income"), required=False, max_digits=INCOME_DIGITS
    )
    gross_remuneration = AmountField(
        label=_("Gross remuneration (company director)"), required=False, max_digits=INCOME_DIGITS
    )
    plci_reference_income = AmountField(
        label=_("PLCI reference income (on the social security fund's invoice)"),
        required=False,
        max_digits=INCOME_DIGITS,
        help_text=_("When given, it takes precedence over the income of N-3 × the revaluation coefficient."),
    )

    class Meta:
        model = Income
        fields = ["net_taxable_professional_income", "gross_remuneration", "plci_reference_income"]


class DecimalInAnyLanguageField(forms.DecimalField):
    """`1,75` or `1.75`, whatever the UI language. NaN and infinities are refused by DecimalField."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        return super().to_python(value)


RATE_RANGE = (Decimal(0), Decimal(10))  # percent
COEFFICIENT_RANGE = (Decimal(1), Decimal(40))


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

    def options(self) -> Options:
        """The valid assumptions; a refused one is left to the rules' default."""
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        rate = data.get("rate")
        return Options(
            technical_rate=None if rate is None else rate / Decimal(100),
            annuity_option=data.get("option") or "plain",
            coefficient=data.get("coefficient"),
        )
