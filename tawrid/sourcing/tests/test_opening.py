"""The two-step opening: a member of the buyer requests it, a different member confirms it."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry

from tawrid.accounts.models import Role
from tawrid.accounts.tests.factories import person_in
from tawrid.core.errors import DomainError, Forbidden, NotFound
from tawrid.core.permissions import actor_for
from tawrid.sourcing import services
from tawrid.sourcing.models import ConsultationStatus, OfferLine
from tawrid.sourcing.tests.factories import AwardWorld, clock


@pytest.fixture
def world(db) -> AwardWorld:
    return AwardWorld()


def _refused(code, function, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        function(**kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


def _as(user):
    return {"actor": actor_for(user), "user": user}


def test_two_members_open_in_two_steps(world):
    consultation = world.consultation()
    ours, _theirs = world.needle_offers(consultation, local=("1.12", "1.12"), foreign=("1.00", "1.00"))
    at = consultation.opening_at + timedelta(minutes=1)
    with clock(at):
        requested = services.consultation_request_opening(consultation=consultation, **_as(world.buyer))
        assert requested.opening_requested_by == world.buyer and requested.opening_requested_at == at
        assert requested.status == ConsultationStatus.PUBLISHED and not OfferLine.objects.exists()
    with clock(at + timedelta(minutes=3)):
        opened = services.consultation_confirm_opening(consultation=consultation, **_as(world.committee_peer))
    assert opened.status == ConsultationStatus.OPENED
    assert (opened.opened_by_first, opened.opened_by_second) == (world.buyer, world.committee_peer)
    assert opened.opened_at == at + timedelta(minutes=3)
    assert OfferLine.objects.filter(offer=ours).count() == 2
    entries = LogEntry.objects.get_for_object(opened).filter(action=LogEntry.Action.UPDATE)
    assert entries.count() >= 2  # the request, then the opening


def test_the_two_step_opening_refusals(world):
    consultation = world.consultation()
    outsider = person_in(world.hospital, Role.ADMIN, full_name="Hors Groupe")
    reader = person_in(world.group, Role.READ_ONLY, full_name="Lecteur Groupe")
    before = consultation.opening_at - timedelta(seconds=1)
    after = consultation.opening_at + timedelta(minutes=1)
    with clock(before):
        _refused("too_early", services.consultation_request_opening, consultation=consultation, **_as(world.buyer))
    with clock(after):
        _refused(
            "opening_not_requested",
            services.consultation_confirm_opening,
            consultation=consultation,
            **_as(world.committee_peer),
        )
        with pytest.raises(NotFound):  # another organisation does not even see the consultation
            services.consultation_request_opening(consultation=consultation, **_as(outsider))
        with pytest.raises(Forbidden):  # a read-only person of the buyer sits on no committee
            services.consultation_request_opening(consultation=consultation, **_as(reader))
        _refused(  # one person cannot act as another
            "committee_actor",
            services.consultation_request_opening,
            consultation=consultation,
            actor=actor_for(world.buyer),
            user=world.committee_peer,
        )
        services.consultation_request_opening(consultation=consultation, **_as(world.buyer))
        _refused(
            "opening_already_requested_by_you",
            services.consultation_request_opening,
            consultation=consultation,
            **_as(world.buyer),
        )
        _refused(
            "opening_already_requested",
            services.consultation_request_opening,
            consultation=consultation,
            **_as(world.committee_peer),
        )
        _refused(
            "committee_same_person",
            services.consultation_confirm_opening,
            consultation=consultation,
            **_as(world.buyer),
        )
    consultation.refresh_from_db()
    assert consultation.opened_at is None and consultation.status == ConsultationStatus.PUBLISHED
    with clock(after):
        services.consultation_confirm_opening(consultation=consultation, **_as(world.committee_peer))
        _refused(
            "already_opened",
            services.consultation_confirm_opening,
            consultation=consultation,
            **_as(world.committee_peer),
        )
        _refused("already_opened", services.consultation_request_opening, consultation=consultation, **_as(world.buyer))


def test_a_confirmation_before_the_opening_time_is_refused(world):
    consultation = world.consultation()
    with clock(consultation.opening_at):
        services.consultation_request_opening(consultation=consultation, **_as(world.buyer))
    consultation.refresh_from_db()
    with clock(consultation.opening_at - timedelta(seconds=1)):
        _refused(
            "too_early", services.consultation_confirm_opening, consultation=consultation, **_as(world.committee_peer)
        )
