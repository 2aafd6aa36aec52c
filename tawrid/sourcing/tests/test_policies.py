"""Who sees which consultations, questions and offers, through the registered policies (as pages, the API and
the admin site see them)."""

import pytest

from tawrid.accounts.models import OrganisationKind, Role
from tawrid.accounts.tests.factories import OrganisationFactory, person_in
from tawrid.core.errors import NotFound
from tawrid.core.permissions import ANONYMOUS, actor_for, can_change, visible
from tawrid.sourcing import selectors, services
from tawrid.sourcing.models import Question
from tawrid.sourcing.tests.factories import SourcingWorld


@pytest.fixture
def world(db) -> SourcingWorld:
    return SourcingWorld()


def _sees(user, consultation) -> bool:
    return selectors.consultations_for(actor_for(user) if user else ANONYMOUS).filter(pk=consultation.pk).exists()


def test_a_draft_is_seen_by_the_buyers_side_only(world):
    draft = world.consultation(publish=False)
    assert _sees(world.buyer, draft) and _sees(world.buyer_reader, draft)
    assert _sees(world.secretariat, draft)  # it oversees the group
    assert _sees(world.superuser, draft)
    for outsider in (None, world.manufacturer, world.foreign_manufacturer, world.other_buyer):
        assert not _sees(outsider, draft)


def test_suppliers_see_the_consultations_they_are_invited_to_or_open_ones(world):
    consultation = world.consultation()
    assert _sees(world.manufacturer, consultation) and _sees(world.maker_reader, consultation)
    assert _sees(world.foreign_manufacturer, consultation)
    assert not _sees(world.other_manufacturer, consultation)  # not invited, not open
    assert not _sees(world.other_buyer, consultation)  # another buyer
    assert not _sees(None, consultation)
    # A consultation open to all is seen by any manufacturer, invited or not.
    consultation.open_to_all = True
    consultation.save(update_fields=["open_to_all"])
    assert _sees(world.other_manufacturer, consultation)
    assert not _sees(world.other_buyer, consultation)
    investor_org = OrganisationFactory(name="Capital Santé", kind=OrganisationKind.INVESTOR)
    assert not _sees(person_in(investor_org, Role.ADMIN), consultation)


def test_only_the_buyers_writers_may_change_a_consultation(world):
    consultation = world.consultation(publish=False)
    assert can_change(actor_for(world.buyer), consultation)
    for user in (world.buyer_reader, world.secretariat, world.manufacturer, world.other_buyer):
        assert not can_change(actor_for(user), consultation)


def test_questions_are_private_until_answered_then_published_to_the_invited(world):
    consultation = world.consultation()
    question = services.question_ask(
        actor=actor_for(world.manufacturer), consultation=consultation, supplier=world.maker, text="Stérilisation ?"
    )

    def sees(user) -> bool:
        return selectors.questions_of(actor_for(user), consultation).filter(pk=question.pk).exists()

    assert sees(world.manufacturer) and sees(world.buyer)
    assert not sees(world.foreign_manufacturer)  # invited, but the question is not answered yet
    services.question_answer(actor=actor_for(world.buyer), question=question, answer="Oxyde d'éthylène.")
    assert sees(world.foreign_manufacturer)
    assert not sees(world.other_manufacturer)  # not invited
    assert not visible(ANONYMOUS, Question.objects.all()).exists()


def test_a_supplier_sees_only_its_own_offers_and_the_buyer_none_before_opening(world):
    consultation = world.consultation()
    needles = world.lot(consultation, 1)
    ours = world.submit(consultation, needles, ["0.45", "0.47"])
    theirs = world.submit(consultation, needles, ["0.40", "0.41"], user=world.foreign_manufacturer)

    def offers(user) -> set[int]:
        return set(selectors.offers_of(actor_for(user), consultation=consultation).values_list("pk", flat=True))

    assert offers(world.manufacturer) == {ours.pk}
    assert offers(world.maker_reader) == {ours.pk}
    assert offers(world.foreign_manufacturer) == {theirs.pk}
    assert offers(world.buyer) == set() and offers(world.secretariat) == set()
    assert offers(world.other_manufacturer) == set()
    assert offers(world.superuser) == {ours.pk, theirs.pk}  # the rows only: the contents are sealed
    with pytest.raises(NotFound):
        selectors.offer_detail(actor_for(world.foreign_manufacturer), ours.pk)
    assert can_change(actor_for(world.manufacturer), ours)
    assert not can_change(actor_for(world.maker_reader), ours)
    assert not can_change(actor_for(world.foreign_manufacturer), ours)

    world.open(consultation)
    assert offers(world.buyer) == {ours.pk, theirs.pk}
    assert offers(world.secretariat) == {ours.pk, theirs.pk}
    assert offers(world.foreign_manufacturer) == {theirs.pk}  # still never another supplier's


def test_invitations_and_admitted_lots(world):
    consultation = world.consultation()
    mine = selectors.my_invitations(actor_for(world.foreign_manufacturer))
    assert [invitation.consultation_id for invitation in mine] == [consultation.pk]
    assert selectors.invitations_of(actor_for(world.foreign_manufacturer), consultation).count() == 1
    assert selectors.invitations_of(actor_for(world.buyer), consultation).count() == 2
    lots = selectors.admitted_lots(actor_for(world.foreign_manufacturer), consultation, world.foreign_maker.pk)
    assert [lot.number for lot in lots] == [1]
    assert not selectors.admitted_lots(actor_for(world.foreign_manufacturer), consultation, world.maker.pk).exists()
