"""The directory of accountants, shared by every office (issue 14): one accountant per e-mail (case-insensitive).
An office sees an accountant's public card only, never which other offices or files they work with."""

import uuid

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class Accountant(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("Name"), max_length=200)
    firm = models.CharField(_("Firm"), max_length=200, blank=True)
    enterprise_number = models.CharField(_("Enterprise number"), max_length=10)  # 10 digits, check digits valid
    itaa_number = models.CharField(_("ITAA number"), max_length=20, blank=True)
    email = models.EmailField(_("E-mail"))
    phone = models.CharField(_("Phone"), max_length=40, blank=True)
    street = models.CharField(_("Street"), max_length=200, blank=True)
    number = models.CharField(_("Number"), max_length=20, blank=True)
    postcode = models.CharField(_("Postcode"), max_length=10, blank=True)
    municipality = models.CharField(_("Municipality"), max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(Lower("email"), name="accountant_unique_email_ci")]

    def __str__(self) -> str:
        return self.name


class FileAccountant(models.Model):
    """The accountant recorded on a file (PRO follow-up only). `invited_at` stays empty for "save only"."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.OneToOneField("clients.Client", on_delete=models.CASCADE, related_name="file_accountant")
    accountant = models.ForeignKey(Accountant, on_delete=models.PROTECT, related_name="+")
    set_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    set_at = models.DateTimeField(auto_now=True)
    invited_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.accountant_id} / {self.client_id}"
