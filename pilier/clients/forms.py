import copy
import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from pilier.accounts.selectors import office_staff
from pilier.lib.money import AmountField
from pilier.lib.widgets import DateInput, formfield_with_model_validators

from . import services
from .identifiers import InvalidNationalNumber, clean_enterprise_number, parse_national_number
from .models import IDENTITY_FIELDS, SOCIAL_STATUS_FIELDS, CareerLine, Client, Gender, SocialStatus

NATIONAL_NUMBER_ERRORS = {
    "format": _("A national number has only digits, dots and dashes."),
    "length": _("A national number has 11 digits (YY.MM.DD-SSS.CC)."),
    "checksum": _("This is not a valid national register or BIS number (check digits)."),
}


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


class ValidateOnlyModelForm(forms.ModelForm):
    """Validates against a copy of the instance: services apply the cleaned data (and see what changed)."""

    def __init__(self, *args, **kwargs):
        if kwargs.get("instance") is not None:
            kwargs["instance"] = copy.copy(kwargs["instance"])
        super().__init__(*args, **kwargs)

    def save(self, commit=True):
        raise NotImplementedError("Write through pilier.clients.services.")


class ClientIdentityForm(ValidateOnlyModelForm):
    """Step 1 of the wizard, and the identity edit form. The API validates through it too."""

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
        self.duplicate_of: Client | None = None
        self.duplicate_visible = False  # the template links to the other file only when the user may open it
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

    def clean_national_number(self):
        try:
            self.parsed_number = parse_national_number(self.cleaned_data["national_number"])
        except InvalidNationalNumber as exc:
            raise forms.ValidationError(NATIONAL_NUMBER_ERRORS[str(exc)], code="invalid") from None
        number = self.parsed_number
        if not number.provisional:
            clash = Client.objects.filter(office=self.office, national_number=number.formatted)
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            self.duplicate_of = clash.first()
            if self.duplicate_of is not None:
                self.duplicate_visible = not self.duplicate_of.restricted_access or self.duplicate_of.is_assigned_to(
                    self.user
                )
                if not self.duplicate_visible:
                    # Whatever the reason (today: a restricted file that is not the user's), the same refusal, that
                    # says neither why nor which file: it must not tell that a restricted file exists.
                    raise forms.ValidationError(
                        _("This national number cannot be used for this file. Ask an office admin."),
                        code="unavailable",
                    )
                raise forms.ValidationError(
                    _("This national number is already used by the file of %(name)s."),
                    code="duplicate",
                    params={"name": self.duplicate_of.full_name},
                )
        return number.formatted

    def clean_client_number(self):
        value = self.cleaned_data["client_number"].strip()
        if value:
            clash = Client.objects.filter(office=self.office, client_number=value)
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                raise forms.ValidationError(_("This client number is already used in your office."), code="duplicate")
        return value

    def clean_country(self):
        return self.cleaned_data["country"].strip().upper()

    def clean(self):
        data = super().clean()
        number = getattr(self, "parsed_number", None)
        if number is not None and number.birth_date:
            given = data.get("birth_date")
            if given and given != number.birth_date:
                self.add_error(
                    "birth_date",
                    forms.ValidationError(
                        _("The national number gives %(date)s as birth date."),
                        code="contradicts",
                        params={"date": number.birth_date.strftime("%d/%m/%Y")},
                    ),
                )
            else:
                data["birth_date"] = number.birth_date
        if number is not None and number.gender:
            given = data.get("gender")
            if given and given not in (number.gender, Gender.UNKNOWN):
                self.add_error(
                    "gender", forms.ValidationError(_("The national number gives another gender."), code="contradicts")
                )
            else:
                data["gender"] = number.gender
        if not data.get("gender"):
            data["gender"] = Gender.UNKNOWN
        if data.get("birth_date") and data["birth_date"] > datetime.date.today():
            self.add_error("birth_date", forms.ValidationError(_("The birth date is in the future."), code="future"))
        if data.get("restricted_access"):
            assignees = {u for u in (data.get("account_manager"), data.get("file_manager")) if u}
            if not assignees:
                self.add_error(
                    "restricted_access",
                    _("A file with restricted access needs an account manager or a file manager."),
                )
            elif self.user not in assignees and not getattr(self, "allow_unassigned_editor", False):
                self.add_error(
                    "restricted_access",
                    _("You would no longer see this file: make yourself its account manager or file manager."),
                )
        return data


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


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

    def clean_enterprise_number(self):
        value = self.cleaned_data["enterprise_number"].strip()
        if not value:
            return ""
        try:
            return clean_enterprise_number(value)
        except ValueError:
            raise forms.ValidationError(
                _("This is not a valid enterprise number (0xxx.xxx.xxx)."), code="invalid"
            ) from None

    def clean(self):
        data = super().clean()
        if data.get("social_status") != SocialStatus.COMPANY_DIRECTOR:
            # Company data belong to a company director only.
            for field in ("fiscal_year_start", "fiscal_year_end", "company_name", "enterprise_number"):
                data[field] = None if field.startswith("fiscal") else ""
            return data
        start, end = data.get("fiscal_year_start"), data.get("fiscal_year_end")
        for field in ("fiscal_year_start", "fiscal_year_end"):
            if not data.get(field) and field not in self.errors:
                self.add_error(field, _("A company director needs the dates of the company's current financial year."))
        if start and end:
            if end <= start:
                self.add_error("fiscal_year_end", _("The financial year must end after it starts."))
            elif end >= add_months(start, 24):
                self.add_error("fiscal_year_end", _("A financial year lasts at most 24 months."))
        return data


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
        data = super().clean()
        if self.instance.restricted_access and not (data.get("account_manager") or data.get("file_manager")):
            raise forms.ValidationError(_("A file with restricted access needs an account manager or a file manager."))
        return data


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
