import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from pilier.lib.money import money


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", "1\u00a0234,56\u00a0€"), ("nl", "1.234,56\u00a0€"), ("en", "€1,234.56")],
)
def test_amounts_are_written_the_belgian_way(language, expected):
    with translation.override(language):
        assert money(Decimal("1234.56")) == expected


def test_amounts_round_half_up_and_keep_the_sign():
    with translation.override("fr"):
        assert money(Decimal("-1234567.005")) == "-1\u00a0234\u00a0567,01\u00a0€"
        assert money(None) == "—"
        assert money("0") == "0,00\u00a0€"


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_dates_are_dd_mm_yyyy_in_every_language(language):
    with translation.override(language):
        rendered = Template("{{ d|date:'SHORT_DATE_FORMAT' }}|{{ d|date }}").render(
            Context({"d": datetime.date(2026, 3, 7)})
        )
    assert rendered == "07/03/2026|07/03/2026"
