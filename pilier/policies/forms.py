import copy

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from pilier.lib.money import AmountField
from pilier.lib.widgets import DateInput, formfield_with_model_validators

from .catalogue import TYPES, Section, grouped_type_choices, why_not_in
from .insurers import InvalidPolicyNumber, insurer, insurer_choices, normalise_policy_number
from .models import EDITABLE_FIELDS, Policy

POLICY_FIELDS = (*EDITABLE_FIELDS, "is_main")


class PolicyForm(forms.ModelForm):
    """Validates a policy for the pages and the API; writes go through pilier.policies.services."""

    section = forms.ChoiceField(label=_("Section"), choices=Section.choices)
    type = forms.ChoiceField(label=_("Type"), choices=grouped_type_choices)
    insurer = forms.ChoiceField(label=_("Insurer"), choices=[])
    annual_premium = AmountField(label=_("Yearly premium"), required=False)
    reserves = AmountField(label=_("Acquired reserves"), required=False)
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
        self.number_key = self.instance.number_key
        self.duplicate_of: Policy | None = None
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
        section, kind = data.get("section"), data.get("type")
        if section and kind:
            reason = why_not_in(section, kind)
            if reason:
                self.add_error("type", forms.ValidationError(reason, code="wrong_section"))
        code, raw = data.get("insurer"), data.get("number")
        if code and raw:
            try:
                number = normalise_policy_number(code, raw)
            except InvalidPolicyNumber as exc:
                language = translation.get_language() or "fr"
                self.add_error(
                    "number",
                    forms.ValidationError(
                        _("This is not a %(insurer)s policy number. %(hint)s"),
                        code=exc.reason,
                        params={"insurer": exc.insurer.name, "hint": exc.insurer.hint_in(language)},
                    ),
                )
            else:
                data["number"] = number.number
                self.number_key = number.key
                clash = Policy.objects.filter(office=self.client.office, insurer=code, number_key=number.key)
                if self.instance.pk:
                    clash = clash.exclude(pk=self.instance.pk)
                self.duplicate_of = clash.select_related("client").first()
                if self.duplicate_of is not None:
                    owner = self.duplicate_of.client
                    self.duplicate_visible = not owner.restricted_access or owner.is_assigned_to(self.user)
                    if self.duplicate_visible:
                        error = forms.ValidationError(
                            _("This number is already used by another %(insurer)s policy in your office (%(client)s)."),
                            code="duplicate",
                            params={"insurer": insurer(code).name, "client": owner.full_name},
                        )
                    else:  # a file the user may not open: a refusal that does not tell a restricted file exists
                        error = forms.ValidationError(
                            _("This policy number cannot be used for this file. Ask an office admin."),
                            code="unavailable",
                        )
                    self.add_error("number", error)
        if kind and TYPES[kind].section != Section.INVESTMENT:
            data["goal"] = ""  # a goal labels investments only
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date is before the start date."))
        if data.get("is_main") and kind and not TYPES[kind].main_group:
            data["is_main"] = False
        return data

    def _post_clean(self):
        # Validation only: the service applies the cleaned data and runs the model's full_clean().
        pass
