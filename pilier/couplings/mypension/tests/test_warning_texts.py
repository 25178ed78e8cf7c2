from decimal import Decimal

from django.utils import translation

from pilier.couplings.mypension.parser import parse
from pilier.couplings.mypension.tests import pdfs
from pilier.couplings.mypension.warning_texts import TEXTS, warning_text


def test_every_warning_of_the_parser_has_a_sentence():
    fake = pdfs.sample_dossier("fr", total_offset=Decimal("1.00"))
    for warning in parse(pdfs.dossier_pdf(fake)).warnings:
        assert warning.code in TEXTS
        with translation.override("fr"):
            text = warning_text(warning.code, warning.params)
        assert "%(" not in text and "self_employed" not in text and "1286933.70" not in text


def test_it_says_a_total_mismatch_with_belgian_amounts():
    with translation.override("en"):
        text = warning_text("total_mismatch", {"part": "employee", "printed": "1286933.70", "computed": "1286833.70"})
    assert text == (
        "The total printed for the pension reserves as an employee (€1,286,933.70) is not the sum of the plans "
        "(€1,286,833.70)."
    )


def test_an_unknown_code_or_missing_params_never_show_a_code():
    assert "%(" not in warning_text("something_new", {})
    assert "%(" not in warning_text("unknown_plan_label", {})
