"""Every step of every product, as the broker and the client read it in French and in Dutch: calculations said in
words, never the engine's function names (`round2(…)`, `floor0(…)`, `min(…)` …)."""

import re
from decimal import Decimal as D

import pytest
from django.utils import translation

from pilier.analysis.engine.analysis import analyse
from pilier.analysis.engine.inputs import Amount, Options
from pilier.analysis.engine.steps import _apply
from pilier.analysis.presenters import _function_formula, explain

from .test_engine import all_figures, director, policy, rules_2024

ENGINE_NAMES = re.compile(r"\b(round2|floor0|min|max|sum|growth|annuity_due)\(")


def full_file():
    return director(
        net_income={y: Amount(D("40000"), f"income {y}") for y in (2021, 2022, 2023, 2024)},
        policies=[
            policy(type_="eip", group="eip", premium="3000", reserves="20000"),
            policy(type_="plci", group="plci", premium="2000", reserves="15000", n=2),
            policy(type_="pension_savings", group="", pillar=3, premium="1000", reserves="8000", main=False, n=3),
            policy(type_="long_term_savings", group="", pillar=3, premium="900", reserves="0", main=False, n=4),
        ],
    )


@pytest.mark.parametrize("language", ["fr", "nl"])
@pytest.mark.parametrize("status", ["company_director", "self_employed"])
def test_no_step_shows_an_engine_function_name(language, status):
    file = full_file()
    file.social_status = status
    analysis = analyse(file, rules_2024(), Options(technical_rate=D("0.0175")))
    seen_functions = 0
    with translation.override(language):
        for figure in all_figures(analysis):
            for step, row in zip(figure.steps, explain(figure), strict=True):
                assert not ENGINE_NAMES.search(row["formula"]), (step.name, row["formula"])
                seen_functions += step.op not in ("input", "param", "assume", "add", "sub", "mul", "div")
    assert seen_functions > 0  # the file has rounded, bounded and grown figures to say


@pytest.mark.parametrize(
    ("op", "args", "fr", "nl"),
    [
        ("round2", ["12,345"], "12,345 arrondi au cent", "12,345 afgerond op de cent"),
        ("floor0", ["-5,00 €"], "-5,00 €, pas moins que zéro", "-5,00 €, niet minder dan nul"),
        ("min", ["1 €", "2 €"], "le plus petit de 1 €, 2 €", "het kleinste van 1 €, 2 €"),
        ("max", ["1 €", "2 €"], "le plus grand de 1 €, 2 €", "het grootste van 1 €, 2 €"),
        ("sum", ["1 €", "2 €", "3 €"], "1 € + 2 € + 3 €", "1 € + 2 € + 3 €"),
        ("growth", ["2 %", "10"], "(1 + 2 %) à la puissance 10", "(1 + 2 %) tot de macht 10"),
    ],
)
def test_a_calculation_reads_as_words_in_french_and_dutch(op, args, fr, nl):
    _apply(op, [D(1)] * len(args))  # an operation the engine has
    with translation.override("fr"):
        assert _function_formula(op, args) == fr
    with translation.override("nl"):
        assert _function_formula(op, args) == nl
