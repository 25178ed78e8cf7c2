"""The samples of docs/portfolio import cleanly, and docs/portfolio/README.md lists what the code reads."""

import dataclasses
import datetime
import io
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from pilier.clients.identifiers import national_number_for
from pilier.couplings.models import UnmatchedRecord
from pilier.couplings.portfolio.readers import records
from pilier.couplings.portfolio.records import FIELDS, parse_record
from pilier.policies.catalogue import TYPES
from pilier.policies.insurers import insurers
from pilier.policies.models import Policy
from pilier.tests.factories import ClientFactory, PolicyFactory

DOCS = Path(__file__).resolve().parents[3] / "docs" / "portfolio"
README = (DOCS / "README.md").read_text(encoding="utf-8")

# The holders of the samples (fictitious): two have a client file in the office, two do not.
LEFEVRE = national_number_for(datetime.date(1978, 4, 12), 124)
JANSSENS = national_number_for(datetime.date(1985, 11, 3), 317)
MULLER = national_number_for(datetime.date(1969, 2, 27), 71)
DUBOIS = national_number_for(datetime.date(2001, 6, 15), 208)

# The policies the office already has: (holder, insurer, number as we write it, section, type).
EXISTING = [
    (LEFEVRE, "NN", "300-1234567", "pension", "plci"),
    (JANSSENS, "AXA", "010.113.849.770", "pension", "pension_savings"),
    (JANSSENS, "ERGO", "330021091-R02", "pension", "eip"),
    (LEFEVRE, "ALLIANZ", "BCUD0391210600", "disability", "guaranteed_income"),
    (JANSSENS, "AG", "003-1234567-62", "investment", "savings_insurance"),
    (LEFEVRE, "VIVIUM", "5500279745", "death", "term_life"),
    (JANSSENS, "ATHORA", "GV172328", "pension", "long_term_savings"),
]
COUNTS = ("records", "created", "updated", "unchanged", "unmatched", "rejected")

pytestmark = pytest.mark.django_db


def sample(name: str) -> bytes:
    return (DOCS / name).read_bytes()


def counts(job) -> dict:
    assert job.status == "done", job.failure
    return {name: getattr(job, name) for name in COUNTS}


def office_with_sample_policies(office) -> None:
    clients = {
        LEFEVRE: ClientFactory(office=office, last_name="Lefèvre", first_name="Hélène", national_number=LEFEVRE),
        JANSSENS: ClientFactory(office=office, last_name="Janssens", first_name="Pieter", national_number=JANSSENS),
    }
    for holder, insurer, number, section, kind in EXISTING:
        PolicyFactory(
            client=clients[holder], insurer=insurer, number=number, section=section, type=kind, annual_premium=1500
        )


def policy(office, insurer: str, number: str) -> Policy:
    return Policy.objects.select_related("client").get(office=office, insurer=insurer, number=number)


def snapshot(office) -> tuple[list, list]:
    """What an import leaves in the office, comparable across offices."""
    policies = sorted(
        (
            p.insurer,
            p.number,
            p.client.national_number,
            p.section,
            p.type,
            p.is_main,
            p.mandate,
            p.managed,
            *(getattr(p, name) for name in ("status", "start_date", "end_date", "annual_premium")),
            *(getattr(p, name) for name in ("reserves", "reserves_date", "death_capital")),
        )
        for p in Policy.objects.filter(office=office).select_related("client")
    )
    unmatched = sorted(
        (
            u.insurer,
            u.number,
            u.number_key,
            u.type,
            u.reason,
            u.holder_national_number,
            u.holder_name,
            u.mandate,
            u.data,
        )
        for u in UnmatchedRecord.objects.filter(office=office)
    )
    return policies, unmatched


# The samples import cleanly ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["sample.csv", "sample.json"])
def test_a_sample_imports_with_no_rejected_record(world, run_import, name):
    office_with_sample_policies(world.office)
    job = run_import(sample(name), name=name)
    assert counts(job) == {
        "records": 12,
        "created": 3,
        "updated": 7,
        "unchanged": 0,
        "unmatched": 2,
        "rejected": 0,
    }, job.errors
    assert job.insurers == ["AG", "ALLIANZ", "ATHORA", "AXA", "BALOISE", "ERGO", "NN", "VIVIUM"]

    # Updated: the NN number without its dash, the AXA number with its prefix.
    nn = policy(world.office, "NN", "300-1234567")
    assert (nn.start_date, nn.annual_premium, nn.reserves) == (
        datetime.date(2015, 3, 1),
        Decimal("3965.77"),
        Decimal("48210.35"),
    )
    assert (nn.reserves_date, nn.death_capital) == (datetime.date(2026, 1, 1), Decimal("25000.00"))
    assert policy(world.office, "AXA", "010.113.849.770").reserves == Decimal("18934.12")
    assert policy(world.office, "ALLIANZ", "BCUD0391210600").status == "dormant"
    assert policy(world.office, "ATHORA", "GV172328").status == "terminated"  # matched: the mandate does not matter
    vivium = policy(world.office, "VIVIUM", "5500279745")
    assert (vivium.annual_premium, vivium.death_capital) == (1500, 200000)  # an empty premium keeps ours

    # Created under the mandate in the holder's file, Telebib2 codes read as our types.
    ergo = policy(world.office, "ERGO", "330021091-R03")  # a second sub-account of the same main account
    assert (ergo.client.national_number, ergo.type, ergo.section, ergo.is_main) == (JANSSENS, "plci", "pension", True)
    term = policy(world.office, "NN", "300-7654321")
    assert (term.client.national_number, term.type, term.section) == (LEFEVRE, "term_life", "death")
    axa = policy(world.office, "AXA", "010.205.561.428")  # AXA's prefix dropped
    assert (axa.type, axa.mandate, axa.managed) == ("investment_insurance", True, True)

    # Unmatched: a mandate without client file, no mandate.
    unmatched = {(u.insurer, u.number): u for u in UnmatchedRecord.objects.filter(office=world.office)}
    assert {key: u.reason for key, u in unmatched.items()} == {
        ("BALOISE", "1B04417"): "no_client",
        ("VIVIUM", "5500312088"): "no_mandate",
    }
    assert unmatched["BALOISE", "1B04417"].holder_name == "Müller Jürgen"
    assert unmatched["BALOISE", "1B04417"].holder_national_number == MULLER
    assert unmatched["VIVIUM", "5500312088"].holder_national_number == DUBOIS

    history = Policy.history.count()
    again = run_import(sample(name), name=name)
    assert counts(again) == {"records": 12, "created": 0, "updated": 0, "unchanged": 12, "unmatched": 0, "rejected": 0}
    assert Policy.history.count() == history


def test_the_csv_and_json_samples_give_the_same_result(world, run_import):
    office_with_sample_policies(world.office)
    office_with_sample_policies(world.other_office)
    from_csv = run_import(sample("sample.csv"), user=world.admin, name="sample.csv")
    from_json = run_import(sample("sample.json"), user=world.outsider, name="sample.json")
    assert counts(from_csv) == counts(from_json)
    assert from_csv.insurers == from_json.insurers
    assert snapshot(world.office) == snapshot(world.other_office)


def test_the_json_sample_holds_the_records_of_the_csv_sample_written_the_json_way():
    def read(name):
        return [dataclasses.replace(parse_record(line, raw), line=0) for line, raw in records(io.BytesIO(sample(name)))]

    from_csv, from_json = read("sample.csv"), read("sample.json")
    assert len(from_csv) == 12 and from_csv == from_json
    data = json.loads(sample("sample.json"))
    assert all(list(item) == list(FIELDS) for item in data)


def test_the_windows_1252_sample_imports_with_no_rejected_record(world, run_import):
    content = sample("sample-cp1252.csv")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")  # so the sample really goes through the Windows-1252 path
    assert content.splitlines()[0].decode("ascii") == ",".join(FIELDS)
    office_with_sample_policies(world.office)
    job = run_import(content, name="sample-cp1252.csv")
    assert counts(job) == {"records": 4, "created": 1, "updated": 2, "unchanged": 0, "unmatched": 1, "rejected": 0}
    nn = policy(world.office, "NN", "300-1234567")
    assert (nn.annual_premium, nn.reserves) == (Decimal("4012.50"), Decimal("49875.10"))  # "4012,50" quoted
    ergo = policy(world.office, "ERGO", "330021091-R04")
    assert (ergo.client.national_number, ergo.type, ergo.is_main) == (JANSSENS, "eip", False)  # R02 stays main
    record = UnmatchedRecord.objects.get(office=world.office)
    assert (record.holder_name, record.reason) == ("Müller Jürgen", "no_mandate")


# The README cannot drift from the code ----------------------------------------------------------


def _table_after(heading: str) -> list[list[str]]:
    """The body rows (cells) of the first table after `heading`."""
    lines = README.splitlines()
    rows: list[list[str]] = []
    for line in lines[lines.index(heading) + 1 :]:
        if line.startswith("|"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if not set(cells[0]) <= {"-", ":"}:
                rows.append(cells)
        elif rows:
            break
    return rows[1:]  # without the header row


def _code(cell: str) -> str:
    found = re.search(r"`([^`]+)`", cell)
    assert found, cell
    return found[1]


def test_the_readme_header_line_is_the_field_list_of_the_code():
    header = [line for line in README.splitlines() if line.startswith("insurer;")]
    assert len(header) == 1
    assert tuple(header[0].split(";")) == FIELDS
    assert tuple(_code(row[0]) for row in _table_after("## Fields")) == FIELDS


def test_the_readme_lists_every_insurer_type_and_telebib_code_the_code_knows():
    assert [_code(row[0]) for row in _table_after("### insurer")] == [item.code for item in insurers()]
    assert [_code(row[0]) for row in _table_after("### type")] == list(TYPES)
    telebib = json.loads((Path(__file__).resolve().parents[1] / "portfolio" / "types.json").read_text())
    documented = {
        _code(row[0]): (_code(row[2]), row[3] == "yes") for row in _table_after("#### Telebib2 X058 cover codes")
    }
    assert documented == {code: (entry["type"], entry["verified"]) for code, entry in telebib["telebib_x058"].items()}
