"""A small world for matching's tests: the plans' world (buyers, a manufacturer, the secretariat) plus a local
catalogue: hypodermic needles in 21 G and 23 G variants (eligible), examination gloves (eligible), and
needles of another manufacturer without certificates (could become eligible)."""

from decimal import Decimal
from typing import Any

from tawrid.accounts.models import OrganisationKind, Role
from tawrid.accounts.tests.factories import OrganisationFactory, person_in
from tawrid.catalog.models import Product
from tawrid.catalog.services import variant_set_specifications
from tawrid.catalog.tests.factories import ProductFactory, VariantFactory, emdn, make_eligible
from tawrid.core.permissions import Actor, actor_for
from tawrid.demand import services as demand_services
from tawrid.demand.models import PurchasePlan
from tawrid.demand.tests.factories import DemandWorld, line_data

OPERATOR = Actor(is_superuser=True)
NEEDLES = "A01010101"
GLOVES = "T01020201"
HIPS = "P0908010101"


class MatchingWorld(DemandWorld):
    def __init__(self) -> None:
        super().__init__()
        self.needle_code = emdn(NEEDLES, "HYPODERMIC SYRINGE NEEDLES")
        self.glove_code = emdn(GLOVES, "NITRILE EXAMINATION GLOVES")
        emdn(HIPS, "TOTAL HIP PROSTHESES, CEMENTED")  # nobody local makes them
        self.needles = self.product(
            "Aiguille hypodermique stérile à usage unique",
            self.needle_code,
            variants={
                "21 G": {"gauge": "21", "needle_length": "25 mm"},
                "23 G": {"gauge": "23", "needle_length": "25 mm"},
            },
            name_en="Sterile single-use hypodermic needle",
            capacity=Decimal(1000),
            price=Decimal("0.40"),
        )
        self.gloves = self.product(
            "Gant d'examen nitrile non poudré",
            self.glove_code,
            variants={"M": {"glove_size": "M"}, "L": {"glove_size": "L"}},
            name_en="Nitrile examination glove, powder free",
            capacity=Decimal(1_000_000),
            price=Decimal("0.80"),
        )
        self.other_maker = OrganisationFactory(
            name="Atlas Médical", slug="atlas-medical", kind=OrganisationKind.MANUFACTURER
        )
        self.other_manufacturer = person_in(self.other_maker, Role.ADMIN, full_name="Youssef Atlas")
        self.uncertified = self.product(
            "Aiguille hypodermique stérile",
            self.needle_code,
            variants={"21 G": {"gauge": "21"}},
            maker=self.other_maker,
            eligible=False,
            capacity=Decimal(5000),
            price=Decimal("0.30"),
        )

    def product(
        self,
        name: str,
        code: Any,
        *,
        variants: dict[str, dict[str, str]],
        maker: Any = None,
        eligible: bool = True,
        capacity: Decimal | None = None,
        price: Decimal | None = None,
        **fields: Any,
    ) -> Product:
        product = ProductFactory(
            manufacturer=maker or self.maker,
            name_fr=name,
            emdn=code,
            capacity_per_year=capacity,
            unit_price=price,
            lead_time_days=15,
            sterile="stérile" in name,
            single_use="usage unique" in name,
            **fields,
        )
        for position, (label, specs) in enumerate(variants.items()):
            variant = VariantFactory(product=product, label=label, position=position)
            variant_set_specifications(actor=OPERATOR, variant=variant, specifications=specs)
        if eligible:
            make_eligible(product)
        return product

    def needle_plan(self, *, publish: bool = True, hospital: bool = False) -> PurchasePlan:
        """A plan asking for 21 G needles (the conflict-free variant exists), gloves, and something nobody makes
        (the group's, or the other hospital's)."""
        actor = actor_for(self.other_buyer if hospital else self.buyer)
        plan = demand_services.plan_create(actor=actor, buyer=self.hospital if hospital else self.group, year=2026)
        for designation, quantity in (
            ("AIGUILLE HYPODERMIQUE STERILE U.U. 25 X 8 / 10 G 21", "1500"),
            ("GANTS D'EXAMEN NITRILE NON POUDRES T/M", "200"),
            ("PROTHESE TOTALE DE HANCHE CIMENTEE", "4"),
        ):
            demand_services.line_create(
                actor=actor,
                plan=plan,
                data=line_data(designation, quantity=quantity, unit="U", unit_price=Decimal("1.00")),
            )
        if publish:
            plan = demand_services.plan_publish(actor=actor, plan=plan)
        return plan


FOLEY = "U0102"


def run_by_hand(plan: PurchasePlan, candidates: dict[int, list[tuple[Product, float, str]]]) -> Any:
    """A finished run of `plan` with the candidates given per line number ((product, score, verdict), best
    first), allocated by the service: the allocation and the pages without the engine's matching."""
    from tawrid.matching import services
    from tawrid.matching.models import ChunkStatus, LineResult, MatchCandidate, MatchChunk, MatchRun, RunStatus

    lines = list(plan.lines.order_by("line_number"))
    run = MatchRun.objects.create(
        scope="plan", year=plan.year, plan=plan, status=RunStatus.ALLOCATING, lines_total=len(lines), chunks_total=1
    )
    chunk = MatchChunk.objects.create(run=run, number=1, line_ids=[line.pk for line in lines], status=ChunkStatus.DONE)
    for line in lines:
        proposed = candidates.get(line.line_number, [])
        result = LineResult.objects.create(
            run=run,
            chunk=chunk,
            line=line,
            best_score=max((score for _p, score, _v in proposed), default=0.0),
            candidates_count=len(proposed),
            quantity=line.base_quantity or 0,
        )
        MatchCandidate.objects.bulk_create(
            MatchCandidate(
                result=result,
                rank=rank,
                product=product,
                variant=product.variants.order_by("position").first(),
                score=score,
                verdict=verdict,
                explanation={"words": ["sonde"], "code": "same_code", "fits": [], "eligible": True, "missing": []},
            )
            for rank, (product, score, verdict) in enumerate(proposed, start=1)
        )
    services.match_run_allocate(run=run)
    run.refresh_from_db()
    return run


class FoleyWorld(MatchingWorld):
    """The demo's Foley CH 16 line (1,200 units at 4 MAD): three Foley catheters of Atlas Médical scoring 98 % at
    12 MAD, the world manufacturer's catheter scoring 61 % (the line's suggested code was wrong) at 1.50 MAD, and
    a weak 30 % lead; a second line of gloves; `extra_lines` more glove lines for the query-count test."""

    def foley_plan(self, *, extra_lines: int = 0, year: int = 2026) -> tuple[PurchasePlan, Any]:
        if not hasattr(self, "cheap"):
            self._foley_products()
        actor = actor_for(self.buyer)
        plan = demand_services.plan_create(actor=actor, buyer=self.group, year=year)
        designations = [
            ("SONDE VESICALE A / B 2 VOIES CH 16", "1200", "4.00"),
            ("GANTS D'EXAMEN NITRILE T/M", "200", "1.00"),
        ]
        designations += [(f"GANTS D'EXAMEN NITRILE LOT {n}", "10", "1.00") for n in range(extra_lines)]
        for designation, quantity, price in designations:
            demand_services.line_create(
                actor=actor,
                plan=plan,
                data=line_data(designation, quantity=quantity, unit="U", unit_price=Decimal(price)),
            )
        plan = demand_services.plan_publish(actor=actor, plan=plan)
        candidates: dict[int, list[tuple[Product, float, str]]] = {
            1: [(p, 0.98, "good") for p in self.foleys] + [(self.cheap, 0.61, "good"), (self.needles, 0.3, "good")],
        }
        for number in range(2, 3 + extra_lines):
            candidates[number] = [(self.gloves, 0.9, "good")]
        return plan, run_by_hand(plan, candidates)

    def _foley_products(self) -> None:
        foley_code = emdn(FOLEY, "URETHRAL CATHETERS, BALLOON")
        self.foleys = [
            self.product(
                f"Sonde vésicale à ballonnet 2 voies {qualifier}".strip(),
                foley_code,
                variants={"CH 16": {"french_size": "16"}},
                maker=self.other_maker,
                capacity=Decimal(1500),
                price=Decimal("12.00"),
            )
            for qualifier in ("", "siliconée", "3 voies irrigation")
        ]
        self.cheap = self.product(
            "Sonde de Foley latex",
            foley_code,
            variants={"CH 16": {"french_size": "16"}},
            capacity=Decimal(1500),
            price=Decimal("1.50"),
        )
