"""A MyPension file read into a draft: nothing reaches the client's policies before the broker confirms.

The draft keeps the parsed file (`dossier`, plain JSON: pilier/couplings/mypension/serialise.py), what the review
proposed per contract and what the broker chose; once confirmed it is the record of the import (who, when,
counts). The PDF itself is kept only when the office says so (MyPensionSettings.keep_pdf): it holds the client's
national number and address."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pilier.accounts.models import Office
from pilier.clients.models import Client


class MyPensionSettings(models.Model):
    """The office's choices for MyPension files; an office without a row has the defaults."""

    office = models.OneToOneField(Office, on_delete=models.CASCADE, related_name="mypension_settings")
    keep_pdf = models.BooleanField(
        _("keep the MyPension PDF with the file after the import"),
        default=False,
        help_text=_("Otherwise it is deleted once the import is confirmed (it holds the client's national number)."),
    )

    class Meta:
        verbose_name = "MyPension settings"
        verbose_name_plural = "MyPension settings"

    def __str__(self) -> str:
        return f"{self.office}: keep_pdf={self.keep_pdf}"

    @classmethod
    def of(cls, office: Office) -> "MyPensionSettings":
        return cls.objects.filter(office=office).first() or cls(office=office)


class DraftStatus(models.TextChoices):
    DRAFT = "draft", _("To review")
    CONFIRMED = "confirmed", _("Imported")


class Action(models.TextChoices):
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    UNCHANGED = "unchanged", _("Unchanged")
    IGNORE = "ignore", _("Ignore")


class Draft(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Reached through its client (its office kept equal to the client's), never by its id alone.
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="+", db_index=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="mypension_drafts", db_index=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(_("file"), max_length=255)
    file_size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    pdf = models.FileField(upload_to="mypension/%Y/%m/", blank=True)
    language = models.CharField(max_length=2)
    reference_date = models.DateField(_("situation at"))
    dossier = models.JSONField(help_text="The parsed file (serialise.dossier_to_json)")
    proposals = models.JSONField(default=dict, help_text="{key: {action, policy, changes, reason}} as reviewed")
    chosen = models.JSONField(default=dict, blank=True, help_text="{key: action} the broker chose at confirm")
    missing = models.JSONField(default=list, blank=True, help_text="Policies from an earlier file not in this one")
    status = models.CharField(max_length=10, choices=DraftStatus, default=DraftStatus.DRAFT)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    ignored = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["client", "-created_at"], name="mypension_draft_client_idx")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def is_confirmed(self) -> bool:
        return self.status == DraftStatus.CONFIRMED

    def counts(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged, "ignored": self.ignored}
