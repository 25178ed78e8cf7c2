import datetime
import json
from decimal import Decimal

import pytest

from pilier.couplings.models import UnmatchedRecord
from pilier.couplings.portfolio.records import FIELDS
from pilier.couplings.services import unmatched_dismiss, unmatched_link
from pilier.policies.models import Policy
from pilier.tests.factories import ClientFactory, PolicyFactory

from .conftest import csv_bytes, row

pytestmark = pytest.mark.django_db


def counts(job):
    return {k: getattr(job, k) for k in ("created", "updated", "unchanged", "unmatched", "rejected")}


def only(**kwargs):
    base = dict.fromkeys(("created", "updated", "unchanged", "unmatched", "rejected"), 0)
    base.update(kwargs)
    return base


# Matching ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("insurer", "ours", "theirs"),
    [
        ("NN", "300-0000256", "3000000256"),
        ("NN", "300-0000256", "300-0000256"),
        ("AXA", "010113849770", "AX010113849770"),  # AXA's internal prefix
        ("AXA", "010.113.849.770", "010113849770"),
        ("ERGO", "330021091-R02", "330021091R02"),
        ("ALLIANZ", "BCUD0391210600", "bcud0391210600"),
        ("AG", "003123456762", "003-1234567-62"),
        ("AG", "11356861", "11356861"),
        ("ATHORA", "GV172328", "gv 172328"),
        ("BALOISE", "1A06708", "1A06708"),
        ("VIVIUM", "5500279745", "5500279745"),
    ],
)
def test_a_record_updates_the_policy_whose_number_matches_the_insurers_way(world, run_import, insurer, ours, theirs):
    policy = PolicyFactory(client=world.client, insurer=insurer, number=ours, annual_premium=1000)
    job = run_import(csv_bytes([row(insurer=insurer, policy_number=theirs, annual_premium="2451.00")]))
    assert counts(job) == only(updated=1), (job.errors, job.failure)
    policy.refresh_from_db()
    assert policy.annual_premium == Decimal("2451.00") and policy.reserves == Decimal("12345.67")
    assert policy.reserves_date == datetime.date(2026, 1, 1)


def test_an_ergo_sub_account_is_another_policy(world, run_import):
    PolicyFactory(client=world.client, insurer="ERGO", number="330021091-R02")
    job = run_import(csv_bytes([row(insurer="ERGO", policy_number="330021091R03", mandate="no")]))
    assert counts(job) == only(unmatched=1)


def test_the_import_updates_insurer_fields_only_and_is_the_author(world, run_import):
    policy = PolicyFactory(
        client=world.client, insurer="NN", number="300-0000256", notes="Call in March", managed=False, goal=""
    )
    run_import(
        csv_bytes([row(status="dormant", end_date="2040-12-31", death_capital="50000", annual_premium="0")]),
        name="nn-2026-11.csv",
    )
    policy.refresh_from_db()
    assert (policy.status, policy.end_date, policy.death_capital) == ("dormant", datetime.date(2040, 12, 31), 50000)
    assert policy.notes == "Call in March" and policy.managed is False and policy.is_main is True
    last = policy.history.first()
    assert last.history_type == "~" and last.history_user == world.admin  # who ran it
    assert "nn-2026-11.csv" in last.history_change_reason
    assert last.status == "dormant"


def test_an_empty_field_in_the_file_keeps_the_value_we_have(world, run_import):
    policy = PolicyFactory(client=world.client, insurer="NN", number="300-0000256", annual_premium=900)
    run_import(csv_bytes([row(annual_premium="", reserves="", reserves_date="")]))
    policy.refresh_from_db()
    assert policy.annual_premium == 900


def test_a_record_with_the_mandate_is_added_to_the_file_of_its_holder(world, run_import):
    job = run_import(csv_bytes([row(holder_national_number=world.client.national_number.replace(".", ""))]))
    assert counts(job) == only(created=1)
    policy = Policy.objects.get()
    assert policy.client == world.client and policy.office == world.office
    assert (policy.number, policy.section, policy.is_main, policy.mandate) == ("300-0000256", "pension", True, True)
    created = policy.history.get()
    assert (created.history_type, created.annual_premium) == ("+", Decimal("2451.00"))
    assert created.history_user == world.admin  # who ran it
    assert "portfolio.csv" in created.history_change_reason
    assert (created.client_id, created.office_id, created.number) == (world.client.pk, world.office.pk, "300-0000256")


def test_every_policy_created_or_updated_has_its_history_row_however_many(world, run_import):
    """History rows are copied a few hundred policies at a time (writer._IN_CHUNK), batch after batch."""
    from pilier.couplings.portfolio import writer

    many = writer._IN_CHUNK + 3  # two copy statements of each kind
    for i in range(many):
        PolicyFactory(client=world.client, insurer="NN", number=f"300-{1000000 + i:07d}")
    nn = world.client.national_number
    rows = [row(policy_number=f"300{2000000 + i:07d}", holder_national_number=nn) for i in range(many)]
    rows += [row(policy_number=f"300{1000000 + i:07d}", annual_premium="7.00") for i in range(many)]
    job = run_import(csv_bytes(rows))
    assert counts(job) == only(created=many, updated=many), job.errors[:3]
    history = Policy.history.model.objects.filter(history_change_reason__contains="portfolio.csv")
    assert history.filter(history_type="+").count() == many
    assert history.filter(history_type="~", annual_premium=7).count() == many
    assert set(history.values_list("id", flat=True)) == set(Policy.objects.values_list("id", flat=True))


def test_created_policies_keep_the_main_rule(world, run_import):
    PolicyFactory(client=world.client)  # an Athora PLCI, main
    nn = world.client.national_number
    job = run_import(
        csv_bytes([row(holder_national_number=nn), row(policy_number="3000000257", holder_national_number=nn)])
    )
    assert job.created == 2
    assert Policy.objects.filter(client=world.client, main_group="plci", is_main=True).count() == 1


def test_telebib_cover_codes_give_our_types(world, run_import):
    nn = world.client.national_number
    run_import(
        csv_bytes(
            [
                row(type="138", holder_national_number=nn),
                row(type="120", policy_number="3000000257", holder_national_number=nn),
            ]
        )
    )
    assert set(Policy.objects.values_list("type", "section")) == {("plci", "pension"), ("term_life", "death")}


def test_with_the_mandate_but_no_client_the_record_is_unmatched(world, run_import):
    job = run_import(csv_bytes([row(holder_national_number="85.07.30-033.28")]))
    assert counts(job) == only(unmatched=1)
    record = UnmatchedRecord.objects.get()
    assert (record.reason, record.status, record.holder_national_number) == ("no_client", "open", "85.07.30-033.28")


def test_without_the_mandate_and_no_policy_the_record_is_unmatched(world, run_import):
    job = run_import(csv_bytes([row(mandate="no", holder_national_number=world.client.national_number)]))
    assert counts(job) == only(unmatched=1)
    assert UnmatchedRecord.objects.get().reason == "no_mandate"
    assert not Policy.objects.exists()


def test_an_unmatched_record_linked_to_a_file_is_matched_by_its_number_next_time(world, run_import):
    content = csv_bytes([row(mandate="no")])
    run_import(content)
    record = UnmatchedRecord.objects.get()
    policy = unmatched_link(record=record, client=world.client)
    assert policy.number == "300-0000256" and policy.annual_premium == Decimal("2451.00")
    record.refresh_from_db()
    assert record.status == "linked"
    assert counts(run_import(content)) == only(unchanged=1)
    assert counts(run_import(csv_bytes([row(mandate="no", annual_premium="3000")]))) == only(updated=1)


def test_a_dismissed_record_stays_dismissed(world, run_import):
    content = csv_bytes([row(mandate="no")])
    run_import(content)
    unmatched_dismiss(record=UnmatchedRecord.objects.get())
    assert counts(run_import(content)) == only(unchanged=1)
    assert UnmatchedRecord.objects.get().status == "dismissed"


def test_importing_the_same_file_twice_changes_nothing_the_second_time(world, run_import):
    PolicyFactory(client=world.client, insurer="NN", number="300-0000256")
    nn = world.client.national_number
    content = csv_bytes(
        [
            row(),
            row(policy_number="3000000257", holder_national_number=nn),
            row(policy_number="3000000258", mandate="no"),
            row(policy_number="3000000259", holder_national_number="85.07.30-033.28"),
        ]
    )
    first = run_import(content)
    assert counts(first) == only(updated=1, created=1, unmatched=2)
    history = Policy.history.count()
    assert counts(run_import(content)) == only(unchanged=4)
    assert Policy.history.count() == history


def test_invalid_records_are_rejected_with_line_and_reason_the_others_imported(world, run_import):
    PolicyFactory(client=world.client, insurer="NN", number="300-0000256")
    rows = [
        row(insurer="ACME"),
        row(start_date="31/02/2020"),
        row(annual_premium="12,34,5"),
        row(holder_national_number="85073003329"),
        row(status="lapsed"),
        row(type="999"),
        row(),
    ]
    job = run_import(csv_bytes(rows))
    assert counts(job) == only(rejected=6, updated=1)
    assert [e["line"] for e in job.errors] == [2, 3, 4, 5, 6, 7]
    assert "ACME" in job.errors[0]["message"] and "start_date" in job.errors[1]["message"]
    assert "national" in job.errors[3]["message"]


def test_messages_are_in_the_language_of_who_started_the_import(world, run_import):
    world.bob.language = "nl"
    world.bob.save()
    job = run_import(csv_bytes([row(insurer="ACME")]), user=world.bob)
    assert "Onbekende" in job.errors[0]["message"] or "onbekend" in job.errors[0]["message"].lower()


@pytest.mark.parametrize(
    ("content", "word"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"name;number\nX;1\n", "header"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "header"),
        (("\n".join([";".join(FIELDS)])).encode() + b"\n", "no record"),
        (b"[]", "no record"),
        (b'{"a": 1}', "list"),
        (b"[{oops", "JSON"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole_and_changes_nothing(world, run_import, content, word):
    world.admin.language = "en"
    world.admin.save()
    PolicyFactory(client=world.client, insurer="NN", number="300-0000256", annual_premium=1)
    job = run_import(content)
    assert job.status == "failed"
    assert word.lower() in job.failure.lower(), job.failure
    assert Policy.objects.get().annual_premium == 1


def test_a_wrong_encoding_further_down_refuses_the_file_whole(world, run_import):
    world.admin.language = "en"
    world.admin.save()
    PolicyFactory(client=world.client, insurer="NN", number="300-0000256", annual_premium=1)
    good = csv_bytes(
        [row(annual_premium="2")] + [row(policy_number=f"30000{i:05d}", mandate="no") for i in range(1500)]
    )
    # \x81 is neither UTF-8 nor Windows-1252.
    job = run_import(good + b"NN;3000000256;plci;active;;D\x81bois;;;;;;;;;yes\n")
    assert job.status == "failed" and "Windows-1252" in job.failure and "1503" in job.failure
    assert Policy.objects.get().annual_premium == 1 and not UnmatchedRecord.objects.exists()


def test_windows_1252_commas_and_belgian_dates_and_amounts(world, run_import):
    PolicyFactory(client=world.client, insurer="NN", number="300-0000256")
    content = csv_bytes(
        [row(holder_last_name="Lefèvre", start_date="01/02/2019", annual_premium="2451,50")],
        delimiter=",",
        encoding="cp1252",
    )
    content = content.replace(b"2451,50", b'"2451,50"')
    job = run_import(content)
    assert counts(job) == only(updated=1), (job.errors, job.failure)
    policy = Policy.objects.get()
    assert policy.start_date == datetime.date(2019, 2, 1) and policy.annual_premium == Decimal("2451.50")


def test_json_records(world, run_import):
    PolicyFactory(client=world.client, insurer="NN", number="300-0000256")
    job = run_import(json.dumps([row(annual_premium=2000, mandate=True)]).encode(), name="nn.json")
    assert counts(job) == only(updated=1), (job.errors, job.failure)


def test_a_crash_half_way_leaves_the_database_as_before(world, run_import, monkeypatch):
    # The whole file is read and checked before anything is written (portfolio/importer.py): a crash while
    # reading its second chunk writes nothing. (An error while writing: test_chunks.py.)
    from pilier.couplings.portfolio import importer
    from pilier.couplings.portfolio.records import RecordReader

    policy = PolicyFactory(client=world.client, insurer="NN", number="300-0000256", annual_premium=1)
    history = Policy.history.count()
    calls = {"n": 0}
    real_read = RecordReader.read

    def flaky_read(self, line, raw):
        calls["n"] += 1
        if calls["n"] == importer.BATCH + 5:
            raise RuntimeError("out of memory")
        return real_read(self, line, raw)

    monkeypatch.setattr(RecordReader, "read", flaky_read)
    rows = [row(annual_premium="5")] + [
        row(policy_number=f"31{i:08d}", mandate="no") for i in range(importer.BATCH + 10)
    ]
    world.admin.language = "en"
    world.admin.save()
    job = run_import(csv_bytes(rows))
    assert job.status == "failed" and "nothing was changed" in job.failure
    policy.refresh_from_db()
    assert policy.annual_premium == 1 and Policy.history.count() == history
    assert not UnmatchedRecord.objects.exists() and job.applied_chunks is None


def test_the_cyclic_garbage_collector_is_on_again_after_an_import_that_ends_well_or_not(world, run_import, monkeypatch):
    import gc

    from pilier.couplings.portfolio.matcher import Matcher
    from pilier.couplings.portfolio.writer import Writer

    assert gc.isenabled()
    paused = []
    real_match = Matcher.match

    def watched(self, record):
        paused.append(not gc.isenabled())
        return real_match(self, record)

    monkeypatch.setattr(Matcher, "match", watched)
    assert run_import(csv_bytes([row()])).status == "done"
    assert paused == [True] and gc.isenabled()
    monkeypatch.setattr(Writer, "write", lambda self, batch: 1 / 0)
    assert run_import(csv_bytes([row()])).status == "failed"
    assert gc.isenabled()


@pytest.mark.parametrize(
    ("stored", "written"),
    [
        ({"annual_premium": Decimal("2451.5")}, {"annual_premium": "2451,50"}),
        ({"annual_premium": Decimal("2451")}, {"annual_premium": "2451"}),
        ({"annual_premium": Decimal("0.10")}, {"annual_premium": "0.1"}),
        ({"death_capital": Decimal("250000")}, {"death_capital": "250000.00"}),
        ({"reserves": Decimal("999999999999.99")}, {"reserves": "999999999999.99"}),
        ({"start_date": datetime.date(2019, 1, 31)}, {"start_date": "31/01/2019"}),
        ({"end_date": None}, {"end_date": ""}),  # an empty field says nothing
    ],
)
def test_a_value_written_another_way_than_stored_is_unchanged(world, run_import, stored, written):
    """Records are compared with the policies in canonical text ("2451.50", "2019-01-31") on either database."""
    values = {"annual_premium": Decimal("2451.00"), "reserves": Decimal("12345.67"), "start_date": None}
    values.update(reserves_date=datetime.date(2026, 1, 1), death_capital=None, end_date=None)
    values.update(stored)
    policy = PolicyFactory(client=world.client, insurer="NN", number="300-0000256", **values)
    fields = {name: "" if value is None else str(value) for name, value in values.items()}
    fields.update(start_date=values["start_date"].isoformat() if values["start_date"] else "2019-01-01")
    fields.update(reserves_date="2026-01-01", **written)
    if values["start_date"] is None:
        Policy.objects.filter(pk=policy.pk).update(start_date=datetime.date(2019, 1, 1))
    job = run_import(csv_bytes([row(**fields)]))
    assert counts(job) == only(unchanged=1), (job.errors, job.failure)
    changed = {**fields, "annual_premium": "1.00"}
    assert counts(run_import(csv_bytes([row(**changed)]))) == only(updated=1)


def test_one_offices_import_never_touches_another_offices_policies(world, run_import):
    ours = PolicyFactory(client=world.client, insurer="NN", number="300-0000256", annual_premium=1)
    theirs = PolicyFactory(client=world.other_client, insurer="NN", number="300-0000256", annual_premium=1)
    other_nn = world.other_client.national_number
    job = run_import(
        csv_bytes([row(annual_premium="9"), row(policy_number="3000000999", holder_national_number=other_nn)])
    )
    assert counts(job) == only(updated=1, unmatched=1)
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert ours.annual_premium == 9 and theirs.annual_premium == 1
    assert not Policy.objects.filter(client=world.other_client, number="300-0000999").exists()
    assert UnmatchedRecord.objects.get().office == world.office


def test_a_duplicate_in_the_same_file_matches_the_policy_just_created(world, run_import):
    nn = world.client.national_number
    job = run_import(csv_bytes([row(holder_national_number=nn), row(holder_national_number=nn, annual_premium="3000")]))
    assert counts(job) == only(created=1, updated=1)
    assert Policy.objects.get().annual_premium == 3000


def test_linking_refuses_a_client_of_another_office(world, run_import):
    from django.core.exceptions import ValidationError

    run_import(csv_bytes([row(mandate="no")]))
    with pytest.raises(ValidationError):
        unmatched_link(record=UnmatchedRecord.objects.get(), client=ClientFactory(office=world.other_office))


def test_an_end_date_before_the_start_we_have_rejects_the_record_not_the_file(world, run_import):
    PolicyFactory(client=world.client, insurer="NN", number="300-0000256", start_date=datetime.date(2020, 1, 1))
    job = run_import(
        csv_bytes([row(start_date="", end_date="2019-12-31"), row(policy_number="3000000999", mandate="no")])
    )
    assert job.status == "done" and counts(job) == only(rejected=1, unmatched=1)


def test_a_record_whose_holder_is_another_person_is_rejected(world, run_import):
    policy = PolicyFactory(client=world.client, insurer="NN", number="300-0000256", annual_premium=1)
    other = ClientFactory(office=world.office)
    job = run_import(csv_bytes([row(holder_national_number=other.national_number, annual_premium="9")]))
    assert counts(job) == only(rejected=1)
    policy.refresh_from_db()
    assert policy.annual_premium == 1


def test_an_amount_with_more_than_two_decimals_is_rejected_not_rounded(world, run_import):
    PolicyFactory(client=world.client, insurer="NN", number="300-0000256", annual_premium=1)
    job = run_import(csv_bytes([row(annual_premium="12.345")]))
    assert counts(job) == only(rejected=1) and "12.345" in job.errors[0]["message"]


def test_a_windows_1252_file_whose_first_accent_comes_late_is_read_as_such(world, run_import):
    rows = [row(policy_number=f"30{i:08d}", mandate="no") for i in range(2000)] + [row(holder_last_name="Lefèvre")]
    PolicyFactory(client=world.client, insurer="NN", number="300-0000256")
    job = run_import(csv_bytes(rows, encoding="cp1252"))
    assert job.status == "done" and job.updated == 1, job.failure


def test_a_dismissed_record_that_changes_is_back_on_the_list(world, run_import):
    run_import(csv_bytes([row(mandate="no")]))
    unmatched_dismiss(record=UnmatchedRecord.objects.get())
    run_import(csv_bytes([row(mandate="no", annual_premium="3000")]))
    assert UnmatchedRecord.objects.get().status == "open"


def test_an_iso_week_date_is_not_a_date(world, run_import):
    job = run_import(csv_bytes([row(start_date="2026-W01-1")]))
    assert job.rejected == 1
