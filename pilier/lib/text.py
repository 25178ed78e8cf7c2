"""Text as it may be stored: no control characters, no invisible formatting characters, no lone surrogates.

A name with a line break breaks a PDF's file name (an HTTP header), a NUL byte is refused by PostgreSQL,
a lone surrogate by every UTF-8 encoder, a right-to-left override makes a name read backwards. One line
of text (names, numbers, addresses) takes none of them; multi-line text (notes) keeps its line breaks
and tabs. The zero-width (non-)joiners stay allowed: some scripts and emoji need them.

The same character class is the validators' and the API schema's `pattern`: a schema-valid string is a
valid one. It is written with `\\uXXXX` escapes, which Python's `re` and ECMA-262 read alike.
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _
from pydantic import GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

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


class _StringSchema:
    """The pydantic metadata of a string in an API schema: the JSON schema it states (the string itself is
    validated as a `str`; the form the API fills checks the rest, with the pages' translated messages)."""

    def __init__(self, pattern: str, max_length: int | None, description: str | None, required: bool) -> None:
        schema: dict[str, str | int] = {"type": "string", "pattern": pattern}
        if max_length is not None:
            schema["maxLength"] = max_length
        if required:
            schema["minLength"] = 1
        if description:
            schema["description"] = description
        self.json_schema = schema

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.json_schema!r})"

    def __get_pydantic_json_schema__(
        self, core_schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return dict(self.json_schema)


class Line(_StringSchema):
    """A one-line string in an API schema: `Annotated[str, Line(max_length)]`, the model's `max_length` and
    the refused characters, stated. It is a `str` for mypy.

    `required`: the field cannot be blanked (not only spaces either). `pattern`: a stricter format.
    """

    def __init__(
        self,
        max_length: int | None = None,
        description: str | None = None,
        *,
        required: bool = False,
        pattern: str = "",
    ) -> None:
        if not pattern:
            pattern = NON_BLANK_LINE_PATTERN if required else SINGLE_LINE_PATTERN
        super().__init__(pattern, max_length, description, required)


class Text(_StringSchema):
    """A multi-line string in an API schema (notes): `Annotated[str, Text()]`, line breaks and tabs allowed."""

    def __init__(self, max_length: int | None = None, description: str | None = None) -> None:
        super().__init__(MULTI_LINE_PATTERN, max_length, description, False)
