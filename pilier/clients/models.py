import unicodedata
import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from pilier.accounts.models import Office
from pilier.lib.text import validate_single_line

from .identifiers import PLACEHOLDER, digits

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

    from .career import Span


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")
    UNKNOWN = "X", _("Unknown")


class ClientLanguage(models.TextChoices):
    FR = "fr", _("French")
    NL = "nl", _("Dutch")
    DE = "de", _("German")
    EN = "en", _("English")


class SocialStatus(models.TextChoices):
    EMPLOYEE = "employee", _("Employee")
    CIVIL_SERVANT = "civil_servant", _("Civil servant")
    SELF_EMPLOYED = "self_employed", _("Self-employed without company")
    COMPANY_DIRECTOR = "company_director", _("Company director (with a company)")
    ASSISTING_SPOUSE = "assisting_spouse", _("Assisting spouse")
    UNEMPLOYED = "unemployed", _("Unemployed")
    RETIRED = "retired", _("Retired")
    NONE = "none", _("None")


# The range of a PositiveSmallIntegerField column on PostgreSQL, checked on every database
# (SQLite takes any integer, PostgreSQL refuses the row).
SMALL_INTEGER = [MinValueValidator(0), MaxValueValidator(32767)]
SEARCH_NAME_LENGTH = 320


def search_key(*parts: str) -> str:
    """Lower case without accents, so that 'lefevre' finds 'Lefèvre'."""
    text = " ".join(p for p in parts if p)
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


IDENTITY_FIELDS = (
    "last_name",
    "first_name",
    "national_number",
    "birth_date",
    "gender",
    "language",
    "email",
    "phone",
    "street",
    "house_number",
    "box",
    "postcode",
    "municipality",
    "country",
    "client_number",
    "account_manager",
    "file_manager",
    "restricted_access",
)
SOCIAL_STATUS_FIELDS = ("social_status", "fiscal_year_start", "fiscal_year_end", "company_name", "enterprise_number")


class Client(models.Model):
    """A client file: always the natural person who holds the policies."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="clients")
    client_number = models.CharField(_("client number"), max_length=50, blank=True, validators=[validate_single_line])

    national_number = models.CharField(_("national register number"), max_length=15, validators=[validate_single_line])
    national_number_provisional = models.BooleanField(default=False)
    national_number_digits = models.CharField(max_length=11, editable=False)

    last_name = models.CharField(_("last name"), max_length=150, validators=[validate_single_line])
    first_name = models.CharField(_("first name"), max_length=150, validators=[validate_single_line])
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender, default=Gender.UNKNOWN)
    language = models.CharField(_("language"), max_length=2, choices=ClientLanguage, default=ClientLanguage.FR)
    email = models.EmailField(_("e-mail"), blank=True, validators=[validate_single_line])
    phone = models.CharField(_("phone"), max_length=40, blank=True, validators=[validate_single_line])

    street = models.CharField(_("street"), max_length=200, blank=True, validators=[validate_single_line])
    house_number = models.CharField(_("number"), max_length=20, blank=True, validators=[validate_single_line])
    box = models.CharField(_("box"), max_length=20, blank=True, validators=[validate_single_line])
    postcode = models.CharField(_("postcode"), max_length=20, blank=True, validators=[validate_single_line])
    municipality = models.CharField(_("municipality"), max_length=100, blank=True, validators=[validate_single_line])
    country = models.CharField(
        _("country"), max_length=2, default="BE", help_text=_("ISO code, e.g. BE"), validators=[validate_single_line]
    )

    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account manager"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    file_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("file manager"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    restricted_access = models.BooleanField(_("restricted access"), default=False)

    # Step 2: current social status. Empty until the wizard's second step is done.
    social_status = models.CharField(_("social status"), max_length=20, choices=SocialStatus, blank=True)
    fiscal_year_start = models.DateField(_("financial year start"), null=True, blank=True)
    fiscal_year_end = models.DateField(_("financial year end"), null=True, blank=True)
    company_name = models.CharField(_("company name"), max_length=200, blank=True, validators=[validate_single_line])
    enterprise_number = models.CharField(
        _("enterprise number"), max_length=12, blank=True, validators=[validate_single_line]
    )

    search_name = models.CharField(max_length=SEARCH_NAME_LENGTH, editable=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["search_name", "national_number_digits", "updated_at"])

    class Meta:
        ordering = ["search_name", "id"]
        indexes = [
            models.Index(fields=["office", "search_name"], name="client_office_name_idx"),
            models.Index(fields=["office", "national_number_digits"], name="client_office_nn_idx"),
            models.Index(fields=["office", "client_number"], name="client_office_number_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "national_number"],
                condition=Q(national_number_provisional=False),
                name="client_unique_national_number_in_office",
            ),
            models.UniqueConstraint(
                fields=["office", "client_number"],
                condition=~Q(client_number=""),
                name="client_unique_client_number_in_office",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.national_number_provisional = self.national_number == PLACEHOLDER
        self.national_number_digits = digits(self.national_number)
        # NFKD may spell one character with several ("ﷺ" with 18): the key is cut to its column.
        self.search_name = search_key(self.last_name, self.first_name)[:SEARCH_NAME_LENGTH]
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = set(kwargs["update_fields"]) | {
                "national_number_provisional",
                "national_number_digits",
                "search_name",
            }
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("clients:detail", args=[self.pk])

    @property
    def full_name(self) -> str:
        return f"{self.last_name.upper()} {self.first_name}".strip()

    @property
    def is_complete(self) -> bool:
        return bool(self.social_status)

    @property
    def address_lines(self) -> list[str]:
        street = " ".join(p for p in [self.street, self.house_number] if p)
        if self.box:
            street = f"{street} {_('box')} {self.box}"
        town = " ".join(p for p in [self.postcode, self.municipality] if p)
        return [line for line in [street, town, self.country if self.country != "BE" else ""] if line]

    def todos(self) -> list["StrPromise"]:
        """What the broker still has to do on this file, in the order to do it."""
        items: list[StrPromise] = []
        if self.national_number_provisional:
            items.append(_("National number to complete"))
        if not self.social_status:
            items.append(_("Social status to complete (step 2)"))
        elif self.social_status == SocialStatus.COMPANY_DIRECTOR and not (
            self.fiscal_year_start and self.fiscal_year_end
        ):
            items.append(_("Financial year of the company to complete"))
        if not (self.account_manager_id or self.file_manager_id):
            items.append(_("Assign an account manager or a file manager"))
        return items


class CareerStatus(models.TextChoices):
    EMPLOYEE = "employee", _("Employee")
    CIVIL_SERVANT = "civil_servant", _("Civil servant")
    SELF_EMPLOYED = "self_employed", _("Self-employed")
    COMPANY_DIRECTOR = "company_director", _("Company director")
    ASSISTING_SPOUSE = "assisting_spouse", _("Assisting spouse")
    UNEMPLOYED = "unemployed", _("Unemployed")
    STUDENT = "student", _("Student")
    CAREER_BREAK = "career_break", _("Career break")
    OTHER = "other", _("Other")


class CareerLine(models.Model):
    """One period of the client's career, by calendar year; `to_year` empty while it goes on."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="career_lines")
    from_year = models.PositiveSmallIntegerField(_("from year"), validators=SMALL_INTEGER)
    to_year = models.PositiveSmallIntegerField(
        _("to year"), null=True, blank=True, help_text=_("Empty while ongoing."), validators=SMALL_INTEGER
    )
    status = models.CharField(_("status"), max_length=20, choices=CareerStatus)
    employer = models.CharField(_("employer or company"), max_length=200, blank=True, validators=[validate_single_line])
    various_employers = models.BooleanField(_("various employers"), default=False)
    gross_annual_income = models.DecimalField(
        _("gross annual income"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["from_year", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(to_year__isnull=True) | Q(to_year__gte=models.F("from_year")),
                name="career_line_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_year}–{self.to_year or '…'} {self.get_status_display()}"

    def span(self) -> "Span":
        from .career import Span

        return Span(self.from_year, self.to_year, self.status)


class Income(models.Model):
    """The income figures of one year, for the analysis; who entered them and when is kept."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="incomes")
    year = models.PositiveSmallIntegerField(_("year"), validators=SMALL_INTEGER)
    net_taxable_professional_income = models.DecimalField(
        _("net taxable professional income"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    gross_remuneration = models.DecimalField(
        _("gross remuneration (company director)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    plci_reference_income = models.DecimalField(
        _("PLCI reference income (on the social security fund's invoice)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("When given, it takes precedence over the income of N-3 × the revaluation coefficient."),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["client", "year"], name="income_one_row_per_year")]

    def __str__(self) -> str:
        return f"{self.client} {self.year}"
