"""Amounts as people and files write them: `1 234,56`, `1.234,56`, `1234.56`, `1,234.56`, `€ 1 234`."""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from pydantic import GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

_SPACES = re.compile(r"[\s\u00a0\u202f']")


def parse_amount(text: str, *, thousands_dot: bool = True) -> Decimal:
    """Raises ValueError when the text is not an amount.

    The last of `.` and `,` is the decimal mark when both appear; a lone `,` is a decimal mark;
    a lone `.` is a thousands separator only in the form `1.234` / `12.345.678` (Belgian
    writing), otherwise a decimal mark. Machine-written files pass `thousands_dot=False`:
    there `1.500` is one and a half.
    """
    value = _SPACES.sub("", str(text)).replace("€", "").replace("EUR", "").strip()
    if not value or not re.fullmatch(r"[+-]?[\d.,]+", value):
        raise ValueError(text)
    if "," in value and "." in value:
        decimal_mark = "," if value.rfind(",") > value.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        value = value.replace(thousands, "").replace(decimal_mark, ".")
    elif value.count(",") == 1:
        value = value.replace(",", ".")
    elif "," in value:
        raise ValueError(text)
    elif thousands_dot and re.fullmatch(r"[+-]?\d{1,3}(\.\d{3})+", value):
        value = value.replace(".", "")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ValueError(text) from None
    if not amount.is_finite():
        raise ValueError(text)
    return amount


class AmountField(forms.DecimalField):
    """A money field that takes the Belgian ways of writing an amount, in any UI language."""

    default_error_messages = {"invalid": _("Enter an amount, e.g. 1 234,56.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", 0)
        super().__init__(**kwargs)
        self.widget.input_type = "text"
        self.widget.attrs.update({"inputmode": "decimal", "placeholder": "0,00"})
        self.widget.attrs.pop("step", None)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal | int | float):
            return Decimal(str(value))
        try:
            return parse_amount(value)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return f"{value:.2f}".replace(".", ",")
        return value


class Amount:
    """An amount in an API schema, as its column holds it: `Annotated[Decimal, Amount(max_digits)]`,
    `max_digits` digits, 2 after the decimal mark, not negative. It is a `Decimal` for mypy; the schema
    states the limits and the AmountField the API fills checks them (translated messages)."""

    def __init__(self, max_digits: int = 14) -> None:
        whole = max_digits - 2
        self.json_schema: JsonSchemaValue = {
            "anyOf": [
                {
                    "type": "number",
                    "minimum": 0,
                    "maximum": float(Decimal(10) ** whole - Decimal("0.01")),
                    "multipleOf": 0.01,
                },
                {"type": "string", "pattern": rf"^\d{{1,{whole}}}(\.\d{{1,2}})?$"},
            ]
        }

    def __repr__(self) -> str:
        return f"Amount({self.json_schema!r})"

    def __get_pydantic_json_schema__(
        self, core_schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return dict(self.json_schema)


# Money as Belgian brokers write it: 1 234,56 € (fr), 1.234,56 € (nl), €1,234.56 (en).
_MONEY = {"fr": ("\u00a0", ",", "{} €"), "nl": (".", ",", "{} €"), "en": (",", ".", "€{}")}


def money(value, decimals: int = 2) -> str:
    if value in (None, ""):
        return "—"
    amount = Decimal(str(value)).quantize(Decimal(1).scaleb(-int(decimals)), rounding=ROUND_HALF_UP)
    thousands, point, pattern = _MONEY.get((translation.get_language() or "fr")[:2], _MONEY["fr"])
    sign = "-" if amount < 0 else ""
    whole, _, fraction = f"{abs(amount):.{int(decimals)}f}".partition(".")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    text = thousands.join(groups) + (point + fraction if fraction else "")
    return sign + pattern.format(text).replace(" €", "\u00a0€")
