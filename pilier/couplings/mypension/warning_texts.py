"""The parser's warnings (`parsed.Warning`: a code and its params) as one sentence in the reader's language."""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pilier.lib.money import money

PARTS = {
    "employee": gettext_lazy("as an employee"),
    "self_employed": gettext_lazy("as self-employed"),
}
TEXTS = {
    "total_mismatch": gettext_lazy(
        "The total printed for the pension reserves %(part)s (%(printed)s) is not the sum of the plans (%(computed)s)."
    ),
    "unknown_plan_label": gettext_lazy(
        "Unknown plan type “%(label)s” (reference %(reference)s): choose the policy type yourself."
    ),
    "part_empty": gettext_lazy("The file lists no pension plan %(part)s."),
    "unknown_status": gettext_lazy(
        "Unknown affiliation status “%(text)s” (reference %(reference)s): the plan is taken as not active."
    ),
    "unknown_event": gettext_lazy("Unknown event “%(text)s” (reference %(reference)s): it was not read."),
    "unreadable_amount": gettext_lazy(
        "The reserves “%(text)s” (reference %(reference)s) could not be read: type them yourself."
    ),
    "reserves_differ": gettext_lazy(
        "The reserves of %(reference)s differ between the table (%(table)s) and the detail sheet (%(sheet)s): "
        "the detail sheet's are kept."
    ),
    "national_number_invalid": gettext_lazy("The national number printed in the file is not valid."),
}


def _amount(value: str) -> str:
    try:
        return str(money(Decimal(value)))
    except (InvalidOperation, TypeError, ValueError):
        return value


def warning_text(code: str, params: dict[str, str]) -> str:
    """The sentence for a warning; an unknown code is said as such (never an English code on the page)."""
    template = TEXTS.get(code)
    if template is None:
        return _("The file has a detail that could not be read.")
    values = {key: str(value) for key, value in params.items()}
    if "part" in values:
        values["part"] = str(PARTS.get(values["part"], values["part"]))
    for key in ("printed", "computed", "table", "sheet"):
        if key in values:
            values[key] = _amount(values[key])
    try:
        return str(template) % values
    except (KeyError, ValueError, TypeError):
        return str(template).split("(")[0].strip()
