from django import template
from django.utils.html import format_html

from pilier.lib.money import money

register = template.Library()

register.filter(money)


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters changed (sorting, paging)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + params.urlencode()


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "") if mapping else ""


@register.filter
def described_by(field, ids: str):
    """The field's widget described by the elements `ids` (space-separated) too, before its help text and errors.

    For a description a template writes beside the field (the insurer's number format on the policy form)."""
    own = field.aria_describedby or ""
    return field.as_widget(attrs={"aria-describedby": " ".join([*ids.split(), *own.split()])})


# The menu's items and the pages each stands for, by URL namespace or by view name: an item is the
# current page (aria-current="page") on its own page, the current item ("true") on the others it holds.
MENU_SECTIONS = {
    "clients:assignments": ("clients:assignments", "clients:reassign"),
    "analysis:room": ("analysis:room",),
    "couplings:imports": ("couplings",),
    "accounts:profile": ("accounts",),
    "clients:list": ("clients", "policies", "analysis"),
}


def menu_item_of(view_name: str) -> str | None:
    """The menu item whose section holds the view `view_name` ("namespace:name"), the most specific first."""
    namespace = view_name.rpartition(":")[0]
    for item, section in MENU_SECTIONS.items():
        if view_name in section:
            return item
    for item, section in MENU_SECTIONS.items():
        if namespace and namespace in section:
            return item
    return None


@register.simple_tag(takes_context=True)
def menu_current(context, item: str) -> str:
    """` class="active" aria-current="page"` on the menu link of the current page (`"true"` within its section)."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    if match is None or menu_item_of(match.view_name) != item:
        return ""
    current = "page" if match.view_name == item else "true"
    return format_html(' class="active" aria-current="{}"', current)
