"""The log of the office's team changes: who added a colleague, changed a role, deactivated or reactivated an
account, reassigned files, and when.

It lives in its own app so that the staff management needs no migration of `accounts` (whose models the portal
extends); the writes themselves are the services of `pilier.accounts.services`."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pilier.accounts.models import Office


class StaffAction(models.TextChoices):
    ADDED = "added", _("Colleague added")
    INVITED = "invited", _("Invitation sent")
    ROLE_CHANGED = "role_changed", _("Role changed")
    DEACTIVATED = "deactivated", _("Account deactivated")
    REACTIVATED = "reactivated", _("Account reactivated")
    FILES_REASSIGNED = "files_reassigned", _("Files reassigned")


class StaffChange(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=30, choices=StaffAction)
    # What changed, as plain data the page translates: {"old": "staff", "new": "office_admin"}, {"count": 3} …
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["office", "-at"], name="staffchange_office_at_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.member_id}"
