from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from pilier.lib.api_parser import size_text
from pilier.policies.insurers import insurer_choices


def too_large_message() -> str:
    return _("The file is larger than %(size)s.") % {"size": size_text(settings.UPLOAD_MAX_BYTES)}


class PortfolioUploadForm(forms.Form):
    """`refused`: the upload was stopped at the size limit while it was read (pilier.lib.uploads)."""

    file = forms.FileField(
        label=_("Portfolio file"),
        help_text=_("CSV (UTF-8 or Windows-1252, ; or ,) or JSON, in the portfolio format, or a Telebib2 file."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.json,.edi,.gbo,text/csv,application/json"}),
    )

    insurer = forms.ChoiceField(
        label=_("Insurer"),
        required=False,
        help_text=_("Only for a Telebib2 file that does not name its insurer (or names it with an unknown code)."),
    )

    def __init__(self, *args, refused: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.refused = refused
        self.fields["insurer"].choices = [("", "—"), *insurer_choices()]  # type: ignore[attr-defined]

    def clean(self):
        if self.refused:
            self.errors.pop("file", None)  # not "required": it was sent, and too large to be read
            self.add_error("file", too_large_message())
        return super().clean()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(too_large_message())
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload
