"""Reads on client files, always from `pilier.accounts.access.clients_visible_to` (the only way to list them)."""

import re

from django.db.models import Q, QuerySet

from pilier.accounts.access import Actor, clients_visible_to
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


def client_list(*, actor: Actor, query: str = "", sort: str = "name") -> QuerySet[Client]:
    qs = client_search(clients_visible_to(actor), query)
    return qs.select_related("account_manager", "file_manager").order_by(*SORTS.get(sort, SORTS["name"]))
