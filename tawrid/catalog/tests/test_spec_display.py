"""A specification reads "Diamètre 0,8 mm", and a yes/no one its value alone ("sans latex", not "Sans latex
sans latex"), in the three languages."""

import re

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from tawrid.catalog.models import VariantSpecification


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
def test_a_yes_no_attribute_is_shown_once(language):
    spec = VariantSpecification(attribute="latex_free", value_bool=True, raw="sans latex")
    with translation.override(language):
        shown = _text(render_to_string("catalog/_spec.html", {"spec": spec, "language": language}))
        value = spec.display(language)
    assert shown == value
    assert shown.lower().count(value.lower()) == 1


def test_a_measured_attribute_keeps_its_name():
    spec = VariantSpecification(attribute="length", value_number=25, unit="MMT", raw="25 mm")
    with translation.override("fr"):
        shown = _text(render_to_string("catalog/_spec.html", {"spec": spec, "language": "fr"}))
    assert shown.endswith(spec.display("fr")) and len(shown) > len(spec.display("fr"))
