"""A manufacturer's catalogue as an xlsx workbook: one row per variant, with the columns of the
"catalog.products" import (tawrid.catalog.imports), so that the file can be edited and imported again. The
price column holds each variant's price (its own, else its product's).

Cells are written by `tawrid.imports.export.write_xlsx`: no text can start a formula. Products without a
variant are left out (an import row is a variant)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tawrid.accounts.models import Organisation
from tawrid.catalog import imports, policies
from tawrid.catalog.models import Product, Variant
from tawrid.core.errors import Forbidden, NotFound
from tawrid.core.permissions import Actor
from tawrid.imports import export

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_HAS_LETTER = re.compile(r"[^\W\d_]")


def _percent(value: Decimal | None) -> str | None:
    if value is None:
        return None
    text = format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")
    return text.replace(".", ",") + " %"


def _spec_text(raw: str, entered_unit: str) -> str:
    """The value as it was typed, with the unit it was typed in when that unit was chosen apart."""
    from tawrid.specs import UNITS

    if entered_unit and entered_unit in UNITS and not _HAS_LETTER.search(raw):
        return f"{raw} {UNITS[entered_unit].symbol}"
    return raw


def catalogue_products(manufacturer: Organisation) -> QuerySet[Product]:
    variants = Variant.objects.order_by("position", "pk").prefetch_related("specifications")
    return (
        Product.objects.filter(manufacturer=manufacturer, variants__isnull=False)
        .distinct()
        .select_related("emdn", "cpv", "hs")
        .prefetch_related(Prefetch("variants", queryset=variants))
        .order_by("reference", "pk")
    )


def catalogue_rows(manufacturer: Organisation) -> list[list[Any]]:
    """One list of cell values per variant, in the order of `imports.columns()`."""
    keys = [column.key for column in imports.columns()]
    column_attributes = {key[len(imports.SPEC_PREFIX) :] for key in keys if key.startswith(imports.SPEC_PREFIX)}
    rows: list[list[Any]] = []
    for product in catalogue_products(manufacturer):
        product_values: dict[str, Any] = {
            "reference": product.reference,
            "name_fr": product.name_fr,
            "name_en": product.name_en,
            "name_ar": product.name_ar,
            "description_fr": product.description_fr,
            "emdn_code": product.emdn.code,
            "cpv_code": product.cpv.code if product.cpv_id else None,
            "hs_code": product.hs.code if product.hs_id else None,
            "risk_class": product.risk_class,
            "sterile": product.sterile,
            "single_use": product.single_use,
            "latex_free": product.latex_free,
            "units_per_box": product.units_per_box,
            "boxes_per_carton": product.boxes_per_carton,
            "capacity_per_year": product.capacity_per_year,
            "minimum_order": product.minimum_order,
            "lead_time_days": product.lead_time_days,
            "unit_price": product.unit_price,
            "local_content_share": _percent(product.local_content_share),
        }
        for variant in product.variants.all():
            values = dict(product_values)
            values.update(variant_reference=variant.reference, variant_label=variant.label, udi_di=variant.udi_di)
            # what the variant costs: importing the file gives each variant this price again (the lowest of a
            # product's rows becomes its "from" price)
            values["unit_price"] = variant.effective_unit_price
            in_cell: dict[str, str] = {}
            for spec in variant.specifications.all():
                text = _spec_text(spec.raw, spec.entered_unit)
                if spec.attribute in column_attributes:
                    values[imports.SPEC_PREFIX + spec.attribute] = text
                else:
                    in_cell[spec.attribute] = text
            values[imports.SPECS_CELL] = imports.format_specification_cell(in_cell)
            rows.append([values.get(key) if values.get(key) != "" else None for key in keys])
    return rows


def readable_manufacturer(actor: Actor, organisation_id: int | str | None) -> Organisation:
    """The manufacturer whose catalogue `actor` may export: the one asked for, or the first of `actor`'s."""
    from tawrid.catalog import selectors

    if organisation_id is not None and not str(organisation_id).isdigit():
        raise NotFound()
    mine = selectors.my_manufacturers(actor=actor)
    manufacturer = mine.filter(pk=organisation_id).first() if organisation_id else mine.first()
    if manufacturer is None:
        if organisation_id and Organisation.objects.filter(pk=organisation_id).exists():
            raise Forbidden(_("Only the people of this manufacturer can export its catalogue."))
        raise NotFound()
    return manufacturer


def export_catalogue(*, actor: Actor, manufacturer: Organisation) -> tuple[bytes, str]:
    """The workbook and its file name; only the manufacturer's own people (and the operator) may export it:
    it holds prices and capacities."""
    if not (policies.can_read_private(actor, manufacturer.pk) or actor.is_superuser):
        raise Forbidden(_("Only the people of this manufacturer can export its catalogue."))
    headers = [str(column.label) for column in imports.columns()]
    data = export.write_xlsx(headers, catalogue_rows(manufacturer), sheet_title="Catalogue")
    name = f"catalogue-{manufacturer.slug or manufacturer.pk}-{timezone.localdate():%Y-%m-%d}.xlsx"
    return data, name
