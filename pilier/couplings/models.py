import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pilier.accounts.models import Office
from pilier.clients.models import Client


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportSource(models.TextChoices):
    UPLOAD = "upload", _("Upload")
    API = "api", _("API")
    COMMAND = "command", _("Command")


class ImportKind(models.TextChoices):
    """What a run imports. Only the insurer portfolio has a reader today; the other two arrive with their
    issues (the management-software export, the MyPension PDF), as runs of the same family."""

    PORTFOLIO = "portfolio", _("Insurer portfolio")
    CLIENT_EXPORT = "client_export", _("Client export")
    MYPENSION = "mypension", _("MyPension")


class FailureKind(models.TextChoices):
    """Why a run failed, for the heading of its page: its file refused, or the job stopped (not the file's fault)."""

    REFUSED = "refused", _("The file was refused")
    INTERRUPTED = "interrupted", _("The import was interrupted")
    ERROR = "error", _("The import stopped on an error")


class ImportRun(models.Model):
    """One file imported into an office (an insurer's portfolio, ...), and what importing it did.

    Its life cycle is pilier/couplings/jobs.py: queued, claimed once by a worker (running), then done or
    failed; a run left running by a worker that died is recovered from there."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=16, choices=ImportKind, default=ImportKind.PORTFOLIO)
    # No index of its own: the index below starts with it (the office's runs, newest first).
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="import_runs", db_index=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="import_runs"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=ImportSource, default=ImportSource.UPLOAD)
    file_name = models.CharField(_("file"), max_length=255)
    file = models.FileField(upload_to="imports/%Y/%m/", blank=True)
    # What the file was, kept once it is deleted (it holds personal data: deleted when the run ends).
    file_size = models.PositiveBigIntegerField(null=True, blank=True, help_text="Bytes")
    file_sha256 = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the file, hexadecimal")
    # The insurer chosen at upload, for a file that does not name its own (a Telebib2 file): an insurer code.
    insurer = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=10, choices=ImportStatus, default=ImportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="0 to 100; while running, see jobs.progress_of")
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Times a worker claimed it (recovered runs)")
    worker = models.CharField(max_length=100, blank=True, help_text="The WorkerHeartbeat name of its last claimer")
    # The checkpoint of a run written in chunks (portfolio/importer.py): null until its first chunk is written.
    applied_chunks = models.PositiveIntegerField(
        null=True, blank=True, help_text="Chunks of the file written so far (its counts so far with them)"
    )
    # The records per chunk the run was cut in: a run resumed by another version of the code (a deploy while a
    # worker died) is cut the same way, so that its checkpoint still names the same records.
    chunk_size = models.PositiveIntegerField(null=True, blank=True, help_text="Records per chunk of this run")
    insurers = models.JSONField(default=list, blank=True)
    records = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    unmatched = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="[{line, message}] of the rejected records")
    failure = models.TextField(blank=True, help_text="Why the whole file was refused")
    failure_kind = models.CharField(max_length=12, choices=FailureKind, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["office", "-created_at"], name="import_office_created_idx")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)


class WorkerHeartbeat(models.Model):
    """A worker process (`manage.py db_worker`) seen alive: it beats every few seconds (pilier/couplings/
    worker.py). Read by /healthz (a worker seen lately) and by the recovery of the runs it claimed (jobs.py)."""

    name = models.CharField(max_length=100, primary_key=True, help_text="host-pid-token, one per process")
    host = models.CharField(max_length=64)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)
    running = models.CharField(max_length=36, blank=True, help_text="The id of the ImportRun it is running")

    def __str__(self) -> str:
        return self.name


class UnmatchedStatus(models.TextChoices):
    OPEN = "open", _("To handle")
    LINKED = "linked", _("Linked to a file")
    DISMISSED = "dismissed", _("Dismissed")


class UnmatchedReason(models.TextChoices):
    NO_MANDATE = "no_mandate", _("No policy with this number, and no mandate")
    NO_CLIENT = "no_client", _("Mandate, but no client file with this national number")


class UnmatchedRecord(models.Model):
    """A record that no policy of the office matches: the broker links it to a file or dismisses it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No index of its own: both indexes below start with it.
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="unmatched_records", db_index=False)
    # Not indexed: never looked up by it (imports are kept), and every index is one more write per record.
    last_import = models.ForeignKey(ImportRun, on_delete=models.SET_NULL, null=True, related_name="+", db_index=False)
    insurer = models.CharField(max_length=20)
    number = models.CharField(max_length=40)
    number_key = models.CharField(max_length=40)
    type = models.CharField(max_length=24)
    holder_national_number = models.CharField(max_length=15, blank=True)
    holder_name = models.CharField(max_length=300, blank=True)
    mandate = models.BooleanField(default=False)
    reason = models.CharField(max_length=12, choices=UnmatchedReason)
    data = models.JSONField(help_text="The record as read, with its values cleaned")
    fingerprint = models.CharField(
        max_length=32, help_text="Digest of `data`: a re-import of the same record changes nothing"
    )
    status = models.CharField(max_length=10, choices=UnmatchedStatus, default=UnmatchedStatus.OPEN)
    linked_client = models.ForeignKey(Client, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    seen_at = models.DateTimeField()
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["status", "-seen_at"]
        constraints = [
            models.UniqueConstraint(fields=["office", "insurer", "number_key"], name="unmatched_unique_number")
        ]
        indexes = [models.Index(fields=["office", "status"], name="unmatched_office_status_idx")]

    def __str__(self) -> str:
        return f"{self.insurer} {self.number}"

    @property
    def type_label(self):
        from pilier.policies.catalogue import TYPES

        kind = TYPES.get(self.type)
        return kind.label if kind else self.type
