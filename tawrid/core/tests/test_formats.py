"""Arabic pages read dates day first and numbers grouped by three (tawrid/core/formats/ar), like French ones."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import formats, translation

from tawrid.core.templatetags.tawrid import percent

SEVENTH_OF_DECEMBER = datetime.datetime(2026, 12, 7, 15, 30, tzinfo=ZoneInfo("Africa/Casablanca"))


def _render(text: str, **context) -> str:
    return Template("{% load l10n %}" + text).render(Context(context))


def test_arabic_dates_are_day_first():
    with translation.override("ar"):
        assert formats.date_format(SEVENTH_OF_DECEMBER, "SHORT_DATE_FORMAT") == "07/12/2026"
        assert formats.date_format(SEVENTH_OF_DECEMBER, "SHORT_DATETIME_FORMAT") == "07/12/2026 15:30"
        assert formats.date_format(SEVENTH_OF_DECEMBER, "DATE_FORMAT") == "7 ديسمبر 2026"
        assert _render("{{ when }}", when=SEVENTH_OF_DECEMBER.date()) == "7 ديسمبر 2026"
        assert "12/07" not in _render('{{ when|date:"SHORT_DATETIME_FORMAT" }}', when=SEVENTH_OF_DECEMBER)


def test_arabic_numbers_are_grouped_by_three():
    with translation.override("ar"):
        assert _render('{{ n|floatformat:"0g" }}', n=Decimal("100064823.40")) == "100.064.823"
        assert _render('{{ n|floatformat:"2g" }}', n=Decimal("1234.5")) == "1.234,50"
        assert percent(Decimal("0.206")) == "20,6\u00a0%"
    with translation.override("fr"):  # French keeps Django's own formats
        assert _render('{{ n|floatformat:"0g" }}', n=Decimal("100064823.40")) == "100\u00a0064\u00a0823"
        assert formats.date_format(SEVENTH_OF_DECEMBER, "SHORT_DATE_FORMAT") == "07/12/2026"


def test_arabic_dates_typed_day_first_are_read_day_first():
    from django import forms

    class Form(forms.Form):
        day = forms.DateField()

    with translation.override("ar"):
        form = Form({"day": "07/12/2026"})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["day"] == datetime.date(2026, 12, 7)


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
def test_a_date_picker_shown_again_keeps_its_date(language):
    from django import forms

    class Form(forms.Form):
        day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    with translation.override(language):
        assert 'value="2026-12-07"' in str(Form(initial={"day": datetime.date(2026, 12, 7)})["day"])
        assert Form({"day": "2026-12-07"}).is_valid()
