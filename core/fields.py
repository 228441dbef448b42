"""What a service needs to know of a model's fields, asked in one way."""

from __future__ import annotations

from django.db import models


def max_length(model: type[models.Model], name: str) -> int:
    """The `max_length` of one of `model`'s text fields (for limits checked before saving)."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or field.max_length is None:
        raise TypeError(f"{model.__name__}.{name} is not a field with a max_length")
    return field.max_length
