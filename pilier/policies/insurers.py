"""Insurers as data (data/insurers.json) and their policy numbers, one normaliser per number format.

A policy number has two forms:
- the display form (`PolicyNumber.number`): as the insurer writes it on the policy, e.g. NN "300-0000256";
- the matching key (`PolicyNumber.key`): what an insurer's portfolio file is matched on, e.g. "3000000256".

`normalise_policy_number` reads what a broker types and applies the insurer's display rules (it refuses what
cannot be that insurer's number). `policy_number_key` reads a number as an insurer sends it in its own data and
only computes the key (no display rules); for any number `normalise_policy_number` accepts, both give the same key.

A new insurer whose numbers follow a known format is a new entry in insurers.json; a new format is a function
registered in `NORMALISERS` (and, if its key differs from the default one, in `KEYS`).
"""

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "insurers.json"
LANGUAGES = ("fr", "nl", "en")
DEFAULT_LANGUAGE = "fr"


@dataclass(frozen=True)
class Insurer:
    code: str  # stable upper-case slug used by the API and stored on policies
    name: str  # the name as the data gives it (both languages for a bilingual company): what files are matched on
    enterprise_number: str | None  # KBO/BCE "0xxx.xxx.xxx", None when not confirmed
    number_format: str  # key of NORMALISERS
    example: str  # the display form of a policy number; "" when no format is documented for this insurer
    hint: dict[str, str] = field(hash=False)  # language -> one sentence shown beside the policy-number field
    source: str  # where the number format rule comes from
    # language -> the name a broker reads in that language ("Autre assureur", "Andere verzekeraar"); `name` in
    # every language that has none
    display_names: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    def name_in(self, language: str | None) -> str:
        """The name shown to a reader of `language` ("nl", "nl-be", ...): its own form where the data has one."""
        base = (language or "").replace("_", "-").split("-")[0].lower()
        return self.display_names.get(base) or self.name

    @property
    def display_name(self) -> str:
        """The name in the active language (Django's translation), for pages, PDFs and messages."""
        from django.utils.translation import get_language

        return self.name_in(get_language())

    def hint_in(self, language: str | None) -> str:
        """The hint in `language` ("nl", "nl-be", "en_GB", ...), in French when that language has none."""
        base = (language or "").replace("_", "-").split("-")[0].lower()
        return self.hint.get(base) or self.hint[DEFAULT_LANGUAGE]


@dataclass(frozen=True)
class PolicyNumber:
    number: str  # the display form, as the insurer writes it
    key: str  # the matching key: what an insurer's portfolio file will be matched on


class InvalidPolicyNumber(ValueError):
    """A policy number that cannot be the insurer's. `reason` is a short English code:
    "empty", "characters", "format", "sub_account_missing" (Ergo), "must_end_with_00" (Allianz)."""

    def __init__(self, insurer: Insurer, reason: str):
        super().__init__(f"{insurer.code}: {reason}")
        self.insurer = insurer
        self.reason = reason


# ── Reading the text ─────────────────────────────────────────────────────────────────────────────────────────

_ALLOWED = re.compile(r"[A-Za-z0-9./\-\s]+")  # letters, digits, space (any whitespace), ".", "-", "/"
_WHITESPACE = re.compile(r"\s+")
_SEPARATORS = re.compile(r"[\s./\-]+")
_NOT_ALPHANUMERIC = re.compile(r"[^A-Za-z0-9]+")


class _Refused(Exception):
    """Raised by a normaliser with a reason; turned into InvalidPolicyNumber with the insurer."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _checked(raw: str | None) -> str:
    """The typed text without surrounding whitespace; refuses empty text and characters outside the allowed ones."""
    text = (raw or "").strip()
    if not text:
        raise _Refused("empty")
    if not _ALLOWED.fullmatch(text):
        raise _Refused("characters")
    if not _NOT_ALPHANUMERIC.sub("", text):
        raise _Refused("format")  # only separators
    return text


def _compact(text: str) -> str:
    """Upper case, without whitespace, dots, dashes and slashes."""
    return _SEPARATORS.sub("", text).upper()


def _default_key(text: str) -> str:
    """Letters and digits only, upper case: how numbers are matched unless a format says otherwise."""
    return _NOT_ALPHANUMERIC.sub("", text).upper()


# ── Normalisers: typed text (already checked) -> display form ─────────────────────────────────────────────────


def _generic(text: str) -> str:
    """Upper case, all whitespace removed, otherwise as typed: "gv 172328" -> "GV172328"."""
    return _WHITESPACE.sub("", text).upper()


def _nn(text: str) -> str:
    """Ten digits written 3-7: "3000000256" -> "300-0000256"."""
    digits = _compact(text)
    if not re.fullmatch(r"\d{10}", digits):
        raise _Refused("format")
    return f"{digits[:3]}-{digits[3:]}"


def _ag(text: str) -> str:
    """Plain numbers stay plain; 12 digits are the new platform's bank-account form, written 3-7-2."""
    digits = _compact(text)
    if re.fullmatch(r"\d{12}", digits):
        return f"{digits[:3]}-{digits[3:10]}-{digits[10:]}"
    return _generic(text)


def _ergo(text: str) -> str:
    """Main account (digits) and sub-account (a letter and digits): "330021091 r02" -> "330021091-R02"."""
    compact = _compact(text)
    match = re.fullmatch(r"(\d+)([A-Z]\d+)", compact)
    if match:
        return f"{match[1]}-{match[2]}"
    if compact.isdigit():
        raise _Refused("sub_account_missing")
    raise _Refused("format")


def _allianz(text: str) -> str:
    """Upper case, whitespace removed; the number always ends with a double "00"."""
    number = _generic(text)
    if not _default_key(number).endswith("00"):
        raise _Refused("must_end_with_00")
    return number


_AXA_TYPED = re.compile(r"[A-Z]*(\d{12})")  # AXA's internal prefix (letters) is accepted and dropped
_AXA_SENT = re.compile(r"[A-Z0-9]*?(\d{12})")  # in AXA's data: the last 12 digits, whatever precedes them


def _axa(text: str) -> str:
    """Twelve digits written in groups of three: "AX010113849770" -> "010.113.849.770"."""
    match = _AXA_TYPED.fullmatch(_compact(text))
    if not match:
        raise _Refused("format")
    digits = match[1]
    return ".".join(digits[i : i + 3] for i in range(0, 12, 3))


def _axa_key(text: str) -> str:
    key = _default_key(text)
    match = _AXA_SENT.fullmatch(key)
    return match[1] if match else key


NORMALISERS: dict[str, Callable[[str], str]] = {
    "generic": _generic,
    "nn": _nn,
    "ag": _ag,
    "ergo": _ergo,
    "allianz": _allianz,
    "axa": _axa,
}
# Formats whose key is not just the letters and digits of the number.
KEYS: dict[str, Callable[[str], str]] = {"axa": _axa_key}


# ── Insurers ─────────────────────────────────────────────────────────────────────────────────────────────────


@functools.cache
def _table() -> tuple[tuple[Insurer, ...], dict[str, Insurer]]:
    rows = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    table = tuple(
        Insurer(
            code=row["code"],
            name=row["name"],
            enterprise_number=row["enterprise_number"],
            number_format=row["number_format"],
            example=row["example"],
            hint=dict(row["hint"]),
            source=row["source"],
            display_names=dict(row.get("display_name") or {}),
        )
        for row in rows
    )
    by_code: dict[str, Insurer] = {}
    for item in table:
        if item.code != item.code.upper() or item.code in by_code:
            raise ValueError(f"insurers.json: code {item.code!r} is not upper case or not unique")
        if item.number_format not in NORMALISERS:
            raise ValueError(f"insurers.json: {item.code} has an unknown number_format {item.number_format!r}")
        if item.display_names and set(item.display_names) != set(LANGUAGES):
            raise ValueError(f"insurers.json: {item.code} has a display_name without every language {LANGUAGES}")
        if DEFAULT_LANGUAGE not in item.hint:
            raise ValueError(f"insurers.json: {item.code} has no {DEFAULT_LANGUAGE} hint")
        by_code[item.code] = item
    return table, by_code


def insurers() -> list[Insurer]:
    """Every insurer, in file order (loaded once)."""
    return list(_table()[0])


def insurer(code: str) -> Insurer:
    """The insurer with this code (case-insensitive); KeyError when there is none."""
    return _table()[1][(code or "").strip().upper()]


def insurer_choices() -> list[tuple[str, str]]:
    """(code, name) pairs for a choice field, in file order, each name in the active language."""
    return [(item.code, item.display_name) for item in insurers()]


# ── Policy numbers ───────────────────────────────────────────────────────────────────────────────────────────


def normalise_policy_number(insurer_code: str, raw: str) -> PolicyNumber:
    """The number a broker typed, written the insurer's way, with its matching key.

    Raises KeyError for an unknown insurer code and InvalidPolicyNumber when the text cannot be this insurer's number.
    """
    company = insurer(insurer_code)
    try:
        number = NORMALISERS[company.number_format](_checked(raw))
    except _Refused as exc:
        raise InvalidPolicyNumber(company, exc.reason) from None
    return PolicyNumber(number=number, key=_key(company, number))


def policy_number_key(insurer_code: str, raw: str) -> str:
    """The matching key of a number as the insurer sends it in its own data (a portfolio file).

    Lenient: no display rule is applied, separators and other punctuation are ignored (AXA: the internal prefix
    too). Raises KeyError for an unknown insurer code and InvalidPolicyNumber ("empty") when the text has no
    letter or digit.
    """
    company = insurer(insurer_code)
    key = _key(company, raw or "")
    if not key:
        raise InvalidPolicyNumber(company, "empty")
    return key


def key_function(insurer_code: str) -> Callable[[str], str]:
    """What `policy_number_key` applies for this insurer, without its look-ups and checks (an empty key means
    no letter or digit): for reading many numbers of one insurer. KeyError for an unknown insurer code."""
    return KEYS.get(insurer(insurer_code).number_format, _default_key)


def _key(company: Insurer, text: str) -> str:
    return KEYS.get(company.number_format, _default_key)(text)
