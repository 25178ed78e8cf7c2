from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from .models import ApiToken, Language, Membership, Office, Role, User


@transaction.atomic
def office_create(*, name: str, admin_email: str, admin_password: str, **admin_fields: str) -> Office:
    office = Office(name=name.strip())
    office.full_clean()
    office.save()
    staff_create(office=office, email=admin_email, password=admin_password, admin=True, **admin_fields)
    return office


@transaction.atomic
def staff_create(
    *,
    office: Office,
    email: str,
    password: str,
    admin: bool = False,
    first_name: str = "",
    last_name: str = "",
    language: str = Language.FR,
) -> User:
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": f"A user with the e-mail {email} already exists."})
    user = User(email=email, first_name=first_name, last_name=last_name, language=language)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    Membership.objects.create(user=user, office=office, role=Role.OFFICE_ADMIN if admin else Role.STAFF)
    return user


def api_token_create(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    return ApiToken.issue(user=user, name=name)
