import datetime

import pytest

from pilier.clients.identifiers import PLACEHOLDER, national_number_for
from pilier.clients.models import Client
from pilier.tests.factories import ClientFactory

from .conftest import csv_bytes

pytestmark = pytest.mark.django_db

NN1 = national_number_for(datetime.date(1980, 5, 1), 1)
NN2 = national_number_for(datetime.date(1985, 7, 12), 2)
NN3 = national_number_for(datetime.date(1990, 1, 3), 3)


def test_it_creates_new_files_with_their_status_or_left_to_complete(world, run_import):
    content = csv_bytes(
        [
            ["C-1", "Lambert", "Julie", NN2, "julie@example.be", "nl", "indépendant", "alice@alpha.be"],
            ["C-2", "Martin", "Paul", NN1, "", "", "", ""],
        ]
    )
    entry = run_import(content)
    assert entry.current_status == "done", entry.failure or entry.run.failure
    assert (entry.created, entry.updated, entry.rejected, entry.conflicts) == (2, 0, 0, 0)
    julie = Client.objects.get(office=world.office, client_number="C-1")
    assert (julie.last_name, julie.language, julie.social_status, julie.gender) == (
        "Lambert",
        "nl",
        "self_employed",
        "F",
    )
    assert julie.birth_date == datetime.date(1985, 7, 12) and julie.account_manager == world.alice
    paul = Client.objects.get(office=world.office, client_number="C-2")
    assert not paul.is_complete and paul.social_status == "" and paul.todos()
    assert julie.history.first().history_change_reason.startswith("Client import")


def test_the_same_file_twice_changes_nothing_the_second_time(world, run_import):
    content = csv_bytes([["C-1", "Lambert", "Julie", NN2, "julie@example.be", "nl", "indépendant", "Alice Aerts"]])
    run_import(content)
    history = Client.history.count()
    again = run_import(content)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert Client.history.count() == history


def test_a_known_file_takes_the_identity_and_keeps_what_the_file_does_not_carry(world, run_import):
    known = world.client  # A-100, Dubois Marc, alice as account manager
    known.phone, known.social_status = "0470 11 22 33", "employee"
    known.save()
    content = csv_bytes([["A-100", "Dubois", "Marc-Antoine", "", "marc@example.be", "", "indépendant", ""]])
    entry = run_import(content)
    known.refresh_from_db()
    assert (known.first_name, known.email, known.phone) == ("Marc-Antoine", "marc@example.be", "0470 11 22 33")
    assert known.social_status == "employee"  # the broker's, not overwritten
    assert known.account_manager == world.alice  # an empty cell changes nothing
    assert entry.updated == 1
    changes = {c["field"]: (c["old"], c["new"]) for c in entry.report["updated"][0]["changes"]}
    assert changes == {"first_name": ("Marc", "Marc-Antoine"), "email": ("—", "marc@example.be")}


def test_it_matches_by_national_number_when_the_client_number_is_unknown(world, run_import):
    file = ClientFactory.create(office=world.office, national_number=NN3, client_number="", last_name="Roux")
    entry = run_import(csv_bytes([["Z-9", "Roux", "Léa", NN3, "", "", "", ""]]))
    file.refresh_from_db()
    assert entry.updated == 1 and file.client_number == "Z-9" and file.first_name == "Léa"


def test_conflicts_are_listed_never_guessed(world, run_import):
    other = ClientFactory.create(office=world.office, national_number=NN3, client_number="B-7", last_name="Roux")
    world.client.national_number = NN1
    world.client.save()
    content = csv_bytes(
        [
            ["D-1", "Un", "A", NN2, "", "", "", ""],  # same NN on two lines
            ["D-2", "Deux", "B", NN2, "", "", "", ""],
            ["A-100", "Dubois", "Marc", national_number_for(datetime.date(1970, 2, 2), 5), "", "", "", ""],  # other NN
            ["A-100x", "X", "Y", NN3, "", "", "", ""],  # NN of a file with another client number
        ]
    )
    entry = run_import(content, dry_run=True)
    assert entry.current_status == "previewed"
    assert entry.conflicts == 4 and entry.created == 0
    messages = {c["line"]: c["message"] for c in entry.report["conflicts"]}
    assert "also on line 3" in messages[2] and "also on line 2" in messages[3]
    assert "another" in messages[4] and "B-7" in messages[5]
    merge = run_import(csv_bytes([["A-100", "Dubois", "Marc", NN3, "", "", "", ""]]), dry_run=True)
    assert merge.conflicts == 1 and "merge" in merge.report["conflicts"][0]["message"]
    other.refresh_from_db()
    assert other.client_number == "B-7"


def test_the_placeholder_never_matches(world, run_import):
    ClientFactory.create(office=world.office, national_number=PLACEHOLDER, client_number="P-1", last_name="Anon")
    entry = run_import(
        csv_bytes(
            [
                ["", "Sans", "Numéro", PLACEHOLDER, "", "", "", ""],  # nothing to match it by: rejected
                ["P-2", "Autre", "Personne", PLACEHOLDER, "", "", "", ""],  # new, placeholder kept with a to-do
                ["P-3", "Encore", "Une", "99999999999", "", "", "", ""],
            ]
        )
    )
    assert (entry.rejected, entry.created, entry.updated, entry.conflicts) == (1, 2, 0, 0)
    assert Client.objects.filter(office=world.office, national_number=PLACEHOLDER).count() == 3


def test_bad_lines_are_rejected_with_line_and_reason_in_the_importers_language(world, run_import):
    world.admin.language = "fr"
    world.admin.save()
    content = csv_bytes(
        [
            ["E-1", "Bon", "Client", NN1, "", "", "", ""],
            ["E-2", "Mauvais", "Numéro", "12.34.56-789.00", "", "", "", ""],
            ["E-3", "Mauvais", "Courriel", "", "pas-un-mail", "", "", ""],
            ["E-4", "", "Sans nom", "", "", "", "", ""],
        ]
    )
    entry = run_import(content)
    assert (entry.created, entry.rejected) == (1, 3)
    lines = [r["line"] for r in entry.report["rejected"]]
    assert lines == [3, 4, 5]


def test_an_unknown_manager_is_a_warning_not_a_failure(world, run_import):
    entry = run_import(csv_bytes([["W-1", "Lambert", "Julie", NN2, "", "", "", "Nobody Known"]]))
    assert entry.created == 1 and entry.report["warnings"][0]["line"] == 2
    assert Client.objects.get(client_number="W-1").account_manager is None
