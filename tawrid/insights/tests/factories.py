"""Reference rows, crosswalk links, trade data sets and people for the insights' tests.

A tiny nomenclature: EMDN categories A and T with groups A01 (needles), A02 (syringes), T01 (gloves) and T02
(drapes); HS 2022 subheadings 901831 (syringes), 901832 (needles), 401511 (surgical gloves), 401512 (other
gloves) and 630790; one HS 2017 → 2022 concordance row per code, so that an HS 2017 file converts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from tawrid.accounts.models import OrganisationKind, Role
from tawrid.accounts.tests.factories import OrganisationFactory, person_in
from tawrid.core.permissions import actor_for
from tawrid.core.text import fold
from tawrid.insights.models import DatasetStatus, HsEmdnLink, TradeDataset, TradeFlow
from tawrid.nomenclature.models import EmdnCode, HsCode, HsConcordance

EMDN_GROUPS = {
    "A01": "NEEDLES",
    "A02": "SYRINGES",
    "T01": "PATIENT PROTECTIVE EQUIPMENT",
    "T02": "SURGICAL DRAPES",
}
EMDN_CATEGORIES = {"A": "DEVICES FOR ADMINISTRATION, WITHDRAWAL AND COLLECTION", "T": "PROTECTIVE EQUIPMENT"}
HS_CODES = {
    "901831": "Syringes, with or without needles",
    "901832": "Tubular metal needles and needles for sutures",
    "401511": "Surgical gloves of vulcanised rubber",
    "401512": "Gloves of vulcanised rubber, for medical use, other than surgical",
    "630790": "Other made up articles of textile materials",
}
COMTRADE_HEADER = (
    "typeCode,freqCode,refPeriodId,refYear,refMonth,period,reporterCode,reporterISO,reporterDesc,flowCode,flowDesc,"
    "partnerCode,partnerISO,partnerDesc,partner2Code,partner2ISO,partner2Desc,classificationCode,"
    "classificationSearchCode,isOriginalClassification,cmdCode,cmdDesc,aggrLevel,isLeaf,customsCode,customsDesc,"
    "mosCode,motCode,motDesc,qtyUnitCode,qtyUnitAbbr,qty,isQtyEstimated,altQtyUnitCode,altQtyUnitAbbr,altQty,"
    "isAltQtyEstimated,netWgt,isNetWgtEstimated,grossWgt,isGrossWgtEstimated,cifvalue,fobvalue,primaryValue,"
    "legacyEstimationFlag,isReported,isAggregate"
)
NUMERIC = {"MAR": 504, "FRA": 251, "DEU": 276, "CHN": 156, "ESP": 724, "TUR": 792, "WLD": 0}


def emdn_reference() -> dict[str, EmdnCode]:
    """EMDN categories (level 1) and groups (level 2), by code."""
    codes: dict[str, EmdnCode] = {}
    for code, term in EMDN_CATEGORIES.items():
        codes[code], _created = EmdnCode.objects.get_or_create(
            code=code,
            defaults={"term": term, "category": code, "level": 1, "search_text": fold(f"{code} {term}")},
        )
    for code, term in EMDN_GROUPS.items():
        codes[code], _created = EmdnCode.objects.get_or_create(
            code=code,
            defaults={
                "term": term,
                "category": code[0],
                "level": 2,
                "parent": codes[code[0]],
                "search_text": fold(f"{code} {term}"),
            },
        )
    return codes


def hs_reference(codes: Iterable[str] = HS_CODES) -> dict[str, HsCode]:
    """HS 2022 subheadings (level 6) and, for each, an HS 2017 → 2022 one-to-one concordance row."""
    rows: dict[str, HsCode] = {}
    for code in codes:
        description = HS_CODES.get(code, f"Code {code}")
        chapter, _created = HsCode.objects.get_or_create(
            code=code[:2], defaults={"description": f"Chapter {code[:2]}", "level": 2}
        )
        heading, _created = HsCode.objects.get_or_create(
            code=code[:4], defaults={"description": f"Heading {code[:4]}", "level": 4, "parent": chapter}
        )
        rows[code], _created = HsCode.objects.get_or_create(
            code=code,
            defaults={"description": description, "level": 6, "parent": heading, "search_text": fold(description)},
        )
        HsConcordance.objects.get_or_create(
            code_after=code,
            code_before=code,
            adjustment="2022 to 2017",
            defaults={"relationship": "1:1", "revision_after": "HS2022", "revision_before": "HS2017"},
        )
    return rows


def reference() -> dict[str, Any]:
    return {"emdn": emdn_reference(), "hs": hs_reference()}


def link(hs6: str, group: str, share: str | int | Decimal = 100, note: str = "") -> HsEmdnLink:
    emdn = EmdnCode.objects.get(code=group)
    return HsEmdnLink.objects.create(hs6=hs6, emdn_group=emdn, share_percent=Decimal(str(share)), note=note)


def usual_crosswalk() -> list[HsEmdnLink]:
    """901831 → A02 100 %; 901832 → A01 100 %; 401511 → T01 60 % and T02 40 %; 401512 → T01 100 %."""
    return [
        link("901831", "A02"),
        link("901832", "A01"),
        link("401511", "T01", 60),
        link("401511", "T02", 40),
        link("401512", "T01"),
    ]


def ready_dataset(
    flows: Sequence[dict[str, Any]] = (),
    *,
    name: str = "Comtrade test",
    source: str = "comtrade",
    illustrative: bool = False,
    status: str = DatasetStatus.READY,
    sha: str | None = None,
) -> TradeDataset:
    """A data set (status ready by default) with the given flows: dicts with year, exporter, importer, hs6,
    value (and optionally reported_by, quantity, quantity_unit, hs6_original)."""
    years = sorted({flow["year"] for flow in flows})
    dataset = TradeDataset.objects.create(
        name=name,
        source=source,
        layout=source,
        hs_revision="HS2022",
        illustrative=illustrative,
        file="trade/test.csv",
        original_filename="test.csv",
        file_sha256=sha or f"{name:0<64}"[:64],
        status=status,
        years=years,
        countries=["MAR"],
        flow_count=len(flows),
    )
    TradeFlow.objects.bulk_create(
        TradeFlow(
            dataset=dataset,
            year=flow["year"],
            exporter=flow["exporter"],
            importer=flow["importer"],
            reported_by=flow.get(
                "reported_by",
                "reconciled" if source == "baci" else ("importer" if flow["importer"] == "MAR" else "exporter"),
            ),
            hs6=flow["hs6"],
            hs6_original=flow.get("hs6_original", flow["hs6"]),
            value_usd=Decimal(str(flow["value"])),
            quantity=flow.get("quantity"),
            quantity_unit=flow.get("quantity_unit", ""),
            line=position,
        )
        for position, flow in enumerate(flows, start=2)
    )
    return dataset


def flow(year: int, exporter: str, importer: str, hs6: str, value: Any, **extra: Any) -> dict[str, Any]:
    return {"year": year, "exporter": exporter, "importer": importer, "hs6": hs6, "value": value, **extra}


def comtrade_row(
    *,
    year: int = 2022,
    flow: str = "M",
    reporter: str = "MAR",
    partner: str = "FRA",
    code: str = "901831",
    value: Any = 1000,
    classification: str = "H6",
    qty: Any = 10,
    unit: str = "kg",
) -> str:
    """One data row of a Comtrade Plus export (the columns of COMTRADE_HEADER)."""
    partner_iso = "W00" if partner == "WLD" else partner
    cells = {
        "typeCode": "C",
        "freqCode": "A",
        "refPeriodId": f"{year}0101",
        "refYear": str(year),
        "refMonth": "52",
        "period": str(year),
        "reporterCode": str(NUMERIC[reporter]),
        "reporterISO": reporter,
        "reporterDesc": reporter,
        "flowCode": flow,
        "flowDesc": "Import" if flow == "M" else "Export",
        "partnerCode": str(NUMERIC[partner]),
        "partnerISO": partner_iso,
        "partnerDesc": partner,
        "partner2Code": "0",
        "partner2ISO": "W00",
        "partner2Desc": "World",
        "classificationCode": classification,
        "classificationSearchCode": "HS",
        "isOriginalClassification": "True",
        "cmdCode": code,
        "cmdDesc": "x",
        "aggrLevel": "6",
        "isLeaf": "True",
        "customsCode": "C00",
        "customsDesc": "TOTAL CPC",
        "mosCode": "0",
        "motCode": "0",
        "motDesc": "TOTAL MOT",
        "qtyUnitCode": "8",
        "qtyUnitAbbr": unit,
        "qty": str(qty),
        "isQtyEstimated": "False",
        "primaryValue": str(value),
        "legacyEstimationFlag": "0",
        "isReported": "True",
        "isAggregate": "False",
    }
    return ",".join(cells.get(name, "") for name in COMTRADE_HEADER.split(","))


def comtrade_csv(rows: Iterable[str]) -> bytes:
    return ("\n".join([COMTRADE_HEADER, *rows]) + "\n").encode("utf-8")


class InsightsPeople:
    """The cluster secretariat (manages the insights), a manufacturer's admin and an investor (read only)."""

    def __init__(self) -> None:
        self.cluster = OrganisationFactory(name="Cluster DM Insights", kind=OrganisationKind.CLUSTER)
        self.manager = person_in(self.cluster, Role.ADMIN, full_name="Samira Secrétariat")
        self.maker = OrganisationFactory(name="Fabricant Test", kind=OrganisationKind.MANUFACTURER)
        self.non_manager = person_in(self.maker, Role.ADMIN, full_name="Karim Fabricant")
        self.cluster_reader = person_in(self.cluster, Role.READ_ONLY, full_name="Lina Lecture")
        self.fund = OrganisationFactory(name="Fonds Investir", kind=OrganisationKind.INVESTOR)
        self.investor = person_in(self.fund, Role.MEMBER, full_name="Ines Investisseuse")

    @property
    def manager_actor(self) -> Any:
        return actor_for(self.manager)

    @property
    def non_manager_actor(self) -> Any:
        return actor_for(self.non_manager)


def published_plan(
    *, user: Any, buyer: Any, year: int, lines: Sequence[tuple[str, str, str, str]], disclose_buyer: bool = False
) -> Any:
    """A published plan of `buyer` with lines (designation, quantity in U, unit price in MAD, EMDN code)."""
    from tawrid.demand import services as demand_services
    from tawrid.demand.tests.factories import line_data

    actor = actor_for(user)
    plan = demand_services.plan_create(actor=actor, buyer=buyer, year=year, disclose_buyer=disclose_buyer)
    for designation, quantity, price, code in lines:
        demand_services.line_create(
            actor=actor,
            plan=plan,
            data=line_data(designation, quantity=quantity, unit="U", unit_price=Decimal(price), emdn_code=code),
        )
    return demand_services.plan_publish(actor=actor, plan=plan)


class SnapshotWorld(InsightsPeople):
    """Everything a snapshot reads, made by hand so that every figure can be computed in the tests:

    * trade (ready data set): 2023 imports of 401511 from FRA 1000 and CHN 500 (→ T01 60 %, T02 40 %), 901831
      from DEU 200 (→ A02), a world row of 901832 of 300 (→ A01, no partner detail), 630790 from FRA 5000 (not in
      the crosswalk); exports of 401512 to ESP 80 (→ T01) and to the world 1000 (not counted); 2022 imports of
      401511 from FRA 100. A refused data set's 9999 of 901831 counts for nothing. Rate 2023: 10 MAD per USD.
    * plans of 2026: the group (unnamed) asks A02 for 2000 + 500 MAD and T01 for 600 MAD; the hospital
      (named) asks A02 for 500 MAD.
    * catalogue: a local maker with two T01 products (IIa eligible, I not eligible), another local maker with
      one A02 product (B, eligible), a foreign maker's T01 product (not counted).
    """

    def __init__(self, *, illustrative: bool = False) -> None:
        from tawrid.catalog.tests.factories import ProductFactory, emdn, make_eligible
        from tawrid.insights.models import ExchangeRate

        super().__init__()
        reference()
        usual_crosswalk()
        self.dataset = ready_dataset(
            [
                flow(2023, "FRA", "MAR", "401511", 1000, quantity=Decimal(50), quantity_unit="kg"),
                flow(2023, "CHN", "MAR", "401511", 500),
                flow(2023, "DEU", "MAR", "901831", 200),
                flow(2023, "WLD", "MAR", "901832", 300),
                flow(2023, "FRA", "MAR", "630790", 5000),
                flow(2023, "MAR", "ESP", "401512", 80),
                flow(2023, "MAR", "WLD", "401512", 1000),
                flow(2022, "FRA", "MAR", "401511", 100),
            ],
            name="Comtrade MAR 2022-2023",
            illustrative=illustrative,
        )
        self.refused = ready_dataset(
            [flow(2023, "DEU", "MAR", "901831", 9999)], name="Refused file", status=DatasetStatus.REFUSED
        )
        ExchangeRate.objects.create(year=2023, currency="USD", mad_per_unit=Decimal(10), source="BAM")

        self.group = OrganisationFactory(name="Groupe Santé Discret", kind=OrganisationKind.HOSPITAL_GROUP)
        self.buyer = person_in(self.group, Role.MEMBER, full_name="Nadia Achats")
        self.hospital = OrganisationFactory(name="CHU Ouvert", kind=OrganisationKind.HOSPITAL)
        self.hospital_buyer = person_in(self.hospital, Role.ADMIN, full_name="Hassan CHU")
        syringes = emdn("A0201", "SYRINGES, SINGLE USE").code
        gloves = emdn("T0101", "EXAMINATION GLOVES").code
        self.group_plan = published_plan(
            user=self.buyer,
            buyer=self.group,
            year=2026,
            lines=[
                ("SERINGUE 5 ML", "1000", "2.00", syringes),
                ("SERINGUE 10 ML", "500", "1.00", syringes),
                ("GANTS D'EXAMEN T/M", "200", "3.00", gloves),
            ],
        )
        self.hospital_plan = published_plan(
            user=self.hospital_buyer,
            buyer=self.hospital,
            year=2026,
            lines=[("SERINGUE 20 ML", "100", "5.00", syringes)],
            disclose_buyer=True,
        )
        self.glove_maker = OrganisationFactory(name="Gants Locaux", kind=OrganisationKind.MANUFACTURER)
        self.glove_maker_admin = person_in(self.glove_maker, Role.ADMIN, full_name="Karim Gants")
        self.syringe_maker = OrganisationFactory(name="Seringues Locales", kind=OrganisationKind.MANUFACTURER)
        foreign = OrganisationFactory(name="Foreign Gloves", kind=OrganisationKind.MANUFACTURER, country="FR")
        glove_code = EmdnCode.objects.get(code=gloves)
        syringe_code = EmdnCode.objects.get(code=syringes)
        self.gloves = make_eligible(
            ProductFactory(manufacturer=self.glove_maker, emdn=glove_code, risk_class="IIa", capacity_per_year=1000)
        )
        ProductFactory(manufacturer=self.glove_maker, emdn=glove_code, risk_class="I", capacity_per_year=500)
        self.syringes = make_eligible(
            ProductFactory(manufacturer=self.syringe_maker, emdn=syringe_code, risk_class="B", capacity_per_year=None)
        )
        make_eligible(ProductFactory(manufacturer=foreign, emdn=glove_code, risk_class="I"))

    def compute(self) -> Any:
        from tawrid.insights import services

        return services.snapshot_compute_now(actor=self.manager_actor)


class DashboardWorld(SnapshotWorld):
    """SnapshotWorld, with everything the organisations' figures read besides plans and catalogue:

    * the cluster oversees the group, the hospital and both local makers;
    * a national match run of 2026 covers 500 of the 1000 “SERINGUE 5 ML” (2.00 MAD each: 1000 MAD) with the
      syringe maker's product, and 100 of the hospital's 100 “SERINGUE 20 ML” (5.00 MAD each: 500 MAD);
    * the group ordered directly 300 “SERINGUE 5 ML” at 2.00 from the syringe maker (600 MAD, local) and 100
      “GANTS D'EXAMEN T/M” at 3.00 from the foreign glove maker (300 MAD, not local);
    * the glove maker's second glove (certified through its maker's ISO 13485, not registered) has a DMP
      registration under review; the syringes' registration lapses in 30 days.
    """

    def __init__(self) -> None:
        import datetime

        from django.utils import timezone

        from tawrid.accounts.tests.factories import ClusterMembershipFactory
        from tawrid.catalog.models import Product, RegistrationStatus
        from tawrid.catalog.tests.factories import RegistrationFactory
        from tawrid.matching.models import LineResult, MatchCandidate, MatchChunk, MatchRun
        from tawrid.sourcing import services as sourcing_services

        super().__init__()
        for member in (self.group, self.hospital, self.glove_maker, self.syringe_maker):
            ClusterMembershipFactory(cluster=self.cluster, member=member)
        self.foreign = Product.objects.get(manufacturer__country="FR").manufacturer
        lines = {line.designation: line for plan in (self.group_plan, self.hospital_plan) for line in plan.lines.all()}
        run = MatchRun.objects.create(scope="national", year=2026, status="done", finished_at=timezone.now())
        chunk = MatchChunk.objects.create(run=run, number=1, status="done")
        for designation, covered in (("SERINGUE 5 ML", 500), ("SERINGUE 20 ML", 100)):
            line = lines[designation]
            result = LineResult.objects.create(
                run=run, chunk=chunk, line=line, quantity=line.base_quantity, covered_quantity=Decimal(covered)
            )
            MatchCandidate.objects.create(
                result=result, rank=1, product=self.syringes, score=0.9, verdict="good",
                allocated_quantity=Decimal(covered),
            )  # fmt: skip
        self.unregistered_glove = Product.objects.filter(manufacturer=self.glove_maker, risk_class="I").get()
        RegistrationFactory(
            product=self.unregistered_glove, status=RegistrationStatus.UNDER_REVIEW, number="", valid_from=None,
            valid_until=None,
        )  # fmt: skip
        self.syringes.registrations.update(valid_until=timezone.localdate() + datetime.timedelta(days=30))
        actor = actor_for(self.buyer)
        for supplier, designation, quantity, price in (
            (self.syringe_maker, "SERINGUE 5 ML", "300", "2.00"),
            (self.foreign, "GANTS D'EXAMEN T/M", "100", "3.00"),
        ):
            sourcing_services.order_create_direct(
                actor=actor,
                buyer=self.group,
                supplier=supplier,
                plan_lines_with_quantities_and_prices=[
                    {"plan_line": lines[designation].pk, "quantity": quantity, "unit_price": price}
                ],
            )
