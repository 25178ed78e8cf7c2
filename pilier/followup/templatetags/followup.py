"""`{% pro_actions client %}`: the "Actions" box of a file (PRO follow-up, its status this year, the accountant),
included in the file's page without the file's view knowing about it."""

from typing import Any

from django import template
from django.utils import timezone

from pilier.accounts.access import Actor, request_actor
from pilier.clients.models import Client

from .. import rules, selectors, services
from ..models import Status

register = template.Library()


@register.inclusion_tag("followup/_actions.html", takes_context=True)
def pro_actions(context: template.Context, client: Client) -> dict[str, Any]:
    request = context["request"]
    actor: Actor = request_actor(request)
    follow_up = selectors.follow_up_of(client)
    year = timezone.localdate().year
    row = selectors.year_of(actor, client, year) if follow_up and follow_up.active else None
    reason = rules.why_not_pro(client.social_status, str(client.get_social_status_display()))
    return {
        "client": client,
        "csrf_token": context.get("csrf_token"),
        "active": bool(follow_up and follow_up.active),
        "ever": follow_up is not None,
        "reason": reason,
        "year": year,
        "has_year": year in services.follow_up_years(),
        "row": row,
        "statuses": Status.choices,
    }
