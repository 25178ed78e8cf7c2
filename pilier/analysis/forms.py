from django import forms
from django.utils.translation import gettext_lazy as _

from pilier.amounts import AmountField
from pilier.clients.models import Income


class IncomeForm(forms.ModelForm):
    net_taxable_professional_income = AmountField(label=_("Net taxable professional income"), required=False)
    gross_remuneration = AmountField(label=_("Gross remuneration (company director)"), required=False)
    plci_reference_income = AmountField(
        label=_("PLCI reference income (on the social security fund's invoice)"),
        required=False,
        help_text=_("When given, it takes precedence over the income of N-3 × the revaluation coefficient."),
    )

    class Meta:
        model = Income
        fields = ["net_taxable_professional_income", "gross_remuneration", "plci_reference_income"]
