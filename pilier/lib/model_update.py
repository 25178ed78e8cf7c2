"""One way for services to change a model: only the fields they allow, and knowing what changed."""

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


def model_update(
    *, instance: M, fields: Iterable[str], data: Mapping[str, Any], save: bool = False
) -> tuple[M, list[str]]:
    """Sets each value of `data` on `instance`; a key outside `fields` is a programming error (TypeError).

    Returns the instance and the names whose value changed. With `save=True` the instance is validated
    (`full_clean`) and saved when something changed, `updated_at` included where the model has one.
    """
    allowed = set(fields)
    changed: list[str] = []
    for name, value in data.items():
        if name not in allowed:
            raise TypeError(f"unexpected field {name!r}")
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    if save and changed:
        instance.full_clean()
        update_fields = list(changed)
        if any(f.name == "updated_at" for f in instance._meta.get_fields()):
            update_fields.append("updated_at")
        instance.save(update_fields=update_fields)
    return instance, changed
