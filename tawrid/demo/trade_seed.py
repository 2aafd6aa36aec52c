"""The demo's ILLUSTRATIVE trade data: a made-up UN Comtrade export (CSV, the "Comtrade Plus" layout) with
Morocco's imports of the crosswalk's HS codes from fifteen countries, 2021–2024, and the exports of ten
countries (for the complexity measures), loaded through the real import service, and illustrative USD → MAD
rates. Every figure is invented from a seeded random generator: the data set is flagged `illustrative` and
every page that uses it says so. The README explains how to load real files instead.

2021 is written in HS 2017 (classification H5) and 2022–2024 in HS 2022 (H6), as Comtrade delivers them, so
the demo goes through the revision conversion too; each year also has world-total rows, which the load drops
where partner detail exists."""

from __future__ import annotations

import csv
import io
import math
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from tawrid.core.permissions import Actor
from tawrid.demo import data
from tawrid.insights import services
from tawrid.insights.models import DatasetStatus, ExchangeRate, HsEmdnLink, TradeDataset

DATASET_NAME = "Commerce extérieur — données ILLUSTRATIVES (démo)"
FILE_NAME = "comtrade-illustratif-demo.csv"
YEARS = (2021, 2022, 2023, 2024)
REVISION_OF_YEAR = {2021: "H5"}  # others: H6
ORIGINS = {  # partner → weight in Morocco's imports (illustrative)
    "FRA": 18, "DEU": 16, "CHN": 15, "USA": 9, "ITA": 7, "ESP": 7, "TUR": 5, "IRL": 4, "BEL": 4, "NLD": 3,
    "CHE": 3, "IND": 3, "KOR": 2, "JPN": 2, "TUN": 2,
}  # fmt: skip
EXPORTERS = ("MAR", "FRA", "DEU", "CHN", "USA", "TUR", "TUN", "ESP", "IND", "EGY")
# Products Morocco exports in the illustration (dressings, gloves, orthopaedic appliances, some syringes).
MOROCCAN_STRENGTHS = ("3005", "4015", "9021", "901831", "6307", "9402")
ILLUSTRATIVE_RATES = {2021: Decimal("8.99"), 2022: Decimal("10.16"), 2023: Decimal("10.13"), 2024: Decimal("9.93")}
RATE_SOURCE = "Taux illustratif (démo) — à remplacer par la moyenne annuelle publiée par Bank Al-Maghrib"
OPERATOR = Actor(is_superuser=True)
HEADER = [
    "typeCode", "freqCode", "refPeriodId", "refYear", "refMonth", "period", "reporterCode", "reporterISO",
    "reporterDesc", "flowCode", "flowDesc", "partnerCode", "partnerISO", "partnerDesc", "partner2Code",
    "partner2ISO", "partner2Desc", "classificationCode", "classificationSearchCode", "isOriginalClassification",
    "cmdCode", "cmdDesc", "aggrLevel", "isLeaf", "customsCode", "customsDesc", "mosCode", "motCode", "motDesc",
    "qtyUnitCode", "qtyUnitAbbr", "qty", "isQtyEstimated", "altQtyUnitCode", "altQtyUnitAbbr", "altQty",
    "isAltQtyEstimated", "netWgt", "isNetWgtEstimated", "grossWgt", "isGrossWgtEstimated", "cifvalue", "fobvalue",
    "primaryValue", "legacyEstimationFlag", "isReported", "isAggregate",
]  # fmt: skip
NUMERIC = {"MAR": 504, "FRA": 251, "DEU": 276, "CHN": 156, "USA": 842, "ITA": 381, "ESP": 724, "TUR": 792,
           "IRL": 372, "BEL": 56, "NLD": 528, "CHE": 757, "IND": 699, "KOR": 410, "JPN": 392, "TUN": 788,
           "EGY": 818, "WLD": 0}  # fmt: skip


@dataclass
class TradeSeedReport:
    dataset: TradeDataset | None = None
    rates: int = 0
    rows: int = 0
    notes: list[str] = field(default_factory=list)


def _row(year: int, reporter: str, flow: str, partner: str, code: str, value: float, weight: float) -> list[str]:
    partner_iso = "W00" if partner == "WLD" else partner
    cells = dict.fromkeys(HEADER, "")
    cells.update(
        typeCode="C", freqCode="A", refPeriodId=f"{year}0101", refYear=str(year), refMonth="52", period=str(year),
        reporterCode=str(NUMERIC[reporter]), reporterISO=reporter, reporterDesc=reporter, flowCode=flow,
        flowDesc="Import" if flow == "M" else "Export", partnerCode=str(NUMERIC[partner]), partnerISO=partner_iso,
        partnerDesc="World" if partner == "WLD" else partner, partner2Code="0", partner2ISO="W00",
        partner2Desc="World", classificationCode=REVISION_OF_YEAR.get(year, "H6"), classificationSearchCode="HS",
        isOriginalClassification="True", cmdCode=code, cmdDesc="", aggrLevel="6", isLeaf="True", customsCode="C00",
        customsDesc="TOTAL CPC", mosCode="0", motCode="0", motDesc="TOTAL MOT", qtyUnitCode="8", qtyUnitAbbr="kg",
        qty=f"{weight:.0f}", isQtyEstimated="False", netWgt=f"{weight:.0f}", primaryValue=f"{value:.0f}",
        cifvalue=f"{value:.0f}" if flow == "M" else "", fobvalue=f"{value:.0f}" if flow == "X" else "",
        legacyEstimationFlag="0", isReported="True", isAggregate="False",
    )  # fmt: skip
    return [cells[name] for name in HEADER]


def illustrative_csv(*, seed: int = data.DEFAULT_SEED) -> tuple[bytes, int]:
    """The illustrative Comtrade file (bytes) and its number of data rows; deterministic for a seed."""
    rng = random.Random(f"{seed}:trade")
    converter = services.hs_converter()
    codes = sorted(set(HsEmdnLink.objects.values_list("hs6", flat=True)))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    rows = 0
    scale = {code: math.exp(rng.gauss(14.2, 1.1)) for code in codes}  # ≈ 1.5 M USD a year, spread widely
    for year in YEARS:
        growth = 1.06 ** (year - YEARS[0])
        revision = "HS2017" if REVISION_OF_YEAR.get(year) == "H5" else "HS2022"
        for code in codes:
            if not converter.is_valid(code, revision):
                continue  # a code created in HS 2022 has no line in a 2021 (HS 2017) file
            total = 0.0
            for partner, weight in ORIGINS.items():
                if rng.random() < 0.25:
                    continue  # not every country sells every product
                value = scale[code] * growth * weight / 100 * rng.uniform(0.6, 1.4)
                total += value
                writer.writerow(_row(year, "MAR", "M", partner, code, value, value / rng.uniform(8, 40)))
                rows += 1
            writer.writerow(_row(year, "MAR", "M", "WLD", code, total, total / 20))
            rows += 1
            for exporter in EXPORTERS:
                strong = exporter != "MAR" or code.startswith(MOROCCAN_STRENGTHS)
                if exporter == "MAR" and not strong and rng.random() < 0.7:
                    continue
                size = {"DEU": 9.0, "USA": 9.0, "CHN": 8.0, "FRA": 5.0, "ESP": 3.0, "IND": 2.0, "TUR": 2.0}.get(
                    exporter, 0.6
                )
                value = (
                    scale[code] * size * growth * rng.uniform(0.3, 1.7) * (2.0 if strong and exporter == "MAR" else 1)
                )
                writer.writerow(_row(year, exporter, "X", "WLD", code, value, value / 20))
                rows += 1
    return out.getvalue().encode("utf-8"), rows


def trade_seed(*, seed: int = data.DEFAULT_SEED) -> TradeSeedReport:
    """Load the illustrative trade data set and rates once (a second run changes nothing)."""
    report = TradeSeedReport()
    if not HsEmdnLink.objects.exists():
        report.notes.append("no crosswalk: run load_reference first")
        return report
    for year, rate in ILLUSTRATIVE_RATES.items():
        _rate, created = ExchangeRate.objects.get_or_create(
            year=year, currency="USD", defaults={"mad_per_unit": rate, "source": RATE_SOURCE, "illustrative": True}
        )
        report.rates += created
    existing = TradeDataset.objects.filter(name=DATASET_NAME, status=DatasetStatus.READY).first()
    if existing is not None:
        report.dataset = existing
        return report
    content, report.rows = illustrative_csv(seed=seed)
    dataset = services.trade_dataset_upload(
        actor=OPERATOR,
        user=None,
        upload=SimpleUploadedFile(FILE_NAME, content, content_type="text/csv"),
        name=DATASET_NAME,
        illustrative=True,
    )
    # Loaded now, in this process, so that the demo starts with its figures; the queued job finds it loaded.
    report.dataset = services.trade_dataset_load(dataset_id=dataset.pk)
    return report
