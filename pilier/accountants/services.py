"""The accountants' directory: search (name, municipality, e-mail) and adding one. A refused entry raises a
ValidationError with its reason per field and writes nothing."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from stdnum.be import vat
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as StdnumError

from .models import Accountant

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
    errors: dict[str, list] = {}
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
        limit = Accountant._meta.get_field(name).max_length
        if name not in errors and len(values[name]) > limit:
            errors[name] = [_("At most %(limit)s characters.") % {"limit": limit}]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return Accountant.objects.create(**values)
    except IntegrityError:  # the same e-mail entered at the same moment by another office
        raise ValidationError({"email": [EMAIL_TAKEN]}) from None
