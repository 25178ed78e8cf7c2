import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pilier.couplings.mypension.tests.pdfs import amount
from pilier.couplings.mypension.values import read_amount, read_date, read_enterprise_number

amounts = st.decimals(min_value=Decimal("-99999999.99"), max_value=Decimal("999999999.99"), places=2)
separators = st.sampled_from([".", " ", "\u00a0", "\u202f", ""])
euros = st.sampled_from(["€", "", "EUR", "\ufffd", "(cid:128)", "\x80", "â‚¬"])


@given(amounts, separators, euros)
def test_every_belgian_writing_of_an_amount_reads_back(value, separator, euro):
    assert read_amount(amount(value, separator, euro)) == value


@given(amounts, separators)
def test_the_euro_sign_may_follow_without_a_space(value, separator):
    assert read_amount(amount(value, separator, "") + "€") == value


@pytest.mark.parametrize(
    "text, value",
    [
        ("39.391,76 €", "39391.76"),
        ("39 391,76 €", "39391.76"),
        ("39\u00a0391,76\u00a0€", "39391.76"),
        ("39\u202f391,76 €", "39391.76"),
        ("0,00 €", "0.00"),
        ("1.234.567,89 €", "1234567.89"),
        ("12 345 678,00", "12345678.00"),
    ],
)
def test_it_reads_the_writings_of_the_files(text, value):
    assert read_amount(text) == Decimal(value)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "€",
        "39.391,7 €",  # one decimal
        "39.391 €",  # no decimals
        "39,391.76",  # English writing
        "39.39,76",  # a group of two
        "39.391 234,00",  # two kinds of separator
        "1234.567,00",  # a first group of four
        "39391.76",
        "0123,00",
        "12,34 € 56",
        "12,34 $",
        "douze euros",
        "1,2,3,00",
    ],
)
def test_it_refuses_what_is_no_amount(text):
    with pytest.raises(ValueError):
        read_amount(text)


@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=30))
def test_garbage_is_refused_or_read_as_written(text):
    """Whatever the text, either it is refused or it is one of the writings (never a part of it)."""
    try:
        value = read_amount(text)
    except ValueError:
        return
    digits = "".join(c for c in text if c.isdigit())
    assert digits.lstrip("0") == f"{abs(value):.2f}".replace(".", "").lstrip("0")


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31)), st.sampled_from("/.-"))
def test_every_date_reads_back(day, separator):
    assert read_date(f"{day.day:02d}{separator}{day.month:02d}{separator}{day.year}") == day


@pytest.mark.parametrize("text", ["", "31/02/2026", "2026-01-01", "1/1/26", "01/13/2026", "01/01/2026 x", "00/01/2026"])
def test_it_refuses_what_is_no_date(text):
    with pytest.raises(ValueError):
        read_date(text)


@pytest.mark.parametrize("text", ["0404.483.367", "404.483.367", "BE 0404483367", "BE0404.483.367", "0404 483 367"])
def test_it_writes_enterprise_numbers_one_way(text):
    assert read_enterprise_number(text) == "0404.483.367"


@pytest.mark.parametrize("text", ["", "0404.483", "ACME", "0404.483.367.1"])
def test_it_refuses_what_is_no_enterprise_number(text):
    with pytest.raises(ValueError):
        read_enterprise_number(text)
