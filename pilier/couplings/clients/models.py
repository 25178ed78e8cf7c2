import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pilier.accounts.models import Office
from pilier.couplings.models import ImportRun, ImportStatus


class ClientImportStatus(models.TextChoices):
    MAPPING = "mapping", _("Columns to map")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    PREVIEWED = "previewed", _("Preview ready")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ClientImport(models.Model):
    """A client export of the management software on its way in: its file and column mapping, the preview
    (a dry run: what importing it would do), then the confirmed run (an ImportRun of kind client_export,
    run by couplings/jobs.py) and what it did.

    The file is kept until the import is confirmed (handed to its run, which deletes it at its end) or
    failed; the name, size and checksum stay."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="client_imports", db_index=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="client_imports"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=10, default="upload")
    file = models.FileField(upload_to="client-imports/%Y/%m/", blank=True)
    file_name = models.CharField(_("file"), max_length=255)
    file_size = models.PositiveBigIntegerField(default=0)
    file_sha256 = models.CharField(max_length=64, blank=True)
    headers = models.JSONField(default=list, blank=True, help_text="The file's column headers, as read")
    mapping = models.JSONField(default=dict, blank=True, help_text="{column index: field code or ''}")
    status = models.CharField(max_length=10, choices=ClientImportStatus, default=ClientImportStatus.MAPPING)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    apply = models.BooleanField(default=False, help_text="Confirmed: written by its run once queued")
    run = models.OneToOneField(
        ImportRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="client_import"
    )
    lines = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    conflicts = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True, help_text="The lines behind each count (plan.Report)")
    failure = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["office", "-created_at"], name="client_import_office_idx")]

    def __str__(self) -> str:
        return self.file_name

    @property
    def current_status(self) -> str:
        """Its own status until confirmed, then its run's (queued, running, done, failed)."""
        if self.run is not None and self.apply:
            return str(self.run.status)
        return str(self.status)

    @property
    def is_finished(self) -> bool:
        return self.current_status in (ImportStatus.DONE, ImportStatus.FAILED, ClientImportStatus.PREVIEWED)

    def counts(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in ("created", "updated", "unchanged", "conflicts", "rejected")}


class ClientImportMapping(models.Model):
    """The column mapping an office confirmed, by header: proposed again for the next file."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="+")
    header = models.CharField(max_length=200, help_text="The header, lower case, accents and spaces removed")
    field = models.CharField(max_length=30, blank=True, help_text="'' : the column is ignored")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office", "header"], name="client_import_mapping_unique")]

    def __str__(self) -> str:
        return f"{self.header} → {self.field or '-'}"
