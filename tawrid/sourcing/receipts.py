"""Receipts of offers: each submitted version of an offer gets one, in the transaction that stores the version.

A receipt says when the server took the version (shown in Casablanca time) and gives the SHA-256 of the sealed
bytes stored (`Offer.sealed_payload`): the supplier can later show that the offer opened is the one it sent,
and nobody learns a price from it (it is the fingerprint of ciphertext). Only the supplier's own people (and
the operator) read its receipts.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db.models import QuerySet

from tawrid.core.permissions import Actor, visible
from tawrid.sourcing import policies
from tawrid.sourcing.models import Offer
from tawrid.sourcing.results_models import OfferReceipt


def fingerprint(sealed: bytes | memoryview) -> str:
    return hashlib.sha256(bytes(sealed)).hexdigest()


def receipt_issue(*, offer: Offer, user: Any = None) -> OfferReceipt:
    """The receipt of the offer's current version, from the sealed bytes just stored (called by the services
    that submit and amend, inside their transaction)."""
    return OfferReceipt.objects.create(
        offer=offer,
        version=offer.version,
        submitted_at=offer.submitted_at,
        submitted_by=user if getattr(user, "pk", None) else None,
        fingerprint=fingerprint(offer.sealed_payload),
    )


def receipts_of(actor: Actor, offer: Offer) -> QuerySet[OfferReceipt]:
    """Every receipt of an offer, the latest version first."""
    return visible(actor, OfferReceipt.objects.filter(offer=offer)).select_related("submitted_by").order_by("-version")


def latest_receipt(actor: Actor, offer: Offer) -> OfferReceipt | None:
    return receipts_of(actor, offer).first()


def receipt_scope(actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
    if actor.is_superuser:
        return queryset
    if actor.is_anonymous:
        return queryset.none()
    return queryset.filter(offer__supplier__in=policies.supplier_orgs(actor))
