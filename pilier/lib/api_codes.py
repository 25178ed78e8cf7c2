"""Code lists of the API taken from where the codes are defined (a model's `TextChoices`, a catalogue),
never written again beside them.

`Annotated[str, Codes(SocialStatus)]` is a string that must be one of the codes: validated as a `Literal`
would be (a `literal_error`, said as Django's "Select a valid choice"), stated in the OpenAPI document as
`{"type": "string", "enum": [...]}` with the codes in their defining order. It is a `str` for mypy."""

from collections.abc import Iterable
from typing import Any

from django.db.models import Choices
from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema


class Codes:
    """The pydantic metadata of a code: one of `codes` (a `TextChoices` class or the codes themselves)."""

    def __init__(self, codes: type[Choices] | Iterable[str]) -> None:
        values = codes.values if isinstance(codes, type) and issubclass(codes, Choices) else codes
        self.codes: tuple[str, ...] = tuple(str(code) for code in values)
        if not self.codes:
            raise ValueError("a code list needs at least one code")

    def __repr__(self) -> str:
        return f"Codes({list(self.codes)!r})"

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.literal_schema(list(self.codes))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        # Always an `enum`, even of one code (pydantic would say `const`).
        return {"type": "string", "enum": list(self.codes)}
