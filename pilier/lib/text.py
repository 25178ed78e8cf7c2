"""Text as it may be stored: no control characters, no invisible formatting characters, no lone surrogates.

A name with a line break breaks a PDF's file name (an HTTP header), a NUL byte is refused by PostgreSQL,
a lone surrogate by every UTF-8 encoder, a right-to-left override makes a name read backwards. One line
of text (names, numbers, addresses) takes none of them; multi-line text (notes) keeps its line breaks
and tabs. The zero-width (non-)joiners stay allowed: some scripts and emoji need them.

The same character class is the validators' and the API schema's `pattern`: a schema-valid string is a
valid one. It is written with `\\uXXXX` escapes, which Python's `re` and ECMA-262 read alike.
"""

import re
from typing import Annotated

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _
from pydantic import WithJsonSchema

# Cc (C0, DEL, C1), the Cf of the Basic Multilingual Plane less U+200C/U+200D, the line and
# paragraph separators, and the surrogates.
_INVISIBLE = (
    r"\u007f-\u009f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b\u200e\u200f"
    r"\u2028-\u202e\u2060-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb"
)
SINGLE_LINE_REFUSED = r"\u0000-\u001f" + _INVISIBLE
MULTI_LINE_REFUSED = r"\u0000-\u0008\u000b\u000c\u000e-\u001f" + _INVISIBLE  # tab, LF and CR stay

SINGLE_LINE_PATTERN = f"^[^{SINGLE_LINE_REFUSED}]*$"
MULTI_LINE_PATTERN = f"^[^{MULTI_LINE_REFUSED}]*$"
# Forms strip spaces: a required field needs one character that is neither refused nor a space.
NON_BLANK_LINE_PATTERN = f"^[^{SINGLE_LINE_REFUSED}]*[^{SINGLE_LINE_REFUSED}\\s][^{SINGLE_LINE_REFUSED}]*$"

_single_line_refused = re.compile(f"[{SINGLE_LINE_REFUSED}]")
_multi_line_refused = re.compile(f"[{MULTI_LINE_REFUSED}]")


def _first_refused(pattern: re.Pattern, value: str) -> re.Match | None:
    return pattern.search(value) if isinstance(value, str) else None


def _refuse(match: re.Match, message) -> None:
    raise ValidationError(
        message,
        code="control_character",
        params={"char": f"U+{ord(match.group()):04X}", "position": match.start() + 1},
    )


def validate_single_line(value: str) -> None:
    """One line of text: no control character, line break or invisible formatting character."""
    match = _first_refused(_single_line_refused, value)
    if match:
        _refuse(match, SINGLE_LINE_MESSAGE)


def validate_multi_line(value: str) -> None:
    """Text of several lines: line breaks and tabs, but no other control or invisible character."""
    match = _first_refused(_multi_line_refused, value)
    if match:
        _refuse(match, MULTI_LINE_MESSAGE)


SINGLE_LINE_MESSAGE = _(
    "Enter one line of text without control or invisible characters (%(char)s at position %(position)s)."
)
MULTI_LINE_MESSAGE = _("Enter text without control or invisible characters (%(char)s at position %(position)s).")


def line_errors(value: str, *, max_length: int | None = None) -> list[str]:
    """The messages for a refused one-line value that no form checks (a search), in the active language."""
    validators = [validate_single_line] + ([MaxLengthValidator(max_length)] if max_length is not None else [])
    errors = []
    for validator in validators:
        try:
            validator(value)
        except ValidationError as exc:
            errors.extend(exc.messages)
    return errors


def printable(value: str) -> str:
    """The text with what one line may not hold replaced by spaces, e.g. for a file name in a header."""
    return " ".join(_single_line_refused.sub(" ", value or "").split())


def _string(pattern: str, max_length, description, required: bool) -> dict:
    schema: dict[str, str | int] = {"type": "string", "pattern": pattern}
    if max_length is not None:
        schema["maxLength"] = max_length
    if required:
        schema["minLength"] = 1
    if description:
        schema["description"] = description
    return schema


def Line(  # noqa: N802 (a type)
    max_length: int | None = None, description: str | None = None, *, required: bool = False, pattern: str = ""
):
    """A one-line string in an API schema: the model's `max_length` and the refused characters, stated.

    `required`: the field cannot be blanked (not only spaces either). `pattern`: a stricter format.
    The schema says it; the form the API fills checks it, with the pages' translated messages.
    """
    if not pattern:
        pattern = NON_BLANK_LINE_PATTERN if required else SINGLE_LINE_PATTERN
    return Annotated[str, WithJsonSchema(_string(pattern, max_length, description, required))]


def Text(max_length: int | None = None, description: str | None = None):  # noqa: N802 (a type)
    """A multi-line string in an API schema (notes): line breaks and tabs allowed."""
    return Annotated[str, WithJsonSchema(_string(MULTI_LINE_PATTERN, max_length, description, False))]
