"""The database keeps the consultations' rules even against writes that skip the services."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from tawrid.sourcing.models import Consultation, Offer, OfferStatus
from tawrid.sourcing.tests.factories import SourcingWorld


@pytest.fixture
def world(db) -> SourcingWorld:
    return SourcingWorld()


def _breaks(obj, **changes) -> None:
    for field, value in changes.items():
        setattr(obj, field, value)
    with pytest.raises(IntegrityError), transaction.atomic():
        obj.save()


def _fresh(pk: int) -> Consultation:
    return Consultation.objects.get(pk=pk)


def test_consultation_constraints(world):
    consultation = world.consultation(publish=False)
    pk = consultation.pk
    now = timezone.now()
    _breaks(_fresh(pk), national_preference_rate=Decimal("0.151"))
    _breaks(_fresh(pk), national_preference_rate=Decimal("-0.01"))
    _breaks(_fresh(pk), questions_deadline=now + timedelta(days=3))  # after the submission deadline
    _breaks(_fresh(pk), opening_at=now + timedelta(hours=1))  # before the submission deadline
    _breaks(_fresh(pk), evaluation_method="weighted", price_weight=101)
    _breaks(_fresh(pk), price_weight=60)  # lowest price: the price is everything
    _breaks(_fresh(pk), status="published")  # without a sealing key
    _breaks(_fresh(pk), status="cancelled", cancelled_at=now, cancel_reason="")
    _breaks(_fresh(pk), status="bogus")
    _breaks(_fresh(pk), opened_at=now, opened_by_first=world.buyer, opened_by_second=world.buyer)  # same person
    _breaks(_fresh(pk), opened_at=now, opened_by_first=world.buyer)  # a committee of one
    duplicate = _fresh(pk)
    duplicate.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()  # the same reference for the same buyer
    other = _fresh(pk)
    other.pk, other.buyer = None, world.hospital
    other.save()  # another buyer may use it


def test_one_active_offer_per_lot_and_supplier(world):
    consultation = world.consultation()
    offer = world.submit(consultation, world.lot(consultation, 2), ["0.82"])
    copy = Offer.objects.get(pk=offer.pk)
    copy.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()
    _breaks(Offer.objects.get(pk=offer.pk), status=OfferStatus.WITHDRAWN)  # without its date
    _breaks(Offer.objects.get(pk=offer.pk), version=0)
    Offer.objects.filter(pk=offer.pk).update(status=OfferStatus.WITHDRAWN, withdrawn_at=timezone.now())
    copy.save()  # a withdrawn offer leaves room for a new one
    assert Offer.objects.filter(lot=offer.lot, supplier=world.maker).count() == 2


def test_offer_lines_have_positive_prices(world):
    consultation = world.consultation()
    offer = world.submit(consultation, world.lot(consultation, 2), ["0.82"])
    line = world.lot(consultation, 2).lines.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        offer.lines.create(lot_line=line, unit_price=Decimal("0"), delivery_days=10)
