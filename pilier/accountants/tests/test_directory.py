"""The accountants' directory (issue 14): shared by every office, searched by name, municipality and e-mail; an
enterprise number with wrong check digits is refused with its reason; one accountant per e-mail whatever its case."""

import pytest
from django.core.exceptions import ValidationError

from conftest import api_headers
from pilier.accountants import services
from pilier.accountants.models import Accountant

CARD = {
    "name": "Marc Dubois",
    "firm": "Fiduciaire Dubois",
    "enterprise_number": "BE 0403.170.701",
    "itaa_number": "12345678",
    "email": "Marc.Dubois@Fidu.be",
    "phone": "+32 81 22 33 44",
    "street": "Rue de Fer",
    "number": "12",
    "postcode": "5000",
    "municipality": "Namur",
}


@pytest.fixture
def dubois(db):
    return services.accountant_create(**CARD)


def test_an_accountant_is_added_with_a_checked_enterprise_number(dubois):
    assert dubois.enterprise_number == "0403170701"
    assert Accountant.objects.count() == 1


@pytest.mark.parametrize(
    ("number", "message"),
    [("0403170702", services.WRONG_CHECK_DIGITS), ("12345", services.WRONG_ENTERPRISE_NUMBER), ("", services.REQUIRED)],
)
def test_a_wrong_enterprise_number_is_refused_and_nothing_is_written(db, number, message):
    with pytest.raises(ValidationError) as exc:
        services.accountant_create(**{**CARD, "enterprise_number": number})
    assert exc.value.message_dict["enterprise_number"] == [str(message)]
    assert not Accountant.objects.exists()


def test_the_same_email_whatever_its_case_is_one_accountant(dubois):
    with pytest.raises(ValidationError) as exc:
        services.accountant_create(**{**CARD, "email": "marc.dubois@FIDU.BE", "name": "Autre"})
    assert exc.value.message_dict["email"] == [str(services.EMAIL_TAKEN)]
    assert Accountant.objects.count() == 1


def test_the_database_refuses_a_second_accountant_with_the_same_email_in_another_case(dubois):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Accountant.objects.create(name="X", enterprise_number="0403170701", email="MARC.DUBOIS@fidu.be")


@pytest.mark.parametrize("text", ["dubois", "NAMUR", "marc.dubois@fidu", "5000"])
def test_the_directory_is_searched_by_name_municipality_and_email(dubois, text):
    services.accountant_create(
        **{
            **CARD,
            "name": "Anne Peeters",
            "firm": "",
            "email": "anne@peeters.be",
            "postcode": "2000",
            "municipality": "Antwerpen",
        }
    )
    assert [a.name for a in services.accountant_search(text)] == ["Marc Dubois"]


def test_the_api_searches_and_adds_accountants_for_every_office(api, client, world, dubois):
    found = api.get("/api/v1/accountants", search="namur").json()
    assert [a["email"] for a in found] == ["Marc.Dubois@Fidu.be"]
    assert set(found[0]) == {"id", *services.FIELDS}  # the public card, nothing about offices or files
    # the other office sees the same directory
    other = api_headers(world.token(world.outsider))
    assert client.get("/api/v1/accountants", {"search": "dubois"}, **other).json() == found

    response = api.post("/api/v1/accountants", {**CARD, "email": "anne@peeters.be", "name": "Anne Peeters"})
    assert response.status_code == 201
    assert Accountant.objects.get(pk=response.json()["id"]).name == "Anne Peeters"


def test_the_api_refuses_a_wrong_enterprise_number_with_its_reason(api):
    response = api.post("/api/v1/accountants", {**CARD, "enterprise_number": "0403170702"})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["enterprise_number"]
    assert not Accountant.objects.exists()
