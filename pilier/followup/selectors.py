"""The reads of PRO follow-up, scoped to what the actor sees (`clients_visible_to`): the dashboard's counts and
the list behind each count. Both read the rows only (the room is kept on them): a fixed number of queries."""

from dataclasses import dataclass

from django.db.models import Count, F, QuerySet

from pilier.accounts.access import Actor, can_see_client, clients_visible_to
from pilier.clients.models import Client

from .models import Flow, FollowUpYear, ProFollowUp, Status

SUMMARY_KEYS = {
    Status.TO_HANDLE: "to_handle",
    Status.WAITING_FOR_CLIENT: "waiting_for_client",
    Status.DONE: "done",
}


def follow_up_of(client: Client) -> ProFollowUp | None:
    """The follow-up of a client already fetched through the access module."""
    return ProFollowUp.objects.filter(client=client).first()


def rows_visible_to(actor: Actor, year: int) -> QuerySet[FollowUpYear]:
    """The year's rows of the active PRO files the actor sees."""
    if not actor.is_staff_member:
        return FollowUpYear.objects.none()
    return FollowUpYear.objects.filter(
        office=actor.office,
        year=year,
        follow_up__active=True,
        client__in=clients_visible_to(actor).values("pk"),
    )


def dashboard_counts(actor: Actor, year: int) -> dict[str, dict[str, int]]:
    """{"optimisation": {"to_handle": n, "waiting_for_client": n, "done": n}, "prospection": {...}}: one query."""
    counts = {flow.value: {key: 0 for key in SUMMARY_KEYS.values()} for flow in Flow}
    grouped = rows_visible_to(actor, year).values("flow", "status").annotate(n=Count("pk")).order_by()
    for item in grouped:
        if item["flow"] in counts and item["status"] in SUMMARY_KEYS:
            counts[item["flow"]][SUMMARY_KEYS[Status(item["status"])]] = item["n"]
    return counts


def follow_up_files(actor: Actor, year: int, flow: str, status: str | None = None) -> QuerySet[FollowUpYear]:
    """The list behind a count: optimisation by room left (largest first, unknown last), prospection by case
    then name."""
    rows = rows_visible_to(actor, year).filter(flow=flow).select_related("client", "status_set_by")
    if status:
        rows = rows.filter(status=status)
    if flow == Flow.OPTIMISATION:
        return rows.order_by(F("room").desc(nulls_last=True), "client__search_name", "pk")
    return rows.order_by("case", "client__search_name", "pk")


def year_of(actor: Actor, client: Client, year: int) -> FollowUpYear | None:
    if not can_see_client(actor, client):
        return None
    return FollowUpYear.objects.filter(client=client, year=year).select_related("status_set_by").first()


@dataclass
class FileState:
    """What the file's "Actions" box shows."""

    follow_up: ProFollowUp | None
    row: FollowUpYear | None
    reason: str | None  # why PRO follow-up cannot be activated (None: it can)

    @property
    def active(self) -> bool:
        return bool(self.follow_up and self.follow_up.active)
