import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from pilier.clients.identifiers import InvalidNationalNumber, national_number_for, parse_national_number
from pilier.couplings.insurers.records import fast_national_number


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
