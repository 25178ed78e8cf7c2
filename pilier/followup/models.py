"""PRO follow-up: switched on per file ("Actions" on the file), then one row per file and year saying which
flow the file is in (optimisation / prospection), its status in it (who set it, when) and the room left from
the analysis, kept on the row so that the yearly dashboard never runs the analysis of every file."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from pilier.accounts.models import Office
from pilier.clients.models import SMALL_INTEGER, Client


class Flow(models.TextChoices):
    OPTIMISATION = "optimisation", _("Optimisation")
    PROSPECTION = "prospection", _("Prospection")


class Status(models.TextChoices):
    TO_HANDLE = "to_handle", _("To handle")
    WAITING_FOR_CLIENT = "waiting_for_client", _("Waiting for the client")
    DONE = "done", _("Done")


class ProspectionCase(models.TextChoices):
    NO_PLCI = "no_plci", _("No PLCI: propose a first one")
    HELD_ELSEWHERE = "held_elsewhere", _("PLCI held elsewhere: propose a transfer")
    DORMANT = "dormant", _("Dormant PLCI: propose a reactivation")


class ProFollowUp(models.Model):
    """PRO follow-up of one file; switched off it stays (with its years), so that the history is kept."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="pro_follow_up")
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="+")
    active = models.BooleanField(_("PRO follow-up active"), default=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        indexes = [models.Index(fields=["office", "active"], name="followup_office_active_idx")]

    def __str__(self) -> str:
        return f"{self.client} PRO"


# What the row keeps of the analysis: written by the refresh with a queryset update, never in the history.
ROOM_FIELDS = ("product", "room", "premium", "computed_at", "stale")


class FollowUpYear(models.Model):
    """One file's year in its flow. `stale`: an input of the analysis changed since `computed_at` (signals, and
    the policies' `updated_at` for the imports' own SQL): the room and the flow are computed again on the next
    dashboard request, for those rows only."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    follow_up = models.ForeignKey(ProFollowUp, on_delete=models.CASCADE, related_name="years")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"), validators=SMALL_INTEGER)
    flow = models.CharField(_("flow"), max_length=12, choices=Flow)
    case = models.CharField(_("case"), max_length=16, choices=ProspectionCase, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.TO_HANDLE)
    status_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status_set_at = models.DateTimeField(null=True, blank=True)

    product = models.CharField(max_length=8, blank=True)
    room = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    premium = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    stale = models.BooleanField(default=True)

    history = HistoricalRecords(excluded_fields=list(ROOM_FIELDS), no_db_index=["follow_up", "client", "office"])

    class Meta:
        ordering = ["year"]
        constraints = [models.UniqueConstraint(fields=["client", "year"], name="followup_one_row_per_year")]
        indexes = [
            models.Index(fields=["office", "year", "flow", "status"], name="followup_dashboard_idx"),
            models.Index(fields=["office", "year", "stale"], name="followup_stale_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.client} {self.year} {self.flow} {self.status}"
