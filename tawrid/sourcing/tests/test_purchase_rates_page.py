"""The local-purchase rates page: per buyer for everyone allowed to read the buyer; nationally, per year and
per EMDN category for those who may see aggregates over every buyer; the figures are the selector's (rates as
percentages with 2 decimals, French number formatting); a year filter offers the years with data."""

import re
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from tawrid.core.permissions import actor_for
from tawrid.sourcing import purchase_rate, selectors, services
from tawrid.sourcing.tests.factories import SourcingWorld, clock

CASABLANCA = ZoneInfo("Africa/Casablanca")
URL = reverse("sourcing:purchase_rates")


@pytest.fixture
def world(db) -> SourcingWorld:
    """The group's 2026 plan (needles 1,500 + 800 and gloves 200 at 1.00 MAD, EMDN A and T) and the other
    hospital's (no EMDN codes: 1,704.00 MAD unclassified); this year the group bought 1,000 needles at 1.12 from
    Maroc Seringues (local) and 200 gloves at 0.70 from Euro Needles (not local); last year the hospital bought
    100 units at 1.00 from Maroc Seringues."""
    world = SourcingWorld()
    plan = world.sourcing_plan()
    hospital_plan = world.needle_plan(hospital=True)
    lines = {line.line_number: line for line in plan.lines.all()}
    buyer = actor_for(world.buyer)

    def order(actor, buyer_org, supplier, line, quantity, price):
        services.order_create_direct(
            actor=actor,
            buyer=buyer_org,
            supplier=supplier,
            plan_lines_with_quantities_and_prices=[{"plan_line": line.pk, "quantity": quantity, "unit_price": price}],
        )

    order(buyer, world.group, world.maker, lines[1], "1000", "1.12")
    order(buyer, world.group, world.foreign_maker, lines[3], "200", "0.70")
    world.last_year = timezone.localtime().year - 1
    with clock(datetime(world.last_year, 6, 1, 12, tzinfo=CASABLANCA)):
        order(actor_for(world.other_buyer), world.hospital, world.maker, hospital_plan.lines.first(), "100", "1.00")
    return world


def _rows(html: str, testid: str) -> list[dict[str, str]]:
    """The rows of the page with this data-testid, as their data attributes (and their cells' text)."""
    rows = []
    for tag, cells in re.findall(rf'(<tr data-testid="{testid}"[^>]*>)(.*?)</tr>', html, flags=re.S):
        row = dict(re.findall(r'data-([a-z-]+)="([^"]*)"', tag))
        row["cells"] = cells
        rows.append(row)
    return rows


def _percent(rate: Decimal | None) -> str:
    return "" if rate is None else str((rate * 100).quantize(Decimal("0.01")))


def _same(row: dict[str, str], rate: purchase_rate.PurchaseRate) -> None:
    assert row["local"] == str(rate.local_value)
    assert row["total"] == str(rate.total_value)
    assert row["plan"] == str(rate.plan_value)
    assert row["of-purchases"] == _percent(rate.of_purchases)
    assert row["of-plan"] == _percent(rate.of_plan)


def _page(client, user, **params) -> str:
    client.force_login(user)
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_shows_the_selectors_figures_nationally_per_year_per_category_and_per_buyer(client, world):
    html = _page(client, world.secretariat)
    rates = selectors.local_purchase_rates(actor_for(world.secretariat))

    [national] = _rows(html, "purchase-rate-national")
    _same(national, rates.national)
    assert rates.national.local_value == Decimal("1220.00")  # 1,120.00 + 100.00
    assert rates.national.total_value == Decimal("1360.00")  # and 140.00 of imported gloves
    assert rates.national.plan_value == Decimal("4204.00")  # 2,500.00 + 1,704.00
    assert "89,71 %" in national["cells"]  # 1,220 ÷ 1,360, French decimals, 2 of them
    assert "29,02 %" in national["cells"]  # 1,220 ÷ 4,204
    assert "1\xa0220,00" in national["cells"]  # thousands grouped as in French

    years = _rows(html, "purchase-rate-year")
    assert [int(row["year"]) for row in years] == sorted(rates.by_year)
    for row in years:
        _same(row, rates.by_year[int(row["year"])])
    assert rates.by_year[world.last_year].local_value == Decimal("100.00")

    categories = _rows(html, "purchase-rate-category")
    assert [row["category"] for row in categories] == ["A", "T", ""]  # the unclassified last
    for row in categories:
        _same(row, rates.by_category[row["category"]])
    assert "Group A" in categories[0]["cells"]  # the category's EMDN term
    assert rates.by_category[""].plan_value == Decimal("1704.00")

    buyers = _rows(html, "purchase-rate")
    assert [row["buyer"] for row in buyers] == [str(world.group.pk)]  # the secretariat oversees the group only
    _same(buyers[0], rates.by_buyer[world.group.pk])
    per_year = _rows(html, "purchase-rate-buyer-year")
    assert per_year and all(
        _same(row, rates.by_buyer_year[(world.group.pk, int(row["year"]))]) is None for row in per_year
    )

    operator = _page(client, world.superuser)
    assert {row["buyer"] for row in _rows(operator, "purchase-rate")} == {str(world.group.pk), str(world.hospital.pk)}


def test_a_manufacturer_sees_no_national_year_or_category_table(client, world):
    html = _page(client, world.manufacturer)
    for testid in ("purchase-rate-national", "purchase-rates-by-year", "purchase-rates-by-category"):
        assert f'data-testid="{testid}"' not in html
    assert _rows(html, "purchase-rate") == []  # and no buyer's rate either
    assert 'data-testid="purchase-rates-by-buyer"' in html


def test_a_buyer_sees_the_national_figures_and_only_its_own_rate(client, world):
    html = _page(client, world.other_buyer)
    [national] = _rows(html, "purchase-rate-national")
    _same(national, selectors.local_purchase_rates(actor_for(world.superuser)).national)
    assert [row["buyer"] for row in _rows(html, "purchase-rate")] == [str(world.hospital.pk)]


def test_the_year_filter_offers_the_years_with_data_and_keeps_one(client, world):
    this_year = timezone.localtime().year
    expected_years = sorted({this_year, world.last_year, 2026}, reverse=True)
    assert selectors.purchase_rate_years(actor_for(world.secretariat)) == expected_years
    html = _page(client, world.secretariat)
    form = re.search(r'<form[^>]*data-testid="purchase-rate-year-filter".*?</form>', html, flags=re.S)
    assert form is not None
    assert re.findall(r'<option value="(\d+)"', form.group(0)) == [str(year) for year in expected_years]

    html = _page(client, world.secretariat, year=world.last_year)
    rates = selectors.local_purchase_rates(actor_for(world.secretariat), world.last_year)
    assert [row["year"] for row in _rows(html, "purchase-rate-year")] == [str(world.last_year)]
    [national] = _rows(html, "purchase-rate-national")
    _same(national, rates.national)
    assert national["local"] == national["total"] == "100.00"  # last year's order only
    assert [row["category"] for row in _rows(html, "purchase-rate-category")] == [""]
    assert f'<option value="{world.last_year}" selected>' in html

    everything = _rows(_page(client, world.secretariat), "purchase-rate-national")
    for ignored in ("1999", "next", ""):  # not a year with data: every year
        assert _rows(_page(client, world.secretariat, year=ignored), "purchase-rate-national") == everything


def test_the_page_is_linked_from_the_consultations_and_needs_a_login(client, world):
    listing = client.get(reverse("sourcing:consultation_list"))
    assert listing.status_code == 302
    assert client.get(URL).status_code == 302
    client.force_login(world.manufacturer)
    listing = client.get(reverse("sourcing:consultation_list")).content.decode()
    assert f'href="{URL}" data-testid="purchase-rates-link"' in listing
