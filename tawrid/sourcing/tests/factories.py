"""A small world for the consultations' tests: the matching world (the group buying, Maroc Seringues making
eligible needles and gloves, Atlas Médical's uncertified needles, the secretariat) plus a second person of
the group for the opening committee, a foreign manufacturer with eligible needles, a glove maker nobody
proposed, and helpers to make a plan with EMDN-coded lines, match proposals, a consultation and offers."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from unittest import mock

from django.utils import timezone

from tawrid.accounts.models import OrganisationKind, Role
from tawrid.accounts.tests.factories import OrganisationFactory, person_in
from tawrid.catalog.models import Product
from tawrid.catalog.services import variant_set_specifications
from tawrid.catalog.tests.factories import VariantFactory
from tawrid.core.permissions import actor_for
from tawrid.demand import services as demand_services
from tawrid.demand.models import PurchasePlan
from tawrid.demand.tests.factories import line_data
from tawrid.matching.models import LineResult, MatchChunk, MatchRun, RunStatus
from tawrid.matching.tests.factories import GLOVES, NEEDLES, OPERATOR, MatchingWorld
from tawrid.sourcing import services
from tawrid.sourcing.models import Consultation, Lot, Offer


@contextmanager
def clock(moment: datetime) -> Iterator[datetime]:
    """Server time moved to `moment` (every `timezone.now()` call, the services' included)."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield moment


def terms(reference: str = "CONS-2026-001", **overrides: Any) -> dict[str, Any]:
    now = timezone.now()
    values: dict[str, Any] = {
        "reference": reference,
        "title": "Aiguilles et gants 2026",
        "delivery_terms": "Livraison franco au magasin central, 30 jours après commande.",
        "evaluation_method": "lowest_price",
        "national_preference_rate": Decimal("0.15"),
        "questions_deadline": now + timedelta(days=1),
        "submission_deadline": now + timedelta(days=2),
        "opening_at": now + timedelta(days=2, hours=1),
        "open_to_all": False,
    }
    values.update(overrides)
    return values


class SourcingWorld(MatchingWorld):
    def __init__(self) -> None:
        super().__init__()
        self.committee_peer = person_in(self.group, Role.ADMIN, full_name="Leila Commission", email="leila@gsa.ma")
        self.maker_reader = person_in(self.maker, Role.READ_ONLY, full_name="Sara Lecture")
        self.foreign_maker = OrganisationFactory(
            name="Euro Needles", slug="euro-needles", kind=OrganisationKind.MANUFACTURER, country="FR"
        )
        self.foreign_manufacturer = person_in(self.foreign_maker, Role.ADMIN, full_name="Jean Euro")
        self.foreign_needles = self.product(
            "Aiguille hypodermique stérile à usage unique importée",
            self.needle_code,
            variants={"21 G": {"gauge": "21"}},
            maker=self.foreign_maker,
            capacity=Decimal(100_000),
            price=Decimal("0.35"),
        )
        self.glove_maker = OrganisationFactory(
            name="Gants du Souss", slug="gants-souss", kind=OrganisationKind.MANUFACTURER
        )
        self.glove_manufacturer = person_in(self.glove_maker, Role.ADMIN, full_name="Aicha Souss")
        self.souss_gloves = self.product(
            "Gant d'examen nitrile",
            self.glove_code,
            variants={"M": {"glove_size": "M"}},
            maker=self.glove_maker,
            capacity=Decimal(500_000),
            price=Decimal("0.70"),
        )

    def sourcing_plan(self) -> PurchasePlan:
        """A published plan of the group: two needle lines (EMDN A01010101) and one glove line (T01020201)."""
        actor = actor_for(self.buyer)
        plan = demand_services.plan_create(actor=actor, buyer=self.group, year=2026)
        for designation, quantity, code in (
            ("AIGUILLE HYPODERMIQUE STERILE U.U. 25 X 8 / 10 G 21", "1500", NEEDLES),
            ("AIGUILLE HYPODERMIQUE STERILE U.U. 25 X 6 / 10 G 23", "800", NEEDLES),
            ("GANTS D'EXAMEN NITRILE NON POUDRES T/M", "200", GLOVES),
        ):
            demand_services.line_create(
                actor=actor,
                plan=plan,
                data=line_data(
                    designation,
                    quantity=quantity,
                    unit="U",
                    unit_price=Decimal("1.00"),
                    emdn_code=code,
                    required_certificates="ISO 13485",
                ),
            )
        return demand_services.plan_publish(actor=actor, plan=plan)

    def propose(self, plan: PurchasePlan, proposals: dict[int, Sequence[tuple[Product, str, float]]]) -> MatchRun:
        """A finished match run of `plan` proposing, per line number, (product, verdict, score) in rank order."""
        lines = {line.line_number: line for line in plan.lines.all()}
        run = MatchRun.objects.create(scope="plan", year=plan.year, plan=plan, status=RunStatus.DONE)
        chunk = MatchChunk.objects.create(run=run, number=1, line_ids=[line.pk for line in lines.values()])
        for number, line in lines.items():
            result = LineResult.objects.create(run=run, chunk=chunk, line=line, quantity=line.base_quantity)
            for rank, (product, verdict, score) in enumerate(proposals.get(number, ()), start=1):
                result.candidates.create(
                    rank=rank, product=product, variant=product.variants.first(), score=score, verdict=verdict
                )
        return run

    def usual_proposals(self, plan: PurchasePlan) -> MatchRun:
        """Needles: Maroc Seringues and Euro Needles fit, Atlas Médical could become eligible; gloves: Maroc
        Seringues."""
        needles = [
            (self.needles, "good", 0.92),
            (self.foreign_needles, "good", 0.88),
            (self.uncertified, "not_eligible", 0.8),
        ]
        return self.propose(plan, {1: needles, 2: needles, 3: [(self.gloves, "good", 0.9)]})

    def consultation(self, *, publish: bool = True, proposals: bool = True, **overrides: Any) -> Consultation:
        plan = self.sourcing_plan()
        if proposals:
            self.usual_proposals(plan)
        consultation = services.consultation_create_from_lines(
            actor=actor_for(self.buyer),
            buyer=self.group,
            lines=list(plan.lines.order_by("line_number")),
            data=terms(**overrides),
            user=self.buyer,
        )
        if publish:
            consultation = services.consultation_publish(actor=actor_for(self.buyer), consultation=consultation)
        return consultation

    def lot(self, consultation: Consultation, number: int) -> Lot:
        return consultation.lots.get(number=number)

    def priced(self, lot: Lot, prices: Sequence[str], *, days: int = 15, variant: Any = None) -> list[dict[str, Any]]:
        return [
            {"lot_line": line.pk, "unit_price": price, "delivery_days": days, "variant": variant}
            for line, price in zip(lot.lines.order_by("position"), prices, strict=True)
        ]

    def submit(
        self, consultation: Consultation, lot: Lot, prices: Sequence[str], *, user: Any = None, **kw: Any
    ) -> Offer:
        user = user or self.manufacturer
        supplier = user.memberships.first().organisation
        return services.offer_submit(
            actor=actor_for(user),
            consultation=consultation,
            lot=lot,
            supplier=supplier,
            lines=self.priced(lot, prices),
            user=user,
            **kw,
        )

    def open(self, consultation: Consultation) -> Consultation:
        with clock(consultation.opening_at + timedelta(minutes=1)):
            return services.consultation_open(
                actor=actor_for(self.buyer), consultation=consultation, committee=[self.buyer, self.committee_peer]
            )


class AwardWorld(SourcingWorld):
    """The sourcing world ready for evaluation: Maroc Seringues can make the quantities asked, Euro Needles
    also makes 23 G needles. `offer(...)` submits with variants; `evaluated(...)` runs a whole consultation to
    its evaluation (lot 1: the needles, 1,500 × 21 G and 800 × 23 G)."""

    def __init__(self) -> None:
        super().__init__()
        Product.objects.filter(pk=self.needles.pk).update(capacity_per_year=100_000)
        self.needles.refresh_from_db()
        variant = VariantFactory(product=self.foreign_needles, label="23 G", position=1)
        variant_set_specifications(actor=OPERATOR, variant=variant, specifications={"gauge": "23"})

    def variants(self, product: Product) -> list[Any]:
        return list(product.variants.order_by("position"))

    def offer(
        self, consultation: Consultation, lot: Lot, prices: Sequence[str], variants: Sequence[Any], *, user: Any
    ) -> Offer:
        supplier = user.memberships.first().organisation
        lines = self.priced(lot, prices)
        for line, variant in zip(lines, variants, strict=True):
            line["variant"] = getattr(variant, "pk", variant)
        return services.offer_submit(
            actor=actor_for(user), consultation=consultation, lot=lot, supplier=supplier, lines=lines, user=user
        )

    def needle_offers(
        self, consultation: Consultation, *, local: tuple[str, str], foreign: tuple[str, str]
    ) -> tuple[Offer, Offer]:
        needles = self.lot(consultation, 1)
        ours = self.offer(consultation, needles, local, self.variants(self.needles), user=self.manufacturer)
        theirs = self.offer(
            consultation, needles, foreign, self.variants(self.foreign_needles), user=self.foreign_manufacturer
        )
        return ours, theirs

    def evaluated(self, consultation: Consultation, **kw: Any) -> Consultation:
        opened = self.open(consultation)
        with clock(opened.opening_at + timedelta(minutes=5)):
            return services.consultation_evaluate(actor=actor_for(self.buyer), consultation=opened, **kw)
