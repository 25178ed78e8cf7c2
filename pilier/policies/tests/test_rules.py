"""The rules of a policy, checked by the services themselves whoever calls them (form, API, import, demo):
each invalid case is refused with its field and its code, nothing is written; and the main-policy rule."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from pilier.policies import rules, services
from pilier.policies.insurers import InvalidPolicyNumber, normalise_policy_number
from pilier.policies.models import Policy
from pilier.tests.factories import PolicyFactory

START = datetime.date(2020, 1, 1)


def codes(exc: ValidationError) -> dict[str, list[str | None]]:
    return {field: [error.code for error in errors] for field, errors in exc.error_dict.items()}


def refused(call, **fields) -> dict[str, list[str | None]]:
    count = Policy.objects.count()
    with pytest.raises(ValidationError) as caught:
        call(**fields)
    assert Policy.objects.count() == count
    return codes(caught.value)


def plci(client, **fields):
    data = {"section": "pension", "type": "plci", "insurer": "NN", "number": "300-0000256"} | fields
    return services.policy_create(client=client, **data)


def create(world, **fields):
    return refused(plci, client=world.client, **fields)


# Section, dates, goal, main ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_plci_in_the_death_section_is_refused(world):
    assert create(world, section="death") == {"type": ["wrong_section"]}
    assert create(world, section="investment", type="term_life", insurer="ATHORA", number="GV1") == {
        "type": ["wrong_section"]
    }


@pytest.mark.django_db
def test_an_end_before_the_start_is_refused_also_when_only_one_of_them_changes(world):
    assert create(world, start_date=START, end_date=START - datetime.timedelta(days=1)) == {
        "end_date": ["end_before_start"]
    }
    policy = plci(world.client, start_date=START, end_date=START)  # the same day is fine
    assert refused(services.policy_update, policy=policy, end_date=datetime.date(2019, 12, 31)) == {
        "end_date": ["end_before_start"]
    }
    assert refused(services.policy_update, policy=policy, start_date=datetime.date(2020, 1, 2)) == {
        "end_date": ["end_before_start"]
    }


@pytest.mark.django_db
def test_a_goal_on_a_policy_that_is_not_an_investment_is_refused(world):
    assert create(world, goal="Petits-enfants") == {"goal": ["goal_not_investment"]}
    investment = plci(world.client, section="investment", type="investment_insurance", goal="Petits-enfants")
    assert investment.goal == "Petits-enfants"
    assert refused(services.policy_update, policy=investment, section="pension", type="plci", goal="Mer") == {
        "goal": ["goal_not_investment"]
    }
    # A type changed without a word on the goal: the goal goes with the investment it labelled.
    services.policy_update(policy=investment, section="pension", type="pension_savings")
    investment.refresh_from_db()
    assert investment.type == "pension_savings" and investment.goal == ""


@pytest.mark.django_db
def test_main_outside_a_group_is_refused(world):
    assert create(world, type="pension_savings", number="300-0000257", is_main=True) == {"is_main": ["no_main_group"]}
    savings = plci(world.client, type="pension_savings")
    assert not savings.is_main
    assert refused(services.policy_update, policy=savings, is_main=True) == {"is_main": ["no_main_group"]}
    assert refused(services.policy_set_main, policy=savings) == {"is_main": ["no_main_group"]}


@pytest.mark.django_db
def test_a_number_that_is_not_the_insurer_s_or_an_unknown_insurer_is_refused(world):
    with pytest.raises(InvalidPolicyNumber) as reason:
        normalise_policy_number("NN", "ABC")
    assert create(world, number="ABC") == {"number": [reason.value.reason]}
    assert create(world, insurer="NOPE") == {"insurer": ["invalid_choice"]}
    # Any usual writing is taken, written the insurer's way.
    policy = plci(world.client, insurer="nn", number=" 3000000256 ")
    assert (policy.insurer, policy.number, policy.number_key) == ("NN", "300-0000256", "3000000256")


@pytest.mark.django_db
def test_a_number_already_used_in_the_office_is_refused_and_named_only_to_who_may_open_that_file(world):
    other = plci(world.client)
    with pytest.raises(ValidationError) as caught:
        plci(world.client, number="3000000256", by=world.bob)
    (error,) = caught.value.error_dict["number"]
    assert error.code == "duplicate" and error.params["policy"] == other
    hidden = plci(world.restricted, number="300-0000257")
    for writer in (world.bob, world.admin, None):
        with pytest.raises(ValidationError) as caught:
            plci(world.client, number="300-0000257", by=writer)
        (error,) = caught.value.error_dict["number"]
        assert error.code == "unavailable" and not error.params
    assert create(world, number="300-0000257", by=world.alice) == {"number": ["duplicate"]}
    services.policy_update(policy=hidden, number="3000000257")  # its own number
    plci(world.other_client, number="300-0000257")  # another office


@pytest.mark.django_db
def test_the_errors_of_every_field_come_together(world):
    assert create(
        world, section="death", goal="Mer", start_date=START, end_date=datetime.date(2019, 1, 1), number="ABC"
    ) == {
        "type": ["wrong_section"],
        "end_date": ["end_before_start"],
        "goal": ["goal_not_investment"],
        "number": ["format"],
    }


# The main policy ----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_policy_that_changes_group_is_main_when_alone_there_and_the_one_it_leaves_alone_becomes_main(world):
    first = PolicyFactory(client=world.client, type="plci")
    second = PolicyFactory(client=world.client, type="plci")
    assert first.is_main and not second.is_main
    # The main PLCI becomes an EIP: alone among the EIPs, it is their main policy; the PLCI left alone is main.
    services.policy_update(policy=first, type="eip", is_main=False)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.main_group, first.is_main) == ("eip", True)
    assert (second.main_group, second.is_main) == ("plci", True)
    # Back among the PLCIs, where a main one is: it is not main any more; the EIPs are left empty.
    services.policy_update(policy=first, type="plci")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_main, second.is_main) == (False, True)
    # Into a type without a group: never main, and the PLCI left alone stays main.
    services.policy_update(policy=second, type="pension_savings")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_main, second.is_main, second.main_group) == (True, False, "")


@pytest.mark.django_db
def test_making_a_policy_main_unmarks_the_other_and_a_lone_policy_cannot_be_unmarked(world):
    first = PolicyFactory(client=world.client, type="plci")
    services.policy_update(policy=first, is_main=False)
    first.refresh_from_db()
    assert first.is_main  # alone in its group
    second = plci(world.client, type="plci_social", is_main=True)
    first.refresh_from_db()
    assert second.is_main and not first.is_main
    services.policy_delete(policy=second)
    first.refresh_from_db()
    assert first.is_main


# The rules alone (no database) --------------------------------------------------------------------------------------


def test_the_rules_are_pure_functions():
    assert rules.main_group_of("group_insurance") == "eip" and rules.main_group_of("term_life") == ""
    assert rules.section_of("plci") == "pension" and rules.takes_goal("mixed_investment")
    # The import's view: ISO dates compare as text, a missing side never fails.
    assert rules.end_before_start("2024-02-01", "2024-01-31") and not rules.end_before_start("2024-02-01", "")
    assert not rules.end_before_start(None, datetime.date(2000, 1, 1))
    assert rules.main_after(main_group="plci", alone=True, asked=False)
    assert not rules.main_after(main_group="", alone=True, asked=True)
    assert rules.main_after(main_group="plci", alone=False, was_main=True)
    assert not rules.main_after(main_group="plci", alone=False, asked=False, was_main=True)
    assert rules.lone_left_becomes_main(1) and not rules.lone_left_becomes_main(2)
    with pytest.raises(ValidationError) as caught:
        rules.check_policy(section="death", type_code="plci", is_main=True)
    assert codes(caught.value) == {"type": ["wrong_section"]}  # a PLCI has a main group
