"""The room kept on the follow-up rows: computed again only for the rows whose inputs changed.

The yearly dashboard never runs the analysis of every file: each `FollowUpYear` keeps its flow, its case and
the room left of its main product as the analysis computed them (`computed_at`). A change of the file's inputs
marks its rows `stale` (pilier/followup/signals.py: a client, a policy, a career line or an income saved or
deleted); the portfolio import writes policies with its own SQL, so the policies' `updated_at` is compared to
`computed_at` as well (`mark_stale_from_timestamps`). `refresh_stale` then reads the stale files in batches,
a fixed number of queries per batch, and runs the engine for them only.
"""

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from django.db.models import Exists, OuterRef
from django.utils import timezone

from pilier.accounts.models import Office
from pilier.analysis.engine.eighty import eighty_percent
from pilier.analysis.engine.inputs import Options
from pilier.analysis.engine.products import Product, plci
from pilier.analysis.rulebook import NoRules, load_rules
from pilier.analysis.selectors import (
    ROOM_CLIENT_FIELDS,
    ROOM_INCOME_FIELDS,
    ROOM_LINE_FIELDS,
    ROOM_POLICY_FIELDS,
    build_inputs,
)
from pilier.clients.models import CareerLine, Client, Income
from pilier.policies.models import Policy

from .models import Flow, FollowUpYear, Status
from .rules import placement

BATCH = 500  # files read per batch: bounded IN lists on every database, bounded memory


def mark_stale_from_timestamps(*, office: Office, year: int) -> int:
    """Rows whose file had a policy or its identity written since the room was computed (an import's SQL sends
    no signal): marked stale. One UPDATE."""
    newer_policy = Policy.objects.filter(client=OuterRef("client"), updated_at__gt=OuterRef("computed_at"))
    newer_client = Client.objects.filter(pk=OuterRef("client"), updated_at__gt=OuterRef("computed_at"))
    return (
        FollowUpYear.objects.filter(office=office, year=year, stale=False)
        .filter(Exists(newer_policy) | Exists(newer_client))
        .update(stale=True)
    )


def _room(client: Client, year: int, lines: list[CareerLine], incomes: list[Income], policies: list[Policy]):
    """The main product's room and what is paid in it, as the office view computes them (analysis selectors):
    the EIP for a company director, the CPTI for a self-employed person who has one, else the PLCI."""
    try:
        rules = load_rules(year)
    except NoRules:
        return "", None, None
    inputs = build_inputs(client, year, lines=lines, incomes=incomes, policies=policies, who_and_when=False)
    options = Options()
    product: Product
    if client.social_status == "company_director":
        product, key = eighty_percent(inputs, rules, options, "eip"), "eip"
    elif client.social_status == "self_employed" and any(p.type == "cpti" for p in policies):
        product, key = eighty_percent(inputs, rules, options, "cpti"), "cpti"
    else:
        product, key = plci(inputs, rules, social=False), "plci"
    room: Decimal | None = product.room.value
    return key, room, product.paid


def refresh_rows(rows: Sequence[FollowUpYear]) -> None:
    """Computes the flow, case and room of `rows` (one year's rows, any files) in a few queries per batch."""
    for start in range(0, len(rows), BATCH):
        _refresh_batch(rows[start : start + BATCH])


def _refresh_batch(rows: Sequence[FollowUpYear]) -> None:
    ids = [row.client_id for row in rows]
    clients = {c.pk: c for c in Client.objects.filter(pk__in=ids).only(*ROOM_CLIENT_FIELDS)}
    lines: defaultdict[object, list[CareerLine]] = defaultdict(list)
    incomes: defaultdict[object, list[Income]] = defaultdict(list)
    policies: defaultdict[object, list[Policy]] = defaultdict(list)
    for line in CareerLine.objects.filter(client__in=ids).only(*ROOM_LINE_FIELDS):
        lines[line.client_id].append(line)
    for income in Income.objects.filter(client__in=ids).only(*ROOM_INCOME_FIELDS):
        incomes[income.client_id].append(income)
    for policy in Policy.objects.filter(client__in=ids).only(*ROOM_POLICY_FIELDS):
        policies[policy.client_id].append(policy)
    now = timezone.now()
    moved: list[FollowUpYear] = []
    for row in rows:
        client = clients[row.client_id]
        place = placement(policies[row.client_id])
        row.product, row.room, row.premium = _room(
            client, row.year, lines[row.client_id], incomes[row.client_id], policies[row.client_id]
        )
        row.computed_at, row.stale = now, False
        if row.flow and place.flow != row.flow:
            # The file moved to the other flow (a PLCI added, a policy gone dormant): it enters it as to handle.
            row.status, row.status_set_by, row.status_set_at = Status.TO_HANDLE, None, now
            moved.append(row)
        row.flow, row.case = place.flow, place.case if place.flow == Flow.PROSPECTION else ""
    FollowUpYear.objects.bulk_update(rows, ["flow", "case", "product", "room", "premium", "computed_at", "stale"])
    for row in moved:  # rare: saved one by one so that the history says the file changed flow
        row._change_reason = "flow"  # type: ignore[attr-defined]
        row.save(update_fields=["flow", "case", "status", "status_set_by", "status_set_at"])
