import uuid
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from pilier.accounts.models import Office
from pilier.clients.models import SMALL_INTEGER, Client
from pilier.lib.text import validate_multi_line, validate_single_line

from .catalogue import TYPE_CHOICES, TYPES, PolicyType, Section


class PolicyStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    DORMANT = "dormant", _("Premium-free / dormant")
    TERMINATED = "terminated", _("Terminated")


class PaymentFrequency(models.TextChoices):
    YEARLY = "yearly", _("Yearly")
    HALF_YEARLY = "half_yearly", _("Half-yearly")
    QUARTERLY = "quarterly", _("Quarterly")
    MONTHLY = "monthly", _("Monthly")
    SINGLE = "single", _("Single premium")
    FREE = "free", _("Free payments")


def money_field(label, **kwargs):
    return models.DecimalField(label, max_digits=14, decimal_places=2, null=True, blank=True, **kwargs)


# Fields the insurer knows (a portfolio file may update them) and fields only the broker knows.
INSURER_FIELDS = (
    "status",
    "start_date",
    "end_date",
    "annual_premium",
    "reserves",
    "reserves_date",
    "death_capital",
)
BROKER_FIELDS = (
    "payment_frequency",
    "profit_sharing",
    "disability_annual_benefit",
    "disability_waiting_days",
    "beneficiary",
    "managed",
    "mandate",
    "goal",
    "notes",
)
# What the broker can write (forms, API, services); `is_main` goes through the main-policy rule.
EDITABLE_FIELDS = ("section", "type", "insurer", "number", *INSURER_FIELDS, *BROKER_FIELDS)


class Policy(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Kept equal to the client's office by the services, so imports match on one index.
    # No index of their own: the unique (office, insurer, number_key) and the (client, section) index
    # both start with them (every index is one more write per policy an import creates).
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="policies", db_index=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="policies", db_index=False)
    section = models.CharField(_("section"), max_length=12, choices=Section)
    type = models.CharField(_("type"), max_length=24, choices=TYPE_CHOICES)
    insurer = models.CharField(_("insurer"), max_length=20, validators=[validate_single_line])
    number = models.CharField(_("policy number"), max_length=40, validators=[validate_single_line])
    number_key = models.CharField(max_length=40, editable=False)
    status = models.CharField(_("status"), max_length=12, choices=PolicyStatus, default=PolicyStatus.ACTIVE)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    annual_premium = money_field(_("yearly premium"))
    payment_frequency = models.CharField(
        _("payment frequency"), max_length=12, choices=PaymentFrequency, default=PaymentFrequency.YEARLY
    )
    reserves = money_field(_("acquired reserves"))
    reserves_date = models.DateField(_("reserves at"), null=True, blank=True)
    profit_sharing = money_field(_("acquired profit-sharing"))
    death_capital = money_field(_("death capital"))
    disability_annual_benefit = money_field(_("disability benefit (yearly)"))
    disability_waiting_days = models.PositiveSmallIntegerField(
        _("waiting period (days)"), null=True, blank=True, validators=SMALL_INTEGER
    )
    beneficiary = models.TextField(_("beneficiary"), blank=True, validators=[validate_multi_line])
    managed = models.BooleanField(_("managed by the office"), default=True)
    mandate = models.BooleanField(_("mandate with the insurer"), default=False)
    goal = models.CharField(
        _("goal"),
        max_length=100,
        blank=True,
        help_text=_("e.g. grandchildren, seaside flat, growth"),
        validators=[validate_single_line],
    )
    notes = models.TextField(_("notes"), blank=True, validators=[validate_multi_line])
    # Written by the MyPension import (pilier/couplings/mypension): the plan's identifier at DB2P (Sigedis),
    # which matches the same plan year after year; and the pension institution's name as MyPension prints it
    # when it is not one of our insurers (`insurer` is then OTHER).
    db2p_id = models.CharField(
        _("DB2P identifier"), max_length=40, blank=True, editable=False, validators=[validate_single_line]
    )
    institution = models.CharField(
        _("pension institution"), max_length=200, blank=True, editable=False, validators=[validate_single_line]
    )
    main_group = models.CharField(max_length=8, blank=True, editable=False)
    is_main = models.BooleanField(_("main policy"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The history is read policy by policy (its `id` index); office and client need no index there.
    history = HistoricalRecords(
        excluded_fields=["number_key", "main_group", "updated_at"], no_db_index=["office", "client"]
    )

    class Meta:
        ordering = ["section", "-is_main", "type", "start_date", "created_at"]
        verbose_name_plural = "policies"
        constraints = [
            # Exactly one main policy per group is kept by the services; the database makes
            # sure there is never more than one, even when two requests race.
            models.UniqueConstraint(
                fields=["client", "main_group"], condition=Q(is_main=True), name="policy_one_main_per_group"
            ),
            models.UniqueConstraint(fields=["office", "insurer", "number_key"], name="policy_unique_number_in_office"),
            models.CheckConstraint(condition=Q(is_main=False) | ~Q(main_group=""), name="policy_main_only_in_a_group"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="policy_ends_after_it_starts",
            ),
        ]
        indexes = [models.Index(fields=["client", "section"], name="policy_client_section_idx")]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.insurer} {self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.main_group = TYPES[self.type].main_group
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("policies:edit", args=[self.pk])

    @property
    def kind(self) -> PolicyType:
        return TYPES[self.type]

    @property
    def insurer_name(self) -> str:
        from .insurers import insurer

        if self.institution and self.insurer == "OTHER":
            return self.institution  # an institution outside our list, kept by its name (MyPension)
        try:
            return insurer(self.insurer).display_name
        except KeyError:
            return self.insurer
