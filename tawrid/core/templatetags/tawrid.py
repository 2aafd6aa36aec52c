from typing import Any

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def readable(value: Any) -> str:
    """A job result value as a person reads it: mappings as `key: value · …`, numbers with separators."""
    if isinstance(value, dict):
        return " · ".join(f"{key}: {readable(item)}" for key, item in value.items() if item not in ({}, [], None, ""))
    if isinstance(value, list | tuple):
        return ", ".join(readable(item) for item in value)
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, int | float):
        return number_format(value, force_grouping=True)
    return str(value)
