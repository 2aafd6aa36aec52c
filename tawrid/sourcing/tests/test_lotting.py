"""Lotting by EMDN group and the buyer's regrouping of a draft's lots (services, page and API)."""

import pytest
from django.urls import reverse

from tawrid.core.errors import DomainError
from tawrid.core.permissions import actor_for
from tawrid.demand.models import PlanLine
from tawrid.sourcing import lotting, services
from tawrid.sourcing.models import Lot, LotLine
from tawrid.sourcing.tests.factories import SourcingWorld, terms
from tawrid.sourcing.tests.test_api import API, auth


@pytest.fixture
def world(db) -> SourcingWorld:
    return SourcingWorld()


def _draft(world, **kw):
    plan = world.sourcing_plan()
    world.usual_proposals(plan)
    # The glove line without an EMDN code (as the demo's Foleys and compresses were).
    line = plan.lines.order_by("line_number").last()
    PlanLine.objects.filter(pk=line.pk).update(emdn=None, emdn_source="")
    return services.consultation_create_from_lines(
        actor=actor_for(world.buyer),
        buyer=world.group,
        lines=list(plan.lines.order_by("line_number")),
        data=terms(),
        user=world.buyer,
        **kw,
    )


def _shape(consultation):
    return [
        (lot.number, lot.title, [line.designation[:20] for line in lot.lines.order_by("position")])
        for lot in consultation.lots.order_by("number")
    ]


def test_lines_are_lotted_by_emdn_group_and_uncoded_lines_get_their_own_lot(world):
    consultation = _draft(world)
    lots = list(consultation.lots.order_by("number"))
    assert [lot.emdn.code if lot.emdn else None for lot in lots] == ["A01", None]
    assert lots[0].lines.count() == 2
    assert lots[0].title.startswith("A01 — ")  # the group's term, not "Lines without an EMDN code"
    assert lots[1].lines.get().designation.startswith("GANTS")


def test_a_group_title_is_its_french_term_when_known():
    assert lotting.group_title("T01", "GLOVES (EXCLUDING PPE)").startswith("T01 — ")
    assert lotting.group_title("Z99", "SOMETHING RARE") == "Z99 — Something rare"


def test_the_buyer_moves_merges_splits_and_renames_lots_of_a_draft(world):
    consultation = _draft(world)
    actor = actor_for(world.buyer)
    needles, other = consultation.lots.order_by("number")
    first, second = needles.lines.order_by("position")

    lotting.lot_split(actor=actor, consultation=consultation, lines=[second.pk], title="Aiguilles 23 G")
    assert [len(lines) for _n, _t, lines in _shape(consultation)] == [1, 1, 1]
    assert consultation.lots.get(number=3).title == "Aiguilles 23 G"

    lotting.lot_move_lines(actor=actor, consultation=consultation, lines=[second.pk], to_lot=needles.pk)
    # The emptied lot is gone; lots and positions stay numbered 1..n.
    assert [(n, len(lines)) for n, _t, lines in _shape(consultation)] == [(1, 2), (2, 1)]
    assert list(needles.lines.order_by("position").values_list("pk", flat=True)) == [first.pk, second.pk]

    merged = lotting.lots_merge(actor=actor, consultation=consultation, lot=other.pk, into=needles.pk)
    assert consultation.lots.count() == 1 and merged.lines.count() == 3
    assert list(merged.lines.order_by("position").values_list("position", flat=True)) == [1, 2, 3]

    lotting.lot_rename(actor=actor, consultation=consultation, lot=merged.pk, title="Consommables")
    assert Lot.objects.get(pk=merged.pk).title == "Consommables"


def test_regrouping_is_refused_once_published_and_for_others(world):
    consultation = _draft(world)
    lot = consultation.lots.first()
    with pytest.raises(DomainError) as caught:
        lotting.lot_rename(actor=actor_for(world.buyer), consultation=consultation, lot=lot.pk, title="")
    assert caught.value.code == "bad_lot"
    with pytest.raises(Exception) as foreign:
        lotting.lot_rename(actor=actor_for(world.manufacturer), consultation=consultation, lot=lot.pk, title="X")
    assert getattr(foreign.value, "status", None) in (403, 404)
    published = services.consultation_publish(actor=actor_for(world.buyer), consultation=consultation)
    with pytest.raises(DomainError) as late:
        lotting.lot_rename(actor=actor_for(world.buyer), consultation=published, lot=lot.pk, title="X")
    assert late.value.code == "consultation_not_draft"


def test_the_page_regroups_a_draft(client, world):
    consultation = _draft(world)
    client.force_login(world.buyer)
    page = client.get(reverse("sourcing:consultation_detail", args=[consultation.pk]))
    assert b'data-testid="lot-regroup-1"' in page.content
    needles, other = consultation.lots.order_by("number")
    response = client.post(
        reverse("sourcing:lots_regroup", args=[consultation.pk]),
        {"action": "merge", "lot": other.pk, "into": needles.pk},
    )
    assert response.status_code == 302
    assert consultation.lots.count() == 1 and LotLine.objects.filter(lot=needles).count() == 3


def test_the_api_regroups_a_draft(client, world):
    consultation = _draft(world)
    needles = consultation.lots.get(number=1)
    line = needles.lines.order_by("position").last()
    response = client.post(
        f"{API}/consultations/{consultation.pk}/lots/regroup",
        {"action": "split", "lines": [line.pk], "title": "Aiguilles 23 G"},
        "application/json",
        headers=auth(world.buyer),
    )
    assert response.status_code == 200, response.content
    assert [lot["title"] for lot in response.json()][-1] == "Aiguilles 23 G"
    refused = client.post(
        f"{API}/consultations/{consultation.pk}/lots/regroup",
        {"action": "rename", "lot": needles.pk, "title": "X"},
        "application/json",
        headers=auth(world.manufacturer),
    )
    assert refused.status_code in (403, 404)
