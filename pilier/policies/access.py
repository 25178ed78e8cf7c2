import uuid

from django.http import Http404

from pilier.clients.selectors import clients_visible_to

from .models import Policy


def policy_for_user(user, policy_id, *, write: bool = False) -> Policy:
    """A policy is reached through its client: same 404 for another office or a restricted file."""
    try:
        policy_id = uuid.UUID(str(policy_id))
    except ValueError:
        raise Http404 from None
    policy = (
        Policy.objects.select_related("client")
        .filter(pk=policy_id, client__in=clients_visible_to(user).values("pk"))
        .first()
    )
    if policy is None:
        raise Http404
    return policy
