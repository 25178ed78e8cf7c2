import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from conftest import api_headers
from pilier.clients.models import Income
from pilier.clients.services import income_set
from pilier.tests.factories import ClientFactory, PolicyFactory

pytestmark = pytest.mark.django_db


def test_the_analysis_shows_the_plci_room_with_its_explanation(client, world, self_employed):
    income_set(client=self_employed, year=2024, user=world.alice, plci_reference_income=Decimal("30000"))
    PolicyFactory(client=self_employed, annual_premium=Decimal("1000"))
    client.force_login(world.alice)
    html = client.get(reverse("analysis:client", args=[self_employed.pk]), {"year": 2024}).content.decode()
    assert "2\u00a0451,00\u00a0€" in html  # max premium
    assert "1\u00a0451,00\u00a0€" in html  # room left
    assert "<details" in html and "alice@alpha.be" in html  # the income's origin


def test_missing_inputs_are_listed_with_a_link_to_enter_them(client, world, self_employed):
    client.force_login(world.alice)
    html = client.get(reverse("analysis:client", args=[self_employed.pk]), {"year": 2024}).content.decode()
    assert reverse("clients:income", args=[self_employed.pk, 2021]) in html
    assert 'id="missing"' in html


def test_an_unknown_year_is_404(client, world, self_employed):
    client.force_login(world.alice)
    assert client.get(reverse("analysis:client", args=[self_employed.pk]), {"year": 1990}).status_code == 404


def test_the_pdf_is_a_pdf(client, world, self_employed):
    income_set(client=self_employed, year=2024, user=world.alice, plci_reference_income=Decimal("30000"))
    client.force_login(world.alice)
    response = client.get(reverse("analysis:pdf", args=[self_employed.pk]), {"year": 2024})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_api_gives_the_same_figures_as_decimal_strings(client, world, self_employed):
    headers = api_headers(world.token(world.alice))
    put = client.put(
        f"/api/v1/clients/{self_employed.pk}/incomes/2024",
        {"plci_reference_income": "30000"},
        content_type="application/json",
        **headers,
    )
    assert put.status_code == 200 and put.json()["entered_by"] == "alice@alpha.be"
    body = client.get(f"/api/v1/clients/{self_employed.pk}/analysis", {"year": 2024}, **headers).json()
    assert set(body["products"]) == {"plci", "plci_social", "eip", "cpti", "pension_savings", "long_term_savings"}
    plci = body["products"]["plci"]
    assert (plci["max_premium"], plci["paid"], plci["room"]) == ("2451.00", "0", "2451.00")
    assert plci["steps"][0]["name"] == "reference_income" and plci["unverified"] == []
    assert body["products"]["eip"]["applicable"] is False
    assert {"projection", "missing", "unverified"} <= set(body)
    body_2025 = client.get(f"/api/v1/clients/{self_employed.pk}/analysis", {"year": 2025}, **headers).json()
    assert "income:2022" in [m["code"] for m in body_2025["missing"]]


def test_the_api_refuses_a_bad_income_with_422(client, world, self_employed):
    response = client.put(
        f"/api/v1/clients/{self_employed.pk}/incomes/2024",
        {"net_taxable_professional_income": "-5"},
        content_type="application/json",
        **api_headers(world.token(world.alice)),
    )
    assert response.status_code == 422 and "net_taxable_professional_income" in response.json()["errors"]
    assert not Income.objects.exists()


def test_the_office_view_lists_room_left_largest_first_and_files_to_complete(client, world, self_employed):
    income_set(client=self_employed, year=2024, user=world.alice, plci_reference_income=Decimal("30000"))
    other = ClientFactory(
        office=world.office, last_name="Zeta", social_status="self_employed", birth_date=datetime.date(1970, 1, 1)
    )
    income_set(client=other, year=2024, user=world.alice, plci_reference_income=Decimal("40000"))
    ClientFactory(office=world.office, last_name="Nodata", social_status="self_employed")
    client.force_login(world.bob)
    response = client.get(reverse("analysis:room"), {"year": 2024})
    rows = response.context["rows"]
    assert [r.client.last_name for r in rows] == ["Zeta", "Dubois"]
    assert [r.room for r in rows] == [Decimal("3268.00"), Decimal("2451.00")]
    assert "Nodata" in [r.client.last_name for r in response.context["incomplete"]]
    income_set(client=self_employed, year=2024, user=world.alice, plci_reference_income=Decimal("1"))
    PolicyFactory(client=self_employed, annual_premium=Decimal("1000"))
    rows = client.get(reverse("analysis:room"), {"year": 2024}).context["rows"]
    assert [(r.client.last_name, r.room) for r in rows][-1] == ("Dubois", Decimal("0"))  # none left: listed last
    assert "DELVAUX" not in response.content.decode()  # restricted file of someone else
