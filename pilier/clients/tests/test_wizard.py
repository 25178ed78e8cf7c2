import datetime

import pytest
from django.urls import reverse

from pilier.clients.models import Client

pytestmark = pytest.mark.django_db


def step1(**overrides):
    data = {
        "last_name": "Lefèvre",
        "first_name": "Olivier",
        "national_number": "85073003328",
        "birth_date": "",
        "gender": "",
        "language": "fr",
        "email": "olivier@example.be",
        "phone": "+32 470 12 34 56",
        "street": "Rue de Fer",
        "house_number": "12",
        "box": "3",
        "postcode": "5000",
        "municipality": "Namur",
        "country": "be",
        "client_number": "B-2041",
        "account_manager": "",
        "file_manager": "",
    }
    data.update(overrides)
    return data


def test_step_one_creates_the_file_and_leads_to_step_two(client, world):
    client.force_login(world.alice)
    data = step1(account_manager=str(world.alice.pk), file_manager=str(world.bob.pk))
    response = client.post(reverse("clients:new"), data)
    created = Client.objects.get(last_name="Lefèvre")
    assert response.status_code == 302
    assert response["Location"] == reverse("clients:status", args=[created.pk])
    assert created.office == world.office
    assert created.national_number == "85.07.30-033.28"
    assert created.birth_date == datetime.date(1985, 7, 30)
    assert created.gender == "M"
    assert created.country == "BE"
    assert created.account_manager == world.alice and created.file_manager == world.bob
    assert not created.is_complete


def test_a_file_saved_after_step_one_is_kept_and_marked_incomplete(client, world):
    client.force_login(world.alice)
    client.post(reverse("clients:new"), step1())
    response = client.get(reverse("clients:list"), {"q": "lefevre"})
    assert "Lefèvre".upper() in response.content.decode()
    assert "incomplet" in response.content.decode()


def test_step_two_records_the_social_status(client, world):
    client.force_login(world.alice)
    response = client.post(reverse("clients:status", args=[world.client.pk]), {"social_status": "self_employed"})
    assert response.status_code == 302
    world.client.refresh_from_db()
    assert world.client.social_status == "self_employed"


def test_a_company_director_needs_the_financial_year(client, world):
    client.force_login(world.alice)
    url = reverse("clients:status", args=[world.client.pk])
    response = client.post(url, {"social_status": "company_director"})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"fiscal_year_start", "fiscal_year_end"}
    world.client.refresh_from_db()
    assert world.client.social_status == "employee"


@pytest.mark.parametrize(
    ("start", "end", "accepted"),
    [
        ("01/01/2026", "31/12/2026", True),
        ("01/07/2025", "31/12/2026", True),  # a long first financial year
        ("01/01/2025", "31/12/2026", True),  # exactly 24 months
        ("01/01/2025", "01/01/2027", False),  # more than 24 months
        ("01/01/2026", "01/01/2026", False),  # end not after start
        ("01/01/2026", "31/12/2025", False),
    ],
)
def test_the_financial_year_ends_after_it_starts_and_lasts_at_most_24_months(client, world, start, end, accepted):
    client.force_login(world.alice)
    data = {
        "social_status": "company_director",
        "fiscal_year_start": start,
        "fiscal_year_end": end,
        "company_name": "Lefèvre Consult SRL",
        "enterprise_number": "0403.170.701",
    }
    response = client.post(reverse("clients:status", args=[world.client.pk]), data)
    world.client.refresh_from_db()
    assert (response.status_code == 302) is accepted
    assert (world.client.social_status == "company_director") is accepted


def test_it_refuses_a_bad_enterprise_number(client, world):
    client.force_login(world.alice)
    data = {
        "social_status": "company_director",
        "fiscal_year_start": "01/01/2026",
        "fiscal_year_end": "31/12/2026",
        "enterprise_number": "0403.170.702",
    }
    response = client.post(reverse("clients:status", args=[world.client.pk]), data)
    assert "enterprise_number" in response.context["form"].errors


def test_it_refuses_a_national_number_with_wrong_check_digits_and_writes_nothing(client, world):
    client.force_login(world.alice)
    before = Client.objects.count()
    response = client.post(reverse("clients:new"), step1(national_number="85.07.30-033.29"))
    assert response.status_code == 200
    assert "chiffres de contrôle" in response.context["form"].errors["national_number"][0]
    assert Client.objects.count() == before


def test_the_error_is_in_the_users_language(client, world):
    world.bob.language = "nl"
    world.bob.save()
    client.force_login(world.bob)
    response = client.post(reverse("clients:new"), step1(national_number="85.07.30-033.29"))
    assert "rijksregister" in response.context["form"].errors["national_number"][0].lower()
    assert '<html lang="nl">' in response.content.decode()


def test_a_birth_date_that_contradicts_the_number_is_refused(client, world):
    client.force_login(world.alice)
    response = client.post(reverse("clients:new"), step1(birth_date="31/07/1985"))
    assert "birth_date" in response.context["form"].errors
    assert not Client.objects.filter(last_name="Lefèvre").exists()


def test_a_gender_that_contradicts_the_number_is_refused(client, world):
    client.force_login(world.alice)
    response = client.post(reverse("clients:new"), step1(gender="F"))
    assert "gender" in response.context["form"].errors


def test_the_placeholder_is_accepted_may_repeat_and_shows_a_todo(client, world):
    client.force_login(world.alice)
    for first in ("Jean", "Marie"):
        response = client.post(
            reverse("clients:new"), step1(first_name=first, national_number="99.99.99-999.99", client_number="")
        )
        assert response.status_code == 302
    files = Client.objects.filter(national_number="99.99.99-999.99")
    assert files.count() == 2
    assert all(c.national_number_provisional for c in files)
    page = client.get(files.first().get_absolute_url()).content.decode()
    assert "Numéro national à compléter" in page


def test_a_number_already_used_in_the_office_is_refused_with_a_link_to_that_file(client, world):
    client.force_login(world.alice)
    response = client.post(reverse("clients:new"), step1(national_number=world.client.national_number))
    assert "national_number" in response.context["form"].errors
    assert world.client.get_absolute_url() in response.content.decode()


def test_a_number_used_by_a_restricted_file_is_refused_without_revealing_it(client, world):
    client.force_login(world.bob)
    response = client.post(reverse("clients:new"), step1(national_number=world.restricted.national_number))
    assert "national_number" in response.context["form"].errors
    assert world.restricted.get_absolute_url() not in response.content.decode()
    assert "Delvaux".upper() not in response.content.decode()


def test_the_same_number_in_another_office_is_fine(client, world):
    client.force_login(world.alice)
    response = client.post(reverse("clients:new"), step1(national_number=world.other_client.national_number))
    assert response.status_code == 302


def test_the_client_number_is_unique_in_the_office(client, world):
    client.force_login(world.alice)
    response = client.post(reverse("clients:new"), step1(client_number="A-100"))
    assert "client_number" in response.context["form"].errors


def test_managers_must_be_staff_of_the_office(client, world):
    client.force_login(world.alice)
    response = client.post(reverse("clients:new"), step1(account_manager=str(world.outsider.pk)))
    assert "account_manager" in response.context["form"].errors


def test_a_restricted_file_needs_the_author_among_its_assignees(client, world):
    client.force_login(world.alice)
    data = step1(restricted_access="on", account_manager=str(world.bob.pk))
    response = client.post(reverse("clients:new"), data)
    assert "restricted_access" in response.context["form"].errors
    data = step1(restricted_access="on", account_manager=str(world.alice.pk))
    assert client.post(reverse("clients:new"), data).status_code == 302


def test_editing_the_identity_keeps_a_history_with_the_author(client, world):
    client.force_login(world.alice)
    url = reverse("clients:edit", args=[world.client.pk])
    form = client.get(url).context["form"]
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if k in form.fields}
    data.update(
        national_number=world.client.national_number,
        birth_date=world.client.birth_date.strftime("%d/%m/%Y") if world.client.birth_date else "",
        account_manager=str(world.alice.pk),
        file_manager="",
        phone="0470 99 88 77",
        restricted_access="",
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    page = client.get(world.client.get_absolute_url()).content.decode()
    assert "0470 99 88 77" in page
    last = world.client.history.first()
    assert last.history_user == world.alice
