"""Reads on staff: who works in an office."""

from django.db.models import QuerySet

from .models import STAFF_ROLES, Office, User


def office_staff(office: Office) -> QuerySet[User]:
    """The active staff of the office (admins and staff members), by name."""
    return User.objects.filter(memberships__office=office, memberships__role__in=STAFF_ROLES, is_active=True).order_by(
        "last_name", "first_name", "email"
    )
