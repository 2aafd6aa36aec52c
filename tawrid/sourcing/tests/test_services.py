"""Consultations through the services, from plan lines to the opening: lots, invitations and their e-mails,
questions, sealed offers (submit, amend, withdraw), the opening by a committee of two; and every refusal,
which must say why and change nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.utils import timezone

from tawrid.accounts.models import Role
from tawrid.accounts.tests.factories import person_in
from tawrid.core.errors import DomainError, Forbidden, NotFound
from tawrid.core.permissions import actor_for
from tawrid.demand import services as demand_services
from tawrid.demand.tests.factories import line_data
from tawrid.matching.models import DecisionKind, MatchDecision
from tawrid.sourcing import services
from tawrid.sourcing.models import (
    Consultation,
    ConsultationStatus,
    Invitation,
    InvitationSource,
    Offer,
    OfferLine,
    OfferStatus,
    Question,
)
from tawrid.sourcing.tests.factories import SourcingWorld, clock, terms


@pytest.fixture
def world(db) -> SourcingWorld:
    return SourcingWorld()


def _refused(code, call, *args, **kwargs):
    with pytest.raises(DomainError) as caught:
        call(*args, **kwargs)
    assert caught.value.code == code, caught.value.message
    assert caught.value.message
    return caught.value


def _admitted(consultation, supplier):
    invitation = Invitation.objects.get(consultation=consultation, supplier=supplier)
    return sorted(invitation.lots.values_list("number", flat=True)), invitation.source


# Creation and publication ----------------------------------------------------------------------------------------


def test_lines_are_grouped_into_lots_by_emdn_group_with_the_terms(world):
    consultation = world.consultation(publish=False)
    assert consultation.status == ConsultationStatus.DRAFT
    assert consultation.plan.lines.count() == 3
    lots = list(consultation.lots.order_by("number"))
    # One lot per EMDN group (first 3 characters of the lines' codes A01010101 and T01020201).
    assert [lot.emdn.code for lot in lots] == ["A01", "T01"]
    assert [line.quantity for line in lots[0].lines.order_by("position")] == [Decimal(1500), Decimal(800)]
    assert lots[0].lines.first().plan_line.line_number == 1
    assert lots[1].lines.get().designation == "GANTS D'EXAMEN NITRILE NON POUDRES T/M"
    # The lines ask for ISO 13485 (the plans' key): the consultation requires the catalogue's kind.
    assert consultation.required_certificates == ["iso13485"]
    assert consultation.sealing_key is None and consultation.price_weight == 100


def test_explicit_lots_put_each_line_in_one_lot(world):
    plan = world.sourcing_plan()
    ids = list(plan.lines.order_by("line_number").values_list("pk", flat=True))
    consultation = services.consultation_create_from_lines(
        actor=actor_for(world.buyer),
        buyer=world.group,
        lines=ids,
        data=terms(),
        lots=[{"title": "Tout le lot", "emdn": None, "lines": ids}],
    )
    assert consultation.lots.get().lines.count() == 3
    for lots in ([{"title": "A", "lines": ids[:2]}], [{"title": "A", "lines": ids}, {"title": "B", "lines": ids[:1]}]):
        _refused(
            "bad_lot",
            services.consultation_create_from_lines,
            actor=actor_for(world.buyer),
            buyer=world.group,
            lines=ids,
            data=terms(reference="OTHER"),
            lots=lots,
        )
    assert Consultation.objects.count() == 1


def test_publication_invites_the_proposed_suppliers_to_their_lots_and_mails_each_person(
    world, django_capture_on_commit_callbacks
):
    world.buyer.preferred_language = "en"
    world.buyer.save()
    world.foreign_manufacturer.preferred_language = "en"
    world.foreign_manufacturer.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # the e-mails go out once the publication commits
        consultation = world.consultation()
    assert consultation.status == ConsultationStatus.PUBLISHED
    assert consultation.published_at is not None and bytes(consultation.sealing_key)
    # Maroc Seringues was proposed for needles and gloves, Euro Needles for needles; Atlas Médical's needles
    # could only become eligible: not invited.
    assert _admitted(consultation, world.maker) == ([1, 2], InvitationSource.MATCHING)
    assert _admitted(consultation, world.foreign_maker) == ([1], InvitationSource.MATCHING)
    assert not Invitation.objects.filter(consultation=consultation, supplier=world.other_maker).exists()
    assert not Invitation.objects.filter(consultation=consultation, notified_at__isnull=True).exists()
    # One message per person of the invited suppliers, in that person's language.
    recipients = sorted(address for message in mail.outbox for address in message.to)
    expected = sorted([world.manufacturer.email, world.maker_reader.email, world.foreign_manufacturer.email])
    assert recipients == expected
    english = next(m for m in mail.outbox if m.to == [world.foreign_manufacturer.email])
    assert english.subject == "Consultation CONS-2026-001: you are invited to submit an offer"
    assert "CONS-2026-001" in english.body and "Groupe Santé Atlas" in english.body


def test_an_open_consultation_also_invites_every_eligible_manufacturer_of_the_codes(world):
    consultation = world.consultation(open_to_all=True)
    # Gants du Souss was proposed by nobody, but its gloves are eligible under the gloves' code.
    assert _admitted(consultation, world.glove_maker) == ([2], InvitationSource.OPEN_CALL)
    assert _admitted(consultation, world.maker) == ([1, 2], InvitationSource.MATCHING)
    assert not Invitation.objects.filter(consultation=consultation, supplier=world.other_maker).exists()


def test_rejected_proposals_are_not_invited(world):
    plan = world.sourcing_plan()
    world.usual_proposals(plan)
    for line in plan.lines.filter(line_number__in=[1, 2]):
        MatchDecision.objects.create(line=line, product=world.foreign_needles, decision=DecisionKind.REJECTED)
    consultation = services.consultation_create_from_lines(
        actor=actor_for(world.buyer), buyer=world.group, lines=list(plan.lines.all()), data=terms()
    )
    services.consultation_publish(actor=actor_for(world.buyer), consultation=consultation)
    assert not Invitation.objects.filter(consultation=consultation, supplier=world.foreign_maker).exists()


def test_publication_refusals_change_nothing(world):
    nobody = world.consultation(publish=False, proposals=False)
    _refused("no_suppliers", services.consultation_publish, actor=actor_for(world.buyer), consultation=nobody)
    nobody.refresh_from_db()
    assert nobody.status == ConsultationStatus.DRAFT and nobody.sealing_key is None
    assert not Invitation.objects.exists() and not mail.outbox

    soon = terms(
        reference="PAST",
        questions_deadline=timezone.now() + timedelta(hours=1),
        submission_deadline=timezone.now() + timedelta(days=1),
        opening_at=timezone.now() + timedelta(days=1),
        open_to_all=True,
    )
    draft = services.consultation_create_from_lines(
        actor=actor_for(world.buyer), buyer=world.group, lines=list(nobody.plan.lines.all()), data=soon
    )
    with clock(timezone.now() + timedelta(hours=2)):  # a draft whose deadline for questions passed meanwhile
        _refused("deadline_past", services.consultation_publish, actor=actor_for(world.buyer), consultation=draft)
    with pytest.raises(Forbidden):
        services.consultation_publish(actor=actor_for(world.buyer_reader), consultation=nobody)
    with pytest.raises(NotFound):
        services.consultation_publish(actor=actor_for(world.manufacturer), consultation=nobody)
    assert Consultation.objects.filter(status=ConsultationStatus.DRAFT).count() == 2


def test_creation_refuses_bad_terms_and_other_buyers_lines(world):
    plan = world.sourcing_plan()
    lines = list(plan.lines.all())
    buyer = actor_for(world.buyer)
    bad = terms(
        national_preference_rate="0.2",
        opening_at=timezone.now() + timedelta(hours=1),
        required_certificates=["iso9001"],
    )
    error = _refused(
        "invalid_terms",
        services.consultation_create_from_lines,
        actor=buyer,
        buyer=world.group,
        lines=lines,
        data=bad,
    )
    assert set(error.details) == {"national_preference_rate", "opening_at", "required_certificates"}
    _refused(
        "invalid_terms",
        services.consultation_create_from_lines,
        actor=buyer,
        buyer=world.group,
        lines=lines,
        data=terms(evaluation_method="weighted", price_weight=140),
    )
    other_plan = world.needle_plan(hospital=True)
    _refused(
        "foreign_lines",
        services.consultation_create_from_lines,
        actor=buyer,
        buyer=world.group,
        lines=list(other_plan.lines.all()),
        data=terms(),
    )
    draft_plan = demand_services.plan_create(actor=buyer, buyer=world.group, year=2027)
    demand_services.line_create(actor=buyer, plan=draft_plan, data=line_data("SERINGUE 5 ML", quantity="10"))
    _refused(
        "plan_not_published",
        services.consultation_create_from_lines,
        actor=buyer,
        buyer=world.group,
        lines=list(draft_plan.lines.all()),
        data=terms(),
    )
    with pytest.raises(Forbidden):
        services.consultation_create_from_lines(
            actor=actor_for(world.manufacturer), buyer=world.group, lines=lines, data=terms()
        )
    services.consultation_create_from_lines(actor=buyer, buyer=world.group, lines=lines, data=terms())
    _refused(
        "reference_taken",
        services.consultation_create_from_lines,
        actor=buyer,
        buyer=world.group,
        lines=lines,
        data=terms(),
    )
    assert Consultation.objects.count() == 1


def test_only_a_draft_is_updated(world):
    consultation = world.consultation(publish=False)
    updated = services.consultation_update(
        actor=actor_for(world.buyer),
        consultation=consultation,
        data={"evaluation_method": "weighted", "price_weight": 70, "national_preference_rate": "0.1"},
    )
    assert updated.price_weight == 70 and updated.national_preference_rate == Decimal("0.100")
    _refused(
        "invalid_terms",
        services.consultation_update,
        actor=actor_for(world.buyer),
        consultation=consultation,
        data={"submission_deadline": consultation.opening_at + timedelta(days=1)},
    )
    services.consultation_publish(actor=actor_for(world.buyer), consultation=consultation)
    _refused(
        "consultation_not_draft",
        services.consultation_update,
        actor=actor_for(world.buyer),
        consultation=consultation,
        data={"title": "Autre chose"},
    )
    consultation.refresh_from_db()
    assert consultation.title == "Aiguilles et gants 2026" and consultation.price_weight == 70


# Questions -------------------------------------------------------------------------------------------------------


def test_questions_until_their_deadline_and_answers_for_every_invited_supplier(
    world, django_capture_on_commit_callbacks
):
    consultation = world.consultation()
    maker = actor_for(world.manufacturer)
    question = services.question_ask(
        actor=maker, consultation=consultation, supplier=world.maker, text="Le conditionnement B/100 convient-il ?"
    )
    with pytest.raises(Forbidden):
        services.question_ask(
            actor=actor_for(world.maker_reader), consultation=consultation, supplier=world.maker, text="?"
        )
    _refused(
        "not_invited",
        services.question_ask,
        actor=actor_for(world.other_manufacturer),
        consultation=consultation,
        supplier=world.other_maker,
        text="Et nous ?",
    )
    with clock(consultation.questions_deadline):
        _refused(
            "questions_closed",
            services.question_ask,
            actor=maker,
            consultation=consultation,
            supplier=world.maker,
            text="Trop tard ?",
        )
    assert Question.objects.count() == 1

    mail.outbox.clear()
    with pytest.raises(Forbidden):
        services.question_answer(actor=actor_for(world.buyer_reader), question=question, answer="Oui.")
    with django_capture_on_commit_callbacks(execute=True):
        answered = services.question_answer(actor=actor_for(world.buyer), question=question, answer="Oui, B/100.")
    assert answered.answered_at is not None
    # Every invited supplier's people are told.
    assert {m.to[0] for m in mail.outbox} == {
        world.manufacturer.email,
        world.maker_reader.email,
        world.foreign_manufacturer.email,
    }
    _refused(
        "already_answered", services.question_answer, actor=actor_for(world.buyer), question=question, answer="Non"
    )


# Offers ----------------------------------------------------------------------------------------------------------


def test_submit_amend_and_withdraw_an_offer(world):
    consultation = world.consultation()
    needles = world.lot(consultation, 1)
    offer = world.submit(consultation, needles, ["0.45", "0.47"], documents=["fiche-technique.pdf"])
    assert offer.status == OfferStatus.SUBMITTED and offer.version == 1 and offer.established_in_morocco
    assert offer.submitted_at is not None and offer.documents == []  # sealed until the opening
    foreign = world.submit(consultation, needles, ["0.40", "0.41"], user=world.foreign_manufacturer)
    assert foreign.established_in_morocco is False

    maker = actor_for(world.manufacturer)
    first_payload = bytes(offer.sealed_payload)
    amended = services.offer_amend(
        actor=maker, offer=offer, expected_version=1, lines=world.priced(needles, ["0.44", "0.46"])
    )
    assert amended.version == 2 and bytes(amended.sealed_payload) != first_payload

    withdrawn = services.offer_withdraw(actor=maker, offer=amended, expected_version=2)
    assert withdrawn.status == OfferStatus.WITHDRAWN and withdrawn.withdrawn_at is not None
    assert bytes(withdrawn.sealed_payload) == b""
    again = world.submit(consultation, needles, ["0.43", "0.45"])
    assert again.pk != offer.pk and again.version == 1
    # Every step is in the audit trail, filed under the supplier.
    entries = LogEntry.objects.get_for_object(offer)
    assert entries.count() == 3
    assert all(entry.additional_data == {"organisation_id": world.maker.pk} for entry in entries)


def test_a_late_offer_is_refused_by_server_time(world):
    consultation = world.consultation()
    needles = world.lot(consultation, 1)
    offer = world.submit(consultation, needles, ["0.45", "0.47"])
    with clock(consultation.submission_deadline):
        _refused("deadline_passed", world.submit, consultation, world.lot(consultation, 2), ["0.80"])
        _refused(
            "deadline_passed",
            services.offer_amend,
            actor=actor_for(world.manufacturer),
            offer=offer,
            expected_version=1,
            lines=world.priced(needles, ["0.30", "0.30"]),
        )
        _refused(
            "deadline_passed",
            services.offer_withdraw,
            actor=actor_for(world.manufacturer),
            offer=offer,
            expected_version=1,
        )
    offer.refresh_from_db()
    assert offer.version == 1 and offer.status == OfferStatus.SUBMITTED
    assert Offer.objects.count() == 1


def test_an_offer_for_a_lot_not_admitted_is_refused(world):
    consultation = world.consultation()
    gloves = world.lot(consultation, 2)
    # Euro Needles is invited to the needles only; Atlas Médical to nothing.
    _refused("lot_not_admitted", world.submit, consultation, gloves, ["0.60"], user=world.foreign_manufacturer)
    _refused(
        "lot_not_admitted",
        world.submit,
        consultation,
        world.lot(consultation, 1),
        ["0.30", "0.30"],
        user=world.other_manufacturer,
    )
    with pytest.raises(Forbidden):
        world.submit(consultation, gloves, ["0.60"], user=world.maker_reader)
    assert not Offer.objects.exists()


@pytest.mark.parametrize(
    ("price", "field"),
    [
        ("douze", "unit_price"),
        ("-3", "unit_price"),
        ("0", "unit_price"),
        ("1.005", "unit_price"),
        ("NaN", "unit_price"),
    ],
)
def test_prices_that_are_not_positive_amounts_are_refused(world, price, field):
    consultation = world.consultation()
    error = _refused("invalid_offer", world.submit, consultation, world.lot(consultation, 2), [price])
    assert list(error.details) == [f"lines.0.{field}"]
    assert not Offer.objects.exists()


def test_an_offer_prices_every_line_of_its_lot_with_the_suppliers_own_variants(world):
    consultation = world.consultation()
    needles = world.lot(consultation, 1)
    maker = actor_for(world.manufacturer)
    incomplete = world.priced(needles, ["0.45", "0.47"])[:1]
    error = _refused(
        "invalid_offer",
        services.offer_submit,
        actor=maker,
        consultation=consultation,
        lot=needles,
        supplier=world.maker,
        lines=incomplete,
    )
    assert "lines" in error.details
    someone_elses = world.priced(needles, ["0.45", "0.47"])
    someone_elses[0]["variant"] = world.foreign_needles.variants.first().pk
    someone_elses[1]["delivery_days"] = "bientôt"
    error = _refused(
        "invalid_offer",
        services.offer_submit,
        actor=maker,
        consultation=consultation,
        lot=needles,
        supplier=world.maker,
        lines=someone_elses,
    )
    assert set(error.details) == {"lines.0.variant", "lines.1.delivery_days"}
    assert not Offer.objects.exists()


def test_a_second_offer_for_the_same_lot_is_refused(world):
    consultation = world.consultation()
    needles = world.lot(consultation, 1)
    world.submit(consultation, needles, ["0.45", "0.47"])
    _refused("offer_exists", world.submit, consultation, needles, ["0.40", "0.40"])
    assert Offer.objects.count() == 1


def test_a_stale_version_from_a_second_tab_is_refused(world):
    consultation = world.consultation()
    needles = world.lot(consultation, 1)
    offer = world.submit(consultation, needles, ["0.45", "0.47"])
    first_tab = Offer.objects.get(pk=offer.pk)
    second_tab = Offer.objects.get(pk=offer.pk)
    maker = actor_for(world.manufacturer)
    services.offer_amend(
        actor=maker, offer=first_tab, expected_version=first_tab.version, lines=world.priced(needles, ["0.44", "0.46"])
    )
    error = _refused(
        "stale_version",
        services.offer_amend,
        actor=maker,
        offer=second_tab,
        expected_version=second_tab.version,
        lines=world.priced(needles, ["0.10", "0.10"]),
    )
    assert "another window" in error.message or "autre fenêtre" in error.message
    _refused("stale_version", services.offer_withdraw, actor=maker, offer=second_tab, expected_version=1)
    offer.refresh_from_db()
    assert offer.version == 2 and offer.status == OfferStatus.SUBMITTED
    opened = world.open(consultation)
    assert [line.unit_price for line in OfferLine.objects.filter(offer__consultation=opened)] == [
        Decimal("0.44"),
        Decimal("0.46"),
    ]


def test_a_supplier_cannot_see_or_amend_another_organisations_offer(world):
    consultation = world.consultation()
    needles = world.lot(consultation, 1)
    offer = world.submit(consultation, needles, ["0.45", "0.47"])
    foreign = actor_for(world.foreign_manufacturer)
    with pytest.raises(NotFound):
        services.offer_amend(actor=foreign, offer=offer, expected_version=1, lines=world.priced(needles, ["1", "1"]))
    with pytest.raises(NotFound):
        services.offer_withdraw(actor=foreign, offer=offer, expected_version=1)
    with pytest.raises(Forbidden):  # a read-only person of the supplier sees it but cannot change it
        services.offer_withdraw(actor=actor_for(world.maker_reader), offer=offer, expected_version=1)
    offer.refresh_from_db()
    assert offer.version == 1 and offer.status == OfferStatus.SUBMITTED


# Opening ---------------------------------------------------------------------------------------------------------


def test_the_committee_opens_and_every_submitted_offer_becomes_its_lines(world):
    consultation = world.consultation()
    needles, gloves = world.lot(consultation, 1), world.lot(consultation, 2)
    variant = world.needles.variants.first()
    ours = services.offer_submit(
        actor=actor_for(world.manufacturer),
        consultation=consultation,
        lot=needles,
        supplier=world.maker,
        lines=world.priced(needles, ["0.45", "1 234,50"], days=20, variant=variant.pk),
        documents=["fiche-technique.pdf", "certificat-iso.pdf"],
    )
    world.submit(consultation, gloves, ["0.82"])
    theirs = world.submit(consultation, needles, ["0.40", "0.41"], user=world.foreign_manufacturer)
    services.offer_withdraw(actor=actor_for(world.foreign_manufacturer), offer=theirs, expected_version=1)
    assert not OfferLine.objects.exists()

    opened = world.open(consultation)
    assert opened.status == ConsultationStatus.OPENED and opened.opened_at is not None
    assert {opened.opened_by_first, opened.opened_by_second} == {world.buyer, world.committee_peer}
    lines = list(OfferLine.objects.filter(offer=ours).order_by("lot_line__position"))
    assert [line.unit_price for line in lines] == [Decimal("0.45"), Decimal("1234.50")]
    assert all(line.delivery_days == 20 and line.variant == variant for line in lines)
    ours.refresh_from_db()
    assert ours.documents == ["fiche-technique.pdf", "certificat-iso.pdf"]
    assert OfferLine.objects.filter(offer__lot=gloves).get().unit_price == Decimal("0.82")
    assert not OfferLine.objects.filter(offer=theirs).exists()  # withdrawn offers are never opened
    assert LogEntry.objects.get_for_object(opened).filter(action=LogEntry.Action.UPDATE).exists()


def test_the_opening_refusals(world):
    consultation = world.consultation()
    world.submit(consultation, world.lot(consultation, 2), ["0.82"])
    buyer = actor_for(world.buyer)
    outsider = person_in(world.hospital, Role.ADMIN, full_name="Hors Groupe")
    after = consultation.opening_at + timedelta(minutes=1)
    with clock(consultation.opening_at - timedelta(seconds=1)):
        _refused(
            "too_early",
            services.consultation_open,
            actor=buyer,
            consultation=consultation,
            committee=[world.buyer, world.committee_peer],
        )
    with clock(after):
        for committee, code in (
            ([world.buyer], "committee_size"),
            ([world.buyer, world.buyer], "committee_same_person"),
            ([world.buyer, world.committee_peer, world.secretariat], "committee_size"),
            ([world.buyer, world.buyer_reader], "committee_not_members"),  # read-only
            ([world.buyer, outsider], "committee_not_members"),
            ([world.committee_peer, world.secretariat], "committee_actor"),
        ):
            _refused(code, services.consultation_open, actor=buyer, consultation=consultation, committee=committee)
        with pytest.raises(Forbidden):  # an invited supplier sees the consultation, and no more
            services.consultation_open(
                actor=actor_for(world.manufacturer),
                consultation=consultation,
                committee=[world.buyer, world.committee_peer],
            )
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.PUBLISHED and consultation.opened_at is None
    assert not OfferLine.objects.exists()

    world.open(consultation)
    with clock(after + timedelta(hours=1)):
        _refused(
            "already_opened",
            services.consultation_open,
            actor=buyer,
            consultation=consultation,
            committee=[world.buyer, world.committee_peer],
        )
    assert OfferLine.objects.count() == 1


def test_cancellation_needs_a_reason_and_tells_the_suppliers(world, django_capture_on_commit_callbacks):
    consultation = world.consultation()
    buyer = actor_for(world.buyer)
    _refused("reason_required", services.consultation_cancel, actor=buyer, consultation=consultation, reason="  ")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = services.consultation_cancel(actor=buyer, consultation=consultation, reason="Budget réaffecté.")
    assert cancelled.status == ConsultationStatus.CANCELLED and cancelled.cancel_reason == "Budget réaffecté."
    assert {m.to[0] for m in mail.outbox} == {
        world.manufacturer.email,
        world.maker_reader.email,
        world.foreign_manufacturer.email,
    }
    assert all("Budget réaffecté." in m.body for m in mail.outbox)
    _refused("already_cancelled", services.consultation_cancel, actor=buyer, consultation=consultation, reason="x")
    _refused("not_accepting_offers", world.submit, consultation, world.lot(consultation, 2), ["0.82"])
    with clock(consultation.opening_at + timedelta(minutes=1)):
        _refused(
            "not_published",
            services.consultation_open,
            actor=buyer,
            consultation=consultation,
            committee=[world.buyer, world.committee_peer],
        )
