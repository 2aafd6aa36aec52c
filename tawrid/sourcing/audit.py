"""Consultations and offers in the audit trail (see tawrid.accounts.audit).

The sealed columns (the consultation's wrapped key, an offer's sealed contents and nonce) are never recorded:
the trail is read by people who must not even see ciphertext change hands. Amounts enter the trail only with
the offer lines the opening writes."""

from auditlog.registry import auditlog

from tawrid.accounts.audit import _columns

SEALED_CONSULTATION_FIELDS = ("sealing_key",)
SEALED_OFFER_FIELDS = ("sealed_payload", "nonce")


def register_models() -> None:
    from tawrid.sourcing.models import (
        Award,
        Consultation,
        Delivery,
        DeliveryLine,
        EvaluatedOffer,
        Invitation,
        Lot,
        LotEvaluation,
        LotLine,
        Offer,
        OfferLine,
        Order,
        OrderLine,
        Question,
    )

    auditlog.register(Consultation, include_fields=_columns(Consultation, *SEALED_CONSULTATION_FIELDS))
    auditlog.register(Lot, include_fields=_columns(Lot))
    auditlog.register(LotLine, include_fields=_columns(LotLine))
    auditlog.register(Invitation, include_fields=_columns(Invitation), m2m_fields={"lots"})
    auditlog.register(Question, include_fields=_columns(Question))
    auditlog.register(Offer, include_fields=_columns(Offer, *SEALED_OFFER_FIELDS))
    auditlog.register(OfferLine, include_fields=_columns(OfferLine))
    for model in (LotEvaluation, EvaluatedOffer, Award, Order, OrderLine, Delivery, DeliveryLine):
        auditlog.register(model, include_fields=_columns(model))
