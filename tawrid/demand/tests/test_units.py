"""The purchase-unit normaliser and the designation handling, with examples and properties."""

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tawrid.demand.forms import parse_certificates, parse_schedule
from tawrid.demand.services import natural_key, parse_attributes
from tawrid.demand.units import PACKAGINGS, normalise_unit

REAL_LINES = Path(__file__).resolve().parents[2] / "specs" / "tests" / "data" / "hospital_lines_dz.csv"


@pytest.mark.parametrize(
    ("raw", "packaging", "per_unit", "content"),
    [
        ("U", "unit", 1, ""),
        ("B/100", "box", 100, ""),
        ("BTE/50", "box", 50, ""),
        ("Bte 50", "box", 50, ""),
        ("BOITE DE 100", "box", 100, ""),
        ("FL/1L", "bottle", 1, "1 L"),
        ("FL/500ML", "bottle", 1, "500 ml"),
        ("RLX", "roll", 1, ""),
        ("PQT/10", "packet", 10, ""),
        ("CRT", "carton", 1, ""),
        ("", "unit", 1, ""),
        ("B/0", "", 1, ""),
        ("WHATEVER/12", "", 1, ""),
    ],
)
def test_known_units(raw, packaging, per_unit, content):
    unit = normalise_unit(raw)
    assert (unit.packaging, unit.units_per_purchase_unit, unit.content) == (packaging, Decimal(per_unit), content)


@given(word=st.sampled_from(sorted(w for w in PACKAGINGS if w.isalpha())), count=st.integers(1, 99999),
       sep=st.sampled_from(["/", " / ", " ", "-", " DE "]), upper=st.booleans())  # fmt: skip
def test_count_after_a_packaging_word_is_the_number_of_base_units(word, count, sep, upper):
    raw = f"{word}{sep}{count}"
    unit = normalise_unit(raw.upper() if upper else raw)
    assert unit.packaging == PACKAGINGS[word]
    assert unit.units_per_purchase_unit == count


@given(st.text(max_size=30))
def test_normaliser_never_fails_and_never_gives_a_non_positive_count(text):
    unit = normalise_unit(text)
    assert unit.units_per_purchase_unit > 0
    assert unit.raw == text.strip()


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789/.,-", max_size=60))
def test_designation_parsing_never_fails_on_hospital_like_text(text):
    for attribute in parse_attributes(text):
        assert {"attribute", "value", "unit", "display"} <= set(attribute)


@given(st.text(alphabet="abcdefghij ÉÈéè-", min_size=1, max_size=40), st.sampled_from(["B/100", "U"]))
def test_natural_key_ignores_case_accents_and_spaces(designation, unit):
    plain = natural_key(buyer_reference="", designation=designation, unit=unit)
    shouted = natural_key(buyer_reference="", designation=f"  {designation.upper()}  ", unit=unit.lower())
    assert plain == shouted


def test_reference_wins_over_designation_in_the_natural_key():
    a = natural_key(buyer_reference="AIG-01", designation="AIGUILLE", unit="U")
    b = natural_key(buyer_reference="aig-01", designation="autre chose", unit="B/100")
    assert a == b


def test_the_hypodermic_needle_line_is_read():
    found = {
        a["attribute"]: a for a in parse_attributes("AIGUILLE HYPODERMIQUE STERILE A USAGE UNIQUE 25 X 8 / 10 G 21")
    }
    assert found["gauge"]["value"] == 21
    assert found["sterile"]["value"] is True
    assert found["single_use"]["value"] is True


def test_real_hospital_lines_parse_and_normalise():
    with REAL_LINES.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) > 1600
    with_attributes = 0
    units_understood = 0
    for row in rows:
        if parse_attributes(row["designation"]):
            with_attributes += 1
        if normalise_unit(row["unit"]).understood:
            units_understood += 1
    assert with_attributes > len(rows) * 0.3
    assert units_understood > len(rows) * 0.9


def test_certificates_and_schedules():
    assert parse_certificates("ISO 13485, CE et homologation DMP") == ["iso13485", "ce", "dmp_registration"]
    assert parse_schedule("T1: 1 200; T3: 50") == {"period": "quarter", "quantities": {"1": "1200", "3": "50"}}
    assert parse_schedule("janvier=10, juin") == {"period": "month", "quantities": {"1": "10", "6": None}}
    from django import forms

    for bad in ("T5", "T1, janvier", "T1: -3", "bientôt"):
        with pytest.raises(forms.ValidationError):
            parse_schedule(bad)
    with pytest.raises(forms.ValidationError):
        parse_certificates("FDA")


@pytest.mark.parametrize(
    ("quantity", "unit", "fractional"),
    [
        ("600.5", "B/100", True),
        ("600.5", "U", True),
        ("0.5", "", True),  # no unit: pieces
        ("2.5", "FL/1L", True),  # bottles of one litre are counted
        ("600", "B/100", False),
        ("600.000", "PQT/10", False),
        ("1200.5", "L", False),
        ("2.75", "KG", False),
        ("12.5", "M", False),
        ("3.5", "ML", False),  # not understood: not judged
    ],
)
def test_only_counted_units_refuse_decimals(quantity, unit, fractional):
    from tawrid.demand.units import is_fractional_count

    assert is_fractional_count(Decimal(quantity), unit) is fractional


def test_quantities_are_shown_without_the_zeros_of_their_stored_decimals():
    from django.utils import translation

    from tawrid.demand.templatetags.demand import quantity
    from tawrid.demand.units import plain_quantity

    assert plain_quantity(Decimal("600.000")) == Decimal(600) and str(plain_quantity(Decimal("600.000"))) == "600"
    with translation.override("fr"):
        assert [quantity(Decimal(v)) for v in ("600.000", "1200.500", "0.001")] == ["600", "1\xa0200,5", "0,001"]
    with translation.override("en"):
        assert quantity(Decimal("1200.500")) == "1,200.5" and quantity(None) == ""
