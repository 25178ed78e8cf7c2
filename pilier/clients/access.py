"""The only way to fetch one client: inside the user's office and visibility, 404 otherwise."""

import uuid

from django.http import Http404

from .models import Client
from .selectors import clients_visible_to


def client_for_user(user, client_id, *, write: bool = False, queryset=None) -> Client:
    """Same 404 whether the file does not exist, belongs to another office or is restricted.

    `write` is for the read-only roles of later issues (client portal, accountant): staff may write.
    """
    try:
        client_id = uuid.UUID(str(client_id))
    except ValueError:
        raise Http404 from None
    qs = clients_visible_to(user) if queryset is None else queryset
    client = qs.filter(pk=client_id).first()
    if client is None:
        raise Http404
    return client
