"""The Telebib2 reader on its own: segments, releases, groups, encodings, and each message → a raw record."""

import io

import pytest
from django.utils import translation

from pilier.couplings.portfolio import readers, telebib2
from pilier.couplings.portfolio.records import FIELDS, RecordError, RecordReader, about

from .telebib2_files import contract, released, telebib_file

pytestmark = pytest.mark.django_db


def read(content: bytes, **context):
    run = None
    if context:

        class Office:
            enterprise_number = context.get("office", "")

        class Run:
            insurer = context.get("insurer", "")
            office = Office()

        run = Run()
    return list(readers.records(io.BytesIO(content), "portfolio.edi", run=run))  # type: ignore[arg-type]


def as_dict(raw):
    return dict(zip(FIELDS, raw, strict=True))


def test_a_contract_message_becomes_a_portfolio_record():
    ((line, raw),) = read(telebib_file(contract(death_capital="5000000")))
    assert line == 2 and raw.rejected is None
    assert as_dict(raw) == {
        "insurer": "AXA",
        "policy_number": "010113849770",
        "type": "plci",  # ATT+1400+15 before IPD+A502+110
        "status": "active",
        "holder_national_number": "85073003328",
        "holder_last_name": "DUBOIS",
        "holder_first_name": "Marc",
        "holder_birth_date": "",
        "start_date": "2019-01-01",
        "end_date": "",
        "annual_premium": "2451.00",
        "reserves": "12345.67",
        "reserves_date": "2026-01-01",
        "death_capital": "50000.00",
        "mandate": "yes",
    }
    assert raw.language == "fr"
    record = RecordReader().read(line, raw)
    assert record.language == "fr" and record.as_data()["language"] == "fr"
    assert record.data_json() == __import__("json").dumps(record.as_data())


def test_the_file_is_told_by_its_content_whatever_its_name():
    content = telebib_file(contract())
    for name in ("x.edi", "x.txt", "x.gbo", "x.csv", ""):
        rows = list(readers.records(io.BytesIO(content), name))
        assert len(rows) == 1 and rows[0][1][1] == "010113849770"


def test_an_interchange_with_una_and_unb_and_everything_on_one_line():
    content = (
        b"UNA:+.? 'UNB+UNOC:3+SENDER+RECEIVER+261203:1000+1'" + telebib_file(contract(), lines=False) + b"UNZ+1+1'"
    )
    ((line, raw),) = read(content)
    assert raw.rejected is None and raw[1] == "010113849770" and line == 1


def test_una_with_other_service_characters_is_honoured():
    # UNA: component ;  element *  decimal .  release !  reserved space  terminator ~
    text = (
        "XGH*1*9999~XEH*01*1~RFF*001;A!*B~IPD*A502*110~ATT*1400*6~ATT*A003*1~"
        "XRH*1~PTY*003~NME*001*DE!~ROUX;Zo!;e~XRT*1~XET*1~XGT*1~"
    )
    ((line, raw),) = read(b"UNA;*.! ~" + text.encode(), insurer="AG")
    assert raw.rejected is None, raw.rejected
    assert raw[:3] == ["AG", "A*B", "pension_savings"] and raw[5:7] == ["DE~ROUX", "Zo;e"]


def test_released_characters_are_kept_as_text():
    message = contract(number="A'1", holder=("O'BRIEN + FILS", "Ann:Marie ?"))
    assert "NME+001+O?'BRIEN ?+ FILS:Ann?:Marie ??" in message
    ((line, raw),) = read(telebib_file(message))
    assert raw[1] == "A'1" and raw[5] == "O'BRIEN + FILS" and raw[6] == "Ann:Marie ?"


def test_names_in_iso_8859_1_and_in_utf_8():
    for encoding in ("iso-8859-1", "utf-8"):
        ((line, raw),) = read(telebib_file(contract(holder=("MÜLLER-FRANÇOIS", "Zoë")), encoding=encoding))
        assert (raw[5], raw[6]) == ("MÜLLER-FRANÇOIS", "Zoë"), encoding


def test_nested_groups_keep_the_parties_apart_from_the_contract():
    # The holder's group holds an address group; the covers' MOA+023 comes after, and the insurer's party has its
    # own NME: none of them is taken for the contract's or the holder's.
    ((line, raw),) = read(telebib_file(contract()))
    assert raw[5:7] == ["DUBOIS", "Marc"] and raw[13] == ""


def test_several_messages_each_a_record_and_a_broken_one_among_them():
    broken = contract(number="BROKEN")
    broken.insert(3, "XRT+7")  # closes a group that is not open
    content = telebib_file(
        contract(number="1"), broken, contract(number="3"), contract(number="4", fiscal="22", policy_type="510")
    )
    rows = read(content)
    assert [raw[1] if raw else None for _, raw in rows] == ["1", None, "3", None]
    assert "Message 2 (segment" in rows[1][1].rejected and "group 7" in rows[1][1].rejected
    assert "no product type Pilier knows (ATT+1400+22, IPD+A502+510)" in rows[3][1].rejected
    with pytest.raises(RecordError, match="Message 2"):
        RecordReader().read(rows[1][0], rows[1][1])
    assert about(rows[1][1]) == {"insurer": "AXA", "number": "BROKEN", "holder": "DUBOIS Marc"}


def test_a_message_cut_by_the_next_one_is_rejected_and_the_next_one_read():
    cut = contract(number="CUT")[:-1]  # no XET
    rows = read(telebib_file(cut, contract(number="2")))
    assert "no end (XET)" in rows[0][1].rejected and rows[1][1][1] == "2"


def test_the_fiscal_vehicle_comes_first_then_the_policy_type():
    cases = [
        ("6", "110", "pension_savings"),
        ("19", "110", "plci_social"),
        ("21", None, "cpti"),
        ("3", "120", "investment_insurance"),
        (None, "221", "guaranteed_income"),
    ]
    for fiscal, policy_type, expected in cases:
        ((line, raw),) = read(telebib_file(contract(fiscal=fiscal, policy_type=policy_type)))
        assert raw[2] == expected, (fiscal, policy_type)
    ((line, raw),) = read(telebib_file(contract(fiscal="1", extra=["ATT+1406+04"])))
    assert raw[2] == "inami"


def test_status_codes_and_a_message_without_status():
    for code, expected in (("1", "active"), ("2", "terminated"), ("4", "dormant")):
        ((line, raw),) = read(telebib_file(contract(status=code)))
        assert raw[3] == expected
    ((line, raw),) = read(telebib_file(contract(status=None)))
    assert "no contract status (ATT+A003)" in raw.rejected


def test_the_insurer_comes_from_its_party_or_from_the_choice_at_upload():
    ((line, raw),) = read(telebib_file(contract(insurer_enterprise=None), sender=""))
    assert "does not name its insurer" in raw.rejected
    ((line, raw),) = read(telebib_file(contract(insurer_enterprise=None)))
    assert "the insurer “9999” is not in Pilier's table" in raw.rejected  # the sender's company code, unknown
    ((line, raw),) = read(telebib_file(contract(insurer_enterprise="0999.999.999")))
    assert "“0999.999.999” is not in Pilier's table" in raw.rejected
    ((line, raw),) = read(telebib_file(contract(insurer_enterprise="0999.999.999")), insurer="NN")
    assert raw[0] == "NN"
    ((line, raw),) = read(telebib_file(contract()), insurer="NN")
    assert raw[0] == "AXA"  # the message names a known insurer: that one


def test_the_mandate_is_the_intermediarys_and_not_another_offices():
    ((line, raw),) = read(telebib_file(contract(intermediary=False)))
    assert raw[14] == "no"
    ((line, raw),) = read(telebib_file(contract(intermediary_enterprise="0123.456.749")), office="0123456749")
    assert raw[14] == "yes"
    ((line, raw),) = read(telebib_file(contract(intermediary_enterprise="0111.111.111")), office="0123456749")
    assert raw[14] == "no"


def test_the_insured_is_the_holder_before_the_policyholder():
    message = contract(national_number=None, holder=("SRL ALPHA", ""))
    message.insert(-1, "XRH+1")
    message[-1:-1] = ["PTY+013", "NME+001+DUBOIS:Marc", "RFF+022:85073003328", "ATT+A10C+2", "XRT+1"]
    ((line, raw),) = read(telebib_file(message))
    assert raw[4:7] == ["85073003328", "DUBOIS", "Marc"] and raw.language == "nl"


def test_amounts_and_dates_that_cannot_be_read_reject_the_message():
    ((line, raw),) = read(telebib_file(contract(reserves="12x")))
    assert "MOA+186" in raw.rejected
    ((line, raw),) = read(telebib_file(contract(start="2019-01-01")))
    assert "DTM+008" in raw.rejected
    content = telebib_file(contract()).replace(b"MOA+186:1234567:EUR:2", b"MOA+186:1234567:USD:2")
    ((line, raw),) = read(content)
    assert "in USD, not in euros" in raw.rejected


def test_a_premium_paid_monthly_is_not_taken_for_a_yearly_one():
    ((line, raw),) = read(telebib_file(contract(frequency="4")))
    assert raw[10] == ""


def test_a_message_that_is_not_a_contract_is_rejected_with_its_kind():
    with translation.override("en"):
        rows = read(telebib_file(contract(kind="02"), contract(number="2")))
    assert "not a contract message (XEH+Claim file)" in rows[0][1].rejected and rows[1][1][1] == "2"


def test_a_file_without_a_message_is_refused():
    with pytest.raises(telebib2.NotTelebib):
        read(b"XGH+1+9999'XGT+1'")


def test_released_is_what_the_builder_writes():
    assert released("a?b'c+d:e") == "a??b?'c?+d?:e"


def test_code_lists_have_three_languages_and_their_source():
    data = telebib2.code_lists()
    assert data["source"]["repository"] == "openSource4Brokers/telebibcore22.api"
    for name in ("fiscal_vehicle", "policy_type", "contract_status", "language"):
        for code, entry in data[name]["values"].items():
            assert entry["fr"] and entry["nl"] and entry["en"], (name, code)
    assert telebib2.label("fiscal_vehicle", "15", "nl") == "Vrij Aanvullend Pensioen Zelfstandigen"
