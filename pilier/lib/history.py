"""The history of a client file as the broker reads it: who, when, field, old → new value."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from pilier.accounts.models import User
from pilier.lib.money import money

_FK_FIELDS = {"account_manager", "file_manager"}
_HIDDEN = {"id", "office", "client", "national_number_provisional", "created_at"}


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Entry:
    when: object
    who: str
    action: str
    changes: list[Change] = field(default_factory=list)


ACTIONS = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}


def _who(row) -> str:
    """The user, the reason (an import: its file), or both: "Portfolio import: nn.csv (Alice Aerts)"."""
    user, reason = row.history_user, row.history_change_reason
    if user and reason:
        return str(_("%(reason)s (%(user)s)") % {"reason": reason, "user": user})
    return str(user or reason or _("system"))


_TAKEOVERS = {
    ("account_manager_id",): _("%(user)s took over the file as account manager"),
    ("file_manager_id",): _("%(user)s took over the file as file manager"),
    ("account_manager_id", "file_manager_id"): _("%(user)s took over the file as account manager and file manager"),
}


def _takeover(row, previous) -> str | None:
    """ "Ada Admin took over the file as account manager": the author of a change made themselves an assignee
    (an office admin may do it on a restricted file, from the assignments page: its assignees read it here)."""
    user = row.history_user_id
    if user is None:
        return None
    roles = tuple(
        attname
        for attname in ("account_manager_id", "file_manager_id")
        if getattr(row, attname, None) == user and getattr(previous, attname, None) != user
    )
    return str(_TAKEOVERS[roles] % {"user": row.history_user}) if roles else None


def _display(model_field, value, users: dict) -> str:
    if value in (None, ""):
        return "—"
    if model_field.name in _FK_FIELDS:
        user = users.get(value)
        return str(user) if user else "?"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal):
        return money(value)
    return str(value)


def history_entries(obj, *, limit: int, hidden: frozenset = frozenset()) -> tuple[list[Entry], bool]:
    """The newest `limit` changes of a tracked record (client file, policy…), in three queries at most."""
    model = type(obj)
    rows = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    more = len(rows) > limit
    fields = {f.attname: f for f in model._meta.fields}
    hide = _HIDDEN | set(hidden)
    user_fks = [f.attname for f in model._meta.fields if f.name in _FK_FIELDS]
    user_ids = {getattr(row, attname) for row in rows for attname in user_fks} - {None}
    users = {u.pk: u for u in User.objects.filter(pk__in=user_ids)} if user_ids else {}
    shown = [
        f for f in model.history.model._meta.fields if f.attname.removesuffix("_id") not in hide and f.attname in fields
    ]
    entries = []
    for index, row in enumerate(rows[:limit]):
        previous = rows[index + 1] if index + 1 < len(rows) else None
        entry = Entry(when=row.history_date, who=_who(row), action=str(ACTIONS.get(row.history_type, row.history_type)))
        if row.history_type == "~" and previous is not None:
            entry.action = _takeover(row, previous) or entry.action
            for f in shown:
                old, new = getattr(previous, f.attname), getattr(row, f.attname)
                if old != new:
                    model_field = fields[f.attname]
                    entry.changes.append(
                        Change(
                            str(model_field.verbose_name),
                            _display(model_field, old, users),
                            _display(model_field, new, users),
                        )
                    )
            if not entry.changes:
                continue
        entries.append(entry)
    return entries, more
