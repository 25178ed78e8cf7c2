"""A restricted file is seen by its assignees only: no form error tells anyone else that it exists, and an
office admin who takes it over is written in its history, where its assignees read it."""

import pytest
from django.urls import reverse

from conftest import api_headers

from .test_wizard import step1

pytestmark = pytest.mark.django_db

REFUSAL = "This national number cannot be used for this file. Ask an office admin."
TELLING = ("a file with restricted access", "Delvaux", "DELVAUX")  # the form itself has a "restricted access" box


@pytest.fixture(autouse=True)
def english(world):
    for user in (world.admin, world.alice, world.bob):
        user.language = "en"
        user.save()


def page_error(client, user, url, data) -> str:
    client.force_login(user)
    response = client.post(url, data)
    assert response.status_code == 200  # the form again, with its errors
    return " ".join(response.context["form"].errors["national_number"])


def api_error(client, world, user, method, url, data) -> str:
    response = getattr(client, method)(url, data, content_type="application/json", **api_headers(world.token(user)))
    assert response.status_code == 422, response.content
    return " ".join(response.json()["errors"]["national_number"])


def test_a_colleague_not_assigned_is_refused_the_number_of_a_restricted_file_without_being_told_why(client, world):
    for user in (world.bob, world.admin):  # an office admin who is not an assignee neither
        client.force_login(user)
        response = client.post(reverse("clients:new"), step1(national_number=world.restricted.national_number))
        html = response.content.decode()
        assert response.context["form"].errors["national_number"] == [REFUSAL]
        assert not any(word in html for word in TELLING) and world.restricted.get_absolute_url() not in html


def test_the_same_refusal_on_the_edit_page_and_in_the_api_create_and_patch(client, world):
    number = world.restricted.national_number
    edit = reverse("clients:edit", args=[world.client.pk])
    data = step1(national_number=number, client_number="A-100", account_manager=str(world.alice.pk))
    assert page_error(client, world.bob, edit, data) == REFUSAL
    new = {"last_name": "Lefèvre", "first_name": "Olivier", "national_number": number}
    assert api_error(client, world, world.bob, "post", "/api/v1/clients", new) == REFUSAL
    patch = {"national_number": number}
    assert api_error(client, world, world.bob, "patch", f"/api/v1/clients/{world.client.pk}", patch) == REFUSAL
    world.client.refresh_from_db()
    assert world.client.national_number != number


def test_an_assignee_is_told_which_file_has_the_number(client, world):
    error = page_error(
        client, world.alice, reverse("clients:new"), step1(national_number=world.restricted.national_number)
    )
    assert "DELVAUX Anne" in error


def test_an_office_admin_who_takes_over_a_restricted_file_is_written_in_its_history_for_its_assignees(client, world):
    client.force_login(world.admin)
    url = reverse("clients:reassign", args=[world.restricted.pk])
    response = client.post(url, {"account_manager": str(world.admin.pk), "file_manager": str(world.alice.pk)})
    assert response.status_code == 302
    world.restricted.refresh_from_db()
    assert world.restricted.account_manager == world.admin
    last = world.restricted.history.first()
    assert (last.history_user, last.account_manager_id) == (world.admin, world.admin.pk)
    for reader in (world.alice, world.admin):  # the file's assignees, the one who lost a role included
        client.force_login(reader)
        history = client.get(world.restricted.get_absolute_url()).content.decode().split('id="history"')[1]
        assert "Ada Admin took over the file as account manager" in history
        assert "Alice Aerts → Ada Admin" in history


def test_taking_over_both_roles_is_said_so(client, world):
    client.force_login(world.admin)
    url = reverse("clients:reassign", args=[world.restricted.pk])
    client.post(url, {"account_manager": str(world.admin.pk), "file_manager": str(world.admin.pk)})
    history = client.get(reverse("clients:history", args=[world.restricted.pk])).content.decode()
    assert "Ada Admin took over the file as account manager and file manager" in history


def test_an_ordinary_reassignment_is_an_ordinary_change(client, world):
    client.force_login(world.admin)
    url = reverse("clients:reassign", args=[world.restricted.pk])
    client.post(url, {"account_manager": str(world.bob.pk), "file_manager": str(world.alice.pk)})
    client.force_login(world.bob)
    history = client.get(world.restricted.get_absolute_url()).content.decode().split('id="history"')[1]
    assert "took over" not in history and "Alice Aerts → Bob Bauwens" in history and "Ada Admin" in history


POLICY_REFUSAL = "This policy number cannot be used for this file. Ask an office admin."


def test_a_policy_number_of_a_restricted_file_is_refused_without_telling_that_file_exists(client, world):
    from pilier.policies.tests.test_policies import form_data
    from pilier.tests.factories import PolicyFactory

    PolicyFactory(client=world.restricted, insurer="NN", number="300-0000256")
    client.force_login(world.bob)
    response = client.post(reverse("policies:new", args=[world.client.pk]), form_data(number="3000000256"))
    html = response.content.decode()
    assert response.context["form"].errors["number"] == [POLICY_REFUSAL]
    assert "a restricted file" not in html and "DELVAUX" not in html
    body = {"section": "pension", "type": "plci", "insurer": "NN", "number": "3000000256"}
    url = f"/api/v1/clients/{world.client.pk}/policies"
    response = client.post(url, body, content_type="application/json", **api_headers(world.token(world.bob)))
    assert response.status_code == 422 and response.json()["errors"]["number"] == [POLICY_REFUSAL]
    assert not world.client.policies.exists()
