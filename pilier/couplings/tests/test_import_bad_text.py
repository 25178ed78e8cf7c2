"""Records with text no column can hold (control characters, longer than the column) and files whose
encoding is broken: the record is rejected with its reason and the others are imported, or the file is
refused with the place of the bad byte; never a failed import, never text stored out of spec, never mojibake.
Run on SQLite and PostgreSQL (PostgreSQL refuses a NUL byte and over-long text itself)."""

import json

import pytest

from pilier.couplings.models import UnmatchedRecord
from pilier.couplings.portfolio.records import FIELDS
from pilier.policies.models import Policy
from pilier.tests.factories import PolicyFactory

from .conftest import csv_bytes, row

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(world):
    world.admin.language = "en"
    world.admin.save()


def good_rows(count=3):
    return [row(policy_number=f"30000{i:05d}", mandate="no") for i in range(count)]


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"holder_last_name": "Du\x00bois"}, "holder_last_name", "control characters"),
        ({"policy_number": "3000\x00000256"}, "policy_number", "control characters"),
        ({"holder_first_name": "Marc\tAndré"}, "holder_first_name", "control characters"),
        ({"insurer": "N\x00N"}, "insurer", "control characters"),
        ({"annual_premium": "2451\x00.00"}, "annual_premium", "control characters"),
        ({"start_date": "2019-01\x7f-01"}, "start_date", "control characters"),
        ({"holder_last_name": "D" * 300}, "holder_last_name", "300 characters, at most 150"),
        ({"holder_first_name": "M" * 151}, "holder_first_name", "151 characters, at most 150"),
        ({"policy_number": "3" * 41}, "policy_number", "41 characters, at most 40"),
        ({"holder_last_name": "D" * 150, "holder_first_name": "M" * 150}, "holder_last_name", "301 characters"),
    ],
)
def test_a_record_with_text_no_column_can_hold_is_rejected_alone_the_others_imported(
    world, run_import, values, field, words
):
    content = csv_bytes([*good_rows(2), row(mandate="no", **values), *good_rows(1)])
    job = run_import(content)
    assert job.status == "done", job.failure
    assert (job.unmatched, job.rejected) == (2, 1)  # good_rows(1) repeats the first of good_rows(2): unchanged
    assert job.errors[0]["line"] == 4
    message = job.errors[0]["message"]
    assert field in message and words in message, message
    assert "\x00" not in message
    assert UnmatchedRecord.objects.count() == 2


def test_a_line_break_inside_a_quoted_field_is_rejected(world, run_import):
    content = csv_bytes(good_rows(1)) + b'NN;3000000256;plci;active;;"Du\r\nbois";Marc;;;;;;;;no\n'
    content += csv_bytes(good_rows(2)[1:], header="").lstrip(b"\n")
    job = run_import(content)
    assert (job.status, job.unmatched, job.rejected) == ("done", 2, 1), (job.failure, job.errors)
    assert "holder_last_name" in job.errors[0]["message"] and "control" in job.errors[0]["message"]


def test_a_policy_created_for_a_holder_never_gets_a_number_longer_than_its_column(world, run_import):
    nn = world.client.national_number
    number = "3" * 36 + "R012"  # 40 characters; ERGO's way writes a dash before the sub-account: 41
    job = run_import(csv_bytes([row(insurer="ERGO", policy_number=number, holder_national_number=nn)]))
    assert (job.created, job.rejected) == (0, 1)
    assert "policy_number: 41 characters, at most 40" in job.errors[0]["message"], job.errors
    assert not Policy.objects.exists()


def test_a_no_break_space_or_an_accent_is_text_like_any_other(world, run_import):
    job = run_import(csv_bytes([row(mandate="no", holder_last_name="Van\u00a0Damme", holder_first_name="Élodie")]))
    assert (job.unmatched, job.rejected) == (1, 0), job.errors
    assert UnmatchedRecord.objects.get().holder_name == "Van\u00a0Damme Élodie"


def test_json_records_with_a_nul_or_a_lone_surrogate_are_rejected_alone(world, run_import):
    def record(**values):
        return {name: value for name, value in row(**values).items() if name in FIELDS}

    records = [record(mandate="no"), record(policy_number="3000000257", holder_last_name="Du\u0000bois")]
    records += [record(policy_number="3000000258", holder_first_name="\ud800"), record(policy_number="3000000259")]
    job = run_import(json.dumps(records).encode(), name="records.json")
    assert job.status == "done", job.failure
    assert (job.unmatched, job.rejected) == (2, 2)
    assert [error["line"] for error in job.errors] == [2, 3]


def test_a_message_quotes_a_huge_value_shortened(world, run_import):
    job = run_import(csv_bytes([row(insurer="X" * 100_000)]))
    assert job.rejected == 1 and len(job.errors[0]["message"]) < 200


def test_the_fields_of_a_record_are_checked_against_the_columns_that_store_them():
    from pilier.clients.models import Client
    from pilier.couplings.portfolio.records import limits

    assert limits()["policy_number"] == Policy._meta.get_field("number").max_length
    assert limits()["holder_last_name"] == Client._meta.get_field("last_name").max_length
    assert limits()["holder_name"] == UnmatchedRecord._meta.get_field("holder_name").max_length


# Encodings ---------------------------------------------------------------------------------------


def test_a_utf8_file_with_one_bad_byte_is_refused_with_its_place_never_read_as_windows_1252(world, run_import):
    PolicyFactory(client=world.client, insurer="NN", number="300-0000256", annual_premium=1)
    content = csv_bytes([row(holder_last_name="Müller-Lefèvre", holder_first_name="Hélène"), *good_rows(3)])
    bad_line = "NN;3000000257;plci;active;;Müller;Hél".encode() + b"\xe8" + b"ne;;;;;;;;no\n"  # è in Windows-1252
    job = run_import(content + bad_line)
    assert job.status == "failed"
    column = len("NN;3000000257;plci;active;;Müller;Hél") + 1
    assert f"Line 6, column {column}:" in job.failure and "0xE8" in job.failure, job.failure
    assert "Ã" not in job.failure
    assert Policy.objects.get().annual_premium == 1 and not UnmatchedRecord.objects.exists()


def test_a_utf8_file_whose_first_non_ascii_byte_is_the_bad_one_is_refused_too(world, run_import):
    content = csv_bytes([row(holder_last_name="DuboXs"), row(policy_number="3000000257", holder_last_name="Lefèvre")])
    job = run_import(content.replace(b"DuboXs", b"Dubo\xe9s"))
    column = len("NN;3000000256;plci;active;;Dubo") + 1
    assert job.status == "failed" and f"Line 2, column {column}:" in job.failure, job.failure


def test_a_utf8_file_with_a_bom_and_a_bad_byte_is_refused_with_its_place(world, run_import):
    content = b"\xef\xbb\xbf" + csv_bytes([row(mandate="no"), row(policy_number="3000000257")])
    content = content.replace(b"Marc", b"M\xe9rc", 1)
    job = run_import(content)
    assert job.status == "failed" and "Line 2" in job.failure and "0xE9" in job.failure, job.failure


def test_a_json_file_with_a_bad_byte_is_refused_with_its_place(world, run_import):
    content = b'[\n  {"insurer": "NN",\n   "holder_last_name": "M\xfcller"}\n]'
    job = run_import(content, name="records.json")
    column = len('   "holder_last_name": "M') + 1
    assert job.status == "failed" and f"Line 3, column {column}:" in job.failure and "0xFC" in job.failure, job.failure


def test_a_windows_1252_file_is_still_read_as_windows_1252(world, run_import):
    names = ("Müller-Lefèvre", "Hélène")
    content = csv_bytes([row(mandate="no", holder_last_name=names[0], holder_first_name=names[1])], encoding="cp1252")
    job = run_import(content)
    assert (job.status, job.unmatched) == ("done", 1), job.failure
    assert UnmatchedRecord.objects.get().holder_name == "Müller-Lefèvre Hélène"


def test_a_file_that_is_ascii_but_one_byte_is_read_as_windows_1252(world, run_import):
    """One byte above 127 and no UTF-8 character at all: nothing says UTF-8, Windows-1252 is the reading."""
    content = csv_bytes([row(mandate="no", holder_last_name="Lefèvre")], encoding="cp1252")
    job = run_import(content)
    assert job.status == "done" and UnmatchedRecord.objects.get().holder_name == "Lefèvre Marc"


@pytest.mark.parametrize("value", [["3000000256"], {"number": "3000000256"}, [[[[]]]]])
def test_a_json_record_whose_value_is_a_list_or_an_object_is_refused_with_its_place(world, run_import, value):
    """It used to be written as its Python text ("['3000000256']") into the record."""
    records = [{"insurer": "NN", "policy_number": "3000000256"}, {"insurer": "NN", "policy_number": value}]
    job = run_import(json.dumps(records).encode(), name="records.json")
    assert job.status == "failed"
    assert "Record 2" in job.failure and "policy_number" in job.failure, job.failure
    assert not Policy.objects.exists() and not UnmatchedRecord.objects.exists()


def test_a_json_file_over_the_import_limit_is_refused_saying_the_limit(world, run_import, settings):
    settings.IMPORT_JSON_MAX_BYTES = 1024
    content = json.dumps([{"insurer": "NN", "policy_number": f"30000{i:05d}"} for i in range(100)]).encode()
    job = run_import(content, name="records.json")
    assert job.status == "failed"
    assert "1 KB" in job.failure, job.failure
