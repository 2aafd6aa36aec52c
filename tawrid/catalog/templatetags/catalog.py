"""Template filters of the catalogue: specifications shown in the reader's language."""

from typing import Any

from django import template

register = template.Library()


@register.filter
def spec_display(spec: Any, language: str = "fr") -> str:
    return str(spec.display(language or "fr"))


@register.filter
def spec_label(spec: Any) -> str:
    from tawrid.specs import ATTRIBUTES

    definition = ATTRIBUTES.get(spec.attribute)
    return str(definition.label).capitalize() if definition else spec.attribute


@register.filter
def certificate_kind_label(kind: str) -> str:
    from tawrid.catalog.models import CertificateKind

    return str(dict(CertificateKind.choices).get(kind, kind))
