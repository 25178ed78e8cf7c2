"""Telebib2 files through the real import path (jobs.run_import): what the portfolio import guarantees holds."""

from decimal import Decimal

import pytest

from pilier.couplings.models import UnmatchedRecord
from pilier.policies.models import Policy
from pilier.tests.factories import PolicyFactory

from .telebib2_files import contract, telebib_file

pytestmark = pytest.mark.django_db


def counts(job):
    return {k: getattr(job, k) for k in ("created", "updated", "unchanged", "unmatched", "rejected")}


def test_a_file_of_several_messages_updates_matches_and_lists_the_others(world, run_import):
    policy = PolicyFactory(client=world.client, insurer="AXA", number="010113849770", annual_premium=1000)
    broken = contract(number="BROKEN")
    broken.insert(3, "XRT+7")
    content = telebib_file(
        contract(number="AX010113849770", national_number=None),  # AXA's internal prefix: the insurer's number rules
        broken,
        contract(number="999999", holder=("MÜLLER", "Zoé"), intermediary=False),
    )
    job = run_import(content, name="PORTEFEUILLE")  # no extension: told by its content
    assert job.status == "done", job.failure
    assert counts(job) == {"created": 0, "updated": 1, "unchanged": 0, "unmatched": 1, "rejected": 1}, job.errors
    policy.refresh_from_db()
    assert policy.annual_premium == Decimal("2451.00") and policy.reserves == Decimal("12345.67")
    (error,) = job.errors
    assert "Message 2" in error["message"]
    assert error["number"] == "BROKEN" and error["insurer"] == "AXA" and error["holder"] == "DUBOIS Marc"
    unmatched = UnmatchedRecord.objects.get(office=world.office)
    assert unmatched.data["last_name"] == "MÜLLER" and unmatched.data["first_name"] == "Zoé"
    assert unmatched.data["language"] == "fr"


def test_importing_the_same_file_twice_changes_nothing_the_second_time(world, run_import):
    PolicyFactory(client=world.client, insurer="AXA", number="010113849770", annual_premium=1000)
    policies = Policy.objects.count()
    content = telebib_file(contract(national_number=None), contract(number="777", nested=False), encoding="utf-8")
    first = run_import(content, name="axa.edi")
    second = run_import(content, name="axa.edi")
    assert counts(first)["updated"] == 1 and counts(first)["unmatched"] == 1, first.errors
    assert counts(second)["updated"] == 0 and counts(second)["unchanged"] == 2, second.errors
    assert UnmatchedRecord.objects.filter(office=world.office).count() == 1
    assert Policy.objects.count() == policies
