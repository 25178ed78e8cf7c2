from django import template

from pilier.accountants.models import FileAccountant
from pilier.followup import services as followup_services

register = template.Library()


@register.inclusion_tag("accountants/_file_accountant.html")
def accountant_section(client, csrf_token=None):
    """The file's accountant in its Team section: only when PRO follow-up is on (the reason otherwise)."""
    row = FileAccountant.objects.select_related("accountant").filter(client=client).first()
    return {
        "client": client,
        "row": row,
        "active": followup_services.is_active(client),
        "csrf_token": csrf_token,
    }
