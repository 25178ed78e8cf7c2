from django import template

from pilier.portal.history import access_entries
from pilier.portal.services import access_state

register = template.Library()


@register.inclusion_tag("portal/_team.html", takes_context=True)
def team_section(context, client):
    """The Team section of a file: who has access, since when, last login, the invitation's state, the actions."""
    entries, _more = access_entries(client, limit=5)
    return {
        "client": client,
        "state": access_state(client),
        "events": entries,
        "csrf_token": context.get("csrf_token"),
        "is_admin": getattr(context.get("membership"), "is_admin", False),
    }
