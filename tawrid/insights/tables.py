"""The dashboards' tables, described once for the page and its xlsx export: the same columns, the same rows, the
same order. A column says what kind of value it holds (text, count, money in MAD or USD, ratio shown as a
percentage); the template formats it for the language, the export keeps the number (a ratio stays 0.25, money
keeps its cents)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

Kind = Literal["text", "code", "count", "money", "ratio"]


@dataclass(frozen=True)
class Column:
    """`detail` names a value shown after this one on screen (a code's term); `screen=False` keeps a column for
    the export only (the term, which the screen shows beside its code)."""

    key: str
    header: str
    kind: Kind = "text"
    detail: str = ""
    screen: bool = True

    @property
    def numeric(self) -> bool:
        return self.kind in ("count", "money", "ratio")


@dataclass(frozen=True)
class Cell:
    value: Any
    kind: Kind
    href: str = ""
    detail: str = ""


@dataclass(frozen=True)
class Table:
    """`rows` are dicts read by the columns' keys; `link` gives the drill-down address of a row (its first cell
    becomes a link), or "" for none."""

    name: str
    title: str
    columns: Sequence[Column]
    rows: Sequence[dict[str, Any]]
    empty_text: str = ""
    link: Callable[[dict[str, Any]], str] | None = None
    export_query: str = field(default="")

    @property
    def screen_columns(self) -> list[Column]:
        return [column for column in self.columns if column.screen]

    @property
    def body(self) -> list[list[Cell]]:
        lines = []
        for row in self.rows:
            href = self.link(row) if self.link else ""
            lines.append(
                [
                    Cell(
                        row.get(column.key),
                        column.kind,
                        href if position == 0 else "",
                        str(row.get(column.detail) or "") if column.detail else "",
                    )
                    for position, column in enumerate(self.screen_columns)
                ]
            )
        return lines

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]

    def export_rows(self) -> list[list[Any]]:
        return [[row.get(column.key) for column in self.columns] for row in self.rows]


def with_export(table: Table, params: dict[str, str]) -> Table:
    """The table with the query string of its xlsx export (the page's filters, `format` and `table`)."""
    query = urlencode({**params, "format": "xlsx", "table": table.name})
    return Table(table.name, table.title, table.columns, table.rows, table.empty_text, table.link, query)


def group_link(row: dict[str, Any]) -> str:
    """The group's page; none for the lines and orders without an EMDN code (group "")."""
    return reverse("insights:opportunity_detail", args=[row["group"]]) if row["group"] else ""


# --------------------------------------------------------------------------------------------- organisations


def buyer_groups(rows: Sequence[dict[str, Any]]) -> Table:
    return Table(
        "groups",
        _("Your plans per EMDN group"),
        [
            Column("group", _("EMDN group"), "code", detail="label"),
            Column("label", _("Term"), screen=False),
            Column("lines", _("Plan lines"), "count"),
            Column("demand", _("Declared demand (MAD)"), "money"),
            Column("covered", _("Covered locally (MAD)"), "money"),
            Column("coverage", _("Local coverage"), "ratio"),
            Column("ordered", _("Ordered (MAD)"), "money"),
            Column("ordered_local", _("Ordered locally (MAD)"), "money", screen=False),
            Column("local_rate", _("Local-purchase rate"), "ratio"),
        ],
        rows,
        _("No plan in force for this year."),
        group_link,
    )


def manufacturer_groups(rows: Sequence[dict[str, Any]], demand_year: int | None) -> Table:
    return Table(
        "groups",
        _("Your EMDN groups"),
        [
            Column("group", _("EMDN group"), "code", detail="label"),
            Column("label", _("Term"), screen=False),
            Column("products", _("Published products"), "count"),
            Column("eligible", _("Eligible products"), "count"),
            Column("ordered", _("Ordered from you (MAD)"), "money"),
            Column("demand", _("National demand %(year)s (MAD)") % {"year": demand_year or "—"}, "money"),
            Column("buyers", _("Buyers"), "count"),
            Column("covered", _("Covered locally (MAD)"), "money"),
            Column("coverage", _("Local coverage"), "ratio"),
        ],
        rows,
        _("No published product yet."),
        group_link,
    )


def nearby_opportunities(opportunities: Sequence[Any]) -> Table:
    rows = [
        {"rank": o.rank, "group": o.group, "label": o.inputs.label, "score": round(o.score, 1),
         "demand": o.inputs.demand, "coverage": o.coverage, "eligible": o.inputs.eligible_products}
        for o in opportunities
    ]  # fmt: skip
    return Table(
        "opportunities",
        _("Opportunities in your EMDN categories"),
        [
            Column("group", _("EMDN group"), "code", detail="label"),
            Column("label", _("Term"), screen=False),
            Column("rank", _("Rank"), "count"),
            Column("score", _("Score"), "count"),
            Column("demand", _("Declared demand (MAD)"), "money"),
            Column("coverage", _("Local coverage"), "ratio"),
            Column("eligible", _("Eligible products"), "count"),
        ],
        rows,
        _("No opportunity computed yet."),
        group_link,
    )


# --------------------------------------------------------------------------------------- national dashboards


def _organisation_link(row: dict[str, Any]) -> str:
    return reverse("insights:dashboard_organisation", args=[row["organisation_id"]])


def cluster_buyers(buyers: Sequence[dict[str, Any]]) -> Table:
    rows = [
        {**b, "organisation_id": b["organisation"].pk, "name": b["organisation"].name,
         "kind": b["organisation"].get_kind_display(), "region": b["organisation"].region}
        for b in buyers
    ]  # fmt: skip
    return Table(
        "buyers",
        _("Buyers"),
        [
            Column("name", _("Buyer")),
            Column("kind", _("Kind")),
            Column("region", _("Region")),
            Column("lines", _("Plan lines"), "count"),
            Column("demand", _("Declared demand (MAD)"), "money"),
            Column("coverage", _("Local coverage"), "ratio"),
            Column("ordered", _("Ordered (MAD)"), "money"),
            Column("local_rate", _("Local-purchase rate"), "ratio"),
            Column("local_rate_of_plan", _("Against the plan"), "ratio"),
        ],
        rows,
        _("No buyer has a plan in force or an order this year."),
        _organisation_link,
    )


def cluster_suppliers(suppliers: Sequence[dict[str, Any]]) -> Table:
    rows = []
    for s in suppliers:
        catalogue = s.get("catalogue")
        rows.append(
            {
                "organisation_id": s["organisation"].pk,
                "name": s["organisation"].name,
                "region": s["organisation"].region,
                "products": catalogue.products if catalogue else 0,
                "eligible": catalogue.eligible_products if catalogue else 0,
                "labelled": catalogue.labelled_products if catalogue else 0,
                "groups": catalogue.groups if catalogue else 0,
                "allocated": s["allocated"],
                "sold": s["sold"],
            }
        )
    return Table(
        "suppliers",
        _("Local manufacturers"),
        [
            Column("name", _("Manufacturer")),
            Column("region", _("Region")),
            Column("groups", _("EMDN groups"), "count"),
            Column("products", _("Published products"), "count"),
            Column("eligible", _("Eligible products"), "count"),
            Column("labelled", _("Made in Morocco"), "count"),
            Column("allocated", _("Demand allocated to its products (MAD)"), "money"),
            Column("sold", _("Ordered from it (MAD)"), "money"),
        ],
        rows,
        _("No local manufacturer has a published product."),
        _organisation_link,
    )


def regulatory(
    rows: Sequence[dict[str, Any]], *, focus: str, category: str, trade_year: Any, demand_year: Any
) -> Table:
    first = Column("code", _("EMDN group") if category else _("EMDN category"), "code", detail="label")
    common_head = [first, Column("label", _("Term"), screen=False)]
    market = [
        Column("demand", _("Declared demand %(year)s (MAD)") % {"year": demand_year or "—"}, "money"),
        Column("coverage", _("Local coverage"), "ratio"),
    ]
    if focus == "industry":
        columns = [
            *common_head,
            Column("imports_usd", _("Imports %(year)s (USD)") % {"year": trade_year or "—"}, "money"),
            *market,
            Column("manufacturers", _("Local manufacturers"), "count"),
            Column("products", _("Published products"), "count"),
            Column("certified_products", _("ISO 13485 verified"), "count"),
            Column("labelled_products", _("Made in Morocco"), "count"),
            Column("eligible_products", _("Eligible products"), "count"),
            Column("certificates_expiring", _("Certificates lapsing within 90 days"), "count"),
            Column("capacity_units", _("Capacity (units per year)"), "count", screen=False),
        ]
    else:
        columns = [
            *common_head,
            *market,
            Column("products", _("Published products"), "count"),
            Column("registered_products", _("Registered (DMP)"), "count"),
            Column("registrations_pending", _("Registration under review"), "count"),
            Column("certified_only", _("Certified, not registered"), "count"),
            Column("eligible_products", _("Eligible products"), "count"),
            Column("registrations_expiring", _("Registrations lapsing within 90 days"), "count"),
        ]

    def link(row: dict[str, Any]) -> str:
        if category:
            return reverse("insights:opportunity_detail", args=[row["code"]])
        return reverse(f"insights:dashboard_{focus}") + "?" + urlencode({"category": row["code"]})

    return Table(
        "groups" if category else "categories",
        _("Per EMDN group") if category else _("Per EMDN category"),
        columns,
        rows,
        _("No local product, import or declared demand yet."),
        link,
    )
