"""Validation errors keyed by field, between the rules (`*/rules.py`), the services and the forms.

- `Errors` gathers the errors of several checks, so that a service reports every field at once (as a form
  does) rather than the first failure only.
- `clean_with(form, check)`: a form's clean() that hands its parsed data to a service's `*_validate` and
  keeps the normalised values it returns, or shows its errors.
- `add_errors(form, exc)`: a service's ValidationError onto a form: each message on its field, or on the
  form itself (`__all__`) when the form has no such field; a field that could not even be parsed keeps its
  parsing error alone (the service did not see its value).
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


class Errors:
    """The ValidationErrors of several checks, by field: `with errors.check(): rule(...)`, then `raise_if_any()`."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[ValidationError]] = {}

    def add(self, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for field, items in exc.error_dict.items():
                self.by_field.setdefault(field, []).extend(items)
        else:
            self.by_field.setdefault(NON_FIELD_ERRORS, []).extend(exc.error_list)

    def add_field(
        self, field: str, message: "str | StrPromise", code: str, params: dict[str, Any] | None = None
    ) -> None:
        self.by_field.setdefault(field, []).append(ValidationError(message, code=code, params=params))

    @contextmanager
    def check(self) -> Iterator[None]:
        try:
            yield
        except ValidationError as exc:
            self.add(exc)

    def __contains__(self, field: str) -> bool:
        return field in self.by_field

    def __bool__(self) -> bool:
        return bool(self.by_field)

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(dict(self.by_field))


def add_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """The service's errors shown by the form (see the module's docstring)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, items in exc.error_dict.items():
        if field in form.fields:
            if field not in form.errors:
                form.add_error(field, ValidationError(items))
        else:
            form.add_error(None, ValidationError(items))


def clean_with(form: forms.BaseForm, check: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    """`check(**cleaned_data)` returns the normalised fields or raises ValidationError (see the docstring)."""
    data = form.cleaned_data
    try:
        data.update(check(**data))
    except ValidationError as exc:
        add_errors(form, exc)
    return form.cleaned_data


def error_param(form: forms.BaseForm, field: str, code: str, name: str) -> Any:
    """A parameter of the form's error `code` on `field` (e.g. the other file a duplicate number names), or None."""
    if field not in form.errors:
        return None
    for error in form.errors[field].as_data():
        if error.code == code and isinstance(error.params, dict):
            return error.params.get(name)
    return None
