"""The demo's consultations and orders: written through the sourcing services (a consultation open for
offers with the demo manufacturer's sealed offers, a weighted draft, direct orders with deliveries), once;
the OCDS export of every demo plan and consultation validates with zero errors; the local-purchase rates
have figures between 0 and 1."""

from decimal import Decimal

import pytest

from tawrid.accounts.models import Organisation, User
from tawrid.core.permissions import actor_for
from tawrid.demand.models import PlanStatus, PurchasePlan
from tawrid.demo import sourcing_seed
from tawrid.demo.services import demo_seed
from tawrid.nomenclature.services import reference_load
from tawrid.sourcing import selectors
from tawrid.sourcing.models import Consultation, ConsultationStatus, Invitation, Offer, OfferStatus, Order
from tawrid.sourcing.ocds import export
from tawrid.sourcing.ocds.validate import validate


def _operator():
    return actor_for(User.objects.get(email="admin@demo.tawrid.ma"))


@pytest.fixture
def demo(db) -> None:
    reference_load(which=["emdn"])
    demo_seed()


def test_the_demo_has_a_consultation_open_for_offers_a_draft_and_orders(demo):
    published = Consultation.objects.get(reference=sourcing_seed.CONSULTATION_REFERENCE)
    assert published.status == ConsultationStatus.PUBLISHED
    assert published.lots.count() == 2
    invited = set(Invitation.objects.filter(consultation=published).values_list("supplier__slug", flat=True))
    assert sourcing_seed.MANUFACTURER in invited and len(invited) >= 2
    offers = Offer.objects.filter(consultation=published, supplier__slug=sourcing_seed.MANUFACTURER)
    assert offers.count() >= 1 and set(offers.values_list("status", flat=True)) == {OfferStatus.SUBMITTED}
    assert all(offer.sealed_payload for offer in offers)  # sealed like any offer
    draft = Consultation.objects.get(reference=sourcing_seed.DRAFT_REFERENCE)
    assert draft.status == ConsultationStatus.DRAFT and draft.evaluation_method == "weighted"

    buyers_with_plans = Organisation.objects.filter(purchase_plans__status=PlanStatus.PUBLISHED).distinct()
    assert set(Order.objects.values_list("buyer_id", flat=True).distinct()) == set(
        buyers_with_plans.values_list("pk", flat=True)
    )
    assert Order.objects.filter(supplier__slug=sourcing_seed.FOREIGN_SUPPLIER[0]).exists()
    rates = selectors.local_purchase_rates(_operator())
    assert Decimal(0) < rates.national.of_purchases < Decimal(1)
    assert Decimal(0) < rates.national.of_plan < Decimal(1)


def test_a_second_run_writes_nothing(demo):
    counts = (Consultation.objects.count(), Offer.objects.count(), Order.objects.count())
    demo_seed()
    assert (Consultation.objects.count(), Offer.objects.count(), Order.objects.count()) == counts


def test_the_ocds_export_of_the_demo_validates(demo):
    operator = _operator()
    packages = []
    for plan in PurchasePlan.objects.filter(status=PlanStatus.PUBLISHED):
        packages += [export.plan_release_package(operator, plan.pk), export.plan_record_package(operator, plan.pk)]
    for consultation in Consultation.objects.exclude(status=ConsultationStatus.DRAFT):
        packages += [
            export.consultation_release_package(operator, consultation.pk),
            export.consultation_record_package(operator, consultation.pk),
        ]
    assert len(packages) >= 12
    for package in packages:
        assert validate(package) == [], package.get("uri")


def test_without_reference_data_the_demo_has_no_consultation(db):
    demo_seed()  # no EMDN: the plans' lines are not coded, so there is nothing to consult on
    assert not Consultation.objects.exists()
