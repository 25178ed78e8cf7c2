import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_an_office_admin_sees_that_a_restricted_file_exists_name_and_assignees_only(client, world):
    client.force_login(world.admin)
    response = client.get(reverse("clients:assignments"))
    html = response.content.decode()
    assert "DELVAUX Anne" in html
    assert world.restricted.national_number not in html
    assert world.restricted.get_absolute_url() not in html


def test_an_office_admin_can_reassign_a_restricted_file(client, world):
    client.force_login(world.admin)
    url = reverse("clients:reassign", args=[world.restricted.pk])
    response = client.post(url, {"account_manager": str(world.bob.pk), "file_manager": ""})
    assert response.status_code == 302
    world.restricted.refresh_from_db()
    assert world.restricted.account_manager == world.bob and world.restricted.file_manager is None
    # Now Bob finds it, Alice no longer does.
    client.force_login(world.bob)
    assert client.get(world.restricted.get_absolute_url()).status_code == 200
    client.force_login(world.alice)
    assert client.get(world.restricted.get_absolute_url()).status_code == 404


def test_a_restricted_file_cannot_be_left_without_assignee(client, world):
    client.force_login(world.admin)
    url = reverse("clients:reassign", args=[world.restricted.pk])
    client.post(url, {"account_manager": "", "file_manager": ""})
    world.restricted.refresh_from_db()
    assert world.restricted.account_manager == world.alice


def test_reassigning_to_staff_of_another_office_is_refused(client, world):
    client.force_login(world.admin)
    url = reverse("clients:reassign", args=[world.client.pk])
    client.post(url, {"account_manager": str(world.outsider.pk), "file_manager": ""})
    world.client.refresh_from_db()
    assert world.client.account_manager == world.alice


def test_assignments_list_no_other_office(client, world):
    client.force_login(world.outsider)
    html = client.get(reverse("clients:assignments")).content.decode()
    assert "DUBOIS" not in html and "DELVAUX" not in html and "PEETERS An" in html
