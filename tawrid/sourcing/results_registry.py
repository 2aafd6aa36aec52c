"""Registrations of the bidders' results at start-up: permission policies and audit trail of the receipts and
requests for review, and the supplier's home-page panel (through tawrid.core.home's registry: core names no
sourcing module)."""

from __future__ import annotations

from typing import Any

from auditlog.registry import auditlog

from tawrid.accounts.audit import _columns
from tawrid.core import home, permissions


def _never(actor: Any, obj: Any) -> bool:
    return False  # written by the services only


def register() -> None:
    from tawrid.sourcing import receipts, results, reviews
    from tawrid.sourcing.results_models import OfferReceipt, ReviewRequest

    permissions.register(OfferReceipt, permissions.Custom(receipts.receipt_scope, _never))
    permissions.register(ReviewRequest, permissions.Custom(reviews.review_scope, _never))
    for model in (OfferReceipt, ReviewRequest):
        auditlog.register(model, include_fields=_columns(model))
    home.register_panel(home.Panel("sourcing-results", "sourcing/_home_results.html", results.home_results))
