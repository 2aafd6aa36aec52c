"""How the preview shows a value read from a file."""

from typing import Any

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def cell(value: Any) -> Any:
    """Yes/No, translated, for a yes/no cell (Python's True/False mean nothing to the reader); other values
    as they are (the template localises numbers and dates)."""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return value
