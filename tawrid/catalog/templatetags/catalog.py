"""Template filters of the catalogue: specifications shown in the reader's language."""

from typing import Any

from django import template

register = template.Library()


@register.filter
def spec_display(spec: Any, language: str = "fr") -> str:
    return str(spec.display(language or "fr"))


@register.filter
def spec_label(spec: Any) -> str:
    """The attribute's name before its value ("Diamètre 0,8 mm"); empty for a yes/no attribute, whose value
    already names it ("sans latex", not "Sans latex sans latex")."""
    from tawrid.specs import ATTRIBUTES, AttributeKind

    definition = ATTRIBUTES.get(spec.attribute)
    if definition is None:
        return spec.attribute
    return "" if definition.kind is AttributeKind.BOOLEAN else str(definition.label).capitalize()


@register.filter
def certificate_kind_label(kind: str) -> str:
    from tawrid.catalog.models import CertificateKind

    return str(dict(CertificateKind.choices).get(kind, kind))
