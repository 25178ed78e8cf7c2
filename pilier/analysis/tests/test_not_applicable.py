"""A product that does not apply says why in the terms of that product, for each social status."""

import pytest
from django.utils import translation

from pilier.analysis.engine.analysis import analyse
from pilier.analysis.labels import NOT_APPLICABLE

from .test_engine import inputs, rules_2024

# status -> product -> what the broker reads in French (None: the product applies)
EXPECTED = {
    "self_employed": {"eip": "Uniquement pour un dirigeant d'entreprise.", "cpti": None},
    "company_director": {"eip": None, "cpti": "Uniquement pour les indépendants sans société."},
    "employee": {
        "plci": "Uniquement pour les indépendants, les dirigeants d'entreprise et les conjoints aidants.",
        "eip": "Uniquement pour un dirigeant d'entreprise.",
        "cpti": "Uniquement pour les indépendants sans société.",
    },
}


@pytest.mark.parametrize("status", EXPECTED)
def test_a_product_that_does_not_apply_gives_the_reason_of_that_product(status):
    analysis = analyse(inputs(social_status=status), rules_2024())
    products = analysis.products
    with translation.override("fr"):
        for key, expected in EXPECTED[status].items():
            product = products[key]
            if expected is None:
                assert product.applicable, key
            else:
                assert not product.applicable, key
                assert str(NOT_APPLICABLE[product.reason]) == expected, (status, key)
