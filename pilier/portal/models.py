"""Invitations (one-time links), the client's access to their one file, its history, the office's letters."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Purpose(models.TextChoices):
    CLIENT = "client", _("Client access")
    STAFF = "staff", _("Colleague")
    ACCOUNTANT = "accountant", _("Accountant")


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    ACCEPTED = "accepted", _("accepted")
    EXPIRED = "expired", _("expired")
    REVOKED = "revoked", _("revoked")
    REPLACED = "replaced", _("replaced by a newer link")


class Invitation(models.Model):
    """A one-time link to choose a password (pilier/portal/invitations.py). Only the token's SHA-256 is stored."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    purpose = models.CharField(max_length=20, choices=Purpose)
    email = models.EmailField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations")
    # What the invitation opens: a client file (purpose client) or nothing more than the account (staff).
    client = models.ForeignKey("clients.Client", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    office = models.ForeignKey("accounts.Office", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    replaced = models.BooleanField(default=False)  # revoked because a newer link was sent

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "purpose"], name="invitation_user_purpose")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.email} ({self.status})"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return InvitationStatus.ACCEPTED
        if self.revoked_at:
            return InvitationStatus.REPLACED if self.replaced else InvitationStatus.REVOKED
        if self.expires_at <= timezone.now():
            return InvitationStatus.EXPIRED
        return InvitationStatus.PENDING

    def get_status_display(self) -> str:
        return str(InvitationStatus(self.status).label)


class ClientAccess(models.Model):
    """A client's login to their one file (read-only). The user is never staff: no membership."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="client_access")
    client = models.OneToOneField("clients.Client", on_delete=models.CASCADE, related_name="portal_access")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user} → {self.client_id}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class EventKind(models.TextChoices):
    ACCESS_CREATED = "access_created", _("Client access created")
    INVITATION_SENT = "invitation_sent", _("Invitation sent")
    INVITATION_PRINTED = "invitation_printed", _("Invitation letter printed")
    INVITATION_ACCEPTED = "invitation_accepted", _("Password chosen by the client")
    ACCESS_REVOKED = "access_revoked", _("Client access revoked")
    PORTAL_VIEW = "portal_view", _("The client viewed their file")
    PORTAL_PDF = "portal_pdf", _("The client downloaded the overview")
    OVERVIEW_PRINTED = "overview_printed", _("Overview printed")
    MANDATE_PROPOSED = "mandate_proposed", _("The client proposes a mandate")


class AccessEvent(models.Model):
    """One line of the file's history about its access (who, when, what): pilier/portal/history.py."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="access_events")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=30, choices=EventKind)
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["client", "-at"], name="accessevent_client_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"


class LetterKind(models.TextChoices):
    CLIENT_ACCESS = "client-access", _("Client access letter")


class LetterTemplate(models.Model):
    """An office's own text of a letter in one language; when absent, the default (pilier/portal/letters.py)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30, choices=LetterKind)
    language = models.CharField(max_length=2)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"), max_length=10000)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["office", "kind", "language"], name="lettertemplate_unique_office_kind_lang"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.language}"
