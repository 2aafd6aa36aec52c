"""The catalogue as a spreadsheet: the "catalog.products" import kind (one row per variant) and the columns
the export writes, so that export → edit → import goes round.

A row is validated by `CatalogueRowForm`: the product screen's `ProductForm` for the product's columns, the
variant screen's `VariantForm` for the variant's, and `tawrid.specs.parse_value` for the specifications,
given either one column per attribute ("longueur (mm)", "gauge (G)"; a unit written in the cell wins over
the header's) or in one free cell ("calibre=21 G; longueur=25 mm"). `write_catalogue` goes through the
catalogue's services, matching products on the manufacturer's reference and variants on their reference,
and compares before writing: importing the same file twice changes nothing.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import translation
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tawrid.catalog import codes, import_products, services
from tawrid.catalog.forms import ProductForm, VariantForm
from tawrid.catalog.models import Product, RiskClass, Variant, gtin_is_valid
from tawrid.core.errors import DomainError
from tawrid.core.text import fold
from tawrid.imports import parsing
from tawrid.imports.registry import ColumnSpec, ImportContext, ImportKind, WriteSummary, register

KIND = "catalog.products"
SPEC_PREFIX = "spec_"
SPECS_CELL = "specifications"

# Product columns of the file, in the order of the template and the export (keys are ProductForm's fields).
PRODUCT_KEYS = (
    "reference",
    "name_fr",
    "name_en",
    "name_ar",
    "description_fr",
    "emdn_code",
    "cpv_code",
    "hs_code",
    "risk_class",
    "sterile",
    "single_use",
    "latex_free",
    "units_per_box",
    "boxes_per_carton",
    "capacity_per_year",
    "minimum_order",
    "lead_time_days",
    "unit_price",
    "local_content_share",
)
VARIANT_KEYS = ("variant_reference", "variant_label", "udi_di")
_CODE_KEYS = {"emdn_code": "emdn", "cpv_code": "cpv", "hs_code": "hs"}

# Other names people give to specification attributes (the labels in French, English and Arabic are added).
ATTRIBUTE_ALIASES: dict[str, tuple[str, ...]] = {
    "gauge": ("calibre", "jauge"),
    "french_size": ("charriere", "ch", "french", "fr size"),
    "outer_diameter": ("diametre", "diametre ext", "diameter"),
    "inner_diameter": ("diametre int",),
    "length": ("long", "longueur totale"),
    "needle_length": ("longueur aiguille",),
    "volume": ("contenance", "capacite"),
    "weight": ("masse",),
    "glove_size": ("taille", "size"),
    "suture_size": ("fil", "usp"),
    "material": ("matiere",),
    "colour": ("color", "coloris"),
}


# Cell parsers ------------------------------------------------------------------------------------------------------


def parse_code(value: Any) -> parsing.Parsed:
    """A code written as text or as a number (a GTIN or an HS code typed into a number cell)."""
    if isinstance(value, bool):
        raise parsing.ParseError(_("A code is expected, not yes/no."))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, Decimal) and value == value.to_integral_value():
        value = int(value)
    return parsing.Parsed(parsing.clean_text(value) if value is not None else "")


def parse_risk_class(value: Any) -> parsing.Parsed:
    """`IIa`, `classe IIa`, `Class 2a`, `iib`… → the stored code; empty → no class."""
    text = fold(parsing.clean_text(value) if value is not None else "")
    text = re.sub(r"^(classe|class|ivd classe?|dmdiv classe?)\s*", "", text).replace(" ", "")
    if not text:
        return parsing.Parsed("")
    text = {"1": "i", "2a": "iia", "2b": "iib", "3": "iii"}.get(text, text)
    for choice in RiskClass:
        if fold(choice.value) == text:
            return parsing.Parsed(choice.value)
    expected = ", ".join(choice.value for choice in RiskClass)
    raise parsing.ParseError(
        _("Unknown risk class “%(value)s”; expected one of: %(expected)s.")
        % {"value": parsing.clean_text(value), "expected": expected}
    )


def parse_spec_text(value: Any) -> parsing.Parsed:
    """A specification cell as text: numbers keep their digits (`0.8`, `25`), text is cleaned."""
    if value is None:
        return parsing.Parsed("")
    if isinstance(value, bool):
        return parsing.Parsed(_("yes") if value else _("no"))
    if isinstance(value, float):
        return parsing.Parsed(str(int(value)) if value.is_integer() else repr(value))
    return parsing.Parsed(parsing.clean_text(value))


_SPLIT = re.compile(r"[;\n|]")


def _attribute_index() -> dict[str, str]:
    from tawrid.specs import ATTRIBUTES

    index: dict[str, str] = {}
    for key, definition in ATTRIBUTES.items():
        names = {key, key.replace("_", " "), *ATTRIBUTE_ALIASES.get(key, ())}
        for language in ("fr", "en", "ar"):
            with translation.override(language):
                names.add(str(definition.label))
        for name in names:
            index.setdefault(fold(name), key)
    return index


def parse_specification_cell(text: str) -> dict[str, str]:
    """`calibre=21 G; longueur=25 mm` → {"gauge": "21 G", "length": "25 mm"}.

    Pairs are separated by `;`, `|` or new lines; a name and its value by `=` (or `:`). Names are the
    attributes' keys, their labels in French, English or Arabic, or a usual alias (calibre, charrière…),
    compared without accents or case. Raises `parsing.ParseError` naming the part it cannot read."""
    index = _attribute_index()
    found: dict[str, str] = {}
    for part in _SPLIT.split(text or ""):
        part = part.strip()
        if not part:
            continue
        separator = "=" if "=" in part else ":" if ":" in part else ""
        if not separator:
            raise parsing.ParseError(
                _("“%(part)s”: write each specification as name=value, separated by “;”.") % {"part": part}
            )
        name, value = (piece.strip() for piece in part.split(separator, 1))
        key = index.get(fold(name))
        if key is None:
            raise parsing.ParseError(_("Unknown specification “%(name)s”.") % {"name": name})
        if not value:
            raise parsing.ParseError(_("No value given for the specification “%(name)s”.") % {"name": name})
        if key in found:
            raise parsing.ParseError(_("The specification “%(name)s” is given twice.") % {"name": name})
        found[key] = value
    return found


def format_specification_cell(specifications: dict[str, str]) -> str:
    """The reverse of `parse_specification_cell`, with the attributes' keys as names."""
    return "; ".join(f"{key}={value}" for key, value in specifications.items())


# The row form --------------------------------------------------------------------------------------------------


# Attributes that are also product columns (sterile, single use, latex free) have no column of their own: they
# go in the free "specifications" cell, so that a header "Stérile" is never ambiguous.
FLAG_ATTRIBUTES = ("sterile", "single_use", "latex_free")


def _spec_keys() -> list[str]:
    """The attributes that have a column of their own."""
    from tawrid.specs import ATTRIBUTES

    return [key for key in ATTRIBUTES if key not in FLAG_ATTRIBUTES]


class CatalogueRowForm(ProductForm):
    """One spreadsheet row: a product (the product screen's form), one of its variants (the variant screen's
    form) and the variant's specifications (checked and converted by tawrid.specs)."""

    variant_reference = forms.CharField(label=gettext_lazy("Variant reference"), required=False)
    variant_label = forms.CharField(label=gettext_lazy("Variant label"), required=False)
    udi_di = forms.CharField(label=gettext_lazy("UDI device identifier (GTIN)"), required=False)
    specifications = forms.CharField(label=gettext_lazy("Specifications"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key in _spec_keys():
            self.fields[SPEC_PREFIX + key] = forms.CharField(required=False, max_length=120)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._clean_variant(data)
        self._clean_specifications(data)
        return data

    def _clean_variant(self, data: dict[str, Any]) -> None:
        reference = (data.get("variant_reference") or "").strip()
        variant = VariantForm(
            data={
                "reference": reference,
                "label": (data.get("variant_label") or "").strip() or reference,
                "udi_di": data.get("udi_di") or "",
            }
        )
        if variant.is_valid():
            data["variant_reference"] = variant.cleaned_data["reference"].strip()
            data["variant_label"] = variant.cleaned_data["label"]
            udi_di = "".join((variant.cleaned_data.get("udi_di") or "").split())
            if udi_di and not gtin_is_valid(udi_di):
                # the rule variant_create/variant_update apply (services._check_variant), checked per row here
                self.add_error("udi_di", _("Not a valid GTIN: check the digits and the check digit."))
            data["udi_di"] = udi_di.zfill(14) if udi_di else ""
            return
        names = {"reference": "variant_reference", "label": "variant_label", "udi_di": "udi_di"}
        for field, errors in variant.errors.items():
            for error in errors:
                self.add_error(names.get(field), error)

    def _clean_specifications(self, data: dict[str, Any]) -> None:
        from tawrid.specs import ATTRIBUTES, SpecError, parse_value

        # attribute → (value, unit of the column's header when the value has none, form field it came from)
        given: dict[str, tuple[str, str, str]] = {}
        for key in _spec_keys():
            raw = (data.get(SPEC_PREFIX + key) or "").strip()
            if raw:
                unit = "" if _HAS_LETTER.search(raw) else ATTRIBUTES[key].canonical_unit
                given[key] = (raw, unit, SPEC_PREFIX + key)
        try:
            in_cell = parse_specification_cell(data.get(SPECS_CELL) or "")
        except parsing.ParseError as error:
            self.add_error(SPECS_CELL, error.message)
            in_cell = {}
        for key, raw in in_cell.items():
            if key in given and fold(given[key][0]) != fold(raw):
                self.add_error(SPECS_CELL, _("%(name)s is given twice with different values.") % {"name": _label(key)})
                continue
            given.setdefault(key, (raw, "", SPECS_CELL))
        specs: dict[str, tuple[str, str]] = {}
        for key, (raw, unit, field) in given.items():
            try:
                parse_value(key, raw, unit or None)
            except SpecError as error:
                self.add_error(field, error.message)
            else:
                specs[key] = (raw, unit)
        data["specs"] = specs


_HAS_LETTER = re.compile(r"[^\W\d_]")


def _label(attribute: str) -> str:
    from tawrid.specs import ATTRIBUTES

    return str(ATTRIBUTES[attribute].label)


# Writing -------------------------------------------------------------------------------------------------------


def _spec_signature(attribute: str, raw: str, unit: str = "") -> tuple[Any, ...]:
    parsed = services._parse_specification(attribute, raw, unit or None)
    number = parsed["value_number"]
    return (number.normalize() if number is not None else None, parsed["value_text"], parsed["value_bool"])


def _row_specifications(row: dict[str, Any], variant: Variant | None) -> dict[str, tuple[str, str]] | None:
    """The variant's specifications after this row: the attributes the file speaks of (its columns, or all
    of them when it has the free "specifications" column) are replaced; the others are kept. None when the
    file has no specification column at all."""
    columns = {k[len(SPEC_PREFIX) :] for k in row if k.startswith(SPEC_PREFIX)}
    if not columns and SPECS_CELL not in row:
        return None
    kept: dict[str, tuple[str, str]] = {}
    if variant is not None and SPECS_CELL not in row:
        kept = {
            s.attribute: (s.raw, s.entered_unit) for s in variant.specifications.all() if s.attribute not in columns
        }
    return {**kept, **(row.get("specs") or {})}


def _specs_differ(variant: Variant, wanted: dict[str, tuple[str, str]]) -> bool:
    stored = {s.attribute: s for s in variant.specifications.all()}
    if set(stored) != set(wanted):
        return True
    for attribute, (raw, unit) in wanted.items():
        spec = stored[attribute]
        if _spec_signature(attribute, raw, unit) != _spec_signature(attribute, spec.raw, spec.entered_unit):
            return True
    return False


def _product_fields(row: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    """The service's fields from a row; only the columns the file has (the others keep their stored value),
    CPV and HS suggested from the EMDN code when the file leaves them empty or, on creation, lacks them."""
    fields: dict[str, Any] = {}
    for key in PRODUCT_KEYS:
        if key not in row or key in _CODE_KEYS:
            continue
        value = row[key]
        if key in ("name_en", "name_ar", "description_fr", "risk_class"):
            value = value or ""
        fields[key] = value
    emdn = row["emdn_code"]
    fields["emdn"] = emdn
    suggested_cpv, suggested_hs = codes.suggest(emdn)
    for key, name in (("cpv_code", "cpv"), ("hs_code", "hs")):
        if key in row and row[key] is not None:
            fields[name] = row[key]
        elif key in row or creating:
            fields[name] = suggested_cpv if name == "cpv" else suggested_hs
    return fields


def _differs(obj: Any, fields: dict[str, Any]) -> bool:
    for name, value in fields.items():
        current = getattr(obj, name)
        if hasattr(current, "pk") or hasattr(value, "pk"):
            if getattr(current, "pk", None) != getattr(value, "pk", None):
                return True
        elif isinstance(current, Decimal) or isinstance(value, Decimal):
            if (current is None) != (value is None) or (current is not None and Decimal(current) != Decimal(value)):
                return True
        elif (current if current is not None else None) != value:
            return True
    return False


def check_product_rows(
    rows: list[tuple[int, dict[str, Any]]], context: ImportContext
) -> dict[int, list[tuple[str, str]]]:
    """The kind's rule across rows: the rows of one product agree on the product's columns (but the price)."""
    from tawrid.imports.registry import get_kind

    keys = import_products.shared_keys(PRODUCT_KEYS)
    return import_products.check_products(rows, context, kind=get_kind(KIND), keys=keys)


def _group_by_product(rows: Iterable[dict[str, Any]], context: ImportContext) -> dict[str, list[dict[str, Any]]]:
    numbered = list(enumerate(rows, start=1))
    refused = check_product_rows(numbered, context)  # checked already, row by row; a direct call is checked here
    if refused:
        raise DomainError(next(iter(refused.values()))[0][1], code="inconsistent_product")
    return {
        reference: [row for _number, row in group]
        for reference, group in import_products.group_by_reference(numbered).items()
    }


def write_catalogue(rows: list[dict[str, Any]], context: ImportContext) -> WriteSummary:
    """Create or update products (by the manufacturer's reference) and their variants (by variant reference)
    through the catalogue's services; what is already as in the file is not touched. Runs inside the
    import's transaction: a refusal of any service refuses the whole import."""
    actor, manufacturer = context.actor, context.organisation
    created = updated = unchanged = 0
    existing = {p.reference: p for p in Product.objects.filter(manufacturer=manufacturer).select_related("emdn")}
    for reference, group in _group_by_product(rows, context).items():
        product = existing.get(reference)
        product_changed = False
        merged = import_products.merged_product_row(group, PRODUCT_KEYS)  # an empty cell takes the others' value
        prices = import_products.split_prices(group)  # rows with different prices: each variant keeps its own
        if prices is not None:
            merged["unit_price"] = prices[0]
        if product is None:
            product = services.product_create(
                actor=actor, manufacturer=manufacturer, **_product_fields(merged, creating=True)
            )
            product_changed = True
        else:
            fields = _product_fields(merged, creating=False)
            if _differs(product, fields):
                product = services.product_update(actor=actor, product=product, **fields)
                product_changed = True
        variants = {v.reference: v for v in Variant.objects.filter(product=product).prefetch_related("specifications")}
        for position, row in enumerate(group):
            variant = variants.get(row["variant_reference"])
            fields = {"reference": row["variant_reference"]}
            if "variant_label" in row or variant is None:  # without the column: the reference, or the stored one
                fields["label"] = row.get("variant_label") or row["variant_reference"]
            if "udi_di" in row:
                fields["udi_di"] = row["udi_di"] or ""
            if prices is not None:
                fields["unit_price"] = prices[1][position]
            specifications = _row_specifications(row, variant)
            if variant is None:
                services.variant_create(
                    actor=actor,
                    product=product,
                    specifications=dict(specifications or {}),
                    position=len(variants) + position,
                    **fields,
                )
                created += 1
                continue
            changed = False
            if _differs(variant, fields):
                variant = services.variant_update(actor=actor, variant=variant, **fields)
                changed = True
            if specifications is not None and _specs_differ(variant, specifications):
                services.variant_set_specifications(actor=actor, variant=variant, specifications=specifications)
                changed = True
            if changed or (product_changed and position == 0):
                updated += 1
            else:
                unchanged += 1
    return WriteSummary(created=created, updated=updated, unchanged=unchanged)


def may_import(actor: Any, organisation: Any) -> bool:
    """The manufacturer's (or start-up's) administrators and members, for their own catalogue only."""
    return organisation.kind in services.SUPPLIER_KINDS and actor.can_write_org(organisation.pk)


# The columns -------------------------------------------------------------------------------------------------


def _spec_column(key: str) -> ColumnSpec:
    from tawrid.specs import ATTRIBUTES
    from tawrid.specs.values import canonical_symbol

    definition = ATTRIBUTES[key]
    symbol = canonical_symbol(key) or str(definition.suffix or "")
    label = format_lazy("{} ({})", definition.label, symbol) if symbol else definition.label
    synonyms: set[str] = {key, key.replace("_", " "), *ATTRIBUTE_ALIASES.get(key, ())}
    for language in ("fr", "en", "ar"):
        with translation.override(language):
            name = str(definition.label)
        synonyms.update({name, f"{name} ({symbol})" if symbol else name})
    for alias in ATTRIBUTE_ALIASES.get(key, ()):
        if symbol:
            synonyms.add(f"{alias} ({symbol})")
    return ColumnSpec(SPEC_PREFIX + key, label, synonyms=tuple(sorted(synonyms)), parser=parse_spec_text)


def columns() -> list[ColumnSpec]:
    base = [
        ColumnSpec(
            "reference",
            gettext_lazy("Product reference"),
            required=True,
            synonyms=("référence", "référence produit", "ref", "réf", "code article", "reference", "product ref"),
            parser=parse_code,
            help_text=gettext_lazy("Your own reference: the import updates the product that has it."),
        ),
        ColumnSpec(
            "name_fr",
            gettext_lazy("Product name (French)"),
            required=True,
            synonyms=("nom", "nom du produit", "désignation", "libellé", "nom (français)", "product name", "name"),
        ),
        ColumnSpec(
            "name_en", gettext_lazy("Name (English)"), synonyms=("nom (anglais)", "nom anglais", "english name")
        ),
        ColumnSpec(
            "name_ar", gettext_lazy("Name (Arabic)"), synonyms=("nom (arabe)", "nom arabe", "الاسم", "arabic name")
        ),
        ColumnSpec(
            "description_fr",
            gettext_lazy("Description"),
            synonyms=("description (français)", "descriptif"),
            parser=parsing.parse_multiline_text,
        ),
        ColumnSpec(
            "emdn_code",
            gettext_lazy("EMDN code"),
            required=True,
            synonyms=("emdn", "code emdn", "cnd"),
            parser=parse_code,
        ),
        ColumnSpec("cpv_code", gettext_lazy("CPV code"), synonyms=("cpv", "code cpv"), parser=parse_code),
        ColumnSpec(
            "hs_code",
            gettext_lazy("HS code"),
            synonyms=("hs", "sh", "code sh", "code hs", "nomenclature douanière"),
            parser=parse_code,
        ),
        ColumnSpec(
            "risk_class",
            gettext_lazy("Risk class"),
            synonyms=("classe", "classe de risque", "class"),
            parser=parse_risk_class,
        ),
        ColumnSpec("sterile", gettext_lazy("Sterile"), synonyms=("stérile",), parser=parsing.parse_bool),
        ColumnSpec(
            "single_use",
            gettext_lazy("Single use"),
            synonyms=("usage unique", "à usage unique"),
            parser=parsing.parse_bool,
        ),
        ColumnSpec(
            "latex_free", gettext_lazy("Latex free"), synonyms=("sans latex", "latex-free"), parser=parsing.parse_bool
        ),
        ColumnSpec(
            "units_per_box",
            gettext_lazy("Units per box"),
            synonyms=("unités par boîte", "unités/boîte", "conditionnement", "qté par boîte"),
            parser=parsing.parse_integer,
        ),
        ColumnSpec(
            "boxes_per_carton",
            gettext_lazy("Boxes per carton"),
            synonyms=("boîtes par carton", "boîtes/carton", "units per carton", "unités par carton"),
            parser=parsing.parse_integer,
        ),
        ColumnSpec(
            "capacity_per_year",
            gettext_lazy("Yearly capacity"),
            synonyms=("capacité annuelle", "capacité de production", "capacité", "capacity per year"),
            parser=parsing.parse_integer,
        ),
        ColumnSpec(
            "minimum_order",
            gettext_lazy("Minimum order"),
            synonyms=("commande minimum", "quantité minimum", "moq"),
            parser=parsing.parse_integer,
        ),
        ColumnSpec(
            "lead_time_days",
            gettext_lazy("Lead time (days)"),
            synonyms=("délai", "délai de livraison", "délai (jours)", "lead time"),
            parser=parsing.parse_integer,
        ),
        ColumnSpec(
            "unit_price",
            gettext_lazy("Indicative unit price (MAD)"),
            synonyms=("prix", "prix unitaire", "prix indicatif", "prix unitaire (mad)", "unit price", "price"),
            parser=parsing.parse_price,
            help_text=gettext_lazy(
                "Each variant's: rows of one product may give different prices (the lowest is the product's "
                "“from” price); a row left empty takes the product's."
            ),
        ),
        ColumnSpec(
            "local_content_share",
            gettext_lazy("Local content share (%)"),
            synonyms=("part locale", "contenu local", "taux d'intégration", "local content"),
            parser=parsing.parse_percent,
        ),
        ColumnSpec(
            "variant_reference",
            gettext_lazy("Variant reference"),
            required=True,
            synonyms=("référence variante", "réf variante", "variante", "variant ref", "sku"),
            parser=parse_code,
        ),
        ColumnSpec(
            "variant_label",
            gettext_lazy("Variant label"),
            synonyms=("libellé variante", "modèle", "variant", "désignation variante"),
        ),
        ColumnSpec(
            "udi_di",
            gettext_lazy("UDI-DI (GTIN)"),
            synonyms=("udi", "udi-di", "gtin", "ean", "code barre", "code-barres"),
            parser=parse_code,
        ),
        ColumnSpec(
            SPECS_CELL,
            gettext_lazy("Specifications"),
            synonyms=("spécifications", "caractéristiques", "specs", "spécifications techniques"),
            help_text=gettext_lazy("For example: calibre=21 G; longueur=25 mm"),
        ),
    ]
    return [_with_labels_in_every_language(column) for column in base] + [_spec_column(key) for key in _spec_keys()]


def _with_labels_in_every_language(column: ColumnSpec) -> ColumnSpec:
    """A file exported in English is imported by someone who reads French: every language's label is a name
    the column answers to."""
    names = set(column.synonyms)
    for language in ("fr", "en", "ar"):
        with translation.override(language):
            names.add(str(column.label))
    return dataclasses.replace(column, synonyms=tuple(sorted(names)))


def register_kind() -> ImportKind:
    """Called from CatalogConfig.ready()."""
    return register(
        ImportKind(
            name=KIND,
            label=gettext_lazy("Catalogue (products and variants)"),
            description=gettext_lazy("One row per variant; the rows of a product share its reference."),
            columns=columns(),
            row_form=CatalogueRowForm,
            natural_key=lambda cleaned: f"{cleaned['reference']} / {cleaned['variant_reference']}",
            write=write_catalogue,
            check_rows=check_product_rows,
            permission=may_import,
            result_url=lambda context: _product_list_url(),
        )
    )


def _product_list_url() -> str:
    from django.urls import reverse

    return reverse("catalog:product_list")
