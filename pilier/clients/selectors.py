"""Tenant-scoped reads. `clients_visible_to` is the only way to list clients."""

import re

from django.db.models import Q, QuerySet

from pilier.lib.text import printable

from .identifiers import digits
from .models import Client, search_key

SORTS = {
    "name": ("search_name", "id"),
    "-name": ("-search_name", "-id"),
    "number": ("client_number", "search_name"),
    "-number": ("-client_number", "search_name"),
    "status": ("social_status", "search_name"),
    "-status": ("-social_status", "search_name"),
    "created": ("created_at", "id"),
    "-created": ("-created_at", "-id"),
}


def clients_visible_to(user, office=None) -> QuerySet[Client]:
    """The clients of the user's office, less the restricted files not assigned to them.

    Office admins included: a restricted file is seen only by its assignees (the admin
    sees that it exists in the assignments view, through `dangerously_all_office_clients`).
    """
    from pilier.accounts.middleware import staff_membership

    if office is None:
        membership = staff_membership(user) if user.is_authenticated else None
        if membership is None:
            return Client.objects.none()
        office = membership.office
    return Client.objects.filter(office=office).filter(
        Q(restricted_access=False) | Q(account_manager=user) | Q(file_manager=user)
    )


def dangerously_all_office_clients(office) -> QuerySet[Client]:
    """Every client of the office, restricted files included: only for the assignments view."""
    return Client.objects.filter(office=office)


def client_search(qs: QuerySet[Client], query: str) -> QuerySet[Client]:
    """Name (accent-insensitive), client number, or national number with or without dots and dashes.

    Control characters are read as spaces: no stored text has them, and PostgreSQL refuses a NUL byte.
    """
    query = printable(query or "")
    if not query:
        return qs
    name_condition = Q()
    for word in search_key(query).split():
        name_condition &= Q(search_name__contains=word)
    condition = name_condition | Q(client_number__icontains=query)
    number = digits(query)
    # "85.07.30-033", "8507" …: a query made of digits and separators also searches the number.
    if len(number) >= 4 and not re.search(r"[^\d\s.\-/]", query):
        condition |= Q(national_number_digits__contains=number)
    return qs.filter(condition)


def client_list(*, user, office, query: str = "", sort: str = "name") -> QuerySet[Client]:
    qs = client_search(clients_visible_to(user, office), query)
    return qs.select_related("account_manager", "file_manager").order_by(*SORTS.get(sort, SORTS["name"]))
