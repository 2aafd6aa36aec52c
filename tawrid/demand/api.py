"""API of the purchase plans (/api/v1/demand/): plans, lines, lifecycle, differences between versions,
attribute corrections, xlsx export, and the published lines manufacturers see. Same forms, services and
policies as the pages: prices and the buyer's identity are null for those who may not see them."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status

from tawrid.accounts.forms import validated
from tawrid.accounts.models import Organisation
from tawrid.core.api_schemas import FILLED_TEXT, TEXT, Amount, Id, Limit1000, Limit5000, Offset, Year
from tawrid.core.errors import Forbidden, NotFound
from tawrid.core.permissions import Actor, actor_for
from tawrid.demand import drafts, policies, selectors, services
from tawrid.demand.forms import PlanLineForm, format_schedule
from tawrid.demand.models import PlanLine, PurchasePlan

router = Router(tags=["demand"])


# Schemas ---------------------------------------------------------------------------------------------------------


class AttributeOut(Schema):
    attribute: str
    value: float | str | bool
    unit: str
    raw: str = ""
    display: str


class PlanOut(Schema):
    id: int
    year: int
    version: int
    status: str
    title: str
    buyer_id: int | None = Field(None, description="Null when the buyer is not disclosed to the caller.")
    buyer_name: str = Field(..., description="The buyer's name, or only its kind when it is not disclosed.")
    buyer_kind: str
    site_id: int | None = None
    previous_version_id: int | None = None
    disclose_buyer: bool
    published_at: datetime | None
    line_count: int
    base_quantity: Decimal
    estimated_value: Decimal | None = Field(None, description="Only for the buyer's people and the secretariat.")


class LineOut(Schema):
    # Nullable fields have a default: routes answering with exclude_none drop them when null, so they may be absent.
    id: int
    plan_id: int
    line_number: int
    buyer_reference: str
    designation: str
    quantity: Decimal
    unit: str
    packaging: str
    units_per_purchase_unit: Decimal
    base_quantity: Decimal
    unit_price: Decimal | None = Field(None, description="Only for the buyer's people and the secretariat.")
    estimated_value: Decimal | None = None
    required_certificates: list[str]
    specification: str
    delivery_schedule: dict[str, Any]
    delivery_schedule_text: str
    delivery_place: str
    delivery_site_id: int | None = None
    emdn: str | None = None
    emdn_source: str = Field("", description="buyer, suggested (by the engine), confirmed; empty without a code.")
    cpv: str | None = None
    parsed_attributes: list[AttributeOut]
    corrected_attributes: list[AttributeOut] | None = None
    attributes: list[AttributeOut] = Field(..., description="The corrected attributes if any, else the parsed ones.")


class PublishedLineOut(LineOut):
    year: int
    buyer_name: str


class PlanIn(Schema):
    buyer_id: Id | None = Field(None, description="Default: the caller's (only) buyer organisation.")
    year: Year
    site_id: Id | None = None
    title: str = ""
    disclose_buyer: bool = False


class PlanPatch(Schema):
    title: str | None = None
    disclose_buyer: bool | None = None


class BuyerIn(Schema):
    buyer_id: Id = Field(..., description="One of the buyer organisations the caller makes plans for.")


# PlanLineForm's bounds, documented. A code not in the nomenclature, a certificate or a schedule the form cannot
# read are refused with a 400: rules of the data, not of the document.
Quantity = Annotated[
    Decimal,
    Field(ge=Decimal("0.001"), lt=10**11, multiple_of=Decimal("0.001"), description="At most 3 decimals."),
]
Designation = Annotated[str, Field(max_length=2000, pattern=FILLED_TEXT)]
BuyerReference = Annotated[str, Field(max_length=80, pattern=TEXT)]
Unit = Annotated[str, Field(max_length=40, pattern=TEXT)]
Place = Annotated[str, Field(max_length=200, pattern=TEXT)]
LongText = Annotated[str, Field(pattern=TEXT)]
Schedule = Annotated[str, Field(pattern=TEXT, description="e.g. `T1: 100; T3: 50` or `janvier: 10, juin: 20`.")]
EmdnCode = Annotated[str, Field(max_length=13, pattern=TEXT)]
CpvCode = Annotated[str, Field(max_length=10, pattern=TEXT)]
Certificate = Annotated[str, Field(pattern=TEXT, description="e.g. ISO 13485, CE or DMP.")]


class LineIn(Schema):
    buyer_reference: BuyerReference = ""
    designation: Designation
    quantity: Quantity
    unit: Unit = ""
    unit_price: Amount | None = None
    required_certificates: list[Certificate] = []
    specification: LongText = ""
    delivery_place: Place = ""
    delivery_schedule: Schedule = ""
    emdn_code: EmdnCode = ""
    cpv_code: CpvCode = ""


class LinePatch(Schema):
    buyer_reference: BuyerReference | None = None
    designation: Designation | None = None
    quantity: Quantity | None = None
    unit: Unit | None = None
    unit_price: Amount | None = None
    required_certificates: list[Certificate] | None = None
    specification: LongText | None = None
    delivery_place: Place | None = None
    delivery_schedule: Schedule | None = None
    emdn_code: EmdnCode | None = None
    cpv_code: CpvCode | None = None


class CorrectionIn(Schema):
    attributes: str = Field("", description="`gauge=21 G; length=25 mm`; empty for no attributes.")
    reset: bool = Field(False, description="Go back to what was read from the designation.")


class LineChangeOut(Schema):
    old: LineOut
    new: LineOut
    fields: list[str]


class DiffOut(Schema):
    old_plan_id: int
    new_plan_id: int
    added: list[LineOut]
    removed: list[LineOut]
    changed: list[LineChangeOut]


# Helpers ---------------------------------------------------------------------------------------------------------


def _plan(actor: Actor, plan: PurchasePlan) -> dict[str, Any]:
    private = policies.can_see_private(actor, plan)
    disclosed = policies.can_see_buyer(actor, plan)
    if hasattr(plan, "value_total"):  # annotated by selectors.plans_for: no query per plan
        totals = selectors.Totals(
            getattr(plan, "line_count", 0),
            getattr(plan, "base_total", None) or Decimal(0),
            getattr(plan, "value_total", None) or Decimal(0),
        )
    else:
        totals = selectors.plan_totals(plan.lines.all())
    return {
        "id": plan.pk,
        "year": plan.year,
        "version": plan.version,
        "status": plan.status,
        "title": plan.title if private else "",
        "buyer_id": plan.buyer_id if disclosed else None,
        "buyer_name": selectors.buyer_label(actor, plan),
        "buyer_kind": plan.buyer.kind,
        "site_id": plan.site_id if disclosed else None,
        "previous_version_id": plan.previous_version_id,
        "disclose_buyer": plan.disclose_buyer,
        "published_at": plan.published_at,
        "line_count": totals.lines,
        "base_quantity": totals.base_quantity,
        "estimated_value": totals.estimated_value if private else None,
    }


def _line(actor: Actor, line: PlanLine, private: bool | None = None) -> dict[str, Any]:
    if private is None:
        private = policies.can_see_private(actor, line.plan)
    return {
        "id": line.pk,
        "plan_id": line.plan_id,
        "line_number": line.line_number,
        "buyer_reference": line.buyer_reference,
        "designation": line.designation,
        "quantity": line.quantity,
        "unit": line.unit,
        "packaging": line.packaging,
        "units_per_purchase_unit": line.units_per_purchase_unit,
        "base_quantity": line.base_quantity,
        "unit_price": line.unit_price if private else None,
        "estimated_value": line.estimated_value if private else None,
        "required_certificates": line.required_certificates,
        "specification": line.specification,
        "delivery_schedule": line.delivery_schedule,
        "delivery_schedule_text": format_schedule(line.delivery_schedule),
        "delivery_place": line.delivery_place,
        "delivery_site_id": line.delivery_site_id if policies.can_see_buyer(actor, line.plan) else None,
        "emdn": line.emdn.code if line.emdn_id and line.emdn else None,
        "emdn_source": line.emdn_source,
        "cpv": line.cpv.code if line.cpv_id and line.cpv else None,
        "parsed_attributes": line.parsed_attributes,
        "corrected_attributes": line.corrected_attributes,
        "attributes": line.attributes,
    }


def _editable_plan(actor: Actor, plan_id: int) -> PurchasePlan:
    plan = selectors.plan_detail(actor, plan_id)
    if not policies.can_edit_plan(actor, plan):
        raise Forbidden()
    return plan


def _editable_line(actor: Actor, line_id: int) -> PlanLine:
    line = selectors.line_detail(actor, line_id)
    if not policies.can_edit_plan(actor, line.plan):
        raise Forbidden()
    return line


def _line_form_data(values: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in values.items():
        if value is None:
            data[key] = ""
        elif key == "required_certificates":
            data[key] = ", ".join(value)
        else:
            data[key] = str(value) if isinstance(value, Decimal) else value
    return data


# Plans -----------------------------------------------------------------------------------------------------------


@router.get("/plans", response=list[PlanOut], summary="Plans I can see (mine, those I oversee, published ones)")
def list_plans(request: HttpRequest, year: Year | None = None, status: str | None = None) -> list:
    actor = actor_for(request.user)
    plans = selectors.plans_for(actor)
    if year:
        plans = plans.filter(year=year)
    if status:
        plans = plans.filter(status=status)
    return [_plan(actor, plan) for plan in plans[:500]]


@router.post("/plans", response={201: PlanOut}, summary="Create a draft plan for a buyer and a year")
def create_plan(request: HttpRequest, payload: PlanIn) -> Status[dict]:
    actor = actor_for(request.user)
    buyers = Organisation.objects.filter(pk__in=policies.buyer_orgs(actor))
    buyer = buyers.filter(pk=payload.buyer_id).first() if payload.buyer_id else buyers.order_by("name").first()
    if buyer is None:
        raise NotFound() if payload.buyer_id else Forbidden()
    site = Organisation.objects.filter(pk=payload.site_id).first() if payload.site_id else None
    if payload.site_id and site is None:
        raise NotFound()
    plan = services.plan_create(
        actor=actor,
        buyer=buyer,
        year=payload.year,
        site=site,
        title=payload.title,
        disclose_buyer=payload.disclose_buyer,
        user=request.user,
    )
    return Status(201, _plan(actor, plan))


@router.get("/plans/{plan_id}", response=PlanOut, summary="A plan")
def get_plan(request: HttpRequest, plan_id: Id) -> dict:
    actor = actor_for(request.user)
    return _plan(actor, selectors.plan_detail(actor, plan_id))


@router.patch("/plans/{plan_id}", response=PlanOut, summary="Change a draft plan's title or disclosure")
def update_plan(request: HttpRequest, plan_id: Id, payload: PlanPatch) -> dict:
    actor = actor_for(request.user)
    plan = services.plan_update(
        actor=actor, plan=_editable_plan(actor, plan_id), title=payload.title, disclose_buyer=payload.disclose_buyer
    )
    return _plan(actor, plan)


@router.post("/plans/{plan_id}/buyer", response=PlanOut, summary="Give a draft plan to another buyer")
def change_plan_buyer(request: HttpRequest, plan_id: Id, payload: BuyerIn) -> dict:
    """Refused (400) for a published plan, an amendment, or a draft a consultation or an order points at;
    403 when the caller does not make plans for that buyer."""
    actor = actor_for(request.user)
    plan = _editable_plan(actor, plan_id)
    buyer = Organisation.objects.filter(pk__in=policies.buyer_orgs(actor), pk=payload.buyer_id).first()
    if buyer is None:
        raise Forbidden()
    return _plan(actor, drafts.plan_change_buyer(actor=actor, plan=plan, buyer=buyer))


@router.delete("/plans/{plan_id}", response={204: None}, summary="Delete a draft plan and its lines")
def delete_plan(request: HttpRequest, plan_id: Id) -> Status[None]:
    """Refused (400) for a published or closed plan, and for a draft a consultation or an order points at."""
    actor = actor_for(request.user)
    drafts.plan_delete(actor=actor, plan=_editable_plan(actor, plan_id))
    return Status(204, None)


@router.post("/plans/{plan_id}/publish", response=PlanOut, summary="Publish a draft plan (read-only afterwards)")
def publish_plan(request: HttpRequest, plan_id: Id) -> dict:
    actor = actor_for(request.user)
    return _plan(actor, services.plan_publish(actor=actor, plan=_editable_plan(actor, plan_id)))


@router.post("/plans/{plan_id}/close", response=PlanOut, summary="Close a published plan")
def close_plan(request: HttpRequest, plan_id: Id) -> dict:
    actor = actor_for(request.user)
    return _plan(actor, services.plan_close(actor=actor, plan=_editable_plan(actor, plan_id)))


@router.post("/plans/{plan_id}/amend", response={201: PlanOut}, summary="Amend a published plan (new draft version)")
def amend_plan(request: HttpRequest, plan_id: Id) -> Status[dict]:
    actor = actor_for(request.user)
    new = services.plan_amend(actor=actor, plan=_editable_plan(actor, plan_id), user=request.user)
    return Status(201, _plan(actor, new))


@router.get("/plans/{plan_id}/diff", response=DiffOut, summary="Lines added, removed and changed since a version")
def diff_plan(request: HttpRequest, plan_id: Id, against: Id | None = None) -> dict:
    actor = actor_for(request.user)
    plan = selectors.plan_detail(actor, plan_id)
    if not policies.can_see_private(actor, plan):
        raise Forbidden()
    old = selectors.plan_detail(actor, against) if against else plan.previous_version
    if old is None or (old.buyer_id, old.year, old.site_id) != (plan.buyer_id, plan.year, plan.site_id):
        raise NotFound()
    diff = selectors.plan_diff(old, plan)
    return {
        "old_plan_id": old.pk,
        "new_plan_id": plan.pk,
        "added": [_line(actor, line, True) for line in diff.added],
        "removed": [_line(actor, line, True) for line in diff.removed],
        "changed": [
            {"old": _line(actor, c.old, True), "new": _line(actor, c.new, True), "fields": c.fields}
            for c in diff.changed
        ],
    }


@router.get("/plans/{plan_id}/export.xlsx", summary="The plan as a workbook", response={200: None})
def export_plan(request: HttpRequest, plan_id: Id) -> HttpResponse:
    actor = actor_for(request.user)
    plan = selectors.plan_detail(actor, plan_id)
    response = HttpResponse(
        selectors.plan_export_xlsx(actor, plan),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="plan-{plan.year}-v{plan.version}-{plan.pk}.xlsx"'
    return response


# Lines -----------------------------------------------------------------------------------------------------------


@router.get("/plans/{plan_id}/lines", response=list[LineOut], summary="A plan's lines")
def list_lines(request: HttpRequest, plan_id: Id, q: str = "", offset: Offset = 0, limit: Limit1000 = 200) -> list:
    actor = actor_for(request.user)
    plan = selectors.plan_detail(actor, plan_id)
    private = policies.can_see_private(actor, plan)
    offset, limit = max(0, offset), max(1, min(limit, 1000))
    lines = selectors.plan_lines(plan, q=q)[offset : offset + limit]
    return [_line(actor, line, private) for line in lines]


@router.post("/plans/{plan_id}/lines", response={201: LineOut}, summary="Add a line to a draft plan")
def create_line(request: HttpRequest, plan_id: Id, payload: LineIn) -> Status[dict]:
    actor = actor_for(request.user)
    plan = _editable_plan(actor, plan_id)
    data = validated(PlanLineForm(data=_line_form_data(payload.dict())))
    return Status(201, _line(actor, services.line_create(actor=actor, plan=plan, data=data)))


@router.get("/lines/{line_id}", response=LineOut, summary="A line")
def get_line(request: HttpRequest, line_id: Id) -> dict:
    actor = actor_for(request.user)
    return _line(actor, selectors.line_detail(actor, line_id))


@router.patch("/lines/{line_id}", response=LineOut, summary="Change a line of a draft plan")
def update_line(request: HttpRequest, line_id: Id, payload: LinePatch) -> dict:
    actor = actor_for(request.user)
    line = _editable_line(actor, line_id)
    current = {
        "buyer_reference": line.buyer_reference,
        "designation": line.designation,
        "quantity": line.quantity,
        "unit": line.unit,
        "unit_price": line.unit_price,
        "required_certificates": line.required_certificates,
        "specification": line.specification,
        "delivery_place": line.delivery_place,
        "delivery_schedule": format_schedule(line.delivery_schedule),
        "emdn_code": line.emdn.code if line.emdn else "",
        "cpv_code": line.cpv.code if line.cpv else "",
    }
    changes = payload.dict(exclude_unset=True)
    data = validated(PlanLineForm(data=_line_form_data({**current, **changes})))
    return _line(actor, services.line_update(actor=actor, line=line, data=data))


@router.delete("/lines/{line_id}", response={204: None}, summary="Delete a line of a draft plan")
def delete_line(request: HttpRequest, line_id: Id) -> Status[None]:
    actor = actor_for(request.user)
    services.line_delete(actor=actor, line=_editable_line(actor, line_id))
    return Status(204, None)


@router.post("/lines/{line_id}/attributes", response=LineOut, summary="Correct the attributes read from a line")
def correct_attributes(request: HttpRequest, line_id: Id, payload: CorrectionIn) -> dict:
    actor = actor_for(request.user)
    line = services.line_correct_attributes(
        actor=actor, line=_editable_line(actor, line_id), text=payload.attributes, reset=payload.reset
    )
    return _line(actor, line)


@router.get("/published-lines", response=list[PublishedLineOut], summary="Lines of published plans")
def list_published_lines(
    request: HttpRequest,
    q: str = "",
    year: Year | None = None,
    emdn: str = "",
    offset: Offset = 0,
    limit: Limit1000 = 200,
) -> list:
    actor = actor_for(request.user)
    offset, limit = max(0, offset), max(1, min(limit, 1000))
    lines = selectors.published_lines(actor, q=q, year=year, emdn=emdn)[offset : offset + limit]
    return [
        {**_line(actor, line), "year": line.plan.year, "buyer_name": selectors.buyer_label(actor, line.plan)}
        for line in lines
    ]


# National demand -------------------------------------------------------------------------------------------------


class NationalRowOut(Schema):
    year: int
    scheme: str
    code: str
    level: int
    label: str
    region: str = Field(..., description="Empty for all regions.")
    buyer_kind: str = Field(..., description="Empty for all buyer kinds.")
    buyers_count: int
    lines_count: int
    lines_suggested: int = Field(0, description="Of the lines, those whose EMDN code the engine suggested.")
    base_quantity: Decimal
    estimated_value: Decimal | None = Field(
        None, description="Absent unless the caller may see prices (buyers' people, the secretariat)."
    )
    value_suggested: Decimal | None = Field(
        None, description="Of the value, that of the lines coded by the engine; absent like the value."
    )
    refreshed_at: datetime


class NationalCodeOut(Schema):
    code: NationalRowOut
    children: list[NationalRowOut]
    lines: list[PublishedLineOut] = Field(..., description="The plan lines behind the code the caller may see.")


class RefreshIn(Schema):
    year: Year


class JobRef(Schema):
    job_id: int
    status: str


def _national_actor(request: HttpRequest) -> Actor:
    actor = actor_for(request.user)
    if not policies.can_see_national_demand(actor):
        raise Forbidden()
    return actor


def _national_row(row: Any, with_value: bool) -> dict[str, Any]:
    data = {name: getattr(row, name) for name in NationalRowOut.model_fields}
    if not with_value:
        data["estimated_value"] = data["value_suggested"] = None
    return data


@router.get(
    "/national", response=list[NationalRowOut], exclude_none=True, summary="National demand by nomenclature code"
)
def list_national(
    request: HttpRequest,
    year: Year | None = None,
    scheme: str = "emdn",
    level: str = "",
    category: str = "",
    region: str = "",
    buyer_kind: str = "",
    q: str = "",
    offset: Offset = 0,
    limit: Limit5000 = 500,
) -> list:
    """Read from the aggregates the refresh job writes. Without `level`, EMDN gives the categories (or the
    groups of `category`); `level=all` gives every level."""
    actor = _national_actor(request)
    params = {"scheme": scheme, "category": category, "region": region, "buyer_kind": buyer_kind, "q": q}
    if year:
        params["year"] = str(year)
    if level:
        params["level"] = level
    filters = selectors.national_filters(params)
    with_value = policies.can_see_national_values(actor)
    offset, limit = max(0, offset), max(1, min(limit, 5000))
    return [_national_row(row, with_value) for row in selectors.national_rows(filters)[offset : offset + limit]]


@router.get(
    "/national/{scheme}/{code}",
    response=NationalCodeOut,
    exclude_none=True,
    summary="One code of national demand: its children and the lines behind it",
)
def get_national_code(
    request: HttpRequest, scheme: str, code: str, year: Year | None = None, region: str = "", buyer_kind: str = ""
) -> dict:
    actor = _national_actor(request)
    if scheme not in ("emdn", "cpv"):
        raise NotFound()
    filters = selectors.national_filters({"year": str(year or ""), "region": region, "buyer_kind": buyer_kind})
    row, children = selectors.national_code(
        year=filters.year, scheme=scheme, code=code, region=filters.region, buyer_kind=filters.buyer_kind
    )
    with_value = policies.can_see_national_values(actor)
    lines = selectors.national_lines(actor, year=filters.year, scheme=scheme, code=code)[:1000]
    return {
        "code": _national_row(row, with_value),
        "children": [_national_row(child, with_value) for child in children],
        "lines": [
            {**_line(actor, line), "year": line.plan.year, "buyer_name": selectors.buyer_label(actor, line.plan)}
            for line in lines
        ],
    }


@router.post("/national/refresh", response={202: JobRef}, summary="Refresh a year of national demand (secretariat)")
def refresh_national(request: HttpRequest, payload: RefreshIn) -> Status[dict]:
    actor = _national_actor(request)
    if not policies.can_refresh_national_demand(actor):
        raise Forbidden()
    job = services.demand_refresh_enqueue(year=payload.year, user=request.user)
    return Status(202, {"job_id": job.pk, "status": job.status})
