"""The analysis's reads: from a client file to the engine's inputs and its figures, and the office view.

Scoped to what the actor sees: `analysis_for_client` takes a client already fetched through
`pilier.accounts.access` (`client_for_user`), `office_room` lists `clients_visible_to(actor)` itself. Both make
a fixed number of queries, whatever the number of files, policies, career lines and incomes (pinned in
pilier/analysis/tests/test_queries.py).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from pilier.accounts.access import Actor, clients_visible_to
from pilier.clients.career import Span, legal_retirement_age, years_covered
from pilier.clients.models import CareerLine, Client, Income
from pilier.policies.catalogue import TYPES
from pilier.policies.models import Policy

from .engine.analysis import Analysis, analyse
from .engine.eighty import eighty_percent
from .engine.inputs import Amount, Inputs, Options, PolicyInput
from .engine.products import Product, plci
from .rulebook import NoRules, available_years, load_rules

SELF_EMPLOYED_STATUSES = {"self_employed", "company_director"}
# The files of the office view: those whose main product is a PLCI, an EIP or a CPTI.
ROOM_STATUSES = ("self_employed", "company_director", "assisting_spouse")
# What the office view reads of them: what build_inputs and the page use, nothing more (a row of the office view
# has no explanation, so no "entered by whom, when"). A field left out here and read later would be a query per
# file: the pinned query counts would tell.
ROOM_CLIENT_FIELDS = (
    "office",
    "last_name",
    "first_name",
    "search_name",
    "birth_date",
    "social_status",
    "fiscal_year_end",
)
ROOM_LINE_FIELDS = ("client", "from_year", "to_year", "status")
ROOM_INCOME_FIELDS = (
    "client",
    "year",
    "net_taxable_professional_income",
    "gross_remuneration",
    "plci_reference_income",
)
ROOM_POLICY_FIELDS = (
    "client",
    "type",
    "main_group",
    "section",
    "is_main",
    "status",
    "annual_premium",
    "reserves",
    "profit_sharing",
    "managed",
    "insurer",
    "number",
)


# What an income figure is, as a source code the page translates (pilier/analysis/labels.py `source_label`).
_INCOME_KINDS = {
    "net taxable professional income": "net",
    "gross remuneration": "gross",
    "PLCI reference income": "plci_reference",
}


def _what(income: Income, what: str) -> str:
    """`income:<kind>:<year>`: net, gross or plci_reference (a code, never English text)."""
    return f"income:{_INCOME_KINDS.get(what, what)}:{income.year}"


def _source(income: Income, what: str) -> str:
    """`_what`, then who entered it and when: `income:net:2024|claire@example.be|2026-02-03`."""
    who = income.entered_by.email if income.entered_by_id and income.entered_by else ""
    when = timezone.localtime(income.entered_at).date().isoformat() if income.entered_at else ""
    return f"{_what(income, what)}|{who}|{when}"


EMPLOYEE_STATUSES = {"employee", "civil_servant"}
SELF_EMPLOYED_CAREER = {"self_employed", "company_director", "assisting_spouse"}


def _self_employed_years(spans: list[Span], year: int) -> set[int]:
    """The years worked as self-employed (or director, assisting spouse) without a job as employee or civil servant
    that year: the 80 % rule counts a year with both as an employee year."""
    self_employed = years_covered([s for s in spans if s.status in SELF_EMPLOYED_CAREER], year)
    return self_employed - years_covered([s for s in spans if s.status in EMPLOYEE_STATUSES], year)


def client_incomes(client: Client) -> list[Income]:
    """The client's income figures, latest year first, with who entered them (one query)."""
    return list(client.incomes.select_related("entered_by"))


def build_inputs(
    client: Client,
    year: int,
    *,
    lines: Iterable[CareerLine] | None = None,
    incomes: Iterable[Income] | None = None,
    policies: Iterable[Policy] | None = None,
    who_and_when: bool = True,
) -> Inputs:
    """The engine's inputs from a client file; what is not given is read from the database (one query each).

    `who_and_when`: each income's source names who entered it and when (the explanations of the file's page,
    PDF and API); without, only what and which year (the office view, which explains nothing)."""
    lines = list(client.career_lines.all()) if lines is None else list(lines)
    incomes = client_incomes(client) if incomes is None else incomes
    policies = list(client.policies.all()) if policies is None else list(policies)
    spans = [line.span() for line in lines]
    covered = years_covered(spans, year)
    birth_year = client.birth_date.year if client.birth_date else None
    age = legal_retirement_age(birth_year) if birth_year else None
    ongoing = [
        line.from_year for line in lines if line.status in SELF_EMPLOYED_STATUSES and (line.to_year or year) >= year
    ]
    inputs = Inputs(
        year=year,
        social_status=client.social_status,
        birth_year=birth_year,
        retirement_age=age,
        years_done=len(covered),
        years_left=max(0, birth_year + age - year) if birth_year and age else None,
        years_before_2021=len([y for y in covered if y < 2021]),
        years_before_2021_self_employed=len(_self_employed_years(spans, year) & {y for y in covered if y < 2021}),
        started_self_employed=min(ongoing) if ongoing else None,
        fiscal_year_end=client.fiscal_year_end,
    )
    source = _source if who_and_when else _what
    for income in incomes:
        if income.net_taxable_professional_income is not None:
            inputs.net_income[income.year] = Amount(
                income.net_taxable_professional_income, source(income, "net taxable professional income")
            )
        if income.gross_remuneration is not None:
            inputs.gross_remuneration[income.year] = Amount(
                income.gross_remuneration, source(income, "gross remuneration")
            )
        if income.year == year and income.plci_reference_income is not None:
            inputs.plci_reference_income = Amount(income.plci_reference_income, source(income, "PLCI reference income"))
    for p in policies:
        kind = TYPES[p.type]
        inputs.policies.append(
            PolicyInput(
                id=str(p.pk),
                type=p.type,
                main_group=p.main_group,
                pillar=kind.pillar,
                section=p.section,
                is_main=p.is_main,
                status=p.status,
                annual_premium=p.annual_premium,
                reserves=p.reserves,
                managed=p.managed,
                label=f"{kind.label} {p.insurer} {p.number}",
                profit_sharing=p.profit_sharing,
            )
        )
    return inputs


def analysis_for_client(
    client: Client, year: int, options: Options | None = None, *, incomes: Iterable[Income] | None = None
) -> tuple[Analysis, Inputs]:
    """The analysis of a client fetched through `client_for_user` (this does not check access): three queries
    (career lines, incomes, policies), two when the caller has the incomes already."""
    rules = load_rules(year)
    inputs = build_inputs(client, year, incomes=incomes)
    return analyse(inputs, rules, options or Options()), inputs


def default_year() -> int:
    years = available_years()
    this_year = timezone.localdate().year
    return this_year if this_year in years else (years[-1] if years else this_year)


# The office view ---------------------------------------------------------------------------------


@dataclass
class RoomRow:
    client: Client
    product: str  # plci, eip or cpti: the main product of the file's status
    room: Decimal | None
    max_premium: Decimal | None
    paid: Decimal
    missing: list[str]
    unverified: bool


def office_room(*, actor: Actor, year: int, options: Options | None = None) -> list[RoomRow]:
    """Room left in the main PLCI / EIP / CPTI of every self-employed file the actor sees, largest first.

    Four queries whatever the number of files: the visible files, then their career lines, incomes and
    policies (each filtered on the same subquery, so nothing of a file the actor does not see is read), then
    the engine per file.
    """
    options = options or Options()
    rules = load_rules(year)
    files: QuerySet[Client] = clients_visible_to(actor).filter(social_status__in=ROOM_STATUSES)
    clients = list(files.only(*ROOM_CLIENT_FIELDS))
    visible = files.values("pk")
    lines: defaultdict[object, list[CareerLine]] = defaultdict(list)
    incomes: defaultdict[object, list[Income]] = defaultdict(list)
    policies: defaultdict[object, list[Policy]] = defaultdict(list)
    for line in CareerLine.objects.filter(client__in=visible).only(*ROOM_LINE_FIELDS):
        lines[line.client_id].append(line)
    for income in Income.objects.filter(client__in=visible).only(*ROOM_INCOME_FIELDS):
        incomes[income.client_id].append(income)
    for policy in Policy.objects.filter(client__in=visible).only(*ROOM_POLICY_FIELDS):
        policies[policy.client_id].append(policy)
    rows = []
    for client in clients:
        inputs = build_inputs(
            client,
            year,
            lines=lines[client.pk],
            incomes=incomes[client.pk],
            policies=policies[client.pk],
            who_and_when=False,
        )
        product: Product
        if client.social_status == "company_director":
            product = eighty_percent(inputs, rules, options, "eip")
            key = "eip"
        else:
            product = plci(inputs, rules, social=False)
            key = "plci"
            if client.social_status == "self_employed" and any(p.type == "cpti" for p in policies[client.pk]):
                product, key = eighty_percent(inputs, rules, options, "cpti"), "cpti"
        rows.append(
            RoomRow(
                client,
                key,
                product.room.value,
                product.max_premium.value,
                product.paid,
                product.missing,
                bool(product.unverified),
            )
        )
    rows.sort(key=lambda r: (r.room is None, -(r.room or 0), r.client.search_name))
    return rows


__all__ = ["NoRules", "RoomRow", "analysis_for_client", "build_inputs", "client_incomes", "default_year", "office_room"]
