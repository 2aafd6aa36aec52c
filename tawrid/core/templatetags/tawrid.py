from decimal import Decimal
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


@register.filter
def percent(ratio: Any) -> str:
    """A ratio (0.234) as a percentage with one decimal in the page's number format ("23,4 %" in French): small
    shares stay visible (0.2 %, not 0 %). "—" when there is nothing to measure (None)."""
    if ratio is None or ratio == "":
        return "—"
    return f"{number_format(Decimal(str(ratio)) * 100, decimal_pos=1)}\u00a0%"
