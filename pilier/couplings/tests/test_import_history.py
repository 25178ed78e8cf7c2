"""An import's history rows carry the user who ran it as well as the file's name, and the histories say both."""

import pytest
from django.urls import reverse
from django.utils import translation

from pilier.lib.history import history_entries
from pilier.policies.models import Policy
from pilier.tests.factories import PolicyFactory

from .conftest import csv_bytes, row

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(world):
    """The reason is written in the language of who runs the import."""
    world.alice.language = "en"
    world.alice.save()


def test_the_history_rows_of_an_import_are_by_the_user_who_ran_it_with_the_file_as_reason(world, run_import):
    updated = PolicyFactory(client=world.client, insurer="NN", number="300-0000256", annual_premium=1000)
    nn = world.client.national_number
    run_import(
        csv_bytes([row(annual_premium="2451.00"), row(policy_number="3000000257", holder_national_number=nn)]),
        user=world.alice,
        name="nn-2026-11.csv",
    )
    rows = Policy.history.model.objects.filter(history_change_reason__contains="nn-2026-11.csv")
    assert {(r.history_type, r.history_user) for r in rows} == {("~", world.alice), ("+", world.alice)}
    assert rows.get(history_type="~").id == updated.pk


def test_the_policy_page_says_which_import_and_who_ran_it(client, world, run_import):
    policy = PolicyFactory(client=world.client, insurer="NN", number="300-0000256", annual_premium=1000)
    run_import(csv_bytes([row(annual_premium="2451.00")]), user=world.alice, name="nn-2026-11.csv")
    world.bob.language = "en"
    world.bob.save()
    client.force_login(world.bob)
    html = client.get(reverse("policies:edit", args=[policy.pk])).content.decode()
    history = html.split('id="history"')[1]
    assert "Portfolio import: nn-2026-11.csv (Alice Aerts)" in history


def test_a_history_entry_says_the_reason_and_the_user_together_or_whichever_it_has(world, run_import):
    policy = PolicyFactory(client=world.client, insurer="NN", number="300-0000256", annual_premium=1000)
    run_import(csv_bytes([row(annual_premium="2451.00")]), user=world.alice, name="nn.csv")
    with translation.override("en"):
        Policy.history.model.objects.filter(history_type="+").update(history_user=None, history_change_reason=None)
        entries, _more = history_entries(policy, limit=10)
    assert [entry.who for entry in entries] == ["Portfolio import: nn.csv (Alice Aerts)", "system"]
