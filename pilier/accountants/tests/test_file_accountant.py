"""The accountant on a file (issue 14): only once PRO follow-up is on (refused with its reason otherwise), another
office's file is 404, "save only" records the accountant without any access; removing them leaves no trace."""

import pytest
from django.core.exceptions import ValidationError

from pilier.accountants import services
from pilier.accountants.models import FileAccountant
from pilier.accountants.tests.test_directory import CARD
from pilier.followup import services as followup_services


@pytest.fixture
def dubois(db):
    return services.accountant_create(**CARD)


@pytest.fixture
def followed(pro, world):
    followup_services.pro_follow_up_set(client=pro, active=True, by=world.alice)
    return pro


def test_save_only_records_the_accountant_on_a_followed_file(followed, dubois, world):
    row = services.file_accountant_set(client=followed, accountant_id=dubois.pk, by=world.alice)
    assert (row.accountant, row.set_by, row.invited_at) == (dubois, world.alice, None)


def test_without_pro_follow_up_the_accountant_is_refused_with_its_reason(pro, dubois):
    with pytest.raises(ValidationError) as exc:
        services.file_accountant_set(client=pro, accountant_id=dubois.pk)
    assert exc.value.message_dict["accountant"] == [str(services.NOT_FOLLOWED)]
    assert not FileAccountant.objects.exists()


def test_the_api_records_and_removes_the_files_accountant(api, followed, dubois):
    url = f"/api/v1/clients/{followed.pk}/accountant"
    response = api.put(url, {"accountant": str(dubois.pk), "invite": False})
    assert response.status_code == 200
    assert response.json()["accountant"]["id"] == str(dubois.pk)
    assert response.json()["invited"] is False
    assert api.delete(url).status_code == 204
    assert not FileAccountant.objects.exists()


def test_the_api_refuses_the_accountant_when_pro_follow_up_is_off(api, pro, dubois):
    response = api.put(f"/api/v1/clients/{pro.pk}/accountant", {"accountant": str(dubois.pk), "invite": False})
    assert response.status_code == 422
    assert response.json()["errors"]["accountant"]
    assert not FileAccountant.objects.exists()


def test_the_api_refuses_an_unknown_accountant(api, followed):
    response = api.put(f"/api/v1/clients/{followed.pk}/accountant", {"accountant": "nope"})
    assert response.status_code == 422
    assert response.json()["errors"]["accountant"]


def test_another_offices_file_answers_404(api, world, dubois):
    url = f"/api/v1/clients/{world.other_client.pk}/accountant"
    assert api.put(url, {"accountant": str(dubois.pk)}).status_code == 404
    assert api.delete(url).status_code == 404


def test_the_demo_office_has_pro_files_and_an_accountant(db):
    from pilier.demo import demo_load
    from pilier.followup.models import ProFollowUp

    office, _created = demo_load()
    assert ProFollowUp.objects.filter(client__office=office, active=True).count() == 3
    row = FileAccountant.objects.get(client__office=office)
    assert row.accountant.municipality == "Namur"
    assert followup_services.is_active(row.client)


def test_the_team_section_saves_the_accountant_only_on_a_followed_file(client, world, pro, dubois):
    from django.urls import reverse

    client.force_login(world.alice)
    url = reverse("accountants:file", args=[pro.pk])
    page = client.get(pro.get_absolute_url()).content.decode()
    assert 'id="file-accountant"' in page and reverse("accountants:file", args=[pro.pk]) not in page
    client.post(url, {"action": "save", "email": CARD["email"].upper()})
    assert not FileAccountant.objects.exists()  # PRO follow-up is off
    followup_services.pro_follow_up_set(client=pro, active=True, by=world.alice)
    client.post(url, {"action": "save", "email": CARD["email"].upper()})
    assert FileAccountant.objects.get(client=pro).accountant == dubois
    assert "Marc Dubois" in client.get(pro.get_absolute_url()).content.decode()
    client.post(url, {"action": "remove"})
    assert not FileAccountant.objects.exists()
