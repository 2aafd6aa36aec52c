"""Revealed comparative advantage, density and the related economic-complexity measures (pure; no database).

Computed by the Growth Lab's `ecomplexity` package (the reference implementation of the Atlas of Economic
Complexity's measures), never by hand here: this module only shapes the data for it and reads its output.

* RCA (Balassa): the product's share in the country's exports ÷ its share in the exports of all the countries
  loaded; the country "makes" the product competitively when RCA ≥ 1;
* density: how many of the products close to this one (proximity: how often countries export both
  competitively) the country already exports competitively, between 0 and 1 — the closeness to what local
  industry already makes;
* PCI: product complexity; COG: the opportunity gain of starting to export the product.

The measures are only as good as the product space loaded: with the medical HS codes of a handful of
countries they describe closeness *within that set*, which the pages say.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass

MIN_COUNTRIES = 3
MIN_PRODUCTS = 3


@dataclass(frozen=True, slots=True)
class ProductMeasures:
    rca: float | None
    density: float | None
    pci: float | None
    cog: float | None
    competitive: bool


@dataclass(frozen=True, slots=True)
class ComplexityResult:
    year: int
    countries: int
    products: int
    eci: float | None
    measures: dict[str, ProductMeasures]  # HS code → the reporting country's measures
    warnings: tuple[str, ...] = ()


def _number(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if number != number else number  # NaN → None


def complexity_for(exports: Iterable[tuple[str, str, float]], *, reporter: str, year: int) -> ComplexityResult | None:
    """`exports`: (country, product, value) of one year. None when there is too little to measure (fewer than
    MIN_COUNTRIES exporting countries or MIN_PRODUCTS products, or the reporter exports nothing)."""
    import pandas as pd
    from ecomplexity import ecomplexity

    rows = [(year, country, product, float(value)) for country, product, value in exports if value > 0]
    frame = pd.DataFrame(rows, columns=["year", "loc", "prod", "val"])
    if frame.empty or frame["loc"].nunique() < MIN_COUNTRIES or frame["prod"].nunique() < MIN_PRODUCTS:
        return None
    if reporter not in set(frame["loc"]):
        return None
    # ecomplexity wants every (country, product) pair, zeros included.
    frame = frame.groupby(["year", "loc", "prod"], as_index=False)["val"].sum()
    full = pd.MultiIndex.from_product(
        [[year], sorted(frame["loc"].unique()), sorted(frame["prod"].unique())], names=["year", "loc", "prod"]
    )
    frame = frame.set_index(["year", "loc", "prod"]).reindex(full, fill_value=0.0).reset_index()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        output = ecomplexity(
            frame,
            {"time": "year", "loc": "loc", "prod": "prod", "val": "val"},
            verbose=False,
            check_logsupermodularity=False,
        )
    mine = output[output["loc"] == reporter]
    measures = {
        str(row["prod"]): ProductMeasures(
            rca=_number(row["rca"]),
            density=_number(row["density"]),
            pci=_number(row["pci"]),
            cog=_number(row["cog"]),
            competitive=bool(row["mcp"] == 1),
        )
        for _, row in mine.iterrows()
    }
    eci = _number(mine["eci"].iloc[0]) if not mine.empty else None
    return ComplexityResult(
        year=year,
        countries=int(frame["loc"].nunique()),
        products=int(frame["prod"].nunique()),
        eci=eci,
        measures=measures,
        warnings=tuple(dict.fromkeys(str(w.message) for w in caught)),
    )
