"""Public API of the reference nomenclatures: look up a code (with its parents and children) and search.

Anyone may call these endpoints (no token needed). Unknown codes answer 404 in the common error format.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from tawrid.core.api_schemas import MAX_OFFSET
from tawrid.nomenclature import selectors
from tawrid.nomenclature.codes import emdn_parent
from tawrid.nomenclature.models import CpvCode, EmdnCode, FdaProductCode, HsCode

router = Router(tags=["nomenclature"], auth=None)


class SearchParams(Schema):
    q: str = Field(..., min_length=1, max_length=200, description="Words (all must match) or the start of a code.")
    limit: int = Field(20, ge=1, le=100, description="How many codes to return (1–100).")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many matching codes to skip (for paging).")


class CodeRef(Schema):
    code: str
    label: str


# ----------------------------------------------------------------------------------------------- EMDN


class EmdnCodeOut(Schema):
    code: str
    term: str = Field(..., description="Official English term.")
    category: str
    level: int
    is_terminal: bool
    parent: str | None


class EmdnCodeDetailOut(EmdnCodeOut):
    ancestors: list[CodeRef] = Field(..., description="From the category down to the parent.")
    children: list[CodeRef]


class EmdnSearchOut(Schema):
    count: int
    results: list[EmdnCodeOut]


def _emdn(item: EmdnCode, parent: str | None) -> dict[str, Any]:
    return {
        "code": item.code,
        "term": item.term,
        "category": item.category,
        "level": item.level,
        "is_terminal": item.is_terminal,
        "parent": parent,
    }


@router.get("/emdn", response=EmdnSearchOut, summary="Search EMDN codes (English terms or code prefix)")
def emdn_search(request: HttpRequest, params: Query[SearchParams]) -> dict[str, Any]:
    found = selectors.search(key="emdn", query=params.q)
    page = found[params.offset : params.offset + params.limit]
    return {"count": found.count(), "results": [_emdn(item, emdn_parent(item.code)) for item in page]}


@router.get("/emdn/{code}", response=EmdnCodeDetailOut, summary="An EMDN code with its parents and children")
def emdn_get(request: HttpRequest, code: str) -> dict[str, Any]:
    item = selectors.emdn_get(code=code)
    ancestors = selectors.emdn_ancestors(item=item)
    return {
        **_emdn(item, ancestors[-1].code if ancestors else None),
        "ancestors": [{"code": a.code, "label": a.term} for a in ancestors],
        "children": [{"code": c.code, "label": c.term} for c in selectors.children_of(item)],
    }


# ----------------------------------------------------------------------------------------------- CPV


class CpvCodeOut(Schema):
    code: str
    numeric_code: int
    label_fr: str
    label_en: str
    label_it: str
    kind: str = Field(..., description="supplies, works or services")
    level: int = Field(..., description="1 = division … 7 = finest subdivision")
    parent: str | None


class CpvCodeDetailOut(CpvCodeOut):
    ancestors: list[CodeRef]
    children: list[CodeRef]


class CpvSearchOut(Schema):
    count: int
    results: list[CpvCodeOut]


def _cpv(item: CpvCode, parent: str | None) -> dict[str, Any]:
    return {
        "code": item.code,
        "numeric_code": item.numeric_code,
        "label_fr": item.label_fr,
        "label_en": item.label_en,
        "label_it": item.label_it,
        "kind": item.kind,
        "level": item.level,
        "parent": parent,
    }


@router.get("/cpv", response=CpvSearchOut, summary="Search CPV codes (French or English labels, or code prefix)")
def cpv_search(request: HttpRequest, params: Query[SearchParams]) -> dict[str, Any]:
    found = selectors.search(key="cpv", query=params.q).select_related("parent")
    page = found[params.offset : params.offset + params.limit]
    return {"count": found.count(), "results": [_cpv(item, item.parent.code if item.parent else None) for item in page]}


@router.get(
    "/cpv/{code}", response=CpvCodeDetailOut, summary="A CPV code (33141110-4 or 33141110) with parents and children"
)
def cpv_get(request: HttpRequest, code: str) -> dict[str, Any]:
    item = selectors.cpv_get(code=code)
    ancestors = selectors.cpv_ancestors(item=item)
    return {
        **_cpv(item, ancestors[-1].code if ancestors else None),
        "ancestors": [{"code": a.code, "label": a.label_fr} for a in ancestors],
        "children": [{"code": c.code, "label": c.label_fr} for c in selectors.children_of(item)],
    }


# ----------------------------------------------------------------------------------------------- HS


class HsCodeOut(Schema):
    code: str
    description: str
    level: int = Field(..., description="2 = chapter, 4 = heading, 6 = subheading")
    section: str | None = Field(..., description="Roman numeral of the section (none for chapter 99)")
    parent: str | None


class HsCodeDetailOut(HsCodeOut):
    section_name: str | None
    ancestors: list[CodeRef]
    children: list[CodeRef]


class HsSearchOut(Schema):
    count: int
    results: list[HsCodeOut]


class HsConcordanceOut(Schema):
    code_after: str
    code_before: str
    relationship: str = Field(..., description="1:1, n:1 (merged), 1:n (split) or n:n")
    adjustment: str = Field(..., description='The step, as in the source: "2022 to 2017"')
    revision_after: str
    revision_before: str


def _hs(item: HsCode) -> dict[str, Any]:
    return {
        "code": item.code,
        "description": item.description,
        "level": item.level,
        "section": item.section.roman if item.section else None,
        "parent": item.code[:-2] if item.level > 2 else None,
    }


@router.get("/hs", response=HsSearchOut, summary="Search HS 2022 codes (English descriptions or code prefix)")
def hs_search(request: HttpRequest, params: Query[SearchParams]) -> dict[str, Any]:
    found = selectors.search(key="hs", query=params.q).select_related("section")
    page = found[params.offset : params.offset + params.limit]
    return {"count": found.count(), "results": [_hs(item) for item in page]}


@router.get("/hs/{code}", response=HsCodeDetailOut, summary="An HS 2022 code with its parents and children")
def hs_get(request: HttpRequest, code: str) -> dict[str, Any]:
    item = selectors.hs_get(code=code)
    return {
        **_hs(item),
        "section_name": item.section.name if item.section else None,
        "ancestors": [{"code": a.code, "label": a.description} for a in selectors.hs_ancestors(item=item)],
        "children": [{"code": c.code, "label": c.description} for c in selectors.children_of(item)],
    }


@router.get(
    "/hs/{code}/concordances",
    response=list[HsConcordanceOut],
    summary="The code's counterparts in earlier HS revisions (2022→2017→…→1992), step by step",
)
def hs_concordances(request: HttpRequest, code: str) -> list[Any]:
    item = selectors.hs_get(code=code)
    return [row for _after, _before, rows in selectors.hs_concordance_steps(code=item.code) for row in rows]


# ----------------------------------------------------------------------------------------------- FDA


class FdaProductCodeOut(Schema):
    product_code: str
    device_name: str
    device_class: str = Field(..., description="1, 2, 3, U (unclassified), N (not classified), F (HDE)")
    review_panel: str
    medical_specialty: str
    regulation_number: str
    submission_type: str
    gmp_exempt: bool
    third_party_review: str
    implant: bool
    life_sustaining: bool
    definition: str


class FdaSearchOut(Schema):
    count: int
    results: list[FdaProductCodeOut]


@router.get("/fda", response=FdaSearchOut, summary="Search FDA product codes (English device names or code)")
def fda_search(request: HttpRequest, params: Query[SearchParams]) -> dict[str, Any]:
    found = selectors.search(key="fda", query=params.q)
    return {"count": found.count(), "results": list(found[params.offset : params.offset + params.limit])}


@router.get("/fda/{code}", response=FdaProductCodeOut, summary="An FDA product code")
def fda_get(request: HttpRequest, code: str) -> FdaProductCode:
    return selectors.fda_get(code=code)
