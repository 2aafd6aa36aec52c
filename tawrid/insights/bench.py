"""Insights benchmarks: loading a large trade file (check + write, all or nothing) against reading and checking
it only; computing the indicators against the economic-complexity step alone; ranking the opportunities from
the snapshot (what a page does) against the pure score alone."""

from __future__ import annotations

import random
import tempfile
from decimal import Decimal
from pathlib import Path

from tawrid.core.bench import Figure, benchmark, stopwatch

NAME = "insights"
EXPORTERS = 20
IMPORTERS = 25
PRODUCTS = 400
YEAR = 2023
COUNTRIES = [
    504, 251, 276, 156, 842, 381, 724, 792, 372, 56, 528, 757, 699, 410, 392, 788, 818, 76, 484, 710, 12, 566,
    404, 40, 203, 348, 616, 620, 643, 764,
]  # fmt: skip


def _baci_file(directory: Path, codes: list[str]) -> tuple[Path, int]:
    rng = random.Random(7)
    path = directory / f"BACI_HS22_Y{YEAR}_V202401.csv"
    rows = 0
    with path.open("w", encoding="utf-8") as out:
        out.write("t,i,j,k,v,q\n")
        for exporter in COUNTRIES[:EXPORTERS]:
            for importer in COUNTRIES[:IMPORTERS]:
                if importer == exporter:
                    continue
                for code in codes:
                    out.write(
                        f"{YEAR},{exporter},{importer},{code},{rng.uniform(0.5, 900):.3f},{rng.uniform(0, 50):.3f}\n"
                    )
                    rows += 1
    return path, rows


@benchmark(NAME)
def insights_benchmarks() -> list[Figure]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tawrid.core.permissions import Actor
    from tawrid.insights import complexity, opportunities, selectors, services, tradefiles
    from tawrid.insights.models import HsEmdnLink, IndicatorSnapshot, TradeDataset
    from tawrid.nomenclature.models import HsCode, HsConcordance
    from tawrid.nomenclature.services import reference_load

    if not HsConcordance.objects.exists():
        reference_load(which=["emdn", "hs"])
    created_links = not HsEmdnLink.objects.exists()
    if created_links:
        services.crosswalk_load()
    operator = Actor(is_superuser=True)
    mapped = sorted(set(HsEmdnLink.objects.values_list("hs6", flat=True)))
    others = [c for c in HsCode.objects.filter(level=6).values_list("code", flat=True) if c not in mapped]
    codes = mapped + random.Random(3).sample(others, PRODUCTS - len(mapped))
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as directory:
        path, rows = _baci_file(Path(directory), codes)
        converter = services.hs_converter()
        with stopwatch() as read:
            trade_file = tradefiles.open_trade_file(path)
            checked = sum(
                1 for item in trade_file.rows() if isinstance(item, tradefiles.TradeRecord) and converter.is_valid(
                    item.hs6_original, item.hs_revision)
            )  # fmt: skip
        assert checked == rows
        upload = SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")
        dataset = services.trade_dataset_upload(actor=operator, user=None, upload=upload, name="bench")
        with stopwatch() as load:
            dataset = services.trade_dataset_load(dataset_id=dataset.pk)
        assert dataset.status == "ready", dataset.error
        figures += [
            Figure(
                NAME, f"load a BACI file of {rows:,} rows (check + write)", load[0], read[0], "s", "read and check only"
            ),
            Figure(NAME, "rows loaded per second", rows / load[0], rows / read[0], "rows/s", "read and check only"),
        ]
        exports = [
            (str(e), h, float(v))
            for e, h, v in dataset.flows.values_list("exporter", "hs6", "value_usd").iterator(chunk_size=20000)
        ]
        complexity.complexity_for(exports, reporter="MAR", year=YEAR)  # warm-up: pandas and ecomplexity imported once
        with stopwatch() as pure_complexity:
            result = complexity.complexity_for(exports, reporter="MAR", year=YEAR)
        assert result is not None
        with stopwatch() as snapshot_time:
            snapshot = services.snapshot_compute_now(actor=operator)
        figures.append(
            Figure(
                NAME,
                f"compute the indicators ({result.countries} countries × {result.products} products)",
                snapshot_time[0],
                pure_complexity[0],
                "s",
                "economic complexity alone",
            )  # fmt: skip
        )
        groups = [
            opportunities.GroupInputs(
                group=f"G{n:02d}", imports=Decimal(n * 1000), demand=Decimal(n * 50), buyers=n % 6
            )
            for n in range(180)
        ]
        with stopwatch() as pure_rank:
            for _ in range(20):
                opportunities.rank_opportunities(groups)
        with stopwatch() as page_rank:
            for _ in range(20):
                selectors.opportunity_list(snapshot)
        figures.append(
            Figure(
                NAME,
                "rank the opportunities from the snapshot (ms)",
                page_rank[0] / 20 * 1000,
                pure_rank[0] / 20 * 1000,
                "ms",
                "pure score of 180 groups",
            )  # fmt: skip
        )
        services.trade_dataset_delete(actor=operator, dataset=TradeDataset.objects.get(pk=dataset.pk))
        IndicatorSnapshot.objects.all().delete()
        if created_links:
            HsEmdnLink.objects.all().delete()
    return figures


DASHBOARD_BUYERS = 30
LINES_PER_PLAN = 1500
MAKERS = 300
PRODUCTS_PER_MAKER = 10
PLAN_YEAR = 2026


def _dashboard_world() -> tuple[list[int], list[int]]:
    """Buyers with one published plan each, local manufacturers with products, half of them certified and half of
    the products registered, written in bulk (the bench measures reads, not the writing services)."""
    import datetime

    from django.utils import timezone

    from tawrid.accounts.models import ClusterMembership, Organisation, OrganisationKind
    from tawrid.catalog.models import (
        Certificate,
        CertificateKind,
        CertificateStatus,
        Product,
        ProductStatus,
        RegistrationApplication,
        RegistrationStatus,
    )
    from tawrid.demand.models import PlanLine, PlanStatus, PurchasePlan
    from tawrid.nomenclature.models import EmdnCode

    rng = random.Random(11)
    codes = list(EmdnCode.objects.filter(level__gte=3).values_list("pk", flat=True)[:2000])
    cluster = Organisation.objects.create(
        name="Bench cluster", slug="bench-dash-cluster", kind=OrganisationKind.CLUSTER
    )
    buyers = Organisation.objects.bulk_create(
        Organisation(name=f"Bench buyer {n}", slug=f"bench-dash-buyer-{n}", kind=OrganisationKind.HOSPITAL_GROUP)
        for n in range(DASHBOARD_BUYERS)
    )
    makers = Organisation.objects.bulk_create(
        Organisation(name=f"Bench maker {n}", slug=f"bench-dash-maker-{n}", kind=OrganisationKind.MANUFACTURER)
        for n in range(MAKERS)
    )
    now = timezone.now()
    # Active and consented: the secretariat's dashboard reads only the members that agreed to it.
    ClusterMembership.objects.bulk_create(
        ClusterMembership(cluster=cluster, member=o, member_consented_at=now) for o in buyers + makers
    )
    plans = PurchasePlan.objects.bulk_create(
        PurchasePlan(buyer=b, year=PLAN_YEAR, status=PlanStatus.PUBLISHED, published_at=now) for b in buyers
    )
    lines = []
    for plan in plans:
        for number in range(1, LINES_PER_PLAN + 1):
            quantity = Decimal(rng.randint(10, 5000))
            price = Decimal(rng.randint(10, 5000)) / 100
            lines.append(
                PlanLine(plan=plan, line_number=number, designation=f"ARTICLE {number}", natural_key=f"a{number}",
                         quantity=quantity, base_quantity=quantity, units_per_purchase_unit=1, unit_price=price,
                         estimated_value=quantity * price, emdn_id=rng.choice(codes), emdn_source="buyer")
            )  # fmt: skip
    PlanLine.objects.bulk_create(lines, batch_size=5000)
    products = Product.objects.bulk_create(
        (
            Product(manufacturer=maker, reference=f"P{n}", name_fr=f"Produit {n}", emdn_id=rng.choice(codes),
                    status=ProductStatus.PUBLISHED, capacity_per_year=rng.randint(1000, 100000))
            for maker in makers
            for n in range(PRODUCTS_PER_MAKER)
        ),
        batch_size=5000,
    )  # fmt: skip
    today = timezone.localdate()
    Certificate.objects.bulk_create(
        Certificate(holder=maker, kind=CertificateKind.ISO_13485, number=f"ISO-{maker.pk}", issuer="Bench",
                    issued_on=today - datetime.timedelta(days=400), status=CertificateStatus.ACTIVE, verified=True,
                    expires_on=today + datetime.timedelta(days=60 * (n % 12)))
        for n, maker in enumerate(makers[::2])
    )  # fmt: skip
    RegistrationApplication.objects.bulk_create(
        RegistrationApplication(product=p, status=RegistrationStatus.APPROVED, number=f"DMP-{p.pk}",
                                valid_from=today - datetime.timedelta(days=100),
                                valid_until=today + datetime.timedelta(days=30 * (n % 24)))
        for n, p in enumerate(products[::2])
    )  # fmt: skip
    return [b.pk for b in buyers], [cluster.pk]


def _dashboard_clean_up() -> None:
    """Remove what the dashboards benchmark wrote: the national-run benchmark that follows matches every
    published plan of the year. Raw deletes by primary key, children first (the ORM's cascade would write an
    audit entry per product)."""
    from tawrid.accounts.models import ClusterMembership, Membership, Organisation, User
    from tawrid.catalog.models import Certificate, Product, RegistrationApplication
    from tawrid.demand.models import PlanLine, PurchasePlan

    organisations = list(Organisation.objects.filter(slug__startswith="bench-dash-").values_list("pk", flat=True))
    plans = list(PurchasePlan.objects.filter(buyer__in=organisations).values_list("pk", flat=True))
    products = list(Product.objects.filter(manufacturer__in=organisations).values_list("pk", flat=True))
    for queryset in (
        PlanLine.objects.filter(plan__in=plans),
        PurchasePlan.objects.filter(pk__in=plans),
        RegistrationApplication.objects.filter(product__in=products),
        Certificate.objects.filter(holder__in=organisations),
        Product.objects.filter(pk__in=products),
        ClusterMembership.objects.filter(cluster__in=organisations),
        Membership.objects.filter(organisation__in=organisations),
        User.objects.filter(email="bench-secretariat@example.org"),
        Organisation.objects.filter(pk__in=organisations),
    ):
        queryset._raw_delete(queryset.db)  # type: ignore[attr-defined]


@benchmark("dashboards")
def dashboard_benchmarks() -> list[Figure]:
    """The dashboards read the indicator snapshot; the baselines aggregate the same figures live from the plan
    lines, runs, orders and catalogue, which is what a page would do without the snapshot."""
    from tawrid.accounts.models import Membership, Organisation, User
    from tawrid.core.permissions import Actor, actor_for
    from tawrid.insights import dashboards, services
    from tawrid.insights.models import IndicatorSnapshot
    from tawrid.nomenclature.services import reference_load

    if not IndicatorSnapshot.objects.exists():
        reference_load(which=["emdn"])
    buyers, (cluster,) = _dashboard_world()
    operator = Actor(is_superuser=True)
    user = User.objects.create_user(email="bench-secretariat@example.org", password=None, full_name="Bench")
    Membership.objects.create(user=user, organisation_id=cluster, role="admin")
    secretariat = actor_for(user)
    with stopwatch() as compute:
        snapshot = services.snapshot_compute_now(actor=operator)
    repeats = 10
    with stopwatch() as cluster_read:
        for _ in range(repeats):
            data = dashboards.cluster_dashboard(secretariat, snapshot, PLAN_YEAR)
    assert len(data["buyers"]) == DASHBOARD_BUYERS and len(data["suppliers"]) == MAKERS
    with stopwatch() as cluster_live:
        for _ in range(repeats):
            services._demand_by_buyer()
            services._coverage([PLAN_YEAR], [])
            services._orders()
            services._supply()
    with stopwatch() as regulatory_read:
        for _ in range(repeats):
            dashboards.regulatory_dashboard(operator, snapshot)
    with stopwatch() as regulatory_live:
        for _ in range(repeats):
            services._supply()
    buyer = Organisation.objects.get(pk=buyers[0])
    with stopwatch() as buyer_read:
        for _ in range(repeats):
            dashboards.buyer_dashboard(buyer, PLAN_YEAR)
    lines = DASHBOARD_BUYERS * LINES_PER_PLAN
    products = MAKERS * PRODUCTS_PER_MAKER
    figures = [
        Figure("dashboards", f"indicator snapshot with {lines:,} plan lines, {products:,} products (job)",
               compute[0], None, "s"),
        Figure("dashboards", f"secretariat's dashboard, {DASHBOARD_BUYERS} buyers and {MAKERS} manufacturers",
               cluster_read[0] / repeats * 1000, cluster_live[0] / repeats * 1000, "ms",
               "the same figures aggregated live"),
        Figure("dashboards", "ministries' dashboard per EMDN category", regulatory_read[0] / repeats * 1000,
               regulatory_live[0] / repeats * 1000, "ms", "regulatory state of the catalogue computed live"),
        Figure("dashboards", f"a buyer's dashboard ({LINES_PER_PLAN:,} plan lines, read live)",
               buyer_read[0] / repeats * 1000, None, "ms"),
    ]  # fmt: skip
    IndicatorSnapshot.objects.all().delete()
    _dashboard_clean_up()
    return figures
