"""The directory page: every office's staff search the same directory and add an accountant; a wrong enterprise
number is refused with its reason in French and nothing is written."""

from django.urls import reverse

from pilier.accountants.models import Accountant
from pilier.accountants.tests.test_directory import CARD


def test_staff_of_every_office_search_and_add_accountants(client, world):
    client.force_login(world.alice)
    url = reverse("accountants:directory")
    response = client.post(url, CARD)
    assert response.status_code == 302
    client.force_login(world.outsider)
    page = client.get(url, {"search": "namur"}).content.decode()
    assert "Marc Dubois" in page


def test_a_wrong_enterprise_number_is_refused_on_the_page(client, world):
    client.force_login(world.alice)
    response = client.post(reverse("accountants:directory"), {**CARD, "enterprise_number": "0403170702"})
    assert response.status_code == 422
    assert "chiffres de contrôle" in response.content.decode() or "check digits" in response.content.decode()
    assert not Accountant.objects.exists()
