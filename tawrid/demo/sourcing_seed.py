"""The demo's consultations and orders, written through tawrid.sourcing.services like a buyer would.

* Groupe Santé Atlas publishes a consultation (hypodermic needles and syringes of its plan, open to every
  eligible manufacturer, lowest price with the 15 % national preference) that accepts offers for two weeks;
  Injecta Maroc (the demo manufacturer login) has already submitted a sealed offer for each lot it is admitted
  to. The rest of the procedure (opening by two members, evaluation, award, order) happens in real time, so
  the demo leaves it to the person trying it (docs/sourcing.md walks through it).
* Groupe Santé Atlas also keeps a weighted draft ready to publish.
* Every buyer with a published plan has placed direct orders against some of its plan lines, from a
  Moroccan manufacturer of the line's EMDN group when there is one and otherwise from MediSupply Europe (a
  foreign manufacturer), and has received part of them, so that the local-purchase rates have figures.

Idempotent like the rest of the demo: nothing is written when the demo consultation already exists.
Deterministic for a seed, except the dates, which follow the day the demo is built."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from tawrid.accounts.models import Membership, Organisation, OrganisationKind, Role
from tawrid.catalog.models import Product, ProductStatus
from tawrid.core.permissions import actor_for
from tawrid.core.text import fold
from tawrid.demand.models import PlanLine, PlanStatus
from tawrid.demo import data
from tawrid.sourcing import selectors, services
from tawrid.sourcing.models import Consultation, Order

CONSULTATION_REFERENCE = "DEMO-AO-2026-01"
DRAFT_REFERENCE = "DEMO-AO-2026-02"
BUYER = "groupe-sante-atlas"
MANUFACTURER = "injecta-maroc"
FOREIGN_SUPPLIER = ("medisupply-europe", "MediSupply Europe (démo)", "FR", "Lyon")
ORDERED_LINES_PER_BUYER = 8
CENT = Decimal("0.01")


@dataclass
class SourcingReport:
    consultations: list[str] = field(default_factory=list)
    offers: int = 0
    orders: int = 0
    deliveries: int = 0


def _admin_of(organisation: Organisation) -> Any:
    membership = (
        Membership.objects.filter(organisation=organisation, role=Role.ADMIN).select_related("user").order_by("pk")
    ).first()
    if membership is None:
        raise LookupError(f"the demo organisation {organisation.slug} has no administrator")
    return membership.user


def _foreign_supplier() -> Organisation:
    slug, name, country, city = FOREIGN_SUPPLIER
    supplier, _created = Organisation.objects.get_or_create(
        slug=slug,
        defaults={
            "name": name,
            "kind": OrganisationKind.MANUFACTURER,
            "country": country,
            "city": city,
            "description": "Fabricant européen de dispositifs médicaux à usage unique (démonstration).",
            "is_demo": True,
            "search_text": fold(f"{name} {city}"),
        },
    )
    return supplier


def _price(line: PlanLine, rng: random.Random, low: float, high: float) -> Decimal:
    base = line.unit_price if line.unit_price else Decimal("10.00")
    return (Decimal(base) * Decimal(str(round(rng.uniform(low, high), 3)))).quantize(CENT, ROUND_HALF_UP)


@transaction.atomic
def sourcing_seed(*, seed: int = data.DEFAULT_SEED) -> SourcingReport:
    report = SourcingReport()
    buyer = Organisation.objects.filter(slug=BUYER).first()
    if buyer is None or Consultation.objects.filter(buyer=buyer, reference=CONSULTATION_REFERENCE).exists():
        return report
    rng = random.Random(f"{seed}:sourcing")
    buyer_user = _admin_of(buyer)
    plan_lines = PlanLine.objects.filter(
        plan__buyer=buyer, plan__status=PlanStatus.PUBLISHED, unit_price__isnull=False, emdn__isnull=False
    ).select_related("emdn", "plan")
    needles = list(
        plan_lines.filter(emdn__code="A010101", designation__startswith="AIGUILLE HYPODERMIQUE").order_by(
            "line_number"
        )[:4]
    )
    syringes = list(plan_lines.filter(emdn__code__startswith="A0201").order_by("line_number")[:3])
    now = timezone.now().replace(second=0, microsecond=0)
    if needles or syringes:  # without the EMDN reference data the demo plans have no coded line to consult on
        _consultations(report, rng, buyer, buyer_user, plan_lines, needles + syringes, now)
    _direct_orders(report, rng)
    return report


def _consultations(
    report: SourcingReport,
    rng: random.Random,
    buyer: Organisation,
    buyer_user: Any,
    plan_lines: QuerySet[PlanLine],
    consulted: list[PlanLine],
    now: datetime,
) -> None:
    buyer_actor = actor_for(buyer_user)
    consultation = services.consultation_create_from_lines(
        actor=buyer_actor,
        buyer=buyer,
        lines=consulted,
        data={
            "reference": CONSULTATION_REFERENCE,
            "title": "Aiguilles hypodermiques et seringues stériles à usage unique",
            "delivery_terms": "Livraison franco au magasin central du groupe, en deux tranches (janvier et juin).",
            # ISO 13485 only: some lines also ask for CE marking, which no demo manufacturer holds.
            "required_certificates": ["iso13485"],
            "evaluation_method": "lowest_price",
            "national_preference_rate": Decimal("0.15"),
            "questions_deadline": now + timedelta(days=7),
            "submission_deadline": now + timedelta(days=14),
            "opening_at": now + timedelta(days=14, hours=2),
            "open_to_all": True,
        },
        user=buyer_user,
    )
    consultation = services.consultation_publish(actor=buyer_actor, consultation=consultation)
    report.consultations.append(consultation.reference)

    manufacturer = Organisation.objects.get(slug=MANUFACTURER)
    maker_user = _admin_of(manufacturer)
    maker_actor = actor_for(maker_user)
    for lot in selectors.admitted_lots(maker_actor, consultation, manufacturer.pk).order_by("number"):
        variants = selectors.offer_variant_choices(manufacturer.pk, lot)
        lines = []
        for line in lot.lines.select_related("plan_line").order_by("position"):
            choices, proposed = variants.get(line.pk, ([], None))
            plan_line = line.plan_line
            lines.append(
                {
                    "lot_line": line.pk,
                    "unit_price": str(_price(plan_line, rng, 0.9, 1.05)) if plan_line else "1.00",
                    "delivery_days": rng.choice([15, 21, 30]),
                    "variant": proposed or (choices[0][0] if choices else None),
                }
            )
        services.offer_submit(
            actor=maker_actor,
            consultation=consultation,
            lot=lot,
            supplier=manufacturer,
            lines=lines,
            documents=["Certificat ISO 13485.pdf", "Enregistrement DMP.pdf"],
            user=maker_user,
        )
        report.offers += 1

    others = plan_lines.exclude(pk__in=[line.pk for line in consulted]).order_by("line_number")
    gloves = list(others.filter(designation__icontains="GANT")[:3]) or list(others[:3])
    draft = services.consultation_create_from_lines(
        actor=buyer_actor,
        buyer=buyer,
        lines=gloves,
        data={
            "reference": DRAFT_REFERENCE,
            "title": "Gants d'examen et de chirurgie",
            "delivery_terms": "Livraison mensuelle au magasin central.",
            "required_certificates": ["iso13485"],
            "evaluation_method": "weighted",
            "price_weight": 70,
            "national_preference_rate": Decimal("0.15"),
            "questions_deadline": now + timedelta(days=20),
            "submission_deadline": now + timedelta(days=30),
            "opening_at": now + timedelta(days=30, hours=2),
            "open_to_all": False,
        },
        user=buyer_user,
    )
    report.consultations.append(draft.reference)


def _local_maker_by_group() -> dict[str, list[int]]:
    makers: dict[str, list[int]] = {}
    rows = (
        Product.objects.filter(status=ProductStatus.PUBLISHED, manufacturer__country="MA")
        .values_list("emdn__code", "manufacturer_id")
        .order_by("manufacturer_id")
        .distinct()
    )
    for code, maker_id in rows:
        group = makers.setdefault(code[:3], [])
        if maker_id not in group:
            group.append(maker_id)
    return makers


def _direct_orders(report: SourcingReport, rng: random.Random) -> None:
    foreign: Organisation | None = None  # created when a line has no Moroccan maker (never without EMDN data)
    makers = _local_maker_by_group()
    suppliers = {org.pk: org for org in Organisation.objects.filter(pk__in={m for ids in makers.values() for m in ids})}
    buyers = Organisation.objects.filter(purchase_plans__status=PlanStatus.PUBLISHED).distinct().order_by("slug")
    for buyer in buyers:
        user = _admin_of(buyer)
        actor = actor_for(user)
        candidates = list(
            PlanLine.objects.filter(
                plan__buyer=buyer, plan__status=PlanStatus.PUBLISHED, unit_price__isnull=False, emdn__isnull=False
            )
            .select_related("emdn")
            .order_by("line_number")
        )
        chosen = rng.sample(candidates, min(ORDERED_LINES_PER_BUYER, len(candidates)))
        by_supplier: dict[int, list[dict[str, str | int]]] = {}
        for line in chosen:
            local = makers.get(line.emdn.code[:3], [])
            if local and rng.random() < 0.8:
                supplier_id = rng.choice(local)
            else:
                foreign = foreign or _foreign_supplier()
                suppliers[foreign.pk] = foreign
                supplier_id = foreign.pk
            share = Decimal(str(rng.choice([0.25, 0.4, 0.5])))
            quantity = max(Decimal(1), (line.quantity * share).quantize(Decimal(1), ROUND_HALF_UP))
            by_supplier.setdefault(supplier_id, []).append(
                {"plan_line": line.pk, "quantity": str(quantity), "unit_price": str(_price(line, rng, 0.85, 1.1))}
            )
        for supplier_id, entries in sorted(by_supplier.items()):
            supplier = suppliers[supplier_id]
            order: Order = services.order_create_direct(
                actor=actor, buyer=buyer, supplier=supplier, plan_lines_with_quantities_and_prices=entries
            )
            report.orders += 1
            if rng.random() < 0.6:
                received = {line.pk: line.quantity for line in order.lines.all()}
                services.delivery_record(actor=actor, order=order, received=received)
                report.deliveries += 1
