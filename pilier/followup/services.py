"""Writes of PRO follow-up: switching it on or off on a file, a file's status in its flow for a year (one or
many at once), and the rows of a year made ready for the dashboard. Each raises `ValidationError` with the
reason in the user's language, nothing written."""

from collections.abc import Iterable
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pilier.accounts.access import Actor
from pilier.accounts.models import Office, User
from pilier.analysis.rulebook import available_years
from pilier.clients.models import Client

from . import rules
from .models import Flow, FollowUpYear, ProFollowUp, Status
from .room import mark_stale_from_timestamps, refresh_rows

Writer = Actor | User | None

WRONG_FLOW = _("This file is in the %(flow)s flow in %(year)s, not in that one.")
NO_YEAR = _("There is no follow-up for %(year)s: the years are %(years)s.")
WRONG_STATUS = _("Choose a status: to handle, waiting for the client or done.")


def _user_of(by: Writer) -> User | None:
    if isinstance(by, Actor):
        return by.user if isinstance(by.user, User) else None
    return by


def follow_up_years() -> tuple[int, ...]:
    """The years a dashboard exists for: those the analysis has rules for (its room comes from them)."""
    return available_years()


def check_year(year: int) -> None:
    years = follow_up_years()
    if year not in years:
        params = {"year": year, "years": ", ".join(map(str, years))}
        raise ValidationError({"year": ValidationError(NO_YEAR, code="no_year", params=params)})


def is_active(client: Client) -> bool:
    return ProFollowUp.objects.filter(client=client, active=True).exists()


@transaction.atomic
def pro_follow_up_set(*, client: Client, active: bool, by: Writer = None) -> ProFollowUp:
    """Switches PRO follow-up on or off. On: only for a self-employed person, a company director or an assisting
    spouse, and the file enters its flow of this year as to handle. Off: the follow-up and its years are kept
    (the history), the file leaves the dashboard."""
    user = _user_of(by)
    follow_up = ProFollowUp.objects.select_for_update().filter(client=client).first()
    if active:
        reason = rules.why_not_pro(client.social_status, str(client.get_social_status_display()))
        if reason:
            raise ValidationError({"active": ValidationError(reason, code="not_pro")})
    if follow_up is None:
        if not active:
            return ProFollowUp(client=client, office=client.office, active=False)
        follow_up = ProFollowUp(client=client, office=client.office)
    elif follow_up.active == active:
        return follow_up
    follow_up.active, follow_up.changed_by = active, user
    follow_up._history_user = user  # type: ignore[attr-defined]
    follow_up.save()
    if active:
        year = timezone.localdate().year
        if year in follow_up_years():
            _ensure_rows(office=client.office, year=year, clients=[client.pk])
    return follow_up


def _ensure_rows(
    *, office: Office, year: int, clients: Iterable[Any] | None = None, refresh: bool = True
) -> list[FollowUpYear]:
    """The active PRO files of the office without a row for `year` get one (to handle; stale until its flow and
    room are computed, at once when `refresh`)."""
    missing = ProFollowUp.objects.filter(office=office, active=True).exclude(
        Exists(FollowUpYear.objects.filter(follow_up=OuterRef("pk"), year=year))
    )
    if clients is not None:
        missing = missing.filter(client__in=list(clients))
    rows = [
        FollowUpYear(follow_up_id=f.pk, client_id=f.client_id, office=office, year=year, flow="")
        for f in missing.only("pk", "client_id")
    ]
    if rows:
        FollowUpYear.objects.bulk_create(rows, ignore_conflicts=True)  # a parallel request may create them too
    if rows and refresh:
        refresh_rows(list(FollowUpYear.objects.filter(year=year, client__in=[r.client_id for r in rows], flow="")))
    return rows


# Rows computed within a request at most (about 3 ms each): the rest goes to the background worker, so that no
# page or API call waits for thousands of analyses (a new year, an import that touched every file).
IN_REQUEST = 150


def follow_up_prepare(*, office: Office, year: int, budget: int | None = None) -> int:
    """Before the dashboard of `year` is read: rows for the newly active files, the room computed again where
    the file's inputs changed. In steady state: three cheap queries and no analysis. At most `budget` rows are
    computed here; when more are stale the worker computes them (`refresh_follow_up`, queued once per office
    and year) and the number still to compute is returned (0 when everything is up to date)."""
    check_year(year)
    budget = IN_REQUEST if budget is None else budget
    _ensure_rows(office=office, year=year, refresh=False)
    mark_stale_from_timestamps(office=office, year=year)
    stale = list(FollowUpYear.objects.filter(office=office, year=year, stale=True).order_by("pk")[: budget + 1])
    if len(stale) <= budget:
        if stale:
            refresh_rows(stale)
        return 0
    refresh_rows(stale[:budget])
    left = FollowUpYear.objects.filter(office=office, year=year, stale=True).count()
    if left and cache.add(_queued_key(office.pk, year), True, timeout=QUEUED_FOR):
        from .tasks import refresh_follow_up

        refresh_follow_up.enqueue(str(office.pk), year)
        left = FollowUpYear.objects.filter(office=office, year=year, stale=True).count()  # an inline backend ran it
    return left


QUEUED_FOR = 600  # seconds a queued refresh is trusted to be on its way before another one may be queued


def _queued_key(office_id: object, year: int) -> str:
    return f"followup-refresh:{office_id}:{year}"


def follow_up_refresh(*, office: Office, year: int) -> int:
    """The worker's part: every stale row of the office's year computed, batch after batch; the number done."""
    done = 0
    try:
        while True:
            batch = list(FollowUpYear.objects.filter(office=office, year=year, stale=True).order_by("pk")[:500])
            if not batch:
                return done
            refresh_rows(batch)
            done += len(batch)
    finally:
        cache.delete(_queued_key(office.pk, year))


def _check_status(status: str) -> None:
    if status not in Status.values:
        raise ValidationError({"status": ValidationError(WRONG_STATUS, code="wrong_status")})


@transaction.atomic
def follow_up_set_status(
    *, client: Client, year: int, status: str, flow: str | None = None, by: Writer = None
) -> FollowUpYear:
    """A file's status in its flow of `year`, with who and when. Refused when PRO follow-up is off, for a year
    without rules, or for the other flow than the file's."""
    check_year(year)
    _check_status(status)
    if not is_active(client):
        raise ValidationError({"active": ValidationError(rules.NOT_ACTIVE_STATUS, code="not_active")})
    _ensure_rows(office=client.office, year=year, clients=[client.pk])
    row = FollowUpYear.objects.select_for_update().get(client=client, year=year)
    if row.stale:
        refresh_rows([row])
        row.refresh_from_db()
    if flow is not None and flow != row.flow:
        label = Flow(row.flow).label if row.flow in Flow.values else row.flow
        raise ValidationError(
            {"flow": ValidationError(WRONG_FLOW, code="wrong_flow", params={"flow": label, "year": year})}
        )
    return _set(row, status, _user_of(by))


def _set(row: FollowUpYear, status: str, user: User | None, reason: str | None = None) -> FollowUpYear:
    if row.status != status:
        row.status, row.status_set_by, row.status_set_at = status, user, timezone.now()
        if reason:
            row._change_reason = reason  # type: ignore[attr-defined]
        row._history_user = user  # type: ignore[attr-defined]
        row.save(update_fields=["status", "status_set_by", "status_set_at"])
    return row


@transaction.atomic
def follow_up_bulk_set_status(*, rows: Iterable[FollowUpYear], status: str, by: Writer = None) -> int:
    """Many files at once, from the list: rows already scoped to what the actor sees (selectors)."""
    _check_status(status)
    user, count = _user_of(by), 0
    for row in FollowUpYear.objects.select_for_update().filter(pk__in=[r.pk for r in rows], follow_up__active=True):
        count += _set(row, status, user).status == status
    return count


def follow_up_answered(*, client_id: Any, by: User | None) -> int:
    """An income entered (by the accountant, the client or for them): the file's years waiting for the client
    are to handle again, by themselves."""
    count = 0
    waiting = FollowUpYear.objects.filter(client_id=client_id, status=Status.WAITING_FOR_CLIENT, follow_up__active=True)
    for row in waiting:
        _set(row, Status.TO_HANDLE, by, reason="income")
        count += 1
    return count
