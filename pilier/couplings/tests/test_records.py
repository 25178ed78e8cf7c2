import datetime
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from pilier.clients.identifiers import InvalidNationalNumber, national_number_for, parse_national_number
from pilier.couplings.portfolio.records import fast_national_number


def slow(value):
    try:
        number = parse_national_number(value)
    except InvalidNationalNumber:
        return "invalid"
    if number.provisional:
        return None, None, None
    return number.formatted, number.formatted.replace(".", "").replace("-", ""), number.birth_date


def fast(value):
    try:
        return fast_national_number(value)
    except InvalidNationalNumber:
        return "invalid"


@settings(max_examples=1500)
@given(st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_the_fast_reading_agrees_with_python_stdnum_on_any_eleven_digits(digits):
    assert fast(digits) == slow(digits)


@settings(max_examples=500)
@given(
    st.dates(datetime.date(1901, 1, 1), datetime.date(2025, 12, 31)), st.integers(1, 997), st.sampled_from([0, 20, 40])
)
def test_the_fast_reading_agrees_on_real_nn_and_bis_numbers(born, serial, bis):
    number = national_number_for(born, serial).replace(".", "").replace("-", "")
    month = int(number[2:4]) + bis
    body = f"{number[:2]}{month:02d}{number[4:9]}"
    base = int(("2" if born.year >= 2000 else "") + body)
    candidate = f"{body}{97 - base % 97:02d}"
    for written in (candidate, f"{candidate[:2]}.{candidate[2:4]}.{candidate[4:6]}-{candidate[6:9]}.{candidate[9:]}"):
        assert fast(written) == slow(written)


def test_a_birth_in_a_year_to_come_is_refused_as_python_stdnum_does():
    born = datetime.date(datetime.date.today().year + 1, 5, 1)
    body = f"{born:%y%m%d}123"
    number = body + f"{97 - int('2' + body) % 97:02d}"
    assert fast(number) == slow(number) == "invalid"


# Values in canonical text ------------------------------------------------------------------------

import uuid  # noqa: E402

import pytest  # noqa: E402

from pilier.couplings.portfolio.records import FIELDS, RecordError, RecordReader, parse_record  # noqa: E402
from pilier.policies.insurers import insurers  # noqa: E402


@pytest.fixture(autouse=True)
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


def record_with(**values):
    raw = dict.fromkeys(FIELDS, "")
    raw.update(insurer="NN", policy_number="3000000256", type="plci", status="active", mandate="yes")
    raw.update(values)
    return parse_record(7, [raw[name] for name in FIELDS])


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("2451.50", "2451.50"),
        ("2451.5", "2451.50"),
        ("2451,5", "2451.50"),
        ("2451", "2451.00"),
        ("0100,05", "100.05"),
        ("0", "0.00"),
        ("1 234,56", "1234.56"),
        ("€ 1 234", "1234.00"),
        ("999999999999.99", "999999999999.99"),
    ],
)
def test_amounts_are_read_into_two_decimals_text(written, canonical):
    assert record_with(annual_premium=written).values[3] == canonical


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("12.345", "more than two decimals"),
        ("-5", "out of range"),
        ("1000000000000", "out of range"),
        ("12a4", "is not an amount"),
        ("١٢", "is not an amount"),  # digits, but not ours
    ],
)
def test_amounts_that_are_not_refused_with_the_reason(written, reason):
    with pytest.raises(RecordError, match=reason):
        record_with(annual_premium=written)


@pytest.mark.parametrize(
    ("written", "iso"),
    [("2026-01-31", "2026-01-31"), ("31/01/2026", "2026-01-31"), ("29/02/2024", "2024-02-29")],
)
def test_dates_are_read_into_iso_text(written, iso):
    assert record_with(start_date=written).values[1] == iso


@pytest.mark.parametrize("written", ["31/02/2026", "2026-13-01", "2026/01/31", "1/1/2026", "2026-1-31", "٢٠٢٦-٠١-٣١"])
def test_dates_that_are_not_are_refused(written):
    with pytest.raises(RecordError, match="is not a date"):
        record_with(start_date=written)


def test_a_reader_remembers_what_it_read_and_still_refuses_each_bad_value():
    reader = RecordReader()
    raw = dict.fromkeys(FIELDS, "")
    raw.update(insurer="nn", policy_number="3000000256", type="138", status="Active", start_date="01/02/2020")
    first = reader.read(2, [raw[name] for name in FIELDS])
    again = reader.read(3, [raw[name] for name in FIELDS])
    assert (first.insurer, first.type, first.values[:2]) == ("NN", "plci", ("active", "2020-02-01"))
    assert again.values == first.values and again.line == 3
    raw["start_date"] = "31/02/2020"
    for line in (4, 5):  # a bad value is never remembered as good
        with pytest.raises(RecordError, match="is not a date"):
            reader.read(line, [raw[name] for name in FIELDS])


def test_new_ids_are_random_version_4_uuids():
    from pilier.couplings.portfolio.matcher import new_id

    ids = {new_id() for _ in range(5000)}
    assert len(ids) == 5000
    for value in ids:
        parsed = uuid.UUID(value)
        assert (parsed.hex, parsed.version, parsed.variant) == (value, 4, uuid.RFC_4122)


@settings(max_examples=300)
@given(
    st.sampled_from([item.code for item in insurers()]),
    st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-./ ", min_size=1, max_size=20),
)
def test_a_records_key_is_the_policy_number_key(code, number):
    from pilier.policies.insurers import InvalidPolicyNumber, policy_number_key

    try:
        expected = policy_number_key(code, number)
    except InvalidPolicyNumber:
        expected = None
    number = number.strip()
    if not number:
        return  # "policy_number is missing"
    try:
        key = record_with(insurer=code, policy_number=number).key
    except RecordError as exc:
        assert expected is None and "not a policy number" in str(exc)
    else:
        assert key == expected


_text_or_none = st.none() | st.text()


@settings(max_examples=300)
@given(
    st.lists(st.text(), min_size=6, max_size=6),
    st.lists(_text_or_none, min_size=3, max_size=3),
    st.booleans(),
    st.lists(_text_or_none, min_size=7, max_size=7),
)
def test_the_json_of_a_records_data_is_json_dumps_of_it(texts, optional, mandate, values):
    """An unmatched record's fingerprint is the digest of that JSON: the same text as json.dumps, always."""
    from pilier.couplings.portfolio.records import PolicyValues, Record

    insurer, number, key, kind, last_name, first_name = texts
    national_number, national_digits, birth_date = optional
    record = Record(
        2, insurer, number, key, kind, national_number, national_digits, last_name, first_name, birth_date,
        mandate, PolicyValues(*values),
    )  # fmt: skip
    assert record.data_json() == json.dumps(record.as_data())
    assert list(json.loads(record.data_json())) == list(record.as_data())  # the keys, in their order
