"""People and offices.

A `User` is a person who logs in (by e-mail). What they may see comes from their
`Membership` rows: a staff member (office admin or staff) of one office today; later an
accountant holds memberships in many offices and a client gets access to their own file
through the portal, both with the same User model.
"""

import hashlib
import secrets
import uuid
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pilier.lib.text import validate_single_line


class Language(models.TextChoices):
    FR = "fr", _("French")
    NL = "nl", _("Dutch")
    EN = "en", _("English")


def normalize_address(address: str) -> str:
    """An e-mail address in its one spelling: no spaces around it, lower case. The address is stored
    so, the login looks the account up so and the lockout counts failures under it, so that no other
    spelling reaches the account past the lockout."""
    return address.strip().lower()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=normalize_address(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        # Exact, on the one spelling: a case-insensitive comparison in the database would also find
        # the account under look-alikes that the lockout counts apart (PostgreSQL's UPPER() turns
        # the dotless ı into I).
        return self.get(email=normalize_address(username))


class User(AbstractBaseUser, PermissionsMixin):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(_("e-mail"), unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True, validators=[validate_single_line])
    last_name = models.CharField(_("last name"), max_length=150, blank=True, validators=[validate_single_line])
    language = models.CharField(_("language"), max_length=2, choices=Language, default=Language.FR)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="Django admin access (operators only).")
    date_joined = models.DateTimeField(default=timezone.now)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    objects = UserManager()

    class Meta:
        ordering = ["last_name", "first_name", "email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = normalize_address(self.email)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = normalize_address(self.email)
        super().save(*args, **kwargs)


class Office(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=200, validators=[validate_single_line])
    enterprise_number = models.CharField(_("enterprise number"), max_length=12, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    OFFICE_ADMIN = "office_admin", _("Office admin")
    STAFF = "staff", _("Staff")
    # Later issues: ACCOUNTANT (one user, memberships in many offices), CLIENT (portal).


STAFF_ROLES = (Role.OFFICE_ADMIN, Role.STAFF)


class Membership(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "office"], name="membership_unique_user_office")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.office} ({self.role})"

    @property
    def is_admin(self) -> bool:
        return self.role == Role.OFFICE_ADMIN

    @property
    def is_staff_member(self) -> bool:
        return self.role in STAFF_ROLES


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for one staff user. Only its SHA-256 is stored; the token is shown once."""

    PREFIX = "plr_"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True, validators=[validate_single_line])
    key_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.hint}… ({self.user})"

    @classmethod
    def issue(cls, *, user: User, name: str = "") -> tuple["ApiToken", str]:
        token = cls.PREFIX + secrets.token_urlsafe(32)
        obj = cls.objects.create(user=user, name=name, key_hash=_hash_token(token), hint=token[:8])
        return obj, token

    @classmethod
    def user_for(cls, token: str) -> User | None:
        row = (
            cls.objects.select_related("user")
            .filter(key_hash=_hash_token(token), user__is_active=True)
            .only("id", "last_used_at", "user")
            .first()
        )
        if row is None:
            return None
        now = timezone.now()
        # Write at most once a minute per token: the API should stay read-only on GET. Bookkeeping only: when the
        # database is busy (a long write elsewhere), it is left for the next call rather than failing this one
        # before its user, and so its language, is known.
        if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
            from django.db import OperationalError

            from pilier.lib.busy import is_busy

            try:  # requests run in autocommit (no ATOMIC_REQUESTS): a refused update leaves nothing to roll back
                cls.objects.filter(pk=row.pk).update(last_used_at=now)
            except OperationalError as exc:
                if not is_busy(exc):
                    raise
        return row.user
