"""The people's and offices' own text fields refuse control characters as the client files do: a name
with a line break would end up in every history entry and PDF that names its author."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from pilier.accounts.models import ApiToken
from pilier.accounts.services import office_create, staff_create

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["Bob\r\nBauwens", "Bob\x00", "Bob\u202e"])
def test_my_account_refuses_a_name_with_a_control_character_and_keeps_the_old_one(client, world, name):
    client.force_login(world.bob)
    response = client.post(reverse("accounts:profile"), {"first_name": name, "last_name": "Bauwens", "language": "en"})
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()  # said on the field, in French
    world.bob.refresh_from_db()
    assert world.bob.first_name == "Bob"


def test_a_token_name_with_a_line_break_is_refused(client, world):
    client.force_login(world.bob)
    client.post(reverse("accounts:token_create"), {"name": "CRM\r\nsync"})
    assert not ApiToken.objects.filter(user=world.bob).exists()


def test_an_office_or_a_colleague_with_a_control_character_is_refused_by_the_commands_services(world):
    with pytest.raises(ValidationError):
        office_create(name="Courtage\nGamma", admin_email="g@gamma.be", admin_password="a-long-passphrase-42")
    with pytest.raises(ValidationError):
        staff_create(office=world.office, email="c@alpha.be", password="a-long-passphrase-42", first_name="C\x00")
