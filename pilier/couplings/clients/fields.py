"""The fields a client export can fill, the headers they are recognised by (data/headers.json), and the
readers of their values (dates, sex, language, social status, country) as brokers' files write them."""

from __future__ import annotations

import datetime
import functools
import json
import re
import unicodedata
from pathlib import Path

from django.db.models import Field

from pilier.clients.models import Client, ClientLanguage, Gender, SocialStatus

# In the order of the mapping page's choices.
FIELDS = (
    "client_number",
    "national_number",
    "last_name",
    "first_name",
    "birth_date",
    "gender",
    "language",
    "street",
    "house_number",
    "box",
    "postcode",
    "municipality",
    "country",
    "email",
    "phone",
    "account_manager",
    "file_manager",
    "social_status",
    "company_name",
    "enterprise_number",
    "fiscal_year_start",
    "fiscal_year_end",
)
DATES = ("birth_date", "fiscal_year_start", "fiscal_year_end")
MANAGERS = ("account_manager", "file_manager")
# What a known file takes from the export (its identity and contact); the social status and the company's
# data only fill a file that has none yet: they are the broker's (step 2 of the file).
IDENTITY = tuple(f for f in FIELDS if f not in ("social_status", "company_name", "enterprise_number", *DATES[1:]))
STATUS = ("social_status", "fiscal_year_start", "fiscal_year_end", "company_name", "enterprise_number")


def label(field: str) -> str:
    """The field's name in the user's language (the file's own labels)."""
    model_field = Client._meta.get_field(field)
    assert isinstance(model_field, Field)
    return str(model_field.verbose_name)


def normalise(header: str) -> str:
    text = unicodedata.normalize("NFKD", header or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]", "", text)[:200]


@functools.cache
def known_headers() -> dict[str, str]:
    """normalised header → field, from data/headers.json (and each field's own code)."""
    data = json.loads((Path(__file__).parent / "data" / "headers.json").read_text(encoding="utf-8"))
    table: dict[str, str] = {}
    for field in FIELDS:
        for name in [field, *data[field]]:
            table.setdefault(normalise(name), field)
    return table


def propose(headers: list[str], remembered: dict[str, str]) -> dict[str, str]:
    """{column index as text: field or ''}: what the office confirmed before for a header, else the table's;
    a field proposed for one column only (the first)."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    table = known_headers()
    for index, header in enumerate(headers):
        key = normalise(header)
        field = remembered[key] if key in remembered else table.get(key, "")
        if field in taken:
            field = ""
        if field:
            taken.add(field)
        mapping[str(index)] = field
    return mapping


# Values ------------------------------------------------------------------------------------------------


class BadValue(ValueError):
    pass


_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T].*)?$")


def read_date(value: str) -> datetime.date:
    """dd/mm/yyyy (or with . or -), as Belgians write it, or yyyy-mm-dd (an Excel date cell)."""
    value = value.strip()
    try:
        if match := _DATE.match(value):
            day, month, year = (int(part) for part in match.groups())
            return datetime.date(year, month, day)
        if match := _ISO.match(value):
            year, month, day = (int(part) for part in match.groups())
            return datetime.date(year, month, day)
    except ValueError:
        pass
    raise BadValue(value)


_GENDERS = {
    **dict.fromkeys(["m", "h", "1", "male", "man", "homme", "masculin", "mannelijk", "mr", "monsieur", "dhr"], "M"),
    **dict.fromkeys(
        ["f", "v", "2", "female", "woman", "femme", "feminin", "vrouw", "vrouwelijk", "mme", "madame"], "F"
    ),
    **dict.fromkeys(["x", "0", "9", "unknown", "inconnu", "onbekend"], "X"),
}
# Telebib2 A10C: 1 fr, 2 nl, 3 de, 4 en (FORMATS.md §2).
_LANGUAGES = {
    **dict.fromkeys(["fr", "f", "1", "french", "francais", "frans"], "fr"),
    **dict.fromkeys(["nl", "n", "2", "dutch", "neerlandais", "nederlands", "vlaams"], "nl"),
    **dict.fromkeys(["de", "d", "3", "german", "allemand", "duits", "deutsch"], "de"),
    **dict.fromkeys(["en", "e", "4", "english", "anglais", "engels"], "en"),
}
_STATUSES = {
    **dict.fromkeys(["employee", "salarie", "employe", "ouvrier", "werknemer", "bediende", "arbeider"], "employee"),
    **dict.fromkeys(["civil servant", "fonctionnaire", "ambtenaar"], "civil_servant"),
    **dict.fromkeys(["self-employed", "self employed", "independant", "zelfstandige", "zelfstandig"], "self_employed"),
    **dict.fromkeys(
        ["company director", "dirigeant d'entreprise", "dirigeant", "gerant", "administrateur", "bedrijfsleider"],
        "company_director",
    ),
    **dict.fromkeys(
        ["assisting spouse", "conjoint aidant", "meewerkende echtgenoot", "meewerkende echtgenote"], "assisting_spouse"
    ),
    **dict.fromkeys(["unemployed", "chomeur", "demandeur d'emploi", "werkloos", "werkzoekende"], "unemployed"),
    **dict.fromkeys(["retired", "pensionne", "retraite", "gepensioneerd"], "retired"),
    **dict.fromkeys(["none", "aucun", "sans", "geen"], "none"),
}
_COUNTRIES = {
    **dict.fromkeys(["belgique", "belgie", "belgium", "belgien"], "BE"),
    **dict.fromkeys(["pays-bas", "nederland", "netherlands"], "NL"),
    **dict.fromkeys(["france", "frankrijk"], "FR"),
    **dict.fromkeys(["luxembourg", "luxemburg"], "LU"),
    **dict.fromkeys(["allemagne", "duitsland", "germany", "deutschland"], "DE"),
}


def _words(value: str) -> str:
    text = unicodedata.normalize("NFKD", value.strip().lower())
    return "".join(c for c in text if not unicodedata.combining(c)).replace("’", "'")


def _by_code_or_label(value: str, table: dict[str, str], choices: type[Gender | ClientLanguage | SocialStatus]) -> str:
    words = _words(value)
    if words in table:
        return table[words]
    for code, name in choices.choices:
        if words in (code.lower(), _words(str(name))):
            return str(code)
    raise BadValue(value)


def read_gender(value: str) -> str:
    return _by_code_or_label(value.rstrip("."), _GENDERS, Gender)


def read_language(value: str) -> str:
    return _by_code_or_label(value, _LANGUAGES, ClientLanguage)


def read_social_status(value: str) -> str:
    words = _words(value).replace("_", " ")
    if words in _STATUSES:
        return _STATUSES[words]
    return _by_code_or_label(value, _STATUSES, SocialStatus)


def read_country(value: str) -> str:
    words = _words(value)
    if words in _COUNTRIES:
        return _COUNTRIES[words]
    if re.fullmatch(r"[a-z]{2}", words):
        return words.upper()
    raise BadValue(value)
