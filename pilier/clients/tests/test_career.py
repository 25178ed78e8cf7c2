import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import api_headers
from pilier.clients.career import Span, can_overlap, career_summary, gaps, legal_retirement_age
from pilier.clients.models import CareerLine
from pilier.tests.factories import CareerLineFactory

pytestmark = pytest.mark.django_db
THIS_YEAR = timezone.localdate().year


@pytest.mark.parametrize(
    ("birth_year", "age"), [(1955, 65), (1959, 65), (1960, 66), (1963, 66), (1964, 67), (1990, 67)]
)
def test_the_legal_retirement_age_is_66_from_2025_and_67_from_2030(birth_year, age):
    assert legal_retirement_age(birth_year) == age


def test_employee_and_secondary_self_employed_may_overlap_not_two_self_employed_lines():
    assert can_overlap("employee", "self_employed")
    assert can_overlap("civil_servant", "company_director")
    assert can_overlap("employee", "employee")  # two part-time jobs
    assert not can_overlap("self_employed", "self_employed")
    assert not can_overlap("employee", "unemployed")
    assert not can_overlap("student", "employee")


def test_gaps_are_the_years_no_line_covers():
    spans = [Span(2000, 2003, "student"), Span(2006, 2010, "employee"), Span(2012, None, "self_employed")]
    assert gaps(spans, 2026) == [(2004, 2005), (2011, 2011)]
    assert gaps([Span(2000, 2010, "employee")], 2026) == [(2011, 2026)]


def test_the_summary_counts_years_done_and_left():
    summary = career_summary([Span(2008, None, "employee"), Span(2010, 2012, "self_employed")], 1985, 2026)
    assert summary.years_done == 19 and summary.retirement_age == 67
    assert summary.retirement_year == 2052 and summary.years_left == 26


def post_line(client, world, **data):
    payload = {"from_year": "2005", "to_year": "", "status": "employee", "employer": "ACME", "gross_annual_income": ""}
    payload.update(data)
    return client.post(reverse("clients:career_new", args=[world.client.pk]), payload)


def test_a_career_line_is_added_with_its_income(client, world):
    client.force_login(world.alice)
    response = post_line(client, world, gross_annual_income="42 000,00")
    assert response.status_code == 302
    line = CareerLine.objects.get()
    assert line.to_year is None and str(line.gross_annual_income) == "42000.00"


def test_a_line_that_overlaps_a_line_it_cannot_combine_with_is_refused(client, world):
    CareerLineFactory(client=world.client, from_year=2000, to_year=2010, status="self_employed")
    client.force_login(world.alice)
    response = post_line(client, world, from_year="2008", to_year="2012", status="self_employed")
    assert response.status_code == 200
    assert "2000–2010" in str(response.context["form"].non_field_errors())
    assert CareerLine.objects.count() == 1
    assert post_line(client, world, from_year="2008", to_year="2012", status="employee").status_code == 302


def test_years_must_be_plausible_and_ordered(client, world):
    world.client.birth_date = datetime.date(1985, 7, 30)
    world.client.save()
    client.force_login(world.alice)
    assert "from_year" in post_line(client, world, from_year="1990").context["form"].errors
    assert "to_year" in post_line(client, world, from_year="2010", to_year="2008").context["form"].errors
    assert "from_year" in post_line(client, world, from_year=str(THIS_YEAR + 1)).context["form"].errors
    assert not CareerLine.objects.exists()


def test_the_shortcut_creates_one_line_employee_at_various_employers_until_now(client, world):
    world.client.birth_date = datetime.date(1985, 7, 30)
    world.client.save()
    client.force_login(world.alice)
    response = client.post(reverse("clients:career_shortcut", args=[world.client.pk]), {"end_of_studies_year": "2008"})
    assert response.status_code == 302
    line = CareerLine.objects.get()
    assert (line.from_year, line.to_year, line.status, line.various_employers) == (2008, None, "employee", True)
    html = client.get(world.client.get_absolute_url()).content.decode()
    assert f'id="years-done">{THIS_YEAR - 2008 + 1}<' in html
    assert f'id="years-left">{1985 + 67 - THIS_YEAR}<' in html
    assert "Divers employeurs" in html


def test_the_shortcut_is_refused_on_a_file_that_already_has_a_career_line(client, world):
    world.client.birth_date = datetime.date(1985, 7, 30)
    world.client.save()
    CareerLineFactory(client=world.client, from_year=2000, to_year=2003)
    client.force_login(world.alice)
    response = client.post(reverse("clients:career_shortcut", args=[world.client.pk]), {"end_of_studies_year": "2008"})
    assert response.status_code == 200
    assert "end_of_studies_year" in response.context["form"].errors
    assert CareerLine.objects.count() == 1


def test_gaps_are_shown_on_the_file(client, world):
    CareerLineFactory(client=world.client, from_year=2000, to_year=2003)
    CareerLineFactory(client=world.client, from_year=2006, to_year=None)
    client.force_login(world.alice)
    html = client.get(world.client.get_absolute_url()).content.decode()
    assert "2004–2005" in html and 'class="bar gap"' in html


def test_editing_and_deleting_a_line(client, world):
    line = CareerLineFactory(client=world.client, from_year=2000, to_year=None)
    client.force_login(world.alice)
    url = reverse("clients:career_edit", args=[world.client.pk, line.pk])
    data = {"from_year": "2001", "to_year": "2020", "status": "employee", "employer": "X", "gross_annual_income": ""}
    assert client.post(url, data).status_code == 302
    line.refresh_from_db()
    assert (line.from_year, line.to_year) == (2001, 2020)
    client.post(reverse("clients:career_delete", args=[world.client.pk, line.pk]))
    assert not CareerLine.objects.exists()
    assert CareerLine.history.filter(id=line.pk, history_type="-").exists()


# API -------------------------------------------------------------------------------------------


def test_the_api_lists_adds_changes_and_deletes_lines(client, world):
    headers = api_headers(world.token(world.alice))
    url = f"/api/v1/clients/{world.client.pk}/career-lines"
    created = client.post(
        url, {"from_year": 2005, "status": "employee", "gross_annual_income": "41000.50"}, "application/json", **headers
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["to_year"] is None and body["gross_annual_income"] == "41000.50"
    line_url = f"{url}/{body['id']}"
    changed = client.patch(line_url, {"to_year": 2015}, "application/json", **headers)
    assert changed.json()["to_year"] == 2015 and changed.json()["from_year"] == 2005
    assert [line["id"] for line in client.get(url, **headers).json()] == [body["id"]]
    assert client.delete(line_url, **headers).status_code == 204
    assert not CareerLine.objects.exists()


def test_the_api_refuses_an_overlap_with_the_reason(client, world):
    CareerLineFactory(client=world.client, from_year=2000, to_year=None, status="self_employed")
    response = client.post(
        f"/api/v1/clients/{world.client.pk}/career-lines",
        {"from_year": 2010, "status": "self_employed"},
        "application/json",
        **api_headers(world.token(world.alice)),
    )
    assert response.status_code == 422
    assert "2000" in response.json()["errors"]["__all__"][0]
