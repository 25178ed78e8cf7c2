"""The 66/67 annuity coefficients derived from the Belgian mortality tables (engine/mortality.py) and their file.

The decision tested here: only the table + rate + payment timing method counts, no fitted age correction. It
reproduces the published plain values within 0.5 % (monthly in arrears at 4.7619 %), so plain gets 66 and 67,
marked derived; it does not reproduce the indexed, reversible and indexed-reversible values, which stay null for
66 and 67 (the broker is asked for them). The fit with age corrections is in the file as a comparison only,
marked not used.

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
    CALIBRATED,
    DERIVED_PATH,
    METHOD,
    OPTIONS,
    TABLES,
    TIMINGS,
    TOLERANCE,
    coefficient,
    derive,
    joint_life_annuity,
    life_annuity,
    reversible_annuity,
)

# Com.IB 59/61-64 via taximize.be (see the module docstring): plain, indexed (2 %), reversible (80 %), both.
PUBLISHED: dict[int, dict[str, float | None]] = {
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
PLAIN_VALUES = [(age, value) for age, option, value in PUBLISHED_VALUES if option == "plain"]
OTHERS = ("indexed", "reversible", "indexed_reversible")


@pytest.fixture(scope="module")
def derived_file():
    return json.loads(DERIVED_PATH.read_text())


@pytest.fixture(scope="module")
def computed():
    return derive()


def test_the_published_figures_here_are_those_the_engine_reads_from_the_rules():
    assert mortality.published() == PUBLISHED


def test_the_method_kept_is_table_rate_and_timing_only_with_no_age_correction():
    assert METHOD.pensioner_age_correction == 0.0
    assert METHOD.spouse_age_correction == 0.0
    assert (METHOD.pensioner_table, METHOD.spouse_table) == ("MR", "FR")
    assert METHOD.timing == "monthly_in_arrears"
    assert METHOD.rate == 0.047619


def test_choosing_again_finds_the_method_kept():
    # for each timing the rate fitted on plain; kept: the timing with the smallest worst error on plain
    found = mortality.choose_method()
    assert found.timing == METHOD.timing
    assert abs(found.rate - METHOD.rate) < 1e-6
    assert found.pensioner_age_correction == found.spouse_age_correction == 0.0


def test_the_timing_kept_has_the_smallest_worst_plain_error_of_the_four(derived_file):
    by_timing = derived_file["rate_and_timing_only"]["by_timing"]
    assert set(by_timing) == set(TIMINGS)
    worst = {timing: float(row["max_relative_error"]["plain"]) for timing, row in by_timing.items()}
    assert min(worst, key=lambda t: worst[t]) == METHOD.timing
    assert by_timing[METHOD.timing]["rate"] == derived_file["rate"]


@pytest.mark.parametrize(("age", "value"), PLAIN_VALUES)
def test_table_rate_and_timing_reproduce_each_published_plain_value_within_half_a_percent(age, value):
    assert abs(coefficient("plain", age) / value - 1) <= TOLERANCE


@pytest.mark.parametrize("option", OTHERS)
def test_table_rate_and_timing_do_not_reproduce_the_other_options(derived_file, option):
    errors = [abs(coefficient(option, age) / row[option] - 1) for age, row in PUBLISHED.items()]
    assert max(errors) > TOLERANCE
    assert derived_file["fit"][option]["reproduced"] is False
    assert float(derived_file["fit"][option]["max_relative_error"]) > TOLERANCE


def test_no_timing_reproduces_the_other_options_without_an_age_correction(derived_file):
    for timing, result in derived_file["rate_and_timing_only"]["by_timing"].items():
        errors = result["max_relative_error"]
        assert all(float(errors[o]) > TOLERANCE for o in OTHERS), timing


def test_the_file_is_what_the_code_computes(derived_file, computed):
    assert derived_file == computed


def test_the_file_says_what_it_is(derived_file):
    assert derived_file["status"] == "derived"
    assert derived_file["verified"] is False
    assert derived_file["timing"] == "monthly_in_arrears"
    assert derived_file["rate"] == "0.047619"
    assert derived_file["age_correction"] == {"pensioner": "0.000", "spouse": "0.000"}
    assert "no age correction" in derived_file["method"]
    assert derived_file["fit"]["plain"]["reproduced"] is True
    assert derived_file["fit"]["plain"]["used_in_fit"] is True
    assert float(derived_file["fit"]["plain"]["max_relative_error"]) <= TOLERANCE
    table = derived_file["table"]
    assert {"name", "parameters", "source", "url", "published"} <= set(table)
    assert table["published"] == "2003-11-14"
    assert table["url"].startswith("https://")
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


def test_plain_for_66_and_67_is_a_4_decimal_string_below_the_age_65_value_and_decreasing(derived_file):
    at_66 = derived_file["by_age"]["66"]["plain"]
    at_67 = derived_file["by_age"]["67"]["plain"]
    assert isinstance(at_66, str) and isinstance(at_67, str)
    for text in (at_66, at_67):
        assert len(text.split(".")[1]) == 4
    assert 0 < float(at_67) < float(at_66) < PUBLISHED[65]["plain"]
    # a year older removes at most a few per cent of the capital (65 → 64 is 2.7 % for plain)
    assert float(at_66) > 0.95 * PUBLISHED[65]["plain"]
    assert float(at_67) > 0.95 * float(at_66)
    assert (at_66, at_67) == ("11.0901", "10.7767")


@pytest.mark.parametrize("age", ["66", "67"])
@pytest.mark.parametrize("option", OTHERS)
def test_the_options_not_reproduced_are_null_for_66_and_67(derived_file, age, option):
    assert derived_file["by_age"][age][option] is None


def test_the_options_not_reproduced_are_listed_to_ask_the_broker(derived_file):
    section = derived_file["not_reproduced"]
    assert section["options"] == list(OTHERS)
    assert "broker" in section["note"]


def test_the_kept_file_has_null_exactly_where_an_option_is_not_reproduced(derived_file):
    for option in OPTIONS:
        for age in ("66", "67"):
            assert (derived_file["by_age"][age][option] is None) == (not derived_file["fit"][option]["reproduced"])


def test_the_choice_among_timings_that_reproduce_plain_moves_66_and_67_by_little(derived_file):
    spread = derived_file["rate_and_timing_only"]["plain_range_over_timings_that_reproduce_plain"]
    assert METHOD.timing in spread["timings"]
    for age in ("66", "67"):
        low, high = float(spread[age]["min"]), float(spread[age]["max"])
        assert low <= float(derived_file["by_age"][age]["plain"]) <= high
        assert high / low - 1 < 0.015


def test_a_method_that_reproduces_an_option_gives_it_a_value():
    # derive() gives values exactly to the options its method reproduces: with the fitted age corrections all
    # four would be reproduced (which is why that method is kept as a comparison only, never for the file)
    data = derive(method=CALIBRATED)
    for option in OPTIONS:
        assert data["fit"][option]["reproduced"] is True
        assert data["by_age"]["66"][option] is not None


# --- the comparison with fitted age corrections: present, marked not used ---


def test_the_age_corrected_comparison_is_present_and_marked_not_used(derived_file):
    section = derived_file["with_fitted_age_corrections"]
    assert section["used"] is False
    assert section["note"].startswith("Not used: the age corrections are fitted, no source states them")
    assert section["rate"] == "0.047234"
    assert section["timing"] == "annual_in_advance"
    assert section["age_correction"] == {"pensioner": "1.922", "spouse": "5.065"}
    assert set(section["by_age"]) == {"66", "67"}
    for option in OPTIONS:
        assert section["fit"][option]["reproduced"] is True
        assert float(section["fit"][option]["max_relative_error"]) <= 0.002
    assert set(section["timings_compared"]) == set(TIMINGS)


def test_the_age_corrected_values_are_not_the_ones_in_by_age(derived_file):
    section = derived_file["with_fitted_age_corrections"]
    for age in ("66", "67"):
        assert section["by_age"][age]["plain"] != derived_file["by_age"][age]["plain"]
        for option in OTHERS:
            assert section["by_age"][age][option] is not None and derived_file["by_age"][age][option] is None


def test_calibrating_again_finds_the_comparison_method():
    found = mortality.calibrate()
    assert found.timing == CALIBRATED.timing
    assert abs(found.rate - CALIBRATED.rate) < 1e-5
    assert abs(found.pensioner_age_correction - CALIBRATED.pensioner_age_correction) < 0.005
    assert abs(found.spouse_age_correction - CALIBRATED.spouse_age_correction) < 0.005


def test_the_age_62_plain_misprint_reads_about_12_31():
    # printed 12.2100, out of sequence; the method kept gives 12.31, as the rules' note supposes
    assert abs(coefficient("plain", 62) - 12.31) < 0.01


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
