from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils import translation

register = template.Library()

# Money as Belgian brokers write it: 1 234,56 € (fr), 1.234,56 € (nl), €1,234.56 (en).
_MONEY = {"fr": ("\u00a0", ",", "{} €"), "nl": (".", ",", "{} €"), "en": (",", ".", "€{}")}


@register.filter
def money(value, decimals: int = 2) -> str:
    if value in (None, ""):
        return "—"
    amount = Decimal(str(value)).quantize(Decimal(1).scaleb(-int(decimals)), rounding=ROUND_HALF_UP)
    thousands, point, pattern = _MONEY.get((translation.get_language() or "fr")[:2], _MONEY["fr"])
    sign = "-" if amount < 0 else ""
    whole, _, fraction = f"{abs(amount):.{int(decimals)}f}".partition(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    text = thousands.join(groups) + (point + fraction if fraction else "")
    return sign + pattern.format(text).replace(" €", "\u00a0€")


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
