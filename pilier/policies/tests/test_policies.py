import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from pilier.policies import services
from pilier.policies.catalogue import TYPES, Section
from pilier.policies.models import Policy
from pilier.tests.factories import ClientFactory, PolicyFactory

pytestmark = pytest.mark.django_db

INSURER_NUMBERS = {"ATHORA": "GV172328"}


def form_data(**overrides):
    data = {
        "section": "pension",
        "type": "plci",
        "insurer": "NN",
        "number": "3000000256",
        "status": "active",
        "start_date": "01/01/2020",
        "end_date": "",
        "annual_premium": "2 451,00",
        "payment_frequency": "yearly",
        "reserves": "12.345,67",
        "reserves_date": "01/01/2026",
        "death_capital": "",
        "disability_annual_benefit": "",
        "disability_waiting_days": "",
        "beneficiary": "",
        "managed": "on",
        "goal": "",
        "notes": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def add(client, world, **overrides):
    return client.post(reverse("policies:new", args=[world.client.pk]), form_data(**overrides))


ALL_TYPES = sorted(TYPES)


@pytest.mark.parametrize("section", Section.values)
@pytest.mark.parametrize("kind", ALL_TYPES)
def test_each_section_takes_its_own_types_and_refuses_the_others(client, world, section, kind):
    client.force_login(world.alice)
    response = add(client, world, section=section, type=kind, number="3000000256")
    allowed = TYPES[kind].section == section
    assert (response.status_code == 302) is allowed
    assert Policy.objects.filter(client=world.client).exists() is allowed
    if not allowed:
        assert response.context["form"].errors["type"]


def test_a_plci_in_death_only_is_refused_with_the_reason(client, world):
    client.force_login(world.alice)
    response = add(client, world, section="death", type="plci")
    assert response.context["form"].errors["type"] == [
        "PLCI doit constituer un capital de pension : ajoutez-la dans la section Pension, pas dans Décès uniquement."
    ]
    assert not Policy.objects.exists()


def test_the_service_refuses_a_type_of_another_section_too(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.policy_create(client=world.client, section="death", type="plci", insurer="ATHORA", number="GV1")
    assert not Policy.objects.exists()


def test_a_policy_is_saved_with_its_number_as_the_insurer_writes_it_and_amounts_as_typed(client, world):
    client.force_login(world.alice)
    response = add(client, world)
    assert response.status_code == 302
    policy = Policy.objects.get()
    assert policy.number == "300-0000256" and policy.number_key == "3000000256"
    assert policy.annual_premium == Decimal("2451.00") and policy.reserves == Decimal("12345.67")
    assert policy.office == world.office
    html = client.get(world.client.get_absolute_url()).content.decode()
    assert "300-0000256" in html and "2\u00a0451,00\u00a0€" in html


@pytest.mark.parametrize(
    ("insurer", "typed", "reason_word"),
    [("ERGO", "330021091", "R02"), ("ALLIANZ", "BCUD0391210601", "00"), ("NN", "12345", "300-0000256")],
)
def test_a_number_not_in_the_insurers_format_is_refused_with_the_hint(client, world, insurer, typed, reason_word):
    client.force_login(world.alice)
    response = add(client, world, insurer=insurer, number=typed)
    message = response.context["form"].errors["number"][0]
    assert reason_word in message
    assert not Policy.objects.exists()


def test_a_number_already_used_in_the_office_is_refused_with_a_link(client, world):
    other = ClientFactory(office=world.office, last_name="Martin")
    first = PolicyFactory(client=other, insurer="NN", number="300-0000256")
    client.force_login(world.alice)
    response = add(client, world, number="300 0000256")
    assert "number" in response.context["form"].errors
    assert f"{other.get_absolute_url()}#policy-{first.pk}" in response.content.decode()
    assert Policy.objects.count() == 1


def test_the_same_number_at_another_insurer_or_office_is_fine(client, world):
    PolicyFactory(client=world.other_client, insurer="NN", number="300-0000256")
    PolicyFactory(client=world.client, insurer="ATHORA", number="3000000256")
    client.force_login(world.alice)
    assert add(client, world).status_code == 302


def test_the_database_refuses_a_duplicate_number_too(world):
    PolicyFactory(client=world.client, insurer="ATHORA", number="GV1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Policy.objects.create(
            office=world.office,
            client=world.client,
            section="pension",
            type="eip",
            insurer="ATHORA",
            number="GV1",
            number_key="GV1",
        )


# Main policy -----------------------------------------------------------------------------------


def mains(client_obj, group="plci"):
    return list(Policy.objects.filter(client=client_obj, main_group=group, is_main=True))


def test_a_lone_policy_of_a_group_is_main_by_itself(world):
    policy = PolicyFactory(client=world.client, type="plci_social")
    assert policy.is_main


def test_a_second_policy_leaves_the_first_main(world):
    first = PolicyFactory(client=world.client)
    second = PolicyFactory(client=world.client, type="plci_social")
    first.refresh_from_db()
    assert first.is_main and not second.is_main


def test_ordinary_and_social_plci_are_one_group_eip_and_group_insurance_another_cpti_a_third(world):
    PolicyFactory(client=world.client, type="plci")
    PolicyFactory(client=world.client, type="plci_social")
    PolicyFactory(client=world.client, type="eip")
    PolicyFactory(client=world.client, type="group_insurance")
    PolicyFactory(client=world.client, type="cpti")
    PolicyFactory(client=world.client, type="pension_savings")
    assert {(p.main_group, p.is_main) for p in Policy.objects.filter(is_main=True)} == {
        ("plci", True),
        ("eip", True),
        ("cpti", True),
    }
    assert not Policy.objects.get(type="pension_savings").is_main


def test_making_a_policy_main_unmarks_the_other_in_one_step(client, world):
    first = PolicyFactory(client=world.client)
    second = PolicyFactory(client=world.client, type="plci_social")
    client.force_login(world.alice)
    client.post(reverse("policies:main", args=[second.pk]))
    assert mains(world.client) == [second]
    first.refresh_from_db()
    assert not first.is_main
    assert first.history.first().history_user == world.alice


def test_creating_a_policy_as_main_takes_the_mark(world):
    PolicyFactory(client=world.client)
    new = PolicyFactory(client=world.client, is_main=True)
    assert mains(world.client) == [new]


def test_several_without_main_show_a_todo_until_one_is_chosen(client, world):
    first = PolicyFactory(client=world.client)
    PolicyFactory(client=world.client, type="plci_social")
    services.policy_update(policy=first, is_main=False)
    assert mains(world.client) == []
    client.force_login(world.alice)
    html = client.get(world.client.get_absolute_url()).content.decode()
    assert "police principale" in html.lower()
    services.policy_set_main(policy=first)
    html = client.get(world.client.get_absolute_url()).content.decode()
    assert "police principale parmi" not in html.lower()


def test_deleting_the_main_policy_makes_the_last_one_main(world):
    first = PolicyFactory(client=world.client)
    second = PolicyFactory(client=world.client)
    services.policy_delete(policy=first)
    second.refresh_from_db()
    assert second.is_main


def test_changing_type_moves_the_policy_to_its_new_group(world):
    plci = PolicyFactory(client=world.client)
    other = PolicyFactory(client=world.client, type="eip")
    services.policy_update(policy=other, type="plci")
    assert mains(world.client) == [plci] and mains(world.client, "eip") == []


def test_the_database_never_holds_two_main_policies_of_a_group(world):
    PolicyFactory(client=world.client)
    second = PolicyFactory(client=world.client)
    with pytest.raises(IntegrityError), transaction.atomic():
        Policy.objects.filter(pk=second.pk).update(is_main=True)


def test_a_type_without_group_is_never_main(world):
    policy = PolicyFactory(client=world.client, type="pension_savings")
    assert not policy.is_main
    # Asking for it is refused by the service (the forms and the API drop the box for such a type).
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        PolicyFactory(client=world.client, type="pension_savings", is_main=True)
    assert refused.value.error_dict["is_main"][0].code == "no_main_group"


@pytest.mark.django_db(transaction=True)
def test_two_requests_racing_to_set_the_main_policy_leave_exactly_one(world):
    policies = [PolicyFactory(client=world.client) for _ in range(4)]
    barrier = threading.Barrier(len(policies))
    errors = []

    def make_main(policy):
        try:
            barrier.wait()
            services.policy_set_main(policy=Policy.objects.get(pk=policy.pk))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    for _round in range(3):
        threads = [threading.Thread(target=make_main, args=(p,)) for p in policies]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        barrier.reset()
        assert errors == []
        assert len(mains(world.client)) == 1


# What the file shows ----------------------------------------------------------------------------


def test_a_policy_not_managed_is_labelled_so(client, world):
    PolicyFactory(client=world.client, managed=False)
    client.force_login(world.alice)
    assert "non gérée par le bureau" in client.get(world.client.get_absolute_url()).content.decode()


def test_an_investment_keeps_its_goal_other_sections_have_none(client, world):
    client.force_login(world.alice)
    add(client, world, section="investment", type="investment_insurance", goal="Petits-enfants")
    add(client, world, section="pension", type="pension_savings", insurer="ATHORA", number="GV9", goal="X")
    goals = dict(Policy.objects.values_list("type", "goal"))
    assert goals == {"investment_insurance": "Petits-enfants", "pension_savings": ""}
    assert "Petits-enfants" in client.get(world.client.get_absolute_url()).content.decode()


def test_editing_a_policy_keeps_the_broker_fields_and_history(client, world):
    policy = PolicyFactory(client=world.client, notes="Client wants to raise the premium")
    client.force_login(world.alice)
    form = client.get(reverse("policies:edit", args=[policy.pk])).context["form"]
    data = form_data(insurer="ATHORA", number=policy.number, annual_premium="1 800", notes=policy.notes)
    assert form.initial["notes"] == policy.notes
    response = client.post(reverse("policies:edit", args=[policy.pk]), data)
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.annual_premium == Decimal("1800") and policy.notes == "Client wants to raise the premium"
    assert policy.history.count() == 2


def test_the_file_page_keeps_a_fixed_number_of_queries_with_60_policies_and_40_career_lines(
    client, world, django_assert_num_queries
):
    from pilier.tests.factories import CareerLineFactory

    client.force_login(world.alice)
    url = world.client.get_absolute_url()
    client.get(url)
    with django_assert_num_queries(13):  # 8, the Team section and PRO follow-up box (3), the accountant (2)
        client.get(url)
    kinds = [k for k in ALL_TYPES]
    for index in range(60):
        kind = kinds[index % len(kinds)]
        PolicyFactory(client=world.client, section=TYPES[kind].section, type=kind, goal="")
    for year in range(1980, 2020):
        CareerLineFactory(client=world.client, from_year=year, to_year=year)
    with django_assert_num_queries(13):  # the same
        response = client.get(url)
    assert response.content.decode().count('id="policy-') == 60
    assert response.content.decode().count('id="career-') == 40


@pytest.mark.parametrize(
    ("language", "shown", "absent"),
    [("nl", "Andere verzekeraar", "Other insurer"), ("fr", "Autre assureur", "Other insurer")],
)
def test_the_policy_form_names_the_insurers_in_the_users_language(client, world, language, shown, absent):
    world.alice.language = language
    world.alice.save()
    client.force_login(world.alice)
    page = client.get(reverse("policies:new", args=[world.client.pk]), {"section": "pension"}).content.decode()
    assert shown in page and absent not in page
    assert "(P&amp;V group)" not in page
