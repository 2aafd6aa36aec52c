"""The home page's notices of the consultations a supplier is invited to: only the person's own supplier
organisations' invitations, only to published consultations still taking offers, each with its deadline
(Casablanca time), the organisation's offers against the lots it is admitted to, and the answered questions;
nothing for other organisations or anonymous visitors, and one query whatever the number of invitations."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation

from tawrid.core.permissions import ANONYMOUS, actor_for
from tawrid.demand.models import PurchasePlan
from tawrid.sourcing import selectors, services
from tawrid.sourcing.models import Consultation, Invitation, InvitationSource
from tawrid.sourcing.tests.factories import SourcingWorld, clock, terms


@pytest.fixture
def world(db) -> SourcingWorld:
    return SourcingWorld()


@pytest.fixture
def plan(world) -> PurchasePlan:
    """The group's published plan, its lines proposed (needles: Maroc Seringues and Euro Needles; gloves: Maroc
    Seringues), for as many consultations as a test needs."""
    plan = world.sourcing_plan()
    world.usual_proposals(plan)
    return plan


def _consultation(world, plan, reference: str, *, publish: bool = True, **overrides) -> Consultation:
    consultation = services.consultation_create_from_lines(
        actor=actor_for(world.buyer),
        buyer=world.group,
        lines=list(plan.lines.order_by("line_number")),
        data=terms(reference, **overrides),
        user=world.buyer,
    )
    if publish:
        consultation = services.consultation_publish(actor=actor_for(world.buyer), consultation=consultation)
    return consultation


def _notices(html: str) -> dict[str, dict[str, str]]:
    """The notices of a page, by consultation: their data attributes."""
    notices = {}
    for tag in re.findall(r'<tr data-testid="invitation-notice"[^>]*>', html):
        attributes = dict(re.findall(r'data-([a-z-]+)="([^"]*)"', tag))
        notices[attributes["consultation"]] = attributes
    return notices


def _home(client, user=None) -> str:
    if user is not None:
        client.force_login(user)
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    return response.content.decode()


def test_an_invited_supplier_sees_the_consultation_with_its_deadline_offers_and_answers(client, world, plan):
    consultation = _consultation(world, plan, "CONS-HOME-1")
    html = _home(client, world.manufacturer)
    notice = _notices(html)[str(consultation.pk)]
    assert notice["supplier"] == str(world.maker.pk)
    assert (notice["offers"], notice["lots"], notice["answers"]) == ("0", "2", "0")  # needles and gloves
    assert consultation.reference in html and world.group.name in html
    assert reverse("sourcing:consultation_detail", args=[consultation.pk]) in html
    deadline = timezone.localtime(consultation.submission_deadline, ZoneInfo("Africa/Casablanca"))
    with translation.override("fr"):
        assert formats.date_format(deadline, "DATETIME_FORMAT") in html

    world.submit(consultation, world.lot(consultation, 1), ["1.10", "1.10"])
    question = services.question_ask(
        actor=actor_for(world.manufacturer), consultation=consultation, supplier=world.maker, text="Emballage ?"
    )
    services.question_ask(  # still unanswered: not counted
        actor=actor_for(world.manufacturer), consultation=consultation, supplier=world.maker, text="Délais ?"
    )
    services.question_answer(actor=actor_for(world.buyer), question=question, answer="Boîtes de 100.")
    notice = _notices(_home(client))[str(consultation.pk)]
    assert (notice["offers"], notice["lots"], notice["answers"]) == ("1", "2", "1")


def test_read_only_people_of_the_supplier_see_it_too_and_each_supplier_its_own_counts(client, world, plan):
    consultation = _consultation(world, plan, "CONS-HOME-2")
    world.submit(consultation, world.lot(consultation, 1), ["1.10", "1.10"])  # Maroc Seringues' offer
    assert str(consultation.pk) in _notices(_home(client, world.maker_reader))
    foreign = _notices(_home(client, world.foreign_manufacturer))[str(consultation.pk)]
    assert (foreign["supplier"], foreign["offers"], foreign["lots"]) == (str(world.foreign_maker.pk), "0", "1")


def test_people_of_other_organisations_see_no_notice(client, world, plan):
    _consultation(world, plan, "CONS-HOME-3")
    for user in (world.glove_manufacturer, world.other_manufacturer, world.buyer, world.secretariat, world.superuser):
        client.force_login(user)
        assert _notices(_home(client)) == {}, user
        assert 'data-testid="invitation-notices"' not in _home(client)
    assert not selectors.open_invitations_for(actor_for(world.glove_manufacturer)).exists()


def test_past_deadline_cancelled_and_draft_consultations_are_not_shown(client, world, plan):
    shown = _consultation(world, plan, "CONS-HOME-OK")
    with clock(timezone.now() - timedelta(days=10)):
        _consultation(world, plan, "CONS-HOME-PAST")  # its deadline passed 8 days ago
    cancelled = _consultation(world, plan, "CONS-HOME-CANCEL")
    services.consultation_cancel(actor=actor_for(world.buyer), consultation=cancelled, reason="Besoin annulé")
    draft = _consultation(world, plan, "CONS-HOME-DRAFT", publish=False)
    invitation = Invitation.objects.create(consultation=draft, supplier=world.maker, source=InvitationSource.MATCHING)
    invitation.lots.set(draft.lots.all())  # even invited, a draft is not shown
    assert Invitation.objects.filter(supplier=world.maker).count() == 4

    assert list(_notices(_home(client, world.manufacturer))) == [str(shown.pk)]
    with clock(shown.submission_deadline):  # the deadline itself: offers are no longer taken
        assert _notices(_home(client)) == {}


def test_anonymous_visitors_see_nothing(client, world, plan):
    _consultation(world, plan, "CONS-HOME-4")
    html = _home(client)
    assert _notices(html) == {} and 'data-testid="invitation-notices"' not in html
    assert list(selectors.open_invitations_for(ANONYMOUS)) == []


def test_the_notices_cost_one_query_whatever_their_number(world, plan, django_assert_num_queries):
    for number in range(3):
        _consultation(world, plan, f"CONS-HOME-N{number}")
    actor = actor_for(world.manufacturer)
    with django_assert_num_queries(1):
        notices = [
            (
                invitation.consultation.reference,
                invitation.consultation.buyer.name,
                invitation.supplier.name,
                invitation.lots_admitted,
                invitation.offers_submitted,
                invitation.questions_answered,
            )
            for invitation in selectors.open_invitations_for(actor)
        ]
    assert [notice[0] for notice in notices] == ["CONS-HOME-N0", "CONS-HOME-N1", "CONS-HOME-N2"]
    assert {notice[3:] for notice in notices} == {(2, 0, 0)}
