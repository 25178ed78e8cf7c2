"""The rules of a client file, checked by the services themselves whoever calls them: each invalid case is
refused with its field and its code, and nothing is written."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from pilier.clients import rules, services
from pilier.clients.identifiers import PLACEHOLDER
from pilier.clients.models import Client

NUMBER = "85.07.30-033.28"  # a man born on 30 July 1985


def codes(exc: ValidationError) -> dict[str, list[str | None]]:
    return {field: [error.code for error in errors] for field, errors in exc.error_dict.items()}


def refused(call, **fields) -> dict[str, list[str | None]]:
    with pytest.raises(ValidationError) as caught:
        call(**fields)
    return codes(caught.value)


def new(world, **fields):
    data = {"last_name": "Lefèvre", "first_name": "Olivier", "national_number": NUMBER} | fields
    return services.client_create(office=world.office, **data)


# Identity from the national number ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_service_takes_birth_date_and_gender_from_the_number_and_writes_it_the_register_s_way(world):
    client = new(world, national_number="85073003328", country=" be ")
    assert client.national_number == NUMBER and client.birth_date == datetime.date(1985, 7, 30)
    assert client.gender == "M" and client.country == "BE" and not client.national_number_provisional


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["85.07.30-033.29", "85.07.30-033", "85.07.30-O33.28"])
def test_an_invalid_national_number_is_refused(world, number):
    count = Client.objects.count()
    assert refused(new, world=world, national_number=number) == {"national_number": ["invalid"]}
    assert Client.objects.count() == count


@pytest.mark.django_db
def test_a_birth_date_or_a_gender_that_contradicts_the_number_is_refused(world):
    with pytest.raises(ValidationError) as caught:
        new(world, birth_date=datetime.date(1985, 7, 31), gender="F")
    assert codes(caught.value) == {"birth_date": ["contradicts"], "gender": ["contradicts"]}
    with translation.override("fr"):
        said = caught.value.message_dict["birth_date"]
    assert said == ["Le numéro national indique le 30/07/1985 comme date de naissance."]
    # The same ones, or "unknown" for the gender, are taken.
    assert new(world, birth_date=datetime.date(1985, 7, 30), gender="X").gender == "M"


@pytest.mark.django_db
def test_the_placeholder_is_provisional_and_keeps_the_birth_date_given_unless_it_is_in_the_future(world):
    client = new(world, national_number="99999999999", birth_date=datetime.date(1970, 1, 1))
    assert client.national_number == PLACEHOLDER and client.national_number_provisional
    assert client.birth_date == datetime.date(1970, 1, 1) and client.gender == "X"
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    assert refused(new, world=world, national_number=PLACEHOLDER, birth_date=tomorrow) == {"birth_date": ["future"]}


@pytest.mark.django_db
def test_a_new_number_gives_its_birth_date_on_update_and_the_old_one_is_checked_otherwise(world):
    client = new(world)
    services.client_update(client=client, national_number="90.02.01-002.29")
    client.refresh_from_db()
    assert client.birth_date == datetime.date(1990, 2, 1) and client.gender == "F"
    assert refused(services.client_update, client=client, birth_date=datetime.date(1990, 2, 2)) == {
        "birth_date": ["contradicts"]
    }


@pytest.mark.django_db
def test_a_national_number_already_used_in_the_office_is_refused_and_named_only_to_who_may_open_that_file(world):
    world.client.national_number = NUMBER
    world.client.save()
    with pytest.raises(ValidationError) as caught:
        new(world, by=world.bob)
    (error,) = caught.value.error_dict["national_number"]
    assert error.code == "duplicate" and error.params["client"] == world.client
    # A restricted file that is not the writer's (or no writer at all): a refusal that names nobody.
    world.restricted.national_number = "90.02.01-002.29"
    world.restricted.save()
    for writer in (world.bob, world.admin, None):
        with pytest.raises(ValidationError) as caught:
            new(world, national_number="90020100229", by=writer)
        (error,) = caught.value.error_dict["national_number"]
        assert error.code == "unavailable" and not error.params
    assert refused(new, world=world, national_number="90020100229", by=world.alice)["national_number"] == ["duplicate"]
    # The placeholder may be shared, and another office may use the number.
    new(world, national_number=PLACEHOLDER)
    new(world, national_number=PLACEHOLDER)
    services.client_create(office=world.other_office, last_name="X", first_name="Y", national_number=NUMBER)


@pytest.mark.django_db
def test_a_client_number_already_used_in_the_office_is_refused(world):
    assert refused(new, world=world, client_number=f" {world.client.client_number} ") == {
        "client_number": ["duplicate"]
    }
    services.client_update(client=world.client, client_number=world.client.client_number)  # its own number


# Assignees and restricted access -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_restricted_file_without_assignee_is_refused(world):
    assert refused(new, world=world, restricted_access=True) == {"restricted_access": ["needs_assignee"]}
    assert refused(services.client_update, client=world.restricted, account_manager=None, file_manager=None) == {
        "restricted_access": ["needs_assignee"]
    }


@pytest.mark.django_db
def test_the_admin_s_reassignment_keeps_an_assignee_on_a_restricted_file_but_need_not_name_the_admin(world):
    assert refused(services.client_reassign, client=world.restricted, account_manager=None, file_manager=None) == {
        "restricted_access": ["needs_assignee"]
    }
    services.client_reassign(client=world.restricted, account_manager=world.bob, file_manager=None)
    world.restricted.refresh_from_db()
    assert world.restricted.account_manager == world.bob


@pytest.mark.django_db
def test_whoever_makes_a_file_restricted_stays_among_its_assignees(world):
    fields = {"restricted_access": True, "account_manager": world.bob}
    assert refused(new, world=world, by=world.alice, **fields) == {"restricted_access": ["editor_not_assigned"]}
    assert new(world, by=world.bob, **fields).restricted_access
    assert refused(
        services.client_update, client=world.restricted, by=world.alice, account_manager=world.bob, file_manager=None
    ) == {"restricted_access": ["editor_not_assigned"]}


@pytest.mark.django_db
def test_an_assignee_from_another_office_is_refused(world):
    assert refused(new, world=world, account_manager=world.outsider) == {"account_manager": ["not_in_office"]}
    assert refused(services.client_update, client=world.client, file_manager=world.outsider) == {
        "file_manager": ["not_in_office"]
    }


# The social status and the financial year ------------------------------------------------------------------------


THIS_YEAR = datetime.date.today().year


def director(**fields):
    return {
        "social_status": "company_director",
        "fiscal_year_start": datetime.date(THIS_YEAR, 1, 1),
        "fiscal_year_end": datetime.date(THIS_YEAR, 12, 31),
        "company_name": "Lefèvre Conseil SRL",
    } | fields


@pytest.mark.django_db
def test_a_company_director_needs_a_financial_year_that_ends_after_it_starts_within_24_months(world):
    update = services.client_set_social_status
    assert refused(update, client=world.client, **director(fiscal_year_start=None, fiscal_year_end=None)) == {
        "fiscal_year_start": ["required"],
        "fiscal_year_end": ["required"],
    }
    assert refused(update, client=world.client, **director(fiscal_year_end=datetime.date(THIS_YEAR, 1, 1))) == {
        "fiscal_year_end": ["end_before_start"]
    }
    assert refused(update, client=world.client, **director(fiscal_year_end=datetime.date(THIS_YEAR + 2, 1, 1))) == {
        "fiscal_year_end": ["too_long"]
    }
    update(client=world.client, **director(fiscal_year_end=datetime.date(THIS_YEAR + 1, 12, 31)))  # 24 months
    world.client.refresh_from_db()
    assert world.client.fiscal_year_end == datetime.date(THIS_YEAR + 1, 12, 31)


@pytest.mark.django_db
def test_a_financial_year_must_be_the_current_or_the_next_one(world):
    update = services.client_set_social_status
    past = director(fiscal_year_start=datetime.date(2020, 1, 1), fiscal_year_end=datetime.date(2020, 12, 31))
    assert refused(update, client=world.client, **past) == {"fiscal_year_end": ["past"]}
    far = director(
        fiscal_year_start=datetime.date(THIS_YEAR + 3, 1, 1), fiscal_year_end=datetime.date(THIS_YEAR + 3, 12, 31)
    )
    assert refused(update, client=world.client, **far) == {"fiscal_year_start": ["too_far"]}
    update(
        client=world.client,
        **director(
            fiscal_year_start=datetime.date(THIS_YEAR + 1, 1, 1), fiscal_year_end=datetime.date(THIS_YEAR + 1, 12, 31)
        ),
    )
    world.client.refresh_from_db()
    assert world.client.fiscal_year_start == datetime.date(THIS_YEAR + 1, 1, 1)


@pytest.mark.django_db
def test_an_invalid_enterprise_number_is_refused_and_a_valid_one_written_the_usual_way(world):
    update = services.client_set_social_status
    assert refused(update, client=world.client, **director(enterprise_number="0403.170.702")) == {
        "enterprise_number": ["invalid"]
    }
    update(client=world.client, **director(enterprise_number="403170701"))
    world.client.refresh_from_db()
    assert world.client.enterprise_number == "0403.170.701"


@pytest.mark.django_db
def test_the_company_data_belong_to_a_company_director_only(world):
    services.client_set_social_status(client=world.client, **director(enterprise_number="0403.170.701"))
    services.client_update(client=world.client, social_status="self_employed")
    world.client.refresh_from_db()
    assert world.client.social_status == "self_employed"
    assert (world.client.fiscal_year_start, world.client.fiscal_year_end) == (None, None)
    assert (world.client.company_name, world.client.enterprise_number) == ("", "")


@pytest.mark.django_db
def test_the_errors_of_every_field_come_together_and_nothing_is_written(world):
    count = Client.objects.count()
    errors = refused(
        new,
        world=world,
        birth_date=datetime.date(1985, 7, 31),
        client_number=world.client.client_number,
        restricted_access=True,
        **director(fiscal_year_end=None),
    )
    assert errors == {
        "birth_date": ["contradicts"],
        "client_number": ["duplicate"],
        "restricted_access": ["needs_assignee"],
        "fiscal_year_end": ["required"],
    }
    assert Client.objects.count() == count


# The rules alone (no database) ---------------------------------------------------------------------------------


def test_the_rules_are_pure_functions():
    assert rules.identity(national_number="85073003328") == rules.Identity(
        NUMBER, False, datetime.date(1985, 7, 30), "M"
    )
    assert rules.identity(national_number=PLACEHOLDER).provisional
    rules.check_restricted(restricted=True, account_manager=None, file_manager=7, editor=7)
    with pytest.raises(ValidationError):
        rules.check_restricted(restricted=True, account_manager=None, file_manager=None)
    assert rules.social_status(social_status="employee", company_name="X")["company_name"] == ""
    assert rules.add_months(datetime.date(2024, 1, 31), 1) == datetime.date(2024, 2, 29)
