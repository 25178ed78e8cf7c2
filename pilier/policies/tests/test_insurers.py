import json

import pytest
from django.utils import translation
from hypothesis import example, given
from hypothesis import strategies as st
from stdnum.be import vat

from pilier.policies.insurers import (
    DATA_FILE,
    LANGUAGES,
    NORMALISERS,
    Insurer,
    InvalidPolicyNumber,
    PolicyNumber,
    insurer,
    insurer_choices,
    insurers,
    normalise_policy_number,
    policy_number_key,
)

CODES = [item.code for item in insurers()]


# ── The table ────────────────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("code", ["AG", "ALLIANZ", "ATHORA", "AXA", "BALOISE", "ERGO", "NN", "VIVIUM", "OTHER"])
def test_the_api_codes_of_the_insurers_in_the_domain_exist(code):
    assert insurer(code).code == code


def test_every_insurer_in_the_file_has_every_field():
    fields = {"code", "name", "enterprise_number", "number_format", "example", "hint", "source"}
    for row in json.loads(DATA_FILE.read_text(encoding="utf-8")):
        assert set(row) - {"display_name"} == fields, row.get("code")
        assert row["code"] and row["code"] == row["code"].upper() and len(row["code"]) <= 20
        assert row["name"] and row["source"]
        assert row["number_format"] in NORMALISERS


@pytest.mark.parametrize("code", CODES)
def test_every_insurer_has_a_hint_in_french_dutch_and_english(code):
    hint = insurer(code).hint
    assert set(hint) == set(LANGUAGES)
    assert all(sentence.strip() for sentence in hint.values())


@pytest.mark.parametrize("code", CODES)
def test_every_example_is_already_written_the_insurers_way(code):
    company = insurer(code)
    if company.example:
        assert normalise_policy_number(code, company.example).number == company.example


@pytest.mark.parametrize("code", CODES)
def test_every_enterprise_number_is_a_valid_one_written_with_dots(code):
    number = insurer(code).enterprise_number
    if number is not None:
        assert len(number) == 12 and number[4] == number[8] == "."
        assert vat.is_valid(number.replace(".", ""))


def test_codes_are_unique_and_looked_up_in_any_case():
    assert len(CODES) == len(set(CODES))
    assert insurer("nn") is insurer("NN") is insurer(" Nn ")
    with pytest.raises(KeyError):
        insurer("NOPE")


def test_the_choices_follow_the_file_order_with_other_last():
    with translation.override("en"):
        choices = insurer_choices()
    assert [code for code, _name in choices] == CODES
    assert choices[-1] == ("OTHER", "Other insurer")
    assert dict(choices)["AXA"] == "AXA Belgium"


@pytest.mark.parametrize(
    ("language", "other", "vivium", "kbc"),
    [
        ("fr", "Autre assureur", "Vivium (groupe P&V)", "KBC Assurances"),
        ("nl", "Andere verzekeraar", "Vivium (P&V-groep)", "KBC Verzekeringen"),
        ("en", "Other insurer", "Vivium (P&V group)", "KBC Verzekeringen / KBC Assurances"),
    ],
)
def test_the_choices_name_each_insurer_in_the_readers_language(language, other, vivium, kbc):
    with translation.override(language):
        choices = dict(insurer_choices())
    assert (choices["OTHER"], choices["VIVIUM"], choices["KBC"]) == (other, vivium, kbc)
    assert choices["AXA"] == "AXA Belgium"  # one name in every language


def test_a_display_name_gives_every_language_and_matching_keeps_the_data_name():
    for row in json.loads(DATA_FILE.read_text(encoding="utf-8")):
        if "display_name" in row:
            assert set(row["display_name"]) == set(LANGUAGES), row["code"]
    assert insurer("KBC").name == "KBC Verzekeringen / KBC Assurances"  # what files are matched on
    assert insurer("KBC").name_in("nl-be") == "KBC Verzekeringen"


def test_the_table_is_loaded_once():
    assert insurers()[0] is insurers()[0]


def test_an_insurer_can_be_hashed_and_compared():
    assert insurer("AG") == insurer("ag")
    assert len({insurer("AG"), insurer("NN"), insurer("AG")}) == 2


def test_a_hint_falls_back_to_french():
    nn = insurer("NN")
    assert nn.hint_in("en") == "Written 300-0000256: three digits, a dash, seven digits."
    assert nn.hint_in("nl-be") == nn.hint["nl"]
    assert nn.hint_in("de") == nn.hint_in("") == nn.hint_in(None) == nn.hint["fr"]


def test_a_new_insurer_with_a_known_format_is_only_data():
    # The normaliser is found through the insurer's number_format, not its code.
    twin = Insurer("NN2", "NN twin", None, "nn", "300-0000256", {"fr": "f"}, "test")
    assert NORMALISERS[twin.number_format]("3000000256") == "300-0000256"


# ── Each format ──────────────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("typed", ["3000000256", "300 0000256", "300-0000256", "300.0000256", " 300/000 0256 "])
def test_nn_numbers_get_their_dash(typed):
    assert normalise_policy_number("NN", typed) == PolicyNumber("300-0000256", "3000000256")


@pytest.mark.parametrize("typed", ["300-000025", "300-00002561", "30O-0000256", "300-0000256-01"])
def test_an_nn_number_needs_ten_digits(typed):
    with pytest.raises(InvalidPolicyNumber) as refused:
        normalise_policy_number("NN", typed)
    assert refused.value.reason == "format"


def test_plain_ag_numbers_stay_plain():
    assert normalise_policy_number("AG", "11356861") == PolicyNumber("11356861", "11356861")
    assert normalise_policy_number("AG", "11 356 861") == PolicyNumber("11356861", "11356861")
    assert normalise_policy_number("ag", "ab 123") == PolicyNumber("AB123", "AB123")


@pytest.mark.parametrize("typed", ["003123456762", "003-1234567-62", "003 1234567 62", "003.1234567.62"])
def test_ag_new_platform_numbers_are_written_like_a_bank_account(typed):
    assert normalise_policy_number("AG", typed) == PolicyNumber("003-1234567-62", "003123456762")


@pytest.mark.parametrize("typed", ["330021091R02", "330021091 r02", "330021091-r02", "330021091/R02", "330021091-R02"])
def test_ergo_numbers_join_main_account_and_sub_account_with_a_dash(typed):
    assert normalise_policy_number("ERGO", typed) == PolicyNumber("330021091-R02", "330021091R02")


@pytest.mark.parametrize("typed", ["330021091", "330 021 091", "330021091-02"])
def test_an_ergo_number_without_its_sub_account_is_refused(typed):
    with pytest.raises(InvalidPolicyNumber) as refused:
        normalise_policy_number("ERGO", typed)
    assert refused.value.reason == "sub_account_missing"


@pytest.mark.parametrize("typed", ["R02", "330021091-RR02", "330021091-R", "33A021091-R02"])
def test_an_ergo_number_of_another_shape_is_refused(typed):
    with pytest.raises(InvalidPolicyNumber) as refused:
        normalise_policy_number("ERGO", typed)
    assert refused.value.reason == "format"


@pytest.mark.parametrize("typed", ["BCUD0391210600", "bcud 0391 2106 00", " BCUD0391210600 "])
def test_allianz_numbers_are_upper_case_without_spaces(typed):
    assert normalise_policy_number("ALLIANZ", typed) == PolicyNumber("BCUD0391210600", "BCUD0391210600")


@pytest.mark.parametrize("typed", ["BCUD0391210601", "BCUD03912106", "BCUD0391210600X"])
def test_an_allianz_number_must_end_with_00(typed):
    with pytest.raises(InvalidPolicyNumber) as refused:
        normalise_policy_number("ALLIANZ", typed)
    assert refused.value.reason == "must_end_with_00"


@pytest.mark.parametrize(
    "typed", ["010113849770", "010.113.849.770", "010 113 849 770", "010-113-849-770", "AX010113849770"]
)
def test_axa_numbers_are_written_in_groups_of_three(typed):
    assert normalise_policy_number("AXA", typed) == PolicyNumber("010.113.849.770", "010113849770")


@pytest.mark.parametrize("typed", ["01011384977", "0101138497701", "010.113.849.77O", "010113849770AX"])
def test_an_axa_number_needs_twelve_digits(typed):
    with pytest.raises(InvalidPolicyNumber) as refused:
        normalise_policy_number("AXA", typed)
    assert refused.value.reason == "format"


@pytest.mark.parametrize("sent", ["AX010113849770", "ax010113849770", "AXA-010.113.849.770", "99010113849770"])
def test_axas_internal_prefix_is_not_part_of_the_key(sent):
    assert policy_number_key("AXA", sent) == "010113849770"
    assert policy_number_key("AXA", sent) == normalise_policy_number("AXA", "010.113.849.770").key


@pytest.mark.parametrize(
    ("code", "typed", "number", "key"),
    [
        ("ATHORA", "gv 172328", "GV172328", "GV172328"),
        ("BALOISE", "1a06708", "1A06708", "1A06708"),
        ("VIVIUM", "5500279745", "5500279745", "5500279745"),
        ("VIVIUM", "55 0027 9745", "5500279745", "5500279745"),
        ("ETHIAS", "ab-12/3.4", "AB-12/3.4", "AB1234"),
        ("OTHER", "x 1", "X1", "X1"),
    ],
)
def test_generic_numbers_are_upper_case_without_spaces_and_keyed_without_punctuation(code, typed, number, key):
    assert normalise_policy_number(code, typed) == PolicyNumber(number, key)


# ── Refusals common to all ───────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize(
    ("typed", "reason"),
    [("", "empty"), ("   ", "empty"), (None, "empty"), ("12#34", "characters"), ("12_34", "characters")],
)
def test_empty_text_and_strange_characters_are_refused_for_every_insurer(code, typed, reason):
    with pytest.raises(InvalidPolicyNumber) as refused:
        normalise_policy_number(code, typed)
    assert refused.value.reason == reason


@pytest.mark.parametrize("typed", ["Ω1234", "１２３", "12\x0034", "٣٠٠٠٠٠٠٠٢٥٦"])
def test_letters_and_digits_are_the_latin_ones(typed):
    with pytest.raises(InvalidPolicyNumber) as refused:
        normalise_policy_number("OTHER", typed)
    assert refused.value.reason == "characters"


def test_text_with_only_separators_is_refused():
    with pytest.raises(InvalidPolicyNumber) as refused:
        normalise_policy_number("OTHER", " - . / ")
    assert refused.value.reason == "format"


def test_an_unknown_insurer_is_a_key_error():
    with pytest.raises(KeyError):
        normalise_policy_number("NOPE", "123")
    with pytest.raises(KeyError):
        policy_number_key("NOPE", "123")


@pytest.mark.parametrize(
    ("code", "typed", "reason"),
    [
        ("NN", "123", "format"),
        ("ERGO", "330021091", "sub_account_missing"),
        ("ALLIANZ", "BCUD0391210601", "must_end_with_00"),
        ("AXA", "123", "format"),
        ("OTHER", "", "empty"),
        ("AG", "1;2", "characters"),
    ],
)
def test_a_refusal_carries_the_insurer_and_its_hint_in_three_languages(code, typed, reason):
    with pytest.raises(InvalidPolicyNumber) as refused:
        normalise_policy_number(code, typed)
    error = refused.value
    assert isinstance(error, ValueError)
    assert error.insurer is insurer(code) and error.reason == reason
    assert reason in str(error)
    for language in LANGUAGES:
        assert error.insurer.hint_in(language) == insurer(code).hint[language]
    if insurer(code).example:
        assert insurer(code).example in error.insurer.hint_in("fr")


# ── Keys of numbers as insurers send them ────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("code", "sent", "key"),
    [
        ("NN", "3000000256", "3000000256"),
        ("NN", "300-0000256", "3000000256"),
        ("ERGO", "330021091R02", "330021091R02"),
        ("ERGO", "330021091-R02", "330021091R02"),
        ("AG", "003-1234567-62", "003123456762"),
        ("ALLIANZ", "BCUD0391210600", "BCUD0391210600"),
        ("BALOISE", " 1A06708", "1A06708"),
    ],
)
def test_numbers_as_insurers_send_them_meet_the_brokers_key(code, sent, key):
    assert policy_number_key(code, sent) == key


def test_the_key_does_not_apply_the_display_rules():
    assert policy_number_key("ERGO", "330021091") == "330021091"
    assert policy_number_key("NN", "30000002") == "30000002"
    assert policy_number_key("AXA", "AX123") == "AX123"


@pytest.mark.parametrize("sent", ["", "  ", None, " - "])
def test_the_key_of_nothing_is_refused(sent):
    with pytest.raises(InvalidPolicyNumber) as refused:
        policy_number_key("NN", sent)
    assert refused.value.reason == "empty"


# ── Properties ───────────────────────────────────────────────────────────────────────────────────────────────

# Text that looks like policy numbers more often than random text does, plus random text.
number_like = st.one_of(
    st.text(alphabet="0123456789AXRabrx .-/", max_size=20),
    st.from_regex(r" ?[A-Za-z]{0,3}[ .\-/]?[0-9]{3}[ .\-/]?[0-9]{3,9}[ .\-/]?[A-Za-z]?[0-9]{0,3} ?", fullmatch=True),
    # close to NN (10 digits), AXA (12 digits, maybe a prefix) and Ergo (a sub-account) numbers
    st.from_regex(
        r"([A-Za-z]{1,2})?[0-9]{3}[ .-]?[0-9]{3}[ .-]?[0-9]{3}[ .-]?[0-9]{1,3}([ ./-]?[A-Za-z][0-9]{2})?",
        fullmatch=True,
    ),
    st.text(max_size=20),
)


@given(code=st.sampled_from(CODES), typed=number_like)
@example(code="AXA", typed="AX010113849770")
@example(code="AG", typed="003 1234567 62")
@example(code="ERGO", typed="330021091 r02")
def test_a_normalised_number_is_normalised_again_to_itself_with_the_same_key(code, typed):
    try:
        first = normalise_policy_number(code, typed)
    except InvalidPolicyNumber:
        return
    assert normalise_policy_number(code, first.number) == first
    assert policy_number_key(code, first.number) == first.key
    assert policy_number_key(code, typed) == first.key
    assert first.number and first.key
    assert first.number == first.number.strip() and first.key.isalnum() and first.key == first.key.upper()


@given(code=st.sampled_from(CODES), sent=st.text(max_size=30))
def test_the_key_of_any_text_is_computed_or_refused_as_empty(code, sent):
    try:
        key = policy_number_key(code, sent)
    except InvalidPolicyNumber as error:
        assert error.reason == "empty"
        return
    assert key and key.isascii() and key.isalnum() and key == key.upper()
