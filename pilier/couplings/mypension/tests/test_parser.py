"""The parser on generated dossiers: FR and NL, every variation of FORMATS.md §1, the refusals."""

import datetime as dt
import functools
from dataclasses import replace
from decimal import Decimal

import pdfplumber
import pytest

from pilier.couplings.mypension.parsed import NotMyPension
from pilier.couplings.mypension.parser import parse
from pilier.couplings.mypension.tests import pdfs

EXPECTED_TYPES = [
    "group_insurance",
    "group_insurance",
    "group_insurance",
    "eip",
    "plci",
    "plci_social",
    "cpti",
    "inami",
]


@functools.cache
def parsed(language="fr", **options):
    return parse(pdfs.dossier_pdf(pdfs.sample_dossier(language, **options)))


def assert_reads(dossier, fake):
    """Every field of every contract as the fake dossier printed it."""
    assert len(dossier.contracts) == len(fake.contracts)
    by_id = {c.db2p_id: c for c in dossier.contracts}
    for f in fake.contracts:
        c = by_id[f.db2p_id]
        assert c.key == f.db2p_id
        assert c.part == f.part
        assert c.organiser == f.organiser
        assert c.organiser_enterprise_number == (f.organiser_number or None)
        assert c.institution == f.institution
        assert c.institution_enterprise_number == f.institution_number
        assert c.plan_label == f.plan_label
        assert c.reference == f.reference
        assert c.status == f.status
        assert c.event == (pdfs_event(f) if f.in_table else None)
        assert c.reserves == f.reserves
        assert c.reserves_date == fake.reference_date
        if f.sheet:
            assert c.vested_benefit == f.vested_benefit
            assert c.vested_benefit_date == f.vested_due
            assert c.death_cover == f.death_cover
            assert c.branch == f.branch


def pdfs_event(f):
    from pilier.couplings.mypension.parsed import Event

    return Event("exit", f.exit_date) if f.exit_date else None


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_it_reads_the_whole_dossier(language):
    fake = pdfs.sample_dossier(language)
    dossier = parsed(language)
    assert dossier.language == language
    assert dossier.reference_date == dt.date(2026, 1, 1)
    assert dossier.holder_name == fake.holder_name
    assert dossier.national_number == fake.national_number
    assert dossier.warnings == ()
    assert [c.policy_type for c in dossier.contracts] == EXPECTED_TYPES
    assert_reads(dossier, fake)


def test_it_reads_dormant_and_exited_plans_and_the_figures_of_the_sheets():
    first, second, third = parsed("fr").contracts[:3]
    assert first.status == "dormant" and first.event is not None and first.event.date == dt.date(2014, 8, 31)
    assert second.status == "not_active" and second.event is not None and second.event.kind == "exit"
    assert third.status == "active" and third.event is None
    assert third.reserves == Decimal("1234567.89") and third.death_cover == Decimal("2500000.00")
    assert third.branch == "23" and first.branch == "21"
    assert first.vested_benefit == Decimal("52310.00") and first.vested_benefit_date == dt.date(2050, 7, 1)


def test_a_self_employed_plan_has_no_organiser():
    plci = parsed("fr").contracts[4]
    assert plci.part == "self_employed" and plci.organiser == "" and plci.organiser_enterprise_number is None


def test_a_multi_line_plan_label_is_read_whole():
    labels = [c.plan_label for c in parsed("fr").contracts]
    assert "Convention de pension pour travailleurs indépendants (CPTI)" in labels


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_the_parts_may_come_in_any_order(language):
    dossier = parsed(language, parts_order=("self_employed", "employee"))
    assert [c.part for c in dossier.contracts] == ["self_employed"] * 4 + ["employee"] * 4
    assert_reads(dossier, pdfs.sample_dossier(language))
    assert dossier.warnings == ()


@pytest.mark.parametrize("repeat_header", [True, False])
@pytest.mark.parametrize("language", ["fr", "nl"])
def test_a_table_split_over_pages_goes_on(language, repeat_header):
    fake = pdfs.sample_dossier(language, break_table_after=1, repeat_header=repeat_header)
    data = pdfs.dossier_pdf(fake)
    with pdfplumber.open(__import__("io").BytesIO(data)) as pdf:
        assert len(pdf.pages) >= 14  # one page per table row, then the sheets
    dossier = parse(data)
    assert_reads(dossier, fake)
    assert dossier.warnings == ()


@pytest.mark.parametrize("separator", [".", " ", "\u00a0", "\u202f", ""])
def test_every_thousands_separator_is_read(separator):
    dossier = parsed("fr", separator=separator)
    assert_reads(dossier, pdfs.sample_dossier("fr"))
    assert dossier.warnings == ()


@pytest.mark.parametrize("euro", ["\ufffd", "â‚¬", "EUR", "", "(cid:128)"])
def test_a_garbled_euro_sign_is_read(euro):
    dossier = parsed("nl", euro=euro)
    assert_reads(dossier, pdfs.sample_dossier("nl"))
    assert dossier.warnings == ()


def test_garbled_accents_still_match_the_labels():
    dossier = parsed("fr", garble_accents=True)
    assert [c.status for c in dossier.contracts][:4] == ["dormant", "not_active", "active", "active"]
    assert [c.reserves for c in dossier.contracts] == [c.reserves for c in pdfs.sample_contracts("fr")]
    assert dossier.reference_date == dt.date(2026, 1, 1)
    assert [c.policy_type for c in dossier.contracts] == EXPECTED_TYPES


def test_an_empty_part_is_said():
    fake = pdfs.sample_dossier("fr")
    fake = replace(fake, contracts=[c for c in fake.contracts if c.part == "employee"])
    dossier = parse(pdfs.dossier_pdf(fake))
    assert {c.part for c in dossier.contracts} == {"employee"}
    assert [w.code for w in dossier.warnings] == ["part_empty"]
    assert dossier.warnings[0].params == {"part": "self_employed"}


def test_a_total_that_does_not_add_up_is_a_warning_not_a_source():
    dossier = parsed("fr", total_offset=Decimal("100.00"))
    mismatches = [w for w in dossier.warnings if w.code == "total_mismatch"]
    assert [w.params["part"] for w in mismatches] == ["employee", "self_employed"]
    assert mismatches[0].params["printed"] == "1286933.70"
    assert mismatches[0].params["computed"] == "1286833.70"
    assert_reads(dossier, pdfs.sample_dossier("fr"))


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_an_unknown_plan_label_maps_to_no_type(language):
    fake = pdfs.sample_dossier(language)
    fake.contracts[1] = replace(fake.contracts[1], plan_label="Plan cafétéria Zorg+")
    dossier = parse(pdfs.dossier_pdf(fake))
    contract = dossier.contracts[1]
    assert contract.plan_label == "Plan cafétéria Zorg+" and contract.policy_type is None
    assert contract.reference == "11356861"
    assert [(w.code, w.params) for w in dossier.warnings] == [
        ("unknown_plan_label", {"label": "Plan cafétéria Zorg+", "reference": "11356861"})
    ]


def test_a_row_without_a_sheet_and_a_sheet_without_a_row_are_contracts():
    fake = pdfs.sample_dossier("fr")
    fake.contracts[0] = replace(fake.contracts[0], sheet=False, status="not_active")
    fake.contracts[4] = replace(fake.contracts[4], in_table=False)
    dossier = parse(pdfs.dossier_pdf(fake))
    assert_reads(dossier, fake)
    only_row = dossier.contracts[0]
    assert only_row.death_cover is None and only_row.branch is None and only_row.reserves == Decimal("39391.76")
    only_sheet = next(c for c in dossier.contracts if c.db2p_id == fake.contracts[4].db2p_id)
    assert only_sheet.policy_type == "plci" and only_sheet.event is None


def test_a_ten_page_file_is_read():
    fake = pdfs.sample_dossier("nl", filler_pages=2)
    data = pdfs.dossier_pdf(fake)
    with pdfplumber.open(__import__("io").BytesIO(data)) as pdf:
        assert len(pdf.pages) >= 10
    assert_reads(parse(data), fake)


# ── Refusals ─────────────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    "data",
    [b"", b"hello", b"\x89PNG\r\n\x1a\n" + bytes(100), b"Situation au 01/01/2026", b"PK\x03\x04" + bytes(50)],
)
def test_it_refuses_what_is_no_pdf(data):
    with pytest.raises(NotMyPension) as refused:
        parse(data)
    assert refused.value.code == "not_pdf"


def test_it_refuses_a_damaged_pdf():
    whole = pdfs.dossier_pdf(pdfs.sample_dossier("fr"))
    for data in (whole[:300], b"%PDF-1.7\n" + bytes(range(256)) * 4):
        with pytest.raises(NotMyPension) as refused:
            parse(data)
        assert refused.value.code == "unreadable"


def test_it_refuses_a_pdf_without_text():
    with pytest.raises(NotMyPension) as refused:
        parse(pdfs.scanned_pdf())
    assert refused.value.code == "unreadable"


def test_it_refuses_an_encrypted_pdf():
    data = pdfs.encrypted_pdf()
    with pdfplumber.open(__import__("io").BytesIO(data), password="secret") as pdf:  # the fixture is genuine
        assert "Situation au 01/01/2026" in pdf.pages[0].extract_text()
    with pytest.raises(NotMyPension) as refused:
        parse(data)
    assert refused.value.code == "encrypted"


def test_it_refuses_a_pdf_that_is_not_a_mypension_file():
    with pytest.raises(NotMyPension) as refused:
        parse(pdfs.letter_pdf())
    assert refused.value.code == "not_mypension"


def test_a_title_alone_is_not_enough():
    data = pdfs.render_html("<p>Dossier « ma pension complémentaire » 2026</p><p>Rien d'autre.</p>")
    with pytest.raises(NotMyPension) as refused:
        parse(data)
    assert refused.value.code == "not_mypension"


def test_a_row_cut_by_a_page_break_is_joined_to_its_first_half():
    from pilier.couplings.mypension.parser import Line, Table, _walk, languages

    header = [
        "Organisateur",
        "Organisme de pension",
        "Plan de pension",
        "Statut d'affiliation au 01/01/2026",
        "Réserve de pension le 01/01/2026",
        "Evènement après 01/01/2026",
    ]
    first_half = [
        "ACME SA\n0404.483.367",
        "AXA Belgium\n0404.483.367",
        "Assurance de groupe\n010.113.849.770",
        "",
        "",
        "",
    ]
    second_half = ["", "", "2011-0000-0000-0000-0000-0001", "Affilié non actif", "1.000,00 €", "Sortie le 31/08/2014"]
    items = [
        Line("2.1 Plans de pension comme travailleur salarié au 01/01/2026", 1),
        Table([header, first_half], 1),
        Table([second_half], 2),
    ]
    walk = _walk(languages()["fr"], items)
    [row] = walk.rows
    assert row.db2p_id == "2011-0000-0000-0000-0000-0001" and row.reference == "010.113.849.770"
    assert row.status == "not_active" and row.reserves == Decimal("1000.00") and row.organiser == "ACME SA"
