"""The accountants' directory: search (name, municipality, e-mail) and adding one. A refused entry raises a
ValidationError with its reason per field and writes nothing."""

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from stdnum.be import vat
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as StdnumError

from pilier.accounts.models import User
from pilier.clients.models import Client
from pilier.followup import services as followup_services

from .models import Accountant, FileAccountant

WRONG_ENTERPRISE_NUMBER = _("This enterprise number is not valid (10 digits, e.g. 0403.170.701).")
WRONG_CHECK_DIGITS = _("This enterprise number's check digits are wrong.")
REQUIRED = _("This field is required.")
WRONG_EMAIL = _("Enter a valid e-mail address.")
EMAIL_TAKEN = _("An accountant with this e-mail address is already in the directory.")

FIELDS = (
    "name",
    "firm",
    "enterprise_number",
    "itaa_number",
    "email",
    "phone",
    "street",
    "number",
    "postcode",
    "municipality",
)


def accountant_search(text: str, limit: int = 50) -> QuerySet[Accountant]:
    """The directory's accountants whose name, firm, municipality, postcode or e-mail contains `text`."""
    text = (text or "").strip()[:200]
    rows = Accountant.objects.all()
    if text:
        rows = rows.filter(
            Q(name__icontains=text)
            | Q(firm__icontains=text)
            | Q(municipality__icontains=text)
            | Q(postcode=text)
            | Q(email__icontains=text)
        )
    return rows[:limit]


def clean_enterprise_number(value: str) -> str:
    """The 10 digits of a Belgian enterprise number (BE, dots, spaces allowed), its check digits verified."""
    try:
        return vat.validate(value or "")
    except InvalidChecksum:
        raise ValidationError({"enterprise_number": [WRONG_CHECK_DIGITS]}) from None
    except StdnumError:
        raise ValidationError({"enterprise_number": [WRONG_ENTERPRISE_NUMBER]}) from None


def accountant_create(**data: str) -> Accountant:
    values = {name: str(data.get(name) or "").strip() for name in FIELDS}
    errors: dict[str, list[Any]] = {}
    for name in ("name", "enterprise_number", "email"):
        if not values[name]:
            errors[name] = [REQUIRED]
    if values["enterprise_number"]:
        try:
            values["enterprise_number"] = clean_enterprise_number(values["enterprise_number"])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if values["email"]:
        try:
            validate_email(values["email"])
        except ValidationError:
            errors["email"] = [WRONG_EMAIL]
        else:
            if Accountant.objects.filter(email__iexact=values["email"]).exists():
                errors["email"] = [EMAIL_TAKEN]
    for name in FIELDS:
        limit = getattr(Accountant._meta.get_field(name), "max_length", None)
        if name not in errors and limit is not None and len(values[name]) > limit:
            errors[name] = [_("At most %(limit)s characters.") % {"limit": limit}]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return Accountant.objects.create(**values)
    except IntegrityError:  # the same e-mail entered at the same moment by another office
        raise ValidationError({"email": [EMAIL_TAKEN]}) from None


NOT_FOLLOWED = _("An accountant can be recorded on a file only when its PRO follow-up is active.")
NO_ACCOUNTANT = _("This accountant is not in the directory.")
NO_INVITATION_YET = _("Inviting an accountant to the portal is not available yet: save the accountant only.")


def _user_of(by: Any) -> User | None:
    user = getattr(by, "user", by)
    return user if isinstance(user, User) else None


def file_accountant_set(*, client: Client, accountant_id: Any, invite: bool = False, by: Any = None) -> FileAccountant:
    """Record (or replace) the file's accountant; refused with its reason when PRO follow-up is off."""
    if not followup_services.is_active(client):
        raise ValidationError({"accountant": [NOT_FOLLOWED]})
    try:
        accountant = Accountant.objects.get(pk=uuid.UUID(str(accountant_id)))
    except (ValueError, Accountant.DoesNotExist):
        raise ValidationError({"accountant": [NO_ACCOUNTANT]}) from None
    if invite:
        raise ValidationError({"invite": [NO_INVITATION_YET]})
    row, _created = FileAccountant.objects.update_or_create(
        client=client, defaults={"accountant": accountant, "set_by": _user_of(by)}
    )
    return row


def file_accountant_remove(*, client: Client, by: Any = None) -> bool:
    """Remove the file's accountant (their access with it). False if there was none."""
    deleted, _rows = FileAccountant.objects.filter(client=client).delete()
    return bool(deleted)
