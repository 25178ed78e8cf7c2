from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import translation

from pilier.followup.rules import placement, why_not_pro


@dataclass
class P:
    main_group: str = "plci"
    is_main: bool = True
    status: str = "active"
    annual_premium: Decimal | None = Decimal("1500")
    managed: bool = True


@pytest.mark.parametrize("status", ["self_employed", "company_director", "assisting_spouse"])
def test_it_allows_pro_follow_up_for_the_self_employed_directors_and_assisting_spouses(status):
    assert why_not_pro(status, "x") is None


@pytest.mark.parametrize("status", ["employee", "civil_servant", "unemployed", "retired", "none"])
def test_it_refuses_pro_follow_up_for_other_statuses_with_the_reason(status):
    assert "employee" in why_not_pro(status, "Employee") or "self-employed" in why_not_pro(status, "x")


def test_it_refuses_a_file_without_a_social_status():
    with translation.override("fr"):
        assert "(étape 2)" in why_not_pro("", "")  # in the user's language


def test_a_managed_main_plci_that_pays_is_optimisation():
    assert placement([P()]).flow == "optimisation"


@pytest.mark.parametrize("group", ["eip", "cpti"])
def test_a_managed_main_eip_or_cpti_that_pays_is_optimisation(group):
    assert placement([P(main_group=group)]).flow == "optimisation"


def test_no_plci_is_prospection_for_a_first_one():
    assert placement([]) == placement([P(main_group="", is_main=False)])
    assert (placement([]).flow, placement([]).case) == ("prospection", "no_plci")


def test_a_plci_held_elsewhere_is_prospection_for_a_transfer():
    assert placement([P(managed=False)]).case == "held_elsewhere"


def test_a_dormant_plci_is_prospection_for_a_reactivation():
    assert placement([P(status="dormant")]).case == "dormant"
    assert placement([P(annual_premium=Decimal(0))]).case == "dormant"


def test_a_terminated_plci_counts_as_none():
    assert placement([P(status="terminated")]).case == "no_plci"


def test_a_lone_policy_of_its_group_is_its_main_one():
    assert placement([P(is_main=False)]).flow == "optimisation"
    assert placement([P(is_main=False), P(is_main=False)]).flow == "prospection"
