"""Whether a product may be sold to a hospital on a date: ONE rule, used by pages, the API, the directory
and the matching engine.

`eligibility` is a pure function over plain data (`ProductFacts`, `CertificateFacts`,
`RegistrationFacts`): it touches no database, so the matching engine can call it in workers. The
selectors `product_facts` / `facts_for_products` build those facts in a constant number of queries.

The rule: a product is eligible on a date when, for each required certificate kind (default ISO 13485),
a certificate of that kind is held by its manufacturer, covers the product (an empty product scope covers
the whole organisation), is active, verified by IMANOR and issued on or before the date and expires on or
after it; and when it has an approved DMP registration valid on that date (valid_from ≤ date ≤ valid_until).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

DEFAULT_REQUIRED_CERTIFICATES: tuple[str, ...] = ("iso13485",)

CERTIFICATE_NAMES = {"iso13485": "ISO 13485", "nm": "NM (IMANOR)", "ce": "CE", "other": "—"}


@dataclass(frozen=True)
class CertificateFacts:
    id: int
    kind: str
    number: str
    holder_id: int
    product_ids: frozenset[int]  # empty: the whole organisation
    status: str
    verified: bool
    issued_on: date
    expires_on: date

    def covers(self, product: ProductFacts) -> bool:
        return self.holder_id == product.manufacturer_id and (not self.product_ids or product.id in self.product_ids)

    def valid_on(self, on: date) -> bool:
        return self.status == "active" and self.verified and self.issued_on <= on <= self.expires_on


@dataclass(frozen=True)
class RegistrationFacts:
    id: int
    product_id: int
    status: str
    number: str
    valid_from: date | None
    valid_until: date | None

    def valid_on(self, on: date) -> bool:
        return (
            self.status == "approved"
            and self.valid_from is not None
            and self.valid_until is not None
            and self.valid_from <= on <= self.valid_until
        )


@dataclass(frozen=True)
class ProductFacts:
    id: int
    manufacturer_id: int
    certificates: tuple[CertificateFacts, ...] = ()
    registrations: tuple[RegistrationFacts, ...] = ()


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reasons: list[str] = field(default_factory=list)
    valid_certificates: list[CertificateFacts] = field(default_factory=list)
    registration: RegistrationFacts | None = None


def _certificate_problem(kind: str, candidates: Sequence[CertificateFacts], on: date) -> str:
    name = CERTIFICATE_NAMES.get(kind, kind)
    if not candidates:
        return _("No %(kind)s certificate covers this product.") % {"kind": name}
    latest = max(candidates, key=lambda c: c.expires_on)
    if latest.status == "suspended":
        return _("The %(kind)s certificate %(number)s is suspended.") % {"kind": name, "number": latest.number}
    if latest.status == "withdrawn":
        return _("The %(kind)s certificate %(number)s has been withdrawn.") % {"kind": name, "number": latest.number}
    if latest.expires_on < on or latest.status == "expired":
        return _("The %(kind)s certificate %(number)s expired on %(date)s.") % {
            "kind": name,
            "number": latest.number,
            "date": latest.expires_on.isoformat(),
        }
    if latest.issued_on > on:
        return _("The %(kind)s certificate %(number)s is only valid from %(date)s.") % {
            "kind": name,
            "number": latest.number,
            "date": latest.issued_on.isoformat(),
        }
    return _("The %(kind)s certificate %(number)s has not been verified by IMANOR yet.") % {
        "kind": name,
        "number": latest.number,
    }


def _registration_problem(registrations: Sequence[RegistrationFacts], on: date) -> str:
    approved = [r for r in registrations if r.status == "approved" and r.valid_until is not None]
    if approved:
        latest = max(approved, key=lambda r: r.valid_until or on)
        if latest.valid_until is not None and latest.valid_until < on:
            return _("The DMP registration %(number)s expired on %(date)s.") % {
                "number": latest.number,
                "date": latest.valid_until.isoformat(),
            }
        return _("The DMP registration %(number)s is only valid from %(date)s.") % {
            "number": latest.number,
            "date": latest.valid_from.isoformat() if latest.valid_from else "",
        }
    if any(r.status in ("submitted", "under_review") for r in registrations):
        return _("The DMP registration is under review.")
    return _("The product has no DMP registration.")


def eligibility(
    product: ProductFacts,
    on: date,
    *,
    required_certificates: Iterable[str] = DEFAULT_REQUIRED_CERTIFICATES,
    require_registration: bool = True,
) -> Eligibility:
    """Whether `product` may be sold on `on`, with the reasons when it may not (translated)."""
    reasons: list[str] = []
    valid: list[CertificateFacts] = []
    for kind in required_certificates:
        candidates = [c for c in product.certificates if c.kind == kind and c.covers(product)]
        good = [c for c in candidates if c.valid_on(on)]
        if good:
            valid.extend(good)
        else:
            reasons.append(_certificate_problem(kind, candidates, on))
    registration = None
    if require_registration:
        current = [r for r in product.registrations if r.product_id == product.id and r.valid_on(on)]
        if current:
            registration = max(current, key=lambda r: r.valid_until or on)
        else:
            reasons.append(_registration_problem(product.registrations, on))
    return Eligibility(eligible=not reasons, reasons=reasons, valid_certificates=valid, registration=registration)
