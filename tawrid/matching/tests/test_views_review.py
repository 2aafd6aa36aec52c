"""The plan's matching page a buyer can work with (issue 16, item 5): every candidate on demand, each one's share
of the line, coverage figures that follow each decision, bulk actions on ticked lines, ticks kept across
filters, who may act, and a bounded number of queries. On the Foley world (a run built by hand, allocated by
the service)."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tawrid.matching.models import LineDecision, MatchCandidate, MatchDecision

pytestmark = pytest.mark.django_db


def _row(page: str, number: int) -> str:
    return re.search(rf'data-testid="line-{number}">(.*?)</tr>', page, re.S).group(1)


def _figure(page: str, testid: str) -> str:
    return re.search(rf'data-testid="{testid}">([^<]*)<', page).group(1).strip()


def _products(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-testid="candidate"[^>]*data-product="(\d+)"', html)]


def test_every_candidate_on_demand_with_its_share(client, foley):
    plan, run = foley.foley_plan()
    client.force_login(foley.buyer)
    page = client.get(reverse("matching:plan", args=[plan.pk])).content.decode()
    row = _row(page, 1)
    first, _sep, more = row.partition('data-testid="more-candidates"')
    assert _products(first) == [p.pk for p in foley.foleys]
    assert _products(more) == [foley.cheap.pk, foley.needles.pk]
    assert "Voir les 5 candidats" in more or "See all 5 candidates" in more
    allocated = MatchCandidate.objects.filter(result__run=run, allocated_quantity__gt=0, result__line__line_number=1)
    assert {c.product_id for c in allocated} <= set(_products(first))  # no volume hidden behind "see all"
    shares = re.findall(r"(\d[\d\s\u202f\xa0]*) (?:allocated|alloué)[^(]*\((\d+(?:,\d)?) %", first)
    assert sum(int(re.sub(r"\D", "", q)) for q, _share in shares) == 1200
    assert "100 %" in _row(page, 1)  # the line's covered share


def test_a_confirmed_candidate_beyond_the_first_three_is_shown_at_once(client, foley):
    plan, run = foley.foley_plan()
    client.force_login(foley.buyer)
    cheap = MatchCandidate.objects.get(result__run=run, product=foley.cheap)
    url = reverse("matching:plan", args=[plan.pk])
    before = client.get(url).content.decode()
    assert _figure(before, "coverage-confirmed").startswith("0 %")
    client.post(reverse("matching:decide", args=[cheap.pk]), {"decision": "confirmed"})
    page = client.get(url).content.decode()
    first = _row(page, 1).partition('data-testid="more-candidates"')[0]
    assert foley.cheap.pk in _products(first)
    assert _figure(page, "coverage-confirmed").startswith("86 %")  # 1,200 of 1,400 confirmed
    assert _figure(page, "coverage-decided") == "1 / 2"


def test_the_manufacturer_sees_its_share_of_the_line(client, foley):
    plan, run = foley.foley_plan()
    client.force_login(foley.manufacturer)
    page = client.get(reverse("matching:mine")).content.decode()
    assert "Sonde de Foley latex" in page
    assert re.search(r'data-testid="allocated-to-me">0<', page)  # the 61 % catheter no longer takes the line
    cheap = MatchCandidate.objects.get(result__run=run, product=foley.cheap)
    client.force_login(foley.buyer)
    client.post(reverse("matching:decide", args=[cheap.pk]), {"decision": "confirmed"})
    client.force_login(foley.manufacturer)
    page = client.get(reverse("matching:mine")).content.decode()
    assert re.search(r'data-testid="allocated-to-me">1[\s\u202f\xa0]?200<', page)
    assert re.search(r'data-testid="allocated-share">100 %', page)


def test_ticks_survive_a_filter_and_bulk_actions_move_the_coverage(client, foley):
    plan, run = foley.foley_plan()
    foley_line, gloves_line = plan.lines.order_by("line_number")
    client.force_login(foley.buyer)
    url = reverse("matching:plan", args=[plan.pk])
    before = client.get(url).content.decode()
    assert _figure(before, "coverage-covered").startswith("1")  # 1 400 / 1 400

    # Tick both lines, then filter on the gloves: the Foley line is hidden but stays ticked.
    response = client.post(
        reverse("matching:plan_lines", args=[plan.pk]),
        {"action": "filter", "q": "GANTS", "line": [foley_line.pk, gloves_line.pk], "selection": "1"},
    )
    location = response.headers["Location"]
    assert parse_qs(urlsplit(location).query) == {
        "q": ["GANTS"],
        "line": sorted([str(foley_line.pk), str(gloves_line.pk)]),
    }
    page = client.get(location).content.decode()
    assert 'data-testid="line-1"' not in page
    assert re.search(rf'value="{gloves_line.pk}" form="lines-form" checked', page)
    assert f'name="line" value="{foley_line.pk}" data-testid="kept-line"' in page

    # Back to every line: both ticked; "no local source" on them uncovers both.
    response = client.post(
        reverse("matching:plan_lines", args=[plan.pk]),
        {"action": "no_local_source", "line": [foley_line.pk, gloves_line.pk]},
    )
    page = client.get(response.headers["Location"]).content.decode()
    assert _figure(page, "coverage-quantity") == "0 %" and _figure(page, "coverage-no-local-source") == "2"
    assert page.count('data-testid="line-decision"') == 2
    assert re.search(rf'value="{foley_line.pk}" form="lines-form" checked', page)  # still ticked after the action

    response = client.post(reverse("matching:plan_lines", args=[plan.pk]), {"action": "clear", "line": [foley_line.pk]})
    page = client.get(response.headers["Location"]).content.decode()
    assert _figure(page, "coverage-quantity") == "86 %"

    client.post(reverse("matching:plan_lines", args=[plan.pk]), {"action": "reject_all", "line": [foley_line.pk]})
    page = client.get(url).content.decode()
    assert _figure(page, "coverage-quantity") == "0 %"  # the gloves are still "no local source"
    assert MatchDecision.objects.filter(decision="rejected").count() == 5


def test_a_decision_from_the_form_keeps_the_filter_and_ticks(client, foley):
    plan, run = foley.foley_plan()
    client.force_login(foley.buyer)
    best = MatchCandidate.objects.get(result__run=run, rank=1, result__line__line_number=1)
    line = best.result.line
    response = client.post(
        reverse("matching:decide", args=[best.pk]),
        {"decision": "rejected", "selection": "1", "q": "SONDE", "line": [line.pk], "page": "1"},
    )
    assert parse_qs(urlsplit(response.headers["Location"]).query) == {
        "q": ["SONDE"],
        "page": ["1"],
        "line": [str(line.pk)],
    }
    assert MatchDecision.objects.get().decision == "rejected"


@pytest.mark.parametrize("who", ["other_buyer", "manufacturer", "buyer_reader"])
def test_others_cannot_act_on_the_lines(client, foley, who):
    plan, run = foley.foley_plan()
    lines = list(plan.lines.values_list("pk", flat=True))
    client.force_login(getattr(foley, who))
    for action in ("no_local_source", "reject_all", "confirm_best"):
        response = client.post(reverse("matching:plan_lines", args=[plan.pk]), {"action": action, "line": lines})
        if response.status_code == 302:  # a reader of the plan's matching: refused with a message
            assert who == "buyer_reader"
        else:
            assert response.status_code in (403, 404)
    assert not LineDecision.objects.exists() and not MatchDecision.objects.exists()
    if who == "buyer_reader":
        page = client.get(reverse("matching:plan", args=[plan.pk])).content.decode()
        assert 'data-testid="bulk-actions"' not in page and 'form="lines-form" checked' not in page


def test_the_page_costs_the_same_queries_for_3_or_30_lines(client, foley, django_assert_max_num_queries):
    client.force_login(foley.buyer)
    small, _run = foley.foley_plan()
    client.get(reverse("matching:plan", args=[small.pk]))  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("matching:plan", args=[small.pk]))
    big, _run = foley.foley_plan(extra_lines=27, year=2027)
    with django_assert_max_num_queries(40):
        response = client.get(reverse("matching:plan", args=[big.pk]))
    assert response.content.decode().count('data-testid="candidate"') >= 29
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("matching:plan", args=[big.pk]))
    assert len(many) == len(few)
