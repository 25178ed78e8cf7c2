import copy

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from pilier.lib.money import AmountField
from pilier.lib.validation import clean_with, error_param
from pilier.lib.widgets import DateInput, formfield_with_model_validators

from . import rules, services
from .catalogue import TYPES, Section, grouped_type_choices
from .insurers import insurer, insurer_choices
from .models import EDITABLE_FIELDS, Policy

POLICY_FIELDS = (*EDITABLE_FIELDS, "is_main")


class PolicyForm(forms.ModelForm):
    """Parses a policy for the pages and the API; the rules are `services.policy_validate`'s (called by clean()),
    writes go through pilier.policies.services."""

    section = forms.ChoiceField(label=_("Section"), choices=Section.choices)
    type = forms.ChoiceField(label=_("Type"), choices=grouped_type_choices)
    insurer = forms.ChoiceField(label=_("Insurer"), choices=[])
    annual_premium = AmountField(label=_("Yearly premium"), required=False)
    reserves = AmountField(label=_("Acquired reserves"), required=False)
    profit_sharing = AmountField(
        label=_("Acquired profit-sharing"),
        required=False,
        help_text=_("Included in the reserves; not taxed at payout"),
    )
    death_capital = AmountField(label=_("Death capital"), required=False)
    disability_annual_benefit = AmountField(label=_("Disability benefit (yearly)"), required=False)

    class Meta:
        model = Policy
        fields = list(POLICY_FIELDS)
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "reserves_date": DateInput(),
            "beneficiary": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        formfield_callback = formfield_with_model_validators

    def __init__(self, *args, client, user, **kwargs):
        if kwargs.get("instance") is not None:
            kwargs["instance"] = copy.copy(kwargs["instance"])
        super().__init__(*args, **kwargs)
        self.client = client
        self.user = user
        self.duplicate_of: Policy | None = None  # the page links to that policy (on a file the user may open)
        self.duplicate_visible = False
        language = translation.get_language() or "fr"
        self.fields["insurer"].choices = [("", "—")] + insurer_choices()
        self.fields["insurer"].widget.attrs["data-hints"] = "1"
        self.insurer_hints = {code: insurer(code).hint_in(language) for code, _name in insurer_choices()}
        self.fields["number"].widget.attrs["autocomplete"] = "off"

    def clean_number(self):
        return self.cleaned_data["number"].strip()

    def clean(self):
        data = super().clean()
        kind = data.get("type")
        if kind in TYPES:
            # What the page sends for a type that does not take it (a hidden field) is not read.
            if not rules.takes_goal(kind):
                data["goal"] = ""
            if not rules.main_group_of(kind):
                data["is_main"] = False
        policy = None if self.instance._state.adding else self.instance
        data = clean_with(
            self,
            lambda **fields: services.policy_validate(client=self.client, policy=policy, by=self.user, **fields),
        )
        self.duplicate_of = error_param(self, "number", "duplicate", "policy")
        self.duplicate_visible = self.duplicate_of is not None
        return data

    def _post_clean(self):
        # Validation only: the service applies the cleaned data and runs the model's full_clean().
        pass
