import datetime

import pytest
from django.urls import reverse

from pilier.clients import services
from pilier.clients.models import Client

pytestmark = pytest.mark.django_db


def test_the_file_shows_identity_status_assignees_todos_and_sections(client, world):
    world.client.national_number = "99.99.99-999.99"
    world.client.save()
    client.force_login(world.bob)
    html = client.get(world.client.get_absolute_url()).content.decode()
    for part in ('id="identity"', 'id="status"', 'id="todos"', 'id="career"', 'id="pension"', 'id="disability"'):
        assert part in html
    assert 'id="death"' in html and 'id="investment"' in html and 'id="history"' in html
    assert "99.99.99-999.99" in html
    assert "Alice Aerts" in html


def test_the_history_says_who_when_and_old_to_new(client, world):
    services.client_update(client=world.client, phone="0470 11 22 33")
    world.client.history.filter(history_type="~").update(history_user=world.alice)
    services.client_update(client=world.client, social_status="self_employed")
    client.force_login(world.bob)
    html = client.get(world.client.get_absolute_url()).content.decode()
    assert "0470 11 22 33" in html
    assert "→" in html
    assert "Alice Aerts" in html


def test_the_file_page_uses_a_fixed_number_of_queries(client, world, django_assert_num_queries):
    client.force_login(world.alice)
    url = world.client.get_absolute_url()
    client.get(url)
    # session, user, membership, client (+ assignees), history (+ authors), history's assignees,
    # career lines, policies; the Team section (the file's access, its last invitation, its access events) and
    # the PRO follow-up box: 3 more, whatever the file holds; the file's accountant and whether follow-up is on: 2
    with django_assert_num_queries(13):
        client.get(url)
    for index in range(40):
        services.client_update(
            client=world.client,
            phone=f"0470 00 00 {index:02d}",
            account_manager=world.bob if index % 2 else world.alice,
        )
    with django_assert_num_queries(13):
        response = client.get(url)
    assert response.context["more_history"]
    assert len(response.context["history"]) == 20


def test_the_whole_history_page_lists_every_change(client, world):
    for index in range(25):
        services.client_update(client=world.client, phone=f"04 {index}")
    client.force_login(world.bob)
    response = client.get(reverse("clients:history", args=[world.client.pk]))
    assert len(response.context["history"]) == 26  # 25 changes + creation


def test_editing_the_status_from_the_file(client, world):
    client.force_login(world.bob)
    data = {
        "social_status": "company_director",
        "fiscal_year_start": "01/04/2026",
        "fiscal_year_end": "31/03/2027",
        "company_name": "Dubois SRL",
        "enterprise_number": "0403170701",
    }
    client.post(reverse("clients:status", args=[world.client.pk]), data)
    world.client.refresh_from_db()
    assert world.client.fiscal_year_end == datetime.date(2027, 3, 31)
    assert world.client.enterprise_number == "0403.170.701"
    html = client.get(world.client.get_absolute_url()).content.decode()
    assert "01/04/2026" in html and "31/03/2027" in html


def test_leaving_company_director_clears_the_company_data(client, world):
    services.client_update(
        client=world.client,
        social_status="company_director",
        fiscal_year_start=datetime.date(2026, 1, 1),
        fiscal_year_end=datetime.date(2026, 12, 31),
        company_name="X SRL",
    )
    client.force_login(world.bob)
    client.post(reverse("clients:status", args=[world.client.pk]), {"social_status": "retired"})
    world.client.refresh_from_db()
    assert world.client.social_status == "retired"
    assert world.client.fiscal_year_start is None and world.client.company_name == ""
    # … and the history still has them.
    assert world.client.history.filter(company_name="X SRL").exists()


def test_deleting_a_file_keeps_its_history(client, world):
    client.force_login(world.bob)
    response = client.post(reverse("clients:delete", args=[world.client.pk]))
    assert response.status_code == 302
    assert not Client.objects.filter(pk=world.client.pk).exists()
    assert Client.history.filter(id=world.client.pk, history_type="-").exists()
