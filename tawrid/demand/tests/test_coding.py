"""A line's EMDN code and where it came from: the buyer's codes are never replaced by the engine, a re-run
updates the engine's suggestions, the buyer confirms them (one by one, by group) or chooses another code, on the
page and through the API, and national demand counts the engine's codes apart."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from tawrid.accounts.tests.factories import token_for
from tawrid.catalog.tests.factories import emdn
from tawrid.core.errors import DomainError, Forbidden
from tawrid.core.permissions import actor_for
from tawrid.demand import coding, services
from tawrid.demand.models import DemandAggregate, EmdnSource, PlanLine
from tawrid.demand.tests.factories import line_data

API = "/api/v1/demand"


@pytest.fixture
def codes(db):
    return {c: emdn(c, f"Term {c}") for c in ("A010101", "A010102", "T010101")}


def _suggest(plan, codes):
    """A finished run of the plan that suggested `codes` {line: [code, …]} (what the engine stores)."""
    from tawrid.matching.models import LineResult, MatchChunk, MatchRun

    run = MatchRun.objects.create(scope="plan", year=plan.year, plan=plan, status="done")
    chunk = MatchChunk.objects.create(run=run, number=1, line_ids=[ln.pk for ln in codes], status="done")
    for line, suggested in codes.items():
        LineResult.objects.create(run=run, chunk=chunk, line=line,
                                  code_suggestions=[{"code": c, "score": 0.3} for c in suggested])  # fmt: skip
    return run


def _lines(plan):
    return list(plan.lines.select_related("emdn").order_by("line_number"))


def test_source_is_tied_to_the_code(world, codes):
    line = _lines(world.plan(lines=1))[0]
    assert (line.emdn, line.emdn_source) == (None, "")
    for emdn_id, source, mass in ((codes["A010101"].pk, "", None), (None, EmdnSource.BUYER, None),
                                  (codes["A010101"].pk, EmdnSource.BUYER, 0.7)):  # fmt: skip
        with pytest.raises(IntegrityError), transaction.atomic():
            PlanLine.objects.filter(pk=line.pk).update(emdn_id=emdn_id, emdn_source=source, emdn_mass=mass)


def test_the_buyer_sets_codes_as_buyer_and_amendments_copy_the_source(world, codes):
    actor = actor_for(world.buyer)
    plan = world.plan(lines=2)
    first, second = _lines(plan)
    services.line_update(actor=actor, line=first, data={"emdn_code": codes["T010101"]})
    coding.engine_codes_apply(codes={second.pk: ("A010101", 0.81)})
    first.refresh_from_db()
    assert first.emdn_source == EmdnSource.BUYER
    # editing the quantity of a line keeps its engine-suggested code as a suggestion
    second.refresh_from_db()
    services.line_update(actor=actor, line=second, data={"quantity": "99", "emdn_code": second.emdn})
    second.refresh_from_db()
    assert (second.emdn_source, second.emdn_mass) == (EmdnSource.SUGGESTED, 0.81)
    services.plan_publish(actor=actor, plan=plan)
    amended = services.plan_amend(actor=actor, plan=plan)
    assert [(ln.emdn.code, ln.emdn_source, ln.emdn_mass) for ln in _lines(amended)] == [
        ("T010101", EmdnSource.BUYER, None),
        ("A010101", EmdnSource.SUGGESTED, 0.81),
    ]


def test_the_engine_never_overwrites_the_buyers_codes_and_a_rerun_updates_its_own(world, codes):
    actor = actor_for(world.buyer)
    plan = world.plan(lines=4)
    given, confirmed, suggested, uncoded = _lines(plan)
    services.line_update(actor=actor, line=given, data={"emdn_code": codes["T010101"]})
    coding.engine_codes_apply(codes={confirmed.pk: ("A010101", 0.6), suggested.pk: ("A010101", 0.6)})
    assert coding.codes_confirm(actor=actor, plan=plan, line_ids=[confirmed.pk]) == 1

    changed = coding.engine_codes_apply(
        codes={given.pk: ("A010102", 0.9), confirmed.pk: ("A010102", 0.9), suggested.pk: ("A0101", 0.55),
               uncoded.pk: ("A010102", 0.7)}
    )  # fmt: skip
    assert changed == 2
    state = [(ln.emdn.code if ln.emdn else None, ln.emdn_source, ln.emdn_mass) for ln in _lines(plan)]
    assert state == [
        ("T010101", EmdnSource.BUYER, None),
        ("A010101", EmdnSource.CONFIRMED, None),
        ("A0101", EmdnSource.SUGGESTED, 0.55),  # the re-run's code replaces the previous suggestion
        ("A010102", EmdnSource.SUGGESTED, 0.7),
    ]
    # a run no longer sure of a line takes its suggestion away, and never touches the others
    assert coding.engine_codes_apply(codes={given.pk: None, confirmed.pk: None, suggested.pk: None}) == 1
    assert [ln.emdn_source for ln in _lines(plan)] == ["buyer", "confirmed", "", "suggested"]


def test_bulk_confirm_by_group_and_choosing_a_code(world, codes):
    actor = actor_for(world.buyer)
    plan = world.plan(lines=3, publish=True)  # codes are metadata: a published plan's may be confirmed
    a, b, t = _lines(plan)
    coding.engine_codes_apply(codes={a.pk: ("A010101", 0.6), b.pk: ("A010102", 0.7), t.pk: ("T010101", 0.9)})
    assert coding.codes_confirm(actor=actor, plan=plan, group="A01") == 2
    assert [ln.emdn_source for ln in _lines(plan)] == ["confirmed", "confirmed", "suggested"]
    line = coding.code_choose(actor=actor, line=t, code="A010102")
    assert (line.emdn.code, line.emdn_source) == ("A010102", EmdnSource.BUYER)  # not among suggestions
    with pytest.raises(DomainError) as refused:
        coding.code_choose(actor=actor, line=t, code="A")  # a category says too little
    assert refused.value.code == "unknown_code" and line.emdn.code == "A010102"
    with pytest.raises(Forbidden):
        coding.codes_confirm(actor=actor_for(world.other_buyer), plan=plan, group="T01")
    services.plan_close(actor=actor, plan=plan)
    plan.refresh_from_db()
    with pytest.raises(DomainError) as closed:
        coding.code_choose(actor=actor, line=t, code="A010101")
    assert closed.value.code == "plan_closed"


def test_national_demand_counts_the_engines_codes_apart(world, codes):
    actor = actor_for(world.buyer)
    plan = world.plan(lines=3, publish=True)
    a, b, c = _lines(plan)
    coding.engine_codes_apply(codes={a.pk: ("A010101", 0.6), b.pk: ("A010102", 0.7)})
    coding.codes_confirm(actor=actor, plan=plan, line_ids=[b.pk])
    services.demand_aggregate_refresh(year=2026)
    row = DemandAggregate.objects.get(year=2026, scheme="emdn", code="A", region="", buyer_kind="")
    assert (row.lines_count, row.lines_suggested) == (2, 1)
    assert row.value_suggested == a.estimated_value
    assert c.emdn is None  # not in national demand until coded


def test_the_codes_page_and_its_actions(client, world, codes):
    plan = world.plan(lines=3, publish=True)
    a, b, t = _lines(plan)
    coding.engine_codes_apply(codes={a.pk: ("A010101", 0.72), b.pk: ("A010102", 0.7)})
    _suggest(plan, {a: ["A010101"], b: ["A010102"], t: ["T010101", "A010101"]})
    client.force_login(world.buyer)
    url = reverse("demand:plan_codes", args=[plan.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "A010101" in html and "72" in html and "confirm-group-A01" in html
    assert (
        reverse("demand:plan_codes", args=[plan.pk])
        in client.get(reverse("demand:plan_detail", args=[plan.pk])).content.decode()
    )
    response = client.post(reverse("demand:plan_codes_confirm", args=[plan.pk]), {"line": [a.pk]})
    assert response.status_code == 302
    assert [ln.emdn_source for ln in _lines(plan)] == ["confirmed", "suggested", ""]
    assert "choose-3-T010101" in html  # the latest run's suggestions, one click each
    client.post(reverse("demand:line_code_choose", args=[t.pk]), {"code": "T010101"})
    assert (_lines(plan)[2].emdn.code, _lines(plan)[2].emdn_source) == ("T010101", "confirmed")
    assert "code-line-3" not in client.get(url, {"show": "uncoded"}).content.decode()  # line 3 has a code now
    assert "code-line-1" not in client.get(url, {"show": "suggested"}).content.decode()
    search = client.get(url, {"line": t.pk, "q": "A0101"}).content.decode()
    assert "A010102" in search

    # another organisation: nothing to see, nothing changed
    client.force_login(world.other_buyer)
    assert client.get(url).status_code in (403, 404)
    assert client.post(reverse("demand:plan_codes_confirm", args=[plan.pk]), {"confirm_group": "A01"}).status_code in (
        403,
        404,
    )
    assert client.post(reverse("demand:line_code_choose", args=[b.pk]), {"code": "T010101"}).status_code in (403, 404)
    assert [ln.emdn_source for ln in _lines(plan)] == ["confirmed", "suggested", "confirmed"]


def test_the_codes_page_reads_a_constant_number_of_queries(client, world, codes, django_assert_max_num_queries):
    plan = world.plan(lines=3)
    coding.engine_codes_apply(codes={ln.pk: ("A010101", 0.6) for ln in plan.lines.all()})
    _suggest(plan, {ln: ["A010101", "T010101"] for ln in plan.lines.all()})
    client.force_login(world.buyer)
    url = reverse("demand:plan_codes", args=[plan.pk])
    client.get(url)
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    actor = actor_for(world.buyer)
    for n in range(30):
        services.line_create(actor=actor, plan=plan, data=line_data(f"COMPRESSE STERILE {n}", quantity="5"))
    lines = list(plan.lines.all())
    coding.engine_codes_apply(codes={ln.pk: ("T010101", 0.6) for ln in lines[::2]})
    _suggest(plan, {ln: ["A010101", "T010101"] for ln in lines})
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).content.decode().count('data-testid="code-line-') == 33


def test_codes_through_the_api(client, world, codes):
    plan = world.plan(lines=2, publish=True)
    a, b = _lines(plan)
    coding.engine_codes_apply(codes={a.pk: ("A010101", 0.72), b.pk: ("A010102", 0.7)})
    buyer = {"Authorization": f"Bearer {token_for(world.buyer)[1]}"}
    rows = client.get(f"{API}/plans/{plan.pk}/codes", headers=buyer).json()
    assert [(r["emdn"], r["source"], r["level"], r["mass"]) for r in rows] == [
        ("A010101", "suggested", 4, 0.72),
        ("A010102", "suggested", 4, 0.7),
    ]
    summary = client.get(f"{API}/plans/{plan.pk}/codes/summary", headers=buyer).json()
    assert summary["suggested"] == 2 and summary["groups"] == [{"group": "A01", "term": "Group A01", "lines": 2}]
    other = {"Authorization": f"Bearer {token_for(world.other_buyer)[1]}"}
    maker = {"Authorization": f"Bearer {token_for(world.manufacturer)[1]}"}
    for headers in (other, maker):
        assert client.get(f"{API}/plans/{plan.pk}/codes", headers=headers).status_code in (403, 404)
        refused = client.post(f"{API}/plans/{plan.pk}/codes/confirm", {"group": "A01"},
                              content_type="application/json", headers=headers)  # fmt: skip
        assert refused.status_code in (403, 404)
        refused = client.post(f"{API}/lines/{b.pk}/code", {"code": "T010101"}, content_type="application/json",
                              headers=headers)  # fmt: skip
        assert refused.status_code in (403, 404)
    assert [ln.emdn_source for ln in _lines(plan)] == ["suggested", "suggested"]
    confirmed = client.post(f"{API}/plans/{plan.pk}/codes/confirm", {"group": "A01"},
                            content_type="application/json", headers=buyer)  # fmt: skip
    assert confirmed.json() == {"confirmed": 2}
    chosen = client.post(f"{API}/lines/{b.pk}/code", {"code": "T010101"}, content_type="application/json",
                         headers=buyer).json()  # fmt: skip
    assert (chosen["emdn"], chosen["source"]) == ("T010101", "buyer")
    line = client.get(f"{API}/lines/{a.pk}", headers=buyer).json()
    assert line["emdn_source"] == "confirmed"
