import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pilier.clients.identifiers import (
    PLACEHOLDER,
    InvalidNationalNumber,
    clean_enterprise_number,
    national_number_for,
    parse_national_number,
)


@pytest.mark.parametrize("typed", ["85.07.30-033.28", "85073003328", "850730 033 28", "85-07-30.033.28"])
def test_it_accepts_a_national_number_in_any_usual_writing(typed):
    number = parse_national_number(typed)
    assert number.formatted == "85.07.30-033.28"
    assert number.birth_date == datetime.date(1985, 7, 30)
    assert number.gender == "M"
    assert not number.provisional


def test_it_takes_the_placeholder_as_provisional():
    number = parse_national_number("99999999999")
    assert number.formatted == PLACEHOLDER
    assert number.provisional and number.birth_date is None


@pytest.mark.parametrize(
    ("typed", "reason"),
    [("85073003329", "checksum"), ("8507300332", "length"), ("85A73003328", "format"), ("", "length")],
)
def test_it_refuses_a_bad_national_number(typed, reason):
    with pytest.raises(InvalidNationalNumber, match=reason):
        parse_national_number(typed)


def test_it_uses_the_2000_rule_for_births_from_2000():
    number = parse_national_number(national_number_for(datetime.date(2003, 2, 14), 42))
    assert number.birth_date == datetime.date(2003, 2, 14)
    assert number.gender == "F"


def test_it_accepts_a_bis_number_with_unknown_sex():
    body = "852730003"  # month 07 + 20: BIS, sex unknown
    bis = body + f"{97 - int(body) % 97:02d}"
    number = parse_national_number(bis)
    assert number.formatted == "85.27.30-003.04"
    assert number.birth_date == datetime.date(1985, 7, 30)
    assert number.gender is None


@given(st.dates(datetime.date(1901, 1, 1), datetime.date(2025, 12, 31)), st.integers(1, 997))
def test_every_generated_national_number_reads_back(born, serial):
    number = parse_national_number(national_number_for(born, serial).replace(".", "").replace("-", ""))
    assert number.birth_date == born
    assert number.gender == ("M" if serial % 2 else "F")


def test_it_formats_and_checks_enterprise_numbers():
    assert clean_enterprise_number("0403170701") == "0403.170.701"
    assert clean_enterprise_number("BE 0403.170.701") == "0403.170.701"
    with pytest.raises(ValueError):
        clean_enterprise_number("0403.170.702")
