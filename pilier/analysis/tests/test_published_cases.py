"""Published cases of DOMAIN.md reproduced to the cent (long-term savings part)."""

from decimal import Decimal as D

import pytest

from pilier.analysis.engine.inputs import Amount
from pilier.analysis.engine.products import long_term_savings
from pilier.analysis.rulebook import load_rules
from pilier.analysis.tests.test_engine import inputs


@pytest.mark.parametrize(
    ("income", "expected"),
    [
        ("1000", "150.00"),  # 15 % of the first 2,040 EUR: not 183.60 + 60 = 243.60
        ("2040", "306.00"),  # both forms meet at 2,040
        ("20000", "1383.60"),  # 183.60 + 6 % x 20,000
    ],
)
def test_long_term_savings_2025_published_cases(income, expected):
    file = inputs(year=2025, net_income={2025: Amount(D(income), "income 2025")})
    product = long_term_savings(file, load_rules(2025))
    assert product.max_premium.value == D(expected)


def test_plci_2025_from_income_n3():
    from pilier.analysis.engine.products import plci

    file = inputs(year=2025, net_income={2022: Amount(D("40000"), "income 2022")})
    product = plci(file, load_rules(2025), social=False)
    assert product.max_premium.value == D("3569.74")  # 40,000 x 1.092330529 x 8.17 % (huysman.be)
