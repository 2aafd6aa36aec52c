"""Envelope encryption of offers: keys derived from the configured master keys (or SECRET_KEY), rotation,
payloads bound to their offer, and no unsealing before the opening."""

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured

from tawrid.core.permissions import actor_for
from tawrid.sourcing import sealing, services
from tawrid.sourcing.models import ConsultationStatus, Offer
from tawrid.sourcing.tests.factories import SourcingWorld

OLD_KEY = "old-master-key-0123456789abcdefghijklmnop"
NEW_KEY = "new-master-key-0123456789abcdefghijklmnop"
CONTENTS = {"lines": [{"lot_line": 1, "unit_price": "12.50", "delivery_days": 15, "variant": None}], "documents": []}


@pytest.fixture
def world(db) -> SourcingWorld:
    return SourcingWorld()


def test_master_keys_come_from_the_setting_first_one_first(settings):
    settings.SEALING_KEYS = [NEW_KEY, OLD_KEY]
    keys = sealing.master_keys()
    assert len(keys) == 2 and all(len(key) == 32 for key in keys)
    assert keys[0] != keys[1]
    settings.SEALING_KEYS = [OLD_KEY]
    assert sealing.master_keys() == [keys[1]]


def test_without_sealing_keys_the_master_key_is_derived_from_secret_key_under_its_own_label(settings):
    settings.SEALING_KEYS = []
    settings.SECRET_KEY = "a-development-secret-key-that-is-long-enough"
    derived = sealing.master_keys()
    assert len(derived) == 1
    settings.SEALING_KEYS = [settings.SECRET_KEY]
    assert sealing.master_keys() != derived  # a distinct HKDF label: not the same key as a configured one
    settings.SECRET_KEY = "another-development-secret-key-long-enough"
    settings.SEALING_KEYS = []
    assert sealing.master_keys() != derived


def test_a_short_sealing_key_is_refused(settings):
    settings.SEALING_KEYS = ["too-short"]
    with pytest.raises(ImproperlyConfigured):
        sealing.master_keys()


def test_keys_rotate_old_wrapped_keys_unwrap_until_rewrapped(settings):
    settings.SEALING_KEYS = [OLD_KEY]
    wrapped = sealing.new_wrapped_key(consultation_id=7)
    settings.SEALING_KEYS = [NEW_KEY, OLD_KEY]
    data_key = sealing._unwrap(wrapped, 7)
    rewrapped = sealing.rewrap_key(wrapped=wrapped, consultation_id=7)
    settings.SEALING_KEYS = [NEW_KEY]
    assert sealing._unwrap(rewrapped, 7) == data_key
    with pytest.raises(sealing.SealedError):
        sealing._unwrap(wrapped, 7)  # the old key is gone
    with pytest.raises(sealing.SealedError):
        sealing._unwrap(rewrapped, 8)  # a key is bound to its consultation


def test_nothing_unseals_before_the_opening_and_the_status_must_be_true_in_the_database(world):
    consultation = world.consultation()
    offer = world.submit(consultation, world.lot(consultation, 2), ["0.82"])
    with pytest.raises(sealing.SealedError) as caught:
        sealing.unseal(consultation=consultation, offer=offer)
    assert caught.value.code == "sealed"
    # Changing the object in memory is not enough: the database says it is not opened.
    consultation.status = ConsultationStatus.OPENED
    consultation.opened_at = consultation.opening_at
    with pytest.raises(sealing.SealedError):
        sealing.unseal(consultation=consultation, offer=offer)


def test_a_payload_moved_to_another_offer_or_version_does_not_authenticate(world):
    consultation = world.consultation()
    needles = world.lot(consultation, 1)
    ours = world.submit(consultation, needles, ["0.45", "0.47"])
    theirs = world.submit(consultation, needles, ["0.40", "0.41"], user=world.foreign_manufacturer)
    # Someone with database access swaps the sealed contents (and nonces) of two offers.
    Offer.objects.filter(pk=theirs.pk).update(sealed_payload=ours.sealed_payload, nonce=ours.nonce)
    # The opening unseals every offer: the swap is detected and nothing is opened.
    with pytest.raises(sealing.SealedError) as caught:
        world.open(consultation)
    assert caught.value.code == "tampered"
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.PUBLISHED and consultation.opened_at is None


def test_a_replayed_older_version_does_not_authenticate(world):
    consultation = world.consultation()
    needles = world.lot(consultation, 1)
    offer = world.submit(consultation, needles, ["0.45", "0.47"])
    version_one = (bytes(offer.sealed_payload), bytes(offer.nonce))
    services.offer_amend(
        actor=actor_for(world.manufacturer),
        offer=offer,
        expected_version=1,
        lines=world.priced(needles, ["0.9", "0.9"]),
    )
    Offer.objects.filter(pk=offer.pk).update(sealed_payload=version_one[0], nonce=version_one[1])
    with pytest.raises(sealing.SealedError):
        world.open(consultation)


def test_sealed_contents_round_trip_once_opened(world, settings):
    settings.SEALING_KEYS = [NEW_KEY]
    consultation = world.consultation()
    sealed = sealing.seal(consultation=consultation, lot_id=3, supplier_id=4, version=1, contents=CONTENTS)
    assert b"12.50" not in sealed.payload and len(sealed.nonce) == 12
    offer = Offer(
        consultation=consultation, lot_id=3, supplier_id=4, version=1, sealed_payload=sealed.payload, nonce=sealed.nonce
    )
    consultation.status = ConsultationStatus.OPENED
    consultation.opened_at = consultation.opening_at + timedelta(minutes=1)
    consultation.opened_by_first = world.buyer
    consultation.opened_by_second = world.committee_peer
    consultation.save()
    assert sealing.unseal(consultation=consultation, offer=offer) == CONTENTS
    settings.SEALING_KEYS = [OLD_KEY]  # the key the consultation was published under is gone
    with pytest.raises(sealing.SealedError):
        sealing.unseal(consultation=consultation, offer=offer)
