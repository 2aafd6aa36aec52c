"""The consultation form takes the national preference rate as a percentage (15 → 15 %), stored as a fraction."""

from decimal import Decimal

from django.utils import timezone

from tawrid.sourcing.forms import ConsultationForm, percent_of


def _data(rate: str) -> dict:
    now = timezone.localtime()
    moment = lambda days: (now + timezone.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")  # noqa: E731
    return {
        "reference": "CONS-1",
        "title": "Aiguilles",
        "evaluation_method": "lowest_price",
        "national_preference_rate": rate,
        "questions_deadline": moment(1),
        "submission_deadline": moment(2),
        "opening_at": moment(3),
    }


def test_the_rate_is_typed_as_a_percentage_and_stored_as_a_fraction():
    form = ConsultationForm(_data("15"))
    assert form.is_valid(), form.errors
    terms = form.terms()
    assert terms["national_preference_rate"] == Decimal("0.150")
    assert terms["evaluation_basis"] == "lot" and terms["partial_offers"] is False
    half = ConsultationForm(_data("12.5"))
    assert half.is_valid() and half.terms()["national_preference_rate"] == Decimal("0.125")


def test_a_rate_above_15_percent_is_refused():
    assert not ConsultationForm(_data("20")).is_valid()
    assert not ConsultationForm(_data("-1")).is_valid()


def test_the_form_shows_the_stored_fraction_as_a_percentage():
    assert percent_of(Decimal("0.150")) == Decimal(15)
    assert str(percent_of(Decimal("0.125"))) == "12.5"
