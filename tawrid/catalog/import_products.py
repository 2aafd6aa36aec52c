"""The rows of one product in a catalogue file: one row per variant, the product's columns on each.

A product has one value of each of its columns (one name, one EMDN code…). Its rows may leave a product
column empty — the value given on its other rows is taken — but two rows giving two different values are
refused, row by row, naming the column as the user's file calls it: `check_products` is the import kind's rule
across rows, run by the preview, "check every row" and the import alike, so with "keep the valid rows" the
other products are imported and this one is reported.

The price is the exception (`PER_VARIANT_KEYS`): a manufacturer's sizes, gauges and packs have their own
prices. Rows of one product giving different prices put them on the variants (`split_prices`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

from tawrid.imports.registry import ImportContext

Row = dict[str, Any]

# Columns of the product whose rows may differ: each variant then keeps its own value.
PER_VARIANT_KEYS = ("unit_price",)


def _comparable(value: Any) -> Any:
    """What two cells are compared on; None for an empty cell."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if hasattr(value, "pk"):
        return ("pk", value.pk)
    if isinstance(value, Decimal):
        return value.normalize()
    if isinstance(value, str):
        return value.strip()
    return value


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Decimal | int | float):
        return formats.number_format(value, force_grouping=True)
    return str(getattr(value, "code", None) or value)


def disagreements(group: list[tuple[int, Row]], keys: tuple[str, ...]) -> list[tuple[str, list[int], list[Any]]]:
    """The product columns on which the rows of one product give different values: (key, row numbers of the
    product, the values given)."""
    found = []
    for key in keys:
        values: dict[Any, Any] = {}
        for _number, row in group:
            if key in row and (comparable := _comparable(row[key])) is not None:
                values.setdefault(comparable, row[key])
        if len(values) > 1:
            found.append((key, [number for number, _row in group], list(values.values())))
    return found


def group_by_reference(rows: list[tuple[int, Row]]) -> dict[str, list[tuple[int, Row]]]:
    groups: dict[str, list[tuple[int, Row]]] = {}
    for number, row in rows:
        groups.setdefault(str(row["reference"]).strip(), []).append((number, row))
    return groups


def disagreement_message(reference: str, column: str, numbers: list[int], values: list[Any]) -> str:
    return _(
        "Rows %(rows)s are variants of the product “%(reference)s” but give it different values in the column "
        "“%(column)s” (%(values)s). A product has one value of this column for all its variants: give the same "
        "value on each of its rows (or leave it empty on all but one), or give the variants that differ another "
        "product reference."
    ) % {
        "rows": ", ".join(str(number) for number in numbers),
        "reference": reference,
        "column": column,
        "values": " / ".join(_shown(value) for value in values),
    }


def check_products(
    rows: list[tuple[int, Row]], context: ImportContext, *, kind: Any, keys: tuple[str, ...]
) -> dict[int, list[tuple[str, str]]]:
    """The import kind's rule across rows: every row of a product whose rows disagree on a product column is
    refused, with a message naming the column as the file calls it, the rows and the values."""
    problems: dict[int, list[tuple[str, str]]] = {}
    for reference, group in group_by_reference(rows).items():
        if len(group) < 2:
            continue
        for key, numbers, values in disagreements(group, keys):
            message = disagreement_message(reference, context.column_name(kind, key), numbers, values)
            for number in numbers:
                problems.setdefault(number, []).append((key, message))
    return problems


def shared_keys(keys: tuple[str, ...]) -> tuple[str, ...]:
    """The product columns on which the rows of one product must agree."""
    return tuple(key for key in keys if key not in PER_VARIANT_KEYS)


def split_prices(group: list[Row], key: str = "unit_price") -> tuple[Decimal | None, list[Decimal | None]] | None:
    """The product's price and each row's own price, or None when the file has no price column.

    Rows giving one price (or leaving it empty) give it to the product, and no variant has a price of its own.
    Rows giving different prices make the lowest the product's "from" price; each variant whose row gives
    another keeps it as its own, and a row left empty takes the product's."""
    if not any(key in row for row in group):
        return None
    given = [row.get(key) if _comparable(row.get(key)) is not None else None for row in group]
    prices = [price for price in given if price is not None]
    if not prices:
        return None, [None] * len(group)
    lowest = min(prices)
    return lowest, [price if price is not None and price != lowest else None for price in given]


def merged_product_row(group: list[Row], keys: tuple[str, ...]) -> Row:
    """The product's values from all its rows: a column left empty on the first row takes the value another
    row gives (rows that disagree were refused by `check_products`)."""
    merged = dict(group[0])
    for key in keys:
        if key in merged and _comparable(merged[key]) is None:
            for row in group[1:]:
                if _comparable(row.get(key)) is not None:
                    merged[key] = row[key]
                    break
    return merged
