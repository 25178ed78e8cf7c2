import copy
import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from pilier.accounts.selectors import office_staff
from pilier.lib.money import AmountField
from pilier.lib.validation import clean_with, error_param
from pilier.lib.widgets import DateInput, formfield_with_model_validators

from . import services
from .models import IDENTITY_FIELDS, SOCIAL_STATUS_FIELDS, CareerLine, Client, Gender, Income, SocialStatus


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


class ValidateOnlyModelForm(forms.ModelForm):
    """Parses against a copy of the instance: the services check and apply the cleaned data (and see what
    changed); a form's clean() asks the service's `*_validate` for the rules and shows its errors."""

    def __init__(self, *args, **kwargs):
        if kwargs.get("instance") is not None:
            kwargs["instance"] = copy.copy(kwargs["instance"])
        super().__init__(*args, **kwargs)

    def save(self, commit=True):
        raise NotImplementedError("Write through pilier.clients.services.")


class ClientIdentityForm(ValidateOnlyModelForm):
    """Step 1 of the wizard, and the identity edit form. The API parses through it too; the rules (identity
    from the national number, numbers already used, restricted access) are `services.client_validate`'s."""

    national_number = forms.CharField(
        label=_("National register number"),
        max_length=20,
        help_text=_("NN or BIS number; 99.99.99-999.99 when not known yet."),
        widget=forms.TextInput(attrs={"placeholder": "YY.MM.DD-SSS.CC", "autocomplete": "off"}),
    )
    gender = forms.ChoiceField(
        label=_("Gender"),
        choices=[("", _("From the national number"))] + list(Gender.choices),
        required=False,
    )

    class Meta:
        model = Client
        fields = list(IDENTITY_FIELDS)
        widgets = {"birth_date": DateInput()}
        field_classes = {"account_manager": StaffChoiceField, "file_manager": StaffChoiceField}
        formfield_callback = formfield_with_model_validators

    def __init__(self, *args, office, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.office = office
        self.user = user
        self.duplicate_of: Client | None = None  # the page links to that file (one the user may open)
        staff = office_staff(office)
        self.fields["account_manager"].queryset = staff
        self.fields["file_manager"].queryset = staff
        self.fields["birth_date"].help_text = _("Taken from the national number when it encodes it.")
        self.fields["client_number"].help_text = _(
            "Your own reference, e.g. the file number in your management software."
        )
        self.fields["restricted_access"].help_text = _(
            "Only the account manager and the file manager see this file (e.g. the office manager's own file)."
        )
        if self.instance.pk:
            self.initial.setdefault("gender", self.instance.gender)

    def clean(self):
        super().clean()
        client = None if self.instance._state.adding else self.instance
        data = clean_with(
            self, lambda **fields: services.client_validate(office=self.office, client=client, by=self.user, **fields)
        )
        self.duplicate_of = error_param(self, "national_number", "duplicate", "client")
        return data

    @property
    def duplicate_visible(self) -> bool:
        return self.duplicate_of is not None


class SocialStatusForm(ValidateOnlyModelForm):
    """Step 2 of the wizard: the client's current social status."""

    social_status = forms.ChoiceField(
        label=_("Current social status"), choices=SocialStatus.choices, widget=forms.RadioSelect
    )

    class Meta:
        model = Client
        fields = list(SOCIAL_STATUS_FIELDS)
        widgets = {"fiscal_year_start": DateInput(), "fiscal_year_end": DateInput()}
        formfield_callback = formfield_with_model_validators

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise_number"].help_text = _("Optional, 0xxx.xxx.xxx")
        self.fields["enterprise_number"].widget.attrs["placeholder"] = "0xxx.xxx.xxx"

    def clean(self):
        super().clean()
        client = None if self.instance._state.adding else self.instance
        return clean_with(self, lambda **fields: services.client_validate(client=client, **fields))


class AssignmentForm(ValidateOnlyModelForm):
    class Meta:
        model = Client
        fields = ["account_manager", "file_manager"]
        field_classes = {"account_manager": StaffChoiceField, "file_manager": StaffChoiceField}

    def __init__(self, *args, office, **kwargs):
        super().__init__(*args, **kwargs)
        staff = office_staff(office)
        self.fields["account_manager"].queryset = staff
        self.fields["file_manager"].queryset = staff

    def clean(self):
        super().clean()
        return clean_with(self, lambda **fields: services.client_validate(client=self.instance, **fields))


def _year_bounds(client: Client) -> tuple[int, int]:
    today = datetime.date.today()
    first = (client.birth_date.year + 14) if client.birth_date else 1940
    return first, today.year


class CareerLineForm(ValidateOnlyModelForm):
    gross_annual_income = AmountField(label=_("Gross annual income"), required=False, max_digits=12)

    class Meta:
        model = CareerLine
        fields = ["from_year", "to_year", "status", "employer", "gross_annual_income"]
        formfield_callback = formfield_with_model_validators

    def __init__(self, *args, client: Client, **kwargs):
        super().__init__(*args, **kwargs)
        self.client = client
        self.fields["from_year"].widget.attrs.update({"placeholder": "2005", "inputmode": "numeric"})
        self.fields["to_year"].widget.attrs.update({"placeholder": _("ongoing"), "inputmode": "numeric"})

    def clean(self):
        data = super().clean()
        first, last = _year_bounds(self.client)
        start, end, status = data.get("from_year"), data.get("to_year"), data.get("status")
        for field in ("from_year", "to_year"):
            year = data.get(field)
            if year is not None and not first <= year <= last:
                self.add_error(field, _("Give a year between %(first)s and %(last)s.") % {"first": first, "last": last})
        if start and end and end < start:
            self.add_error("to_year", _("The line must end after it starts."))
        if start and status and not self.errors:
            clashes = services.career_conflicts(
                client=self.client, from_year=start, to_year=end, status=status, exclude=self.instance
            )
            if clashes:
                line = clashes[0]
                raise forms.ValidationError(
                    _(
                        "This period overlaps %(years)s (%(status)s): these statuses cannot be combined. "
                        "Adjust the years of one of the two lines."
                    ),
                    code="overlap",
                    params={"years": f"{line.from_year}–{line.to_year or '…'}", "status": line.get_status_display()},
                )
        return data


class CareerShortcutForm(forms.Form):
    end_of_studies_year = forms.IntegerField(
        label=_("End of studies (year)"),
        widget=forms.NumberInput(attrs={"placeholder": "2001", "inputmode": "numeric"}),
    )

    def __init__(self, *args, client: Client, **kwargs):
        super().__init__(*args, **kwargs)
        self.client = client

    def clean_end_of_studies_year(self):
        year = self.cleaned_data["end_of_studies_year"]
        if self.client.career_lines.exists():
            raise forms.ValidationError(
                _(
                    "This shortcut is for a career without any line: this file already has lines, "
                    "edit or delete them instead."
                )
            )
        first, last = _year_bounds(self.client)
        if not first <= year <= last:
            raise forms.ValidationError(
                _("Give a year between %(first)s and %(last)s.") % {"first": first, "last": last}
            )
        clashes = services.career_conflicts(client=self.client, from_year=year, to_year=None, status="employee")
        if clashes:
            raise forms.ValidationError(
                _("The career already has lines that cannot be combined with this one: edit them instead.")
            )
        return year


# Income amounts are 12 digits in the database (policies' 14, AmountField's default).
INCOME_DIGITS = 12


class IncomeForm(forms.ModelForm):
    """The income figures of one year (page and API): parsing only, `services.income_set` saves them."""

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
