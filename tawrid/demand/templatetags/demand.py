"""Template filters of the plans."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.formats import number_format

from tawrid.demand.units import plain_quantity

register = template.Library()


@register.filter
def quantity(value: Any) -> str:
    """A quantity in the page's number format, with its decimals only when it has some: "600", "1 200,5"
    (floatformat's "-3" would show "1 200,500")."""
    if value is None or value == "":
        return ""
    try:
        number = plain_quantity(Decimal(str(value)))
    except InvalidOperation:
        return str(value)
    return number_format(number, use_l10n=True, force_grouping=True)
