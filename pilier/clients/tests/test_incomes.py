"""The income figures of a year: a page of the client file (clients:income), fetched through the access module."""

from decimal import Decimal

import pytest
from django.urls import resolve, reverse

from pilier.clients import views
from pilier.clients.models import Income
from pilier.clients.services import income_set

pytestmark = pytest.mark.django_db


def test_the_income_page_is_a_page_of_the_client_file(client, world, self_employed):
    url = reverse("clients:income", args=[self_employed.pk, 2022])
    assert url == f"/clients/{self_employed.pk}/incomes/2022/"  # the same address as before the move
    assert resolve(url).func is views.income_view
    income_set(client=self_employed, year=2022, user=world.alice, net_taxable_professional_income=Decimal("41000"))
    client.force_login(world.bob)
    response = client.get(url)
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "clients/income_form.html"
    html = response.content.decode()
    assert "Revenus 2022" in html and "Revenu professionnel net imposable" in html  # in the user's French
    assert response.context["form"].initial["net_taxable_professional_income"] == Decimal("41000.00")


def test_income_figures_are_entered_with_who_and_when(client, world, self_employed):
    client.force_login(world.bob)
    url = reverse("clients:income", args=[self_employed.pk, 2022])
    response = client.post(
        url,
        {"net_taxable_professional_income": "42 000,50", "gross_remuneration": "", "plci_reference_income": ""},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("analysis:client", args=[self_employed.pk])
    assert "Revenus de 2022 enregistrés." in response.content.decode()
    income = Income.objects.get()
    assert (income.year, income.net_taxable_professional_income, income.entered_by) == (
        2022,
        Decimal("42000.50"),
        world.bob,
    )
    assert income.history.first().history_user == world.bob


def test_a_bad_amount_is_refused_and_nothing_saved(client, world, self_employed):
    client.force_login(world.bob)
    url = reverse("clients:income", args=[self_employed.pk, 2022])
    response = client.post(url, {"net_taxable_professional_income": "beaucoup"})
    assert response.status_code == 200 and response.context["form"].errors
    assert not Income.objects.exists()


def test_after_saving_the_page_goes_back_where_it_was_asked_from_never_to_another_site(client, world, self_employed):
    client.force_login(world.bob)
    url = reverse("clients:income", args=[self_employed.pk, 2023])
    back = reverse("clients:detail", args=[self_employed.pk])
    data = {"net_taxable_professional_income": "30000"}
    assert client.post(f"{url}?next={back}", data)["Location"] == back
    away = client.post(f"{url}?next=https://evil.example/", data)["Location"]
    assert away == reverse("analysis:client", args=[self_employed.pk])


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_income_page_of_a_file_not_seen_is_404_and_nothing_saved(client, world, method):
    data = {"net_taxable_professional_income": "1000"} if method == "post" else {}
    client.force_login(world.bob)  # not assigned to the restricted file
    for file in (world.restricted, world.other_client):
        response = getattr(client, method)(reverse("clients:income", args=[file.pk, 2022]), data)
        assert response.status_code == 404
    assert not Income.objects.exists()


@pytest.mark.parametrize("year", [1949, 2101])
def test_a_year_out_of_bounds_is_404(client, world, year):
    client.force_login(world.alice)
    assert client.get(reverse("clients:income", args=[world.client.pk, year])).status_code == 404


def test_the_analysis_links_to_the_income_page_of_the_client_file(client, world, self_employed):
    income_set(client=self_employed, year=2023, user=world.alice, net_taxable_professional_income=Decimal("1"))
    client.force_login(world.alice)
    html = client.get(reverse("analysis:client", args=[self_employed.pk]), {"year": 2024}).content.decode()
    assert reverse("clients:income", args=[self_employed.pk, 2023]) in html  # the table of incomes entered
    assert reverse("clients:income", args=[self_employed.pk, 2024]) in html  # the toolbar's link
