"""Pinned query counts: the analysis of one file (page and PDF) and the office view make as many queries for a
full file or a large office as for a small one."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from pilier.accounts.access import NOBODY, actor_for
from pilier.analysis.engine.inputs import Options
from pilier.analysis.selectors import analysis_for_client, office_room
from pilier.clients.models import Client, Income
from pilier.policies.catalogue import TYPES
from pilier.tests.factories import CareerLineFactory, ClientFactory, PolicyFactory

pytestmark = pytest.mark.django_db

YEAR = 2024
KINDS = ["plci", "cpti", "pension_savings", "long_term_savings", "plci_social", "guaranteed_income", "term_life"]

# A request as a logged-in staff member: the session, its user, their membership (the actor).
# The file: the client (through access), its incomes (once, for the analysis and the page's table), career lines
# and policies.
FILE_PAGE_QUERIES = 7
FILE_PDF_QUERIES = 7
# The office: the visible self-employed files, then their career lines, incomes and policies.
OFFICE_QUERIES = 7


def fill(client, n: int, users) -> None:
    """`n` career lines, `n` years of incomes (entered by different people) and `n` policies of several types."""
    client.social_status = "self_employed"
    client.birth_date = datetime.date(1975, 3, 1)
    client.save()
    for i in range(n - 1):
        year = 1995 + i
        CareerLineFactory(client=client, from_year=year, to_year=year, status=["employee", "student"][i % 2])
    CareerLineFactory(client=client, from_year=1995 + n, to_year=None, status="self_employed")
    for i in range(n):
        Income.objects.create(
            client=client,
            year=YEAR - i,
            net_taxable_professional_income=Decimal(40000 + 100 * i),
            plci_reference_income=Decimal("35000") if i == 0 else None,
            entered_by=users[i % len(users)],
        )
    for i in range(n):
        kind = KINDS[i % len(KINDS)]
        PolicyFactory(client=client, section=TYPES[kind].section, type=kind, annual_premium=Decimal(100 + i))


@pytest.mark.parametrize("n", [3, 30])
def test_the_analysis_page_makes_the_same_queries_for_3_and_30_policies_lines_and_incomes(
    client, world, django_assert_num_queries, n
):
    fill(world.client, n, [world.alice, world.bob, world.admin])
    client.force_login(world.bob)
    url = reverse("analysis:client", args=[world.client.pk])
    with django_assert_num_queries(FILE_PAGE_QUERIES):
        response = client.get(url, {"year": YEAR, "rate": "1,75"})
    assert response.status_code == 200
    assert len(response.context["inputs"].policies) == n
    assert len(response.context["incomes"]) == min(n, 10)  # the page's table: the last ten years


@pytest.mark.parametrize("n", [3, 30])
def test_the_analysis_pdf_makes_the_same_queries_for_3_and_30_policies_lines_and_incomes(
    client, world, django_assert_num_queries, n
):
    fill(world.client, n, [world.alice, world.bob])
    client.force_login(world.bob)
    url = reverse("analysis:pdf", args=[world.client.pk])
    with django_assert_num_queries(FILE_PDF_QUERIES):
        response = client.get(url, {"year": YEAR})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def office(world, n: int) -> None:
    """`n` self-employed files in the office (and as many company directors' in the other office), each with two
    career lines, two years of incomes and two policies."""
    for i in range(n):
        mine = ClientFactory.create(
            office=world.office, social_status="self_employed", birth_date=datetime.date(1970 + i % 20, 1, 1)
        )
        CareerLineFactory(client=mine, from_year=1990, to_year=1999, status="employee")
        CareerLineFactory(client=mine, from_year=2000, to_year=None, status="self_employed")
        for year, who in [(YEAR, world.alice), (YEAR - 3, world.bob)]:
            Income.objects.create(
                client=mine, year=year, net_taxable_professional_income=Decimal(30000 + i), entered_by=who
            )
        PolicyFactory(client=mine, annual_premium=Decimal(500 + i))
        PolicyFactory(client=mine, section="pension", type="cpti" if i % 2 else "pension_savings")
        theirs = ClientFactory(office=world.other_office, social_status="company_director")
        PolicyFactory(client=theirs, section="pension", type="eip")


@pytest.mark.parametrize("n", [3, 30])
def test_the_office_view_makes_the_same_queries_for_3_and_30_files(client, world, django_assert_num_queries, n):
    office(world, n)
    client.force_login(world.bob)
    with django_assert_num_queries(OFFICE_QUERIES):
        response = client.get(reverse("analysis:room"), {"year": YEAR})
    assert response.status_code == 200
    assert len(response.context["rows"]) + len(response.context["incomplete"]) == n


def test_the_office_view_reads_only_the_files_the_actor_sees(world):
    office(world, 2)
    delvaux = world.restricted
    delvaux.social_status = "self_employed"
    delvaux.save()
    Income.objects.create(client=delvaux, year=YEAR, plci_reference_income=Decimal("50000"), entered_by=world.alice)
    PolicyFactory(client=delvaux, annual_premium=Decimal("700"))

    def files(user):
        return {row.client.pk for row in office_room(actor=actor_for(user), year=YEAR)}

    assert delvaux.pk in files(world.alice)  # assigned to her
    assert delvaux.pk not in files(world.bob)  # restricted, not his
    assert delvaux.pk not in files(world.admin)  # nor the office admin's, as for the file itself
    assert len(files(world.bob)) == 2
    theirs = set(
        Client.objects.filter(office=world.other_office, social_status="company_director").values_list("pk", flat=True)
    )
    assert files(world.outsider) == theirs and not theirs & files(world.alice)
    assert office_room(actor=NOBODY, year=YEAR) == []
    alice_row = next(r for r in office_room(actor=actor_for(world.alice), year=YEAR) if r.client == delvaux)
    assert alice_row.paid == Decimal("700")  # its policies are read for the one who sees it


def test_the_office_view_gives_each_file_the_room_of_its_own_analysis(world):
    """The office view reads less of each file (no who and when); its figures are those of the file's page."""
    office(world, 4)
    director = ClientFactory(
        office=world.office, social_status="company_director", birth_date=datetime.date(1972, 1, 1)
    )
    CareerLineFactory(client=director, from_year=2000, to_year=None, status="company_director")
    for year in range(YEAR - 4, YEAR + 1):
        Income.objects.create(client=director, year=year, gross_remuneration=Decimal("80000"), entered_by=world.alice)
    PolicyFactory(client=director, section="pension", type="eip", annual_premium=Decimal("2000"))
    options = Options(technical_rate=Decimal("0.0175"), coefficient=Decimal("10.5"))
    rows = office_room(actor=actor_for(world.bob), year=YEAR, options=options)
    assert {r.product for r in rows} == {"plci", "cpti", "eip"}
    for row in rows:
        analysis, _inputs = analysis_for_client(row.client, YEAR, options)
        product = analysis.products[row.product]
        assert (row.room, row.max_premium, row.paid, row.missing) == (
            product.room.value,
            product.max_premium.value,
            product.paid,
            product.missing,
        ), row.client
