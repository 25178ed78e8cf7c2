"""An unmatched record whose holder is the client of a restricted file is seen by that file's assignees only:
list, detail, the Imports page's count, linking and dismissing; and no import message names that client."""

import pytest
from django.urls import reverse

from pilier.couplings.models import UnmatchedRecord
from pilier.couplings.services import unmatched_link
from pilier.tests.factories import PolicyFactory

from .conftest import csv_bytes, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(world, run_import):
    """Two open records: one of the restricted file's client (Alice's), one of nobody's file."""
    job = run_import(
        csv_bytes(
            [
                row(mandate="no", holder_national_number=world.restricted.national_number, holder_last_name="Delvaux"),
                row(mandate="no", policy_number="3000000257", holder_last_name="Janssens"),
            ]
        ),
        user=world.alice,
    )
    assert job.unmatched == 2, job.errors
    restricted = UnmatchedRecord.objects.get(holder_national_number=world.restricted.national_number)
    return restricted, UnmatchedRecord.objects.exclude(pk=restricted.pk).get()


def listed(client, **params) -> str:
    return client.get(reverse("couplings:unmatched"), params).content.decode()


def badge(client) -> str:
    html = client.get(reverse("couplings:imports")).content.decode()
    return html.split('class="badge warn">')[1].split("<")[0]


@pytest.mark.parametrize("who", ["bob", "admin"])
def test_colleagues_who_are_not_assigned_do_not_see_the_record_anywhere(client, world, records, who):
    restricted, ordinary = records
    client.force_login(getattr(world, who))
    html = listed(client)
    assert f'id="record-{ordinary.pk}"' in html
    assert f'id="record-{restricted.pk}"' not in html and "Delvaux" not in html
    assert badge(client) == "1"
    assert client.get(reverse("couplings:unmatched_record", args=[restricted.pk])).status_code == 404
    link = client.post(reverse("couplings:unmatched_link", args=[restricted.pk]), {"client": world.client.pk})
    assert link.status_code == 404
    assert client.post(reverse("couplings:unmatched_dismiss", args=[restricted.pk])).status_code == 404
    restricted.refresh_from_db()
    assert restricted.status == "open" and not world.client.policies.exists()


def test_the_assignees_see_it_and_link_it(client, world, records):
    restricted, ordinary = records
    client.force_login(world.alice)
    html = listed(client)
    assert f'id="record-{ordinary.pk}"' in html and f'id="record-{restricted.pk}"' in html
    assert badge(client) == "2"
    page = client.get(reverse("couplings:unmatched_record", args=[restricted.pk])).content.decode()
    assert "DELVAUX Anne" in page  # the file is offered as the one to link to
    client.post(reverse("couplings:unmatched_link", args=[restricted.pk]), {"client": world.restricted.pk})
    assert world.restricted.policies.count() == 1


def test_a_record_linked_to_a_restricted_file_stays_out_of_sight_of_the_others(client, world, records):
    _restricted, ordinary = records
    unmatched_link(record=ordinary, client=world.restricted)  # Alice's decision: Janssens's policy is in it
    client.force_login(world.bob)
    assert f'id="record-{ordinary.pk}"' not in listed(client, status="linked")
    client.force_login(world.alice)
    assert f'id="record-{ordinary.pk}"' in listed(client, status="linked")


def test_another_offices_restricted_file_hides_nothing_here(client, world, run_import):
    world.other_client.restricted_access = True
    world.other_client.save()
    run_import(csv_bytes([row(mandate="no", holder_national_number=world.other_client.national_number)]))
    client.force_login(world.bob)
    assert badge(client) == "1"


def test_an_import_message_about_a_restricted_files_policy_names_nobody_and_says_what_it_says_for_any(
    world, run_import
):
    PolicyFactory(client=world.restricted, insurer="NN", number="300-0000256")
    PolicyFactory(client=world.client, insurer="NN", number="300-0000257")
    someone_else = world.other_client.national_number
    rows = [
        row(holder_national_number=someone_else),
        row(policy_number="3000000257", holder_national_number=someone_else),
    ]
    job = run_import(csv_bytes(rows), user=world.bob)
    assert job.rejected == 2
    about_restricted, about_ordinary = (error["message"] for error in job.errors)
    assert about_restricted == about_ordinary
    assert "Delvaux" not in about_restricted.title() and world.restricted.national_number not in about_restricted
