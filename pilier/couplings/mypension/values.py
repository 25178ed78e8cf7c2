"""Amounts, dates and enterprise numbers as a MyPension file writes them. Pure Python, no Django.

Each reader takes the text of one value and returns it, or raises `ValueError`: a value that is not written
exactly in one of the Belgian ways is refused, never half read (a reserve misread by a factor of 1,000 is worse
than a reserve left for the broker to type).

Amounts: `39.391,76 €`, `39 391,76 €` with a space, a no-break space (U+00A0) or a narrow no-break space
(U+202F) between the thousands, `39391,76`, `0,00 €`, `-12,50 €`, up to millions; the euro sign may be missing
or extracted as garbage by the PDF producer (`\ufffd`, `(cid:128)`, the cp1252 byte `\x80`, the mojibake `â‚¬`),
or written `EUR`. One kind of thousands separator in one amount, groups of exactly three digits, always two
decimals after a comma (the files always print them).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

# The thousands separators met: dot, space, no-break space, narrow no-break space (and the thin space, which some
# producers use for the narrow one).
SEPARATORS = (".", " ", "\u00a0", "\u202f", "\u2009")
# What stands for the euro sign after an amount: the sign itself, "EUR", or what some PDF producers extract
# instead of the glyph (U+FFFD, an unmapped glyph id, the cp1252 byte, the UTF-8-read-as-cp1252 mojibake).
_CURRENCY = r"(?:€|EUR|\ufffd|\(cid:\d{1,5}\)|\x80|â‚¬|Â€|\?)"
_SPACE = "[ \u00a0\u202f\u2009]"
_AMOUNT = re.compile(
    rf"""^(?P<sign>[-\u2212])?{_SPACE}?
    (?P<units>\d{{1,3}}(?:(?P<sep>[.\u0020\u00a0\u202f\u2009])\d{{3}})?(?:(?P=sep)\d{{3}})*|\d+)
    ,(?P<cents>\d{{2}})
    (?:{_SPACE}*{_CURRENCY})?$""",
    re.VERBOSE,
)
# An amount inside a longer line: the same grammar, not glued to other digits or letters.
AMOUNT_IN_TEXT = re.compile(
    rf"""(?<![\d.,\w])[-\u2212]?
    (?:\d{{1,3}}(?:(?P<sep>[.\u0020\u00a0\u202f\u2009])\d{{3}})(?:(?P=sep)\d{{3}})*|\d+)
    ,\d{{2}}(?![\d,])(?:{_SPACE}*{_CURRENCY})?""",
    re.VERBOSE,
)
_DATE = re.compile(r"^(?P<d>\d{1,2})[/.\-](?P<m>\d{1,2})[/.\-](?P<y>\d{4})$")
DATE_IN_TEXT = re.compile(r"(?<!\d)\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4}(?!\d)")
_ENTERPRISE = re.compile(r"^(?:BE\s?)?(?P<digits>[01]?\d{3}[.\s]?\d{3}[.\s]?\d{3})$", re.IGNORECASE)


def read_amount(text: str) -> Decimal:
    """The amount written in `text` (the whole text is the amount), as a Decimal with two places."""
    match = _AMOUNT.match(text.strip())
    if not match:
        raise ValueError(f"not an amount: {text!r}")
    units = match["units"]
    separator = match["sep"]
    if separator is None and len(units) > 1 and units.startswith("0"):
        raise ValueError(f"not an amount: {text!r}")  # "0123,00" is no Belgian writing
    if separator is not None:
        units = units.replace(separator, "")
    value = Decimal(f"{units}.{match['cents']}")
    return -value if match["sign"] else value


def read_date(text: str) -> dt.date:
    """A date written DD/MM/YYYY (or with dots or dashes), as the files print them."""
    match = _DATE.match(text.strip())
    if not match:
        raise ValueError(f"not a date: {text!r}")
    try:
        return dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        raise ValueError(f"not a date: {text!r}") from None


def read_enterprise_number(text: str) -> str:
    """An enterprise number (KBO/BCE) as printed (`0404.483.367`, `404.483.367`, `BE 0404483367`), written
    `0xxx.xxx.xxx`. The check digits are not verified here: the file is the source, a wrong check is the
    broker's to see."""
    match = _ENTERPRISE.match(text.strip())
    if not match:
        raise ValueError(f"not an enterprise number: {text!r}")
    digits = re.sub(r"\D", "", match["digits"])
    if len(digits) == 9:
        digits = "0" + digits
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"


def find_amounts(text: str) -> list[Decimal]:
    """Every amount written in a line, left to right."""
    return [read_amount(m.group(0)) for m in AMOUNT_IN_TEXT.finditer(text)]


def find_date(text: str) -> dt.date | None:
    """The first well-formed date in `text`, or None."""
    for match in DATE_IN_TEXT.finditer(text):
        try:
            return read_date(match.group(0))
        except ValueError:
            continue
    return None
