"""The 66/67 annuity coefficients derived from the Belgian mortality tables (engine/mortality.py) and their file.

The published figures below are the Com.IB 59/61-64 conversion coefficients (capital per euro of yearly
annuity, by age at the end of the contract), as reproduced on taximize.be, 'coëfficiënten voor omzetting rente
naar kapitaal' (2007), http://www.taximize.be/coefficients.html — the same figures as common.json
`annuity_coefficients` (unverified: the Com.IB itself was not seen). Age 62 plain is printed 12.2100 there, out of
sequence, and is left out.
"""

import json

import pytest

from pilier.analysis.engine import mortality
from pilier.analysis.engine.mortality import (
    DERIVED_PATH,
    METHOD,
    OPTIONS,
    TABLES,
    TOLERANCE,
    Method,
    coefficient,
    derive,
    joint_life_annuity,
    life_annuity,
    reversible_annuity,
)

# Com.IB 59/61-64 via taximize.be (see the module docstring): plain, indexed (2 %), reversible (80 %), both.
PUBLISHED = {
    60: {"plain": 12.9130, "indexed": 15.6389, "reversible": 14.8470, "indexed_reversible": 18.3749},
    61: {"plain": 12.6137, "indexed": 15.1980, "reversible": 14.5651, "indexed_reversible": 17.9277},
    62: {"plain": None, "indexed": 14.7559, "reversible": 14.2764, "indexed_reversible": 17.4763},
    63: {"plain": 12.0023, "indexed": 14.3133, "reversible": 13.9810, "indexed_reversible": 17.0209},
    64: {"plain": 11.6908, "indexed": 13.8705, "reversible": 13.6791, "indexed_reversible": 16.5621},
    65: {"plain": 11.3761, "indexed": 13.4282, "reversible": 13.3711, "indexed_reversible": 16.1004},
}
PUBLISHED_VALUES = [
    (age, option, value) for age, row in PUBLISHED.items() for option, value in row.items() if value is not None
]


@pytest.fixture(scope="module")
def derived_file():
    return json.loads(DERIVED_PATH.read_text())


@pytest.fixture(scope="module")
def computed():
    return derive()


def test_the_published_figures_here_are_those_the_engine_reads_from_the_rules():
    assert mortality.published() == PUBLISHED


@pytest.mark.parametrize(("age", "option", "value"), PUBLISHED_VALUES)
def test_the_method_reproduces_each_published_value_it_claims_within_half_a_percent(derived_file, age, option, value):
    assert derived_file["fit"][option]["reproduced"] is True  # every option is claimed: each value must hold
    assert abs(coefficient(option, age) / value - 1) <= TOLERANCE


@pytest.mark.parametrize(("age", "option", "value"), PUBLISHED_VALUES)
def test_the_fit_is_in_fact_within_two_per_mille_even_for_the_options_left_out_of_the_calibration(age, option, value):
    # plain and reversible were fitted; indexed and indexed_reversible were not, and hold all the same
    assert abs(coefficient(option, age) / value - 1) <= 0.002


def test_the_file_is_what_the_code_computes(derived_file, computed):
    assert derived_file == computed


def test_the_file_says_what_it_is(derived_file):
    assert derived_file["status"] == "derived"
    assert derived_file["verified"] is False
    assert derived_file["timing"] == "annual_in_advance"
    assert derived_file["rate"] == "0.047234"
    table = derived_file["table"]
    assert {"name", "parameters", "source", "url", "published"} <= set(table)
    assert table["parameters"]["MR"] == {
        "k": "1000266.63",
        "s": "0.999441703848",
        "g": "0.999733441115",
        "c": "1.101077536030",
    }
    assert table["verified"] is False  # the constants were read in public copies, not in the annex itself
    assert set(derived_file["by_age"]) == {"66", "67"}


def test_the_table_parameters_in_the_file_are_those_the_code_uses(derived_file):
    for name, params in derived_file["table"]["parameters"].items():
        table = TABLES[name]
        assert (table.k, table.s, table.g, table.c) == tuple(float(params[p]) for p in "ksgc")


def test_calibrating_again_finds_the_method_kept():
    found = mortality.calibrate()
    assert found.timing == METHOD.timing
    assert abs(found.rate - METHOD.rate) < 1e-5
    assert abs(found.pensioner_age_correction - METHOD.pensioner_age_correction) < 0.005
    assert abs(found.spouse_age_correction - METHOD.spouse_age_correction) < 0.005


def test_only_yearly_in_advance_reproduces_the_options_left_out_of_the_fit(derived_file):
    for timing, result in derived_file["timings_compared"]["by_timing"].items():
        worst = max(float(result["max_relative_error"][o]) for o in ("indexed", "indexed_reversible"))
        assert (worst <= TOLERANCE) == (timing == "annual_in_advance"), timing


def test_without_an_age_correction_the_rate_and_timing_alone_do_not_reproduce_the_other_options(derived_file):
    for timing, result in derived_file["rate_and_timing_only"]["by_timing"].items():
        errors = result["max_relative_error"]
        assert all(float(errors[o]) > TOLERANCE for o in ("indexed", "reversible", "indexed_reversible")), timing


@pytest.mark.parametrize("option", OPTIONS)
def test_every_derived_value_is_a_4_decimal_string_below_the_age_65_value_and_decreasing(derived_file, option):
    at_66 = derived_file["by_age"]["66"][option]
    at_67 = derived_file["by_age"]["67"][option]
    assert at_66 is not None and at_67 is not None
    for text in (at_66, at_67):
        assert len(text.split(".")[1]) == 4
    assert 0 < float(at_67) < float(at_66) < PUBLISHED[65][option]
    # a year older removes at most a few per cent of the capital (65 → 64 is 2.7 % for plain)
    assert float(at_66) > 0.95 * PUBLISHED[65][option]
    assert float(at_67) > 0.95 * float(at_66)


@pytest.mark.parametrize("age", ["66", "67"])
def test_the_options_keep_their_order(derived_file, age):
    row = {k: float(v) for k, v in derived_file["by_age"][age].items()}
    assert row["plain"] < row["indexed"] < row["indexed_reversible"]
    assert row["plain"] < row["reversible"] < row["indexed_reversible"]


def test_an_option_not_reproduced_has_null():
    # the method with no age correction (monthly in arrears at the best plain rate, 4.762 %) reproduces the
    # plain values only: the other options get null, never a number
    strict = Method(rate=0.04762, timing="monthly_in_arrears")
    data = derive(method=strict)
    assert data["fit"]["plain"]["reproduced"] is True
    for option in ("indexed", "reversible", "indexed_reversible"):
        assert data["fit"][option]["reproduced"] is False
        assert data["by_age"]["66"][option] is None and data["by_age"]["67"][option] is None
    assert data["by_age"]["66"]["plain"] is not None


def test_the_kept_file_has_null_exactly_where_an_option_is_not_reproduced(derived_file):
    for option in OPTIONS:
        for age in ("66", "67"):
            assert (derived_file["by_age"][age][option] is None) == (not derived_file["fit"][option]["reproduced"])


def test_the_age_62_plain_misprint_reads_about_12_31():
    # printed 12.2100, out of sequence; the method gives 12.31, as the rules' note supposes
    assert abs(coefficient("plain", 62) - 12.31) < 0.005


# --- the annuity functions themselves ---


def test_an_annuity_growing_at_the_rate_sums_the_survival_probabilities():
    mr = TABLES["MR"]
    expected = sum(mr.survival(65, n) for n in range(0, 65))
    assert life_annuity(mr, 65, 0.03, growth=0.03) == pytest.approx(expected)


def test_timings_relate_as_their_formulas_say():
    mr = TABLES["MR"]
    due = life_annuity(mr, 65, 0.04)
    assert life_annuity(mr, 65, 0.04, timing="annual_in_arrears") == pytest.approx(due - 1)
    assert life_annuity(mr, 65, 0.04, timing="monthly_in_advance") == pytest.approx(due - 11 / 24)
    assert life_annuity(mr, 65, 0.04, timing="monthly_in_arrears") == pytest.approx(due - 13 / 24)
    with pytest.raises(ValueError):
        life_annuity(mr, 65, 0.04, timing="weekly")


def test_a_joint_life_annuity_is_below_each_single_one_and_reversion_adds_to_the_pensioner():
    mr, fr = TABLES["MR"], TABLES["FR"]
    a_x, a_y = life_annuity(mr, 65, 0.04), life_annuity(fr, 65, 0.04)
    a_xy = joint_life_annuity(mr, 65, fr, 65, 0.04)
    assert a_xy < min(a_x, a_y)
    assert reversible_annuity(mr, 65, fr, 65, 0.04, reversion=0.0) == pytest.approx(a_x)
    assert reversible_annuity(mr, 65, fr, 65, 0.04, reversion=1.0) == pytest.approx(a_x + a_y - a_xy)


def test_women_live_longer_than_men_on_the_tables_and_the_death_tables_are_more_prudent_for_deaths():
    mr, fr, mk = TABLES["MR"], TABLES["FR"], TABLES["MK"]
    assert fr.survival(65, 20) > mr.survival(65, 20) > mk.survival(65, 20)
    assert life_annuity(mr, 66, 0.04) < life_annuity(mr, 65, 0.04)


def test_an_unknown_option_is_refused():
    with pytest.raises(ValueError):
        coefficient("capital", 65)


@pytest.mark.parametrize("name", ["MR", "FR", "MK", "FK"])
def test_each_table_starts_from_a_million_lives_as_its_constant_k_is_chosen_to(name):
    # k · g^(c^0) = k · g = 1,000,000: a check that the four constants of each table were copied together
    assert round(TABLES[name].l(0), 2) == 1_000_000
