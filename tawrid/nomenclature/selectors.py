"""Reads of the reference nomenclatures: look-ups, ancestors and children, tree nodes, search.

Search is accent- and case-insensitive: each word of the query, folded like `search_text`, must appear in it
(all words must match); a word shaped like a code of the nomenclature (`A0101`, `3314`, `9018`, `FMI`) matches
codes that start with it instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Model, Q, QuerySet
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tawrid.core.errors import NotFound
from tawrid.core.text import search_terms
from tawrid.nomenclature.models import (
    CpvCode,
    EmdnCode,
    FdaProductCode,
    HsCode,
    HsConcordance,
    HsSection,
    ReferenceDataset,
)

NO_PANEL = "none"  # URL slug of the FDA product codes that have no review panel

# The FDA review panels (21 CFR parts 862–892); the file gives only their two-letter codes.
FDA_PANELS: dict[str, Promise] = {
    "AN": _("Anesthesiology"),
    "CH": _("Clinical chemistry"),
    "CV": _("Cardiovascular"),
    "DE": _("Dental"),
    "EN": _("Ear, nose and throat"),
    "GU": _("Gastroenterology and urology"),
    "HE": _("Hematology"),
    "HO": _("General hospital and personal use"),
    "IM": _("Immunology"),
    "MG": _("Medical genetics"),
    "MI": _("Microbiology"),
    "NE": _("Neurology"),
    "OB": _("Obstetrics and gynecology"),
    "OP": _("Ophthalmic"),
    "OR": _("Orthopedic"),
    "PA": _("Pathology"),
    "PM": _("Physical medicine"),
    "RA": _("Radiology"),
    "SU": _("General and plastic surgery"),
    "TX": _("Clinical toxicology"),
    "": _("No review panel"),
}

FDA_SUBMISSION_TYPES: dict[str, Promise] = {
    "1": _("510(k) premarket notification"),
    "2": _("Premarket approval (PMA)"),
    "3": _("Contact the FDA device office"),
    "4": _("Exempt from 510(k)"),
    "5": _("Enforcement discretion"),
    "6": _("Not regulated by the FDA"),
    "7": _("Unclassified"),
    "8": _("Transitional"),
}


@dataclass(frozen=True)
class Nomenclature:
    """What pages, the API and search need to know about one nomenclature."""

    key: str
    title: Promise
    short: str
    description: Promise
    source: Promise
    licence: Promise
    language: str  # language of its labels
    code_pattern: re.Pattern[str]
    model: type[Model]
    code_field: str


NOMENCLATURES: dict[str, Nomenclature] = {
    "emdn": Nomenclature(
        key="emdn",
        title=_("European Medical Device Nomenclature"),
        short="EMDN",
        description=_(
            "The nomenclature of medical devices used in the EU database (EUDAMED): 23 categories, 7 levels. "
            "Terms in English (there is no official French version)."
        ),
        source=_("European Commission (DG SANTE), EMDN version 2"),
        licence=_("Free of copyright (European Commission)"),
        language="en",
        code_pattern=re.compile(r"^[a-z][0-9]{0,12}$"),
        model=EmdnCode,
        code_field="code",
    ),
    "cpv": Nomenclature(
        key="cpv",
        title=_("Common Procurement Vocabulary (CPV 2008)"),
        short="CPV",
        description=_(
            "The EU vocabulary for public procurement (supplies, works and services), "
            "with French, English and Italian labels."
        ),
        source=_("Regulation (EC) No 213/2008, via the xterr/cpv-codes repository"),
        licence=_("EU law, free to reuse; compilation under the MIT licence"),
        language="fr",
        code_pattern=re.compile(r"^[0-9]{2,8}(-[0-9]?)?$"),
        model=CpvCode,
        code_field="code",
    ),
    "hs": Nomenclature(
        key="hs",
        title=_("Harmonized System (HS 2022)"),
        short="HS",
        description=_(
            "The customs nomenclature of the World Customs Organization used for trade flows: 21 sections, "
            "chapters, headings and 6-digit subheadings, with the concordances to earlier revisions."
        ),
        source=_("UN Comtrade (datasets/harmonized-system); concordances from UN Statistics via Harvard Growth Lab"),
        licence=_("Public domain (ODC-PDDL 1.0); concordances under the Apache 2.0 licence"),
        language="en",
        code_pattern=re.compile(r"^[0-9]{2,6}$"),
        model=HsCode,
        code_field="code",
    ),
    "fda": Nomenclature(
        key="fda",
        title=_("FDA product classification"),
        short="FDA",
        description=_(
            "The product codes of the US Food and Drug Administration's device classification, "
            "grouped by review panel: a second device vocabulary."
        ),
        source=_("US Food and Drug Administration, product classification file (2019 snapshot)"),
        licence=_("Public domain (US Government work)"),
        language="en",
        code_pattern=re.compile(r"^[a-z]{3}$"),
        model=FdaProductCode,
        code_field="product_code",
    ),
}


def nomenclature(key: str) -> Nomenclature:
    try:
        return NOMENCLATURES[key]
    except KeyError:
        raise NotFound() from None


# ----------------------------------------------------------------------------------------------- index


@dataclass(frozen=True)
class Summary:
    nomenclature: Nomenclature
    count: int
    dataset: ReferenceDataset | None


def nomenclature_summaries() -> list[Summary]:
    datasets = {d.name: d for d in ReferenceDataset.objects.all()}
    return [Summary(n, n.model._default_manager.count(), datasets.get(n.key)) for n in NOMENCLATURES.values()]


# ----------------------------------------------------------------------------------------------- look-ups


def emdn_get(*, code: str) -> EmdnCode:
    try:
        return EmdnCode.objects.get(code=code.strip().upper())
    except EmdnCode.DoesNotExist:
        raise NotFound() from None


def emdn_ancestors(*, item: EmdnCode) -> list[EmdnCode]:
    """From the category down to the parent, in one query (EMDN codes nest by prefix: A, A01, A0101…)."""
    prefixes = [item.code[:length] for length in range(1, len(item.code), 2)]
    return list(EmdnCode.objects.filter(code__in=prefixes).order_by("level"))


def cpv_get(*, code: str) -> CpvCode:
    code = code.strip()
    lookup = Q(code=code) if "-" in code else Q(numeric_code=int(code)) if code.isdigit() else None
    if lookup is None:
        raise NotFound()
    try:
        return CpvCode.objects.get(lookup)
    except CpvCode.DoesNotExist:
        raise NotFound() from None


def cpv_ancestors(*, item: CpvCode) -> list[CpvCode]:
    chain: list[CpvCode] = []
    parent_id = item.parent_id
    while parent_id is not None and len(chain) < 8:
        parent = CpvCode.objects.get(pk=parent_id)
        chain.append(parent)
        parent_id = parent.parent_id
    return chain[::-1]


def hs_get(*, code: str) -> HsCode:
    try:
        return HsCode.objects.select_related("section").get(code=code.strip())
    except HsCode.DoesNotExist:
        raise NotFound() from None


def hs_ancestors(*, item: HsCode) -> list[HsCode]:
    prefixes = [item.code[:length] for length in range(2, len(item.code), 2)]
    return list(HsCode.objects.filter(code__in=prefixes).order_by("level"))


def hs_section_get(*, roman: str) -> HsSection:
    try:
        return HsSection.objects.get(roman=roman.strip().upper())
    except HsSection.DoesNotExist:
        raise NotFound() from None


def hs_sections() -> QuerySet[HsSection]:
    return HsSection.objects.annotate(n_children=Count("codes", filter=Q(codes__level=2)))


def children_of(item: Model) -> QuerySet[Any]:
    """The direct children of a code, each with `n_children` (its own number of children)."""
    model = type(item)
    return model._default_manager.filter(parent=item).annotate(n_children=Count("children"))


def hs_concordance_steps(*, code: str) -> list[tuple[str, str, list[HsConcordance]]]:
    """The code's counterparts in each earlier HS revision, step by step (2022→2017, 2017→2012, … →1992).

    Each step starts from the codes reached by the previous one; returns (newer, older, rows) per step.
    Only 6-digit subheadings have concordances.
    """
    steps: list[tuple[str, str, list[HsConcordance]]] = []
    current = {code}
    revisions = (
        HsConcordance.objects.filter(revision_before__startswith="HS")
        .values_list("adjustment", "revision_after", "revision_before")
        .distinct()
        .order_by("-adjustment")
    )
    for adjustment, after, before in revisions:
        rows = list(
            HsConcordance.objects.filter(adjustment=adjustment, code_after__in=current).order_by(
                "code_after", "code_before"
            )
        )
        if not rows:
            break
        steps.append((after, before, rows))
        current = {row.code_before for row in rows}
    return steps


def fda_get(*, code: str) -> FdaProductCode:
    try:
        return FdaProductCode.objects.get(product_code=code.strip().upper())
    except FdaProductCode.DoesNotExist:
        raise NotFound() from None


def fda_panel_code(slug: str) -> str:
    """The review panel code for a URL slug ("none" is the group without a panel); unknown → NotFound."""
    panel = "" if slug == NO_PANEL else slug.upper()
    if panel not in FDA_PANELS:
        raise NotFound()
    return panel


def fda_panel_slug(panel: str) -> str:
    return panel or NO_PANEL


def fda_panels() -> list[tuple[str, Promise, int]]:
    """(panel code, name, number of product codes) for each panel that has codes."""
    counts = dict(
        FdaProductCode.objects.order_by()
        .values_list("review_panel")
        .annotate(n=Count("pk"))
        .values_list("review_panel", "n")
    )
    return [(panel, FDA_PANELS[panel], counts[panel]) for panel in sorted(counts, key=lambda p: (p == "", p))]


# ----------------------------------------------------------------------------------------------- tree nodes


@dataclass(frozen=True)
class Node:
    """One line of a tree browser: a code (or a group such as an HS section), where it leads, how to expand it."""

    code: str
    label: str
    url: str
    node_url: str = ""  # the partial that expands or collapses it; empty for a leaf
    children: int = 0
    lang: str = "en"

    @property
    def dom_id(self) -> str:
        return "node-" + re.sub(r"[^A-Za-z0-9_-]", "_", self.node_url or self.url)


def node_for(key: str, item: Any) -> Node:
    n_children = getattr(item, "n_children", 0)
    if key == "emdn":
        code, label, lang = item.code, item.term, "en"
    elif key == "cpv":
        code, label, lang = item.code, item.label_fr, "fr"
    elif key == "hs":
        code, label, lang = item.code, item.description, "en"
    else:
        code, label, lang = item.product_code, item.device_name, "en"
    return Node(
        code=code,
        label=label,
        url=reverse(f"nomenclature:{key}_detail", args=[code]),
        node_url=reverse(f"nomenclature:{key}_node", args=[code]) if n_children else "",
        children=n_children,
        lang=lang,
    )


def _section_node(section: HsSection) -> Node:
    n = getattr(section, "n_children", 0)
    return Node(
        code=section.roman,
        label=section.name,
        url=reverse("nomenclature:hs_section", args=[section.roman]),
        node_url=reverse("nomenclature:hs_section_node", args=[section.roman]) if n else "",
        children=n,
    )


def _panel_node(panel: str, name: Any, count: int) -> Node:
    slug = fda_panel_slug(panel)
    return Node(
        code=panel or "—",
        label=str(name),
        url=reverse("nomenclature:fda_panel", args=[slug]),
        node_url=reverse("nomenclature:fda_panel_node", args=[slug]),
        children=count,
        lang="",
    )


def tree_roots(key: str) -> list[Node]:
    """The top level of a nomenclature's tree: EMDN categories, CPV divisions, HS sections, FDA review panels."""
    if key in ("emdn", "cpv"):
        model = nomenclature(key).model
        roots = model._default_manager.filter(level=1).annotate(n_children=Count("children"))
        return [node_for(key, item) for item in roots]
    if key == "hs":
        nodes = [_section_node(section) for section in hs_sections()]
        outside = HsCode.objects.filter(level=2, section__isnull=True).annotate(n_children=Count("children"))
        return nodes + [node_for(key, item) for item in outside]
    if key == "fda":
        return [_panel_node(panel, name, count) for panel, name, count in fda_panels()]
    raise NotFound()


def code_children_nodes(key: str, item: Model) -> list[Node]:
    return [node_for(key, child) for child in children_of(item)]


def code_node(key: str, item: Model) -> Node:
    model = type(item)
    annotated = model._default_manager.annotate(n_children=Count("children")).get(pk=item.pk)
    return node_for(key, annotated)


def hs_section_node(section: HsSection) -> Node:
    return _section_node(hs_sections().get(pk=section.pk))


def hs_section_children_nodes(section: HsSection) -> list[Node]:
    chapters = HsCode.objects.filter(section=section, level=2).annotate(n_children=Count("children"))
    return [node_for("hs", chapter) for chapter in chapters]


def fda_panel_node(panel: str) -> Node:
    count = FdaProductCode.objects.filter(review_panel=panel).count()
    return _panel_node(panel, FDA_PANELS[panel], count)


def fda_panel_codes(panel: str) -> QuerySet[FdaProductCode]:
    return FdaProductCode.objects.filter(review_panel=panel)


def fda_panel_children_nodes(panel: str) -> list[Node]:
    return [node_for("fda", item) for item in fda_panel_codes(panel)]


# ----------------------------------------------------------------------------------------------- search


def search(*, key: str, query: str) -> QuerySet[Any]:
    """Codes of one nomenclature matching every word of `query` (accent- and case-insensitive), by code.

    A word shaped like a code matches the codes that start with it; other words must appear in the labels.
    An empty query matches nothing.
    """
    n = nomenclature(key)
    words = search_terms(query)
    queryset = n.model._default_manager.all()
    if not words:
        return queryset.none()
    for word in words:
        condition = Q(search_text__contains=word)
        if n.code_pattern.match(word):
            code = word.upper()
            if key == "cpv" and "-" not in code:
                condition = Q(code__startswith=code)
            elif key == "fda":
                condition = condition | Q(product_code=code)
            else:
                condition = Q(**{f"{n.code_field}__startswith": code})
        queryset = queryset.filter(condition)
    return queryset.order_by(n.code_field)


def search_labels(key: str, item: Any) -> Sequence[tuple[str, str]]:
    """The labels to show for a search result or an API answer, as (language, text)."""
    if key == "emdn":
        return [("en", item.term)]
    if key == "cpv":
        return [("fr", item.label_fr), ("en", item.label_en)]
    if key == "hs":
        return [("en", item.description)]
    return [("en", item.device_name)]
