from django import forms
from django.utils.translation import gettext_lazy as _

MAX_UPLOAD = 200 * 1024 * 1024


class PortfolioUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Portfolio file"),
        help_text=_("CSV (UTF-8 or Windows-1252, ; or ,) or JSON, in the portfolio format."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.json,text/csv,application/json"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than 200 MB."))
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload
