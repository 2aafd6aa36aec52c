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
