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
