"""Every write on purchase plans: keyword-only functions, each in one transaction.

Lifecycle: a plan is made as a draft, its lines are added (on screen or by import), it is published
(read-only from then on), and closed at the end of its year. An amendment copies a published plan into a
new draft version; publishing that version closes the one it amends, so that one version per (buyer, year,
site) is published at a time.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tawrid.accounts.models import BUYER_KINDS, Organisation
from tawrid.core.errors import DomainError, Forbidden
from tawrid.core.permissions import Actor
from tawrid.core.text import fold
from tawrid.demand import policies
from tawrid.demand.models import EmdnSource, PlanLine, PlanStatus, PurchasePlan
from tawrid.demand.units import is_fractional_count, normalise_unit
from tawrid.nomenclature.codes import emdn_ancestors

LINE_FIELDS = (
    "buyer_reference",
    "designation",
    "quantity",
    "unit",
    "unit_price",
    "required_certificates",
    "specification",
    "delivery_place",
    "delivery_schedule",
    "emdn",
    "cpv",
)


# Helpers -------------------------------------------------------------------------------------------------------


def natural_key(*, buyer_reference: str, designation: str, unit: str) -> str:
    """A line's identity within a plan: the buyer's reference, or else its designation and unit (folded)."""
    reference = fold(buyer_reference or "")
    if reference:
        return f"ref:{reference}"[:300]
    text = re.sub(r"\s+", " ", fold(designation or "")).strip()
    return f"des:{text}|{fold(unit or '').replace(' ', '')}"[:300]


def serialise_attributes(values: list[Any]) -> list[dict[str, Any]]:
    return [
        {"attribute": v.attribute, "value": v.value, "unit": v.unit, "raw": v.raw, "display": v.display} for v in values
    ]


def parse_attributes(designation: str) -> list[dict[str, Any]]:
    from tawrid.specs import parse_designation

    return serialise_attributes(parse_designation(designation))


def _quantize(value: Decimal, places: str) -> Decimal:
    return value.quantize(Decimal(places))


def line_values(data: dict[str, Any], *, site_names: dict[str, Organisation] | None = None) -> dict[str, Any]:
    """Model field values computed from a line's cleaned data (the form's): unit normalised, base quantity,
    estimated value, attributes read from the designation, search text and natural key."""
    values: dict[str, Any] = {}
    for key in LINE_FIELDS:
        if key in ("emdn", "cpv"):
            form_key = f"{key}_code"
            if form_key in data:
                values[key] = data[form_key]
            elif key in data:
                values[key] = data[key]
            continue
        if key in data:
            values[key] = data[key]
    for text_key in ("buyer_reference", "unit", "specification", "delivery_place"):
        if text_key in values:
            values[text_key] = (values[text_key] or "").strip()
    for json_key, empty in (("required_certificates", list), ("delivery_schedule", dict)):
        if json_key in values and not values[json_key]:
            values[json_key] = empty()
    designation = values.get("designation", "")
    unit = normalise_unit(values.get("unit", ""))
    quantity = Decimal(values["quantity"])
    if is_fractional_count(quantity, values.get("unit", "")):  # the forms say it first; any other caller too
        from tawrid.demand.forms import fractional_count_message

        message = fractional_count_message(quantity, values.get("unit", ""))
        raise DomainError(message, code="fractional_count", details={"quantity": [message]})
    values["packaging"] = unit.packaging
    values["units_per_purchase_unit"] = unit.units_per_purchase_unit
    values["base_quantity"] = _quantize(quantity * unit.units_per_purchase_unit, "0.001")
    price = values.get("unit_price")
    values["estimated_value"] = _quantize(quantity * price, "0.01") if price is not None else None
    values["parsed_attributes"] = parse_attributes(designation)
    values["search_text"] = fold(
        " ".join([designation, values.get("buyer_reference", ""), values.get("specification", "")])
    )
    values["natural_key"] = natural_key(
        buyer_reference=values.get("buyer_reference", ""), designation=designation, unit=values.get("unit", "")
    )
    if site_names is not None and values.get("delivery_place"):
        values["delivery_site"] = site_names.get(fold(values["delivery_place"]))
    if "emdn" in values:  # a code written by the buyer (form, import, API) is the buyer's
        values["emdn_source"] = EmdnSource.BUYER if values["emdn"] is not None else ""
        values["emdn_mass"] = None
    return values


def _keep_code_source(line: PlanLine, values: dict[str, Any], *, empty_keeps_engine_code: bool = False) -> None:
    """An unchanged code keeps its source (a line edited for its quantity keeps its engine-suggested code as
    suggested). With `empty_keeps_engine_code` (an import), an empty EMDN cell leaves a code the engine applied or
    the buyer confirmed: the file never had it, and a re-import without an EMDN column must not erase it."""
    if "emdn" not in values:
        return
    same = _same(line.emdn, values["emdn"])
    engine_code = line.emdn_source in (EmdnSource.SUGGESTED, EmdnSource.CONFIRMED)
    if same or (empty_keeps_engine_code and values["emdn"] is None and engine_code):
        for key in ("emdn", "emdn_source", "emdn_mass"):
            values.pop(key, None)


def site_index(plan: PurchasePlan) -> dict[str, Organisation]:
    """The buyer's sites (and the buyer itself) by folded name and slug, to recognise a place of delivery."""
    index: dict[str, Organisation] = {}
    for org in Organisation.objects.filter(pk=plan.buyer_id) | Organisation.objects.filter(parent_id=plan.buyer_id):
        index[fold(org.name)] = org
        index[fold(org.slug)] = org
        if org.city:
            index.setdefault(fold(org.city), org)
    return index


def require_draft(plan: PurchasePlan) -> None:
    if plan.status != PlanStatus.DRAFT:
        raise DomainError(
            _("This plan is %(status)s: it can no longer be changed. Amend it to make a new version.")
            % {"status": plan.get_status_display().lower()},
            code="plan_read_only",
        )


def _require_edit(actor: Actor, plan: PurchasePlan) -> None:
    if not policies.can_edit_plan(actor, plan):
        raise Forbidden()


def _lock(plan: PurchasePlan) -> PurchasePlan:
    return PurchasePlan.objects.select_for_update().get(pk=plan.pk)


# Plans ---------------------------------------------------------------------------------------------------------


@transaction.atomic
def plan_create(
    *,
    actor: Actor,
    buyer: Organisation,
    year: int,
    site: Organisation | None = None,
    title: str = "",
    disclose_buyer: bool = False,
    user: Any = None,
) -> PurchasePlan:
    if buyer.kind not in {str(k) for k in BUYER_KINDS}:
        raise DomainError(_("Only a hospital group or a hospital makes purchase plans."), code="not_a_buyer")
    if not actor.can_write_org(buyer.pk):
        raise Forbidden()
    if not 2000 <= int(year) <= 2100:
        raise DomainError(_("The year must be between 2000 and 2100."), details={"year": [_("Invalid year.")]})
    if site is not None and site.pk != buyer.pk and site.parent_id != buyer.pk:
        raise DomainError(
            _("%(site)s is not a site of %(buyer)s.") % {"site": site.name, "buyer": buyer.name},
            code="not_a_site",
            details={"site": [_("Choose one of the buyer's sites.")]},
        )
    if site is not None and site.pk == buyer.pk:
        site = None
    existing = PurchasePlan.objects.filter(buyer=buyer, year=year, site=site)
    if existing.exists():
        raise DomainError(
            _("A plan of %(year)s already exists for this scope: open it (or amend it) instead.") % {"year": year},
            code="plan_exists",
        )
    return PurchasePlan.objects.create(
        buyer=buyer,
        year=year,
        site=site,
        title=title.strip(),
        disclose_buyer=disclose_buyer,
        created_by=user if getattr(user, "pk", None) else None,
    )


@transaction.atomic
def plan_get_or_create_draft(
    *, actor: Actor, buyer: Organisation, year: int, site: Organisation | None = None, user: Any = None
) -> PurchasePlan:
    """The draft to import into for (buyer, year, site): the open draft, else a new plan, else a new version
    amending the latest published one."""
    if not actor.can_write_org(buyer.pk):
        raise Forbidden()
    plans = PurchasePlan.objects.filter(buyer=buyer, year=year, site=site).order_by("-version")
    draft = plans.filter(status=PlanStatus.DRAFT).first()
    if draft is not None:
        return draft
    latest = plans.first()
    if latest is None:
        return plan_create(actor=actor, buyer=buyer, year=year, site=site, user=user)
    if latest.status == PlanStatus.PUBLISHED:
        return plan_amend(actor=actor, plan=latest, user=user)
    raise DomainError(_("The plan of %(year)s is closed.") % {"year": year}, code="plan_closed")


@transaction.atomic
def plan_update(
    *, actor: Actor, plan: PurchasePlan, title: str | None = None, disclose_buyer: bool | None = None
) -> PurchasePlan:
    _require_edit(actor, plan)
    plan = _lock(plan)
    require_draft(plan)
    if title is not None:
        plan.title = title.strip()
    if disclose_buyer is not None:
        plan.disclose_buyer = disclose_buyer
    plan.save(update_fields=["title", "disclose_buyer", "updated_at"])
    return plan


@transaction.atomic
def plan_publish(*, actor: Actor, plan: PurchasePlan) -> PurchasePlan:
    _require_edit(actor, plan)
    plan = _lock(plan)
    require_draft(plan)
    if not plan.lines.exists():
        raise DomainError(_("A plan without lines cannot be published."), code="plan_empty")
    now = timezone.now()
    superseded = PurchasePlan.objects.filter(
        buyer_id=plan.buyer_id, year=plan.year, site_id=plan.site_id, status=PlanStatus.PUBLISHED
    ).exclude(pk=plan.pk)
    for old in superseded:
        old.status = PlanStatus.CLOSED
        old.closed_at = now
        old.save(update_fields=["status", "closed_at", "updated_at"])
    plan.status = PlanStatus.PUBLISHED
    plan.published_at = now
    plan.save(update_fields=["status", "published_at", "updated_at"])
    demand_refresh_enqueue(year=plan.year)
    return plan


@transaction.atomic
def plan_close(*, actor: Actor, plan: PurchasePlan) -> PurchasePlan:
    _require_edit(actor, plan)
    plan = _lock(plan)
    if plan.status != PlanStatus.PUBLISHED:
        raise DomainError(_("Only a published plan can be closed."), code="plan_not_published")
    plan.status = PlanStatus.CLOSED
    plan.closed_at = timezone.now()
    plan.save(update_fields=["status", "closed_at", "updated_at"])
    demand_refresh_enqueue(year=plan.year)
    return plan


@transaction.atomic
def plan_amend(*, actor: Actor, plan: PurchasePlan, user: Any = None) -> PurchasePlan:
    """A new draft version of a published plan, with a copy of its lines."""
    _require_edit(actor, plan)
    plan = _lock(plan)
    if plan.status != PlanStatus.PUBLISHED:
        raise DomainError(_("Only a published plan can be amended."), code="plan_not_published")
    same_scope = PurchasePlan.objects.filter(buyer_id=plan.buyer_id, year=plan.year, site_id=plan.site_id)
    if same_scope.filter(status=PlanStatus.DRAFT).exists():
        raise DomainError(_("An amendment of this plan is already in progress."), code="amendment_exists")
    version = (same_scope.aggregate(m=Max("version"))["m"] or 0) + 1
    new = PurchasePlan.objects.create(
        buyer_id=plan.buyer_id,
        year=plan.year,
        site_id=plan.site_id,
        version=version,
        previous_version=plan,
        title=plan.title,
        disclose_buyer=plan.disclose_buyer,
        created_by=user if getattr(user, "pk", None) else None,
    )
    copies = []
    for line in plan.lines.all().iterator(chunk_size=2000):
        line.pk = None
        line.id = None
        line.plan = new
        line._state.adding = True
        copies.append(line)
    PlanLine.objects.bulk_create(copies, batch_size=1000)
    return new


# Lines ---------------------------------------------------------------------------------------------------------


def _next_number(plan: PurchasePlan) -> int:
    return (plan.lines.aggregate(m=Max("line_number"))["m"] or 0) + 1


@transaction.atomic
def line_create(*, actor: Actor, plan: PurchasePlan, data: dict[str, Any]) -> PlanLine:
    """Add a line from a PlanLineForm's cleaned data."""
    _require_edit(actor, plan)
    plan = _lock(plan)
    require_draft(plan)
    values = line_values(data, site_names=site_index(plan))
    if plan.lines.filter(natural_key=values["natural_key"]).exists():
        raise DomainError(
            _("This plan already has a line with this reference (or this designation and unit)."),
            code="line_exists",
            details={"buyer_reference": [_("Already in the plan.")]},
        )
    return PlanLine.objects.create(plan=plan, line_number=_next_number(plan), **values)


@transaction.atomic
def line_update(*, actor: Actor, line: PlanLine, data: dict[str, Any]) -> PlanLine:
    _require_edit(actor, line.plan)
    plan = _lock(line.plan)
    require_draft(plan)
    values = line_values({**{k: getattr(line, k) for k in LINE_FIELDS}, **data}, site_names=site_index(plan))
    if plan.lines.filter(natural_key=values["natural_key"]).exclude(pk=line.pk).exists():
        raise DomainError(
            _("This plan already has a line with this reference (or this designation and unit)."),
            code="line_exists",
        )
    _keep_code_source(line, values)
    if values["designation"] == line.designation:
        values.pop("parsed_attributes")  # keep what was read (and any correction) when the text is unchanged
    else:
        values["corrected_attributes"] = None
    for key, value in values.items():
        setattr(line, key, value)
    line.save()
    return line


@transaction.atomic
def line_delete(*, actor: Actor, line: PlanLine) -> None:
    _require_edit(actor, line.plan)
    require_draft(_lock(line.plan))
    line.delete()


@transaction.atomic
def line_correct_attributes(*, actor: Actor, line: PlanLine, text: str = "", reset: bool = False) -> PlanLine:
    """Correct what was read from the designation: `gauge=21 G; length=25 mm` (attribute names in French,
    English or Arabic, or their keys). An empty text means "no attributes"; `reset` goes back to what was read."""
    from tawrid.demand.attributes import parse_attribute_text

    _require_edit(actor, line.plan)
    require_draft(_lock(line.plan))
    if reset:
        line.corrected_attributes = None
    else:
        line.corrected_attributes = serialise_attributes(parse_attribute_text(text))
    line.save(update_fields=["corrected_attributes", "updated_at"])
    return line


def format_attributes(attributes: list[dict[str, Any]]) -> str:
    """The editable text of attributes: `gauge=21 G; length=25 mm`."""
    return "; ".join(f"{a['attribute']}={a.get('raw') or a.get('display')}" for a in attributes)


# Import -------------------------------------------------------------------------------------------------------


def lines_import(*, plan: PurchasePlan, rows: list[dict[str, Any]]) -> tuple[int, int, int]:
    """Write imported rows (cleaned by PlanLineForm) into a draft plan, matching lines on their natural key:
    new lines are created, changed ones updated, equal ones left alone. Called in the import's transaction.
    Returns (created, updated, unchanged)."""
    plan = _lock(plan)
    require_draft(plan)
    sites = site_index(plan)
    existing = {line.natural_key: line for line in plan.lines.all()}
    number = _next_number(plan)
    to_create: list[PlanLine] = []
    to_update: list[PlanLine] = []
    changed_fields: set[str] = set()
    unchanged = 0
    for row in rows:
        values = line_values(row, site_names=sites)
        line = existing.get(values["natural_key"])
        if line is None:
            to_create.append(PlanLine(plan=plan, line_number=number, **values))
            number += 1
            continue
        _keep_code_source(line, values, empty_keeps_engine_code=True)
        diff = {k: v for k, v in values.items() if not _same(getattr(line, k), v)}
        if not diff:
            unchanged += 1
            continue
        if "designation" in diff:
            line.corrected_attributes = None
            changed_fields.add("corrected_attributes")
        else:
            diff.pop("parsed_attributes", None)
        for key, value in diff.items():
            setattr(line, key, value)
        line.updated_at = timezone.now()
        changed_fields.update(diff)
        to_update.append(line)
    PlanLine.objects.bulk_create(to_create, batch_size=1000)
    if to_update and changed_fields:
        PlanLine.objects.bulk_update(to_update, sorted(changed_fields | {"updated_at"}), batch_size=1000)
    return len(to_create), len(to_update), unchanged


def _same(current: Any, new: Any) -> bool:
    if hasattr(current, "pk") or hasattr(new, "pk"):
        return getattr(current, "pk", None) == getattr(new, "pk", None)
    if isinstance(current, Decimal) or isinstance(new, Decimal):
        if current is None or new is None:
            return current is new
        return Decimal(current) == Decimal(new)
    return bool(current == new)


# National demand -----------------------------------------------------------------------------------------------

REFRESH_JOB = "demand.refresh_aggregates"
COUNTED_STATUSES = (PlanStatus.PUBLISHED, PlanStatus.CLOSED)


def counted_plans() -> Any:
    """The plans whose lines make national demand: published or closed (a closed year's demand was real),
    and only the version in force — a version replaced by a published amendment is left out; drafts too."""
    replaced = PurchasePlan.objects.filter(previous_version=OuterRef("pk"), status__in=COUNTED_STATUSES)
    return PurchasePlan.objects.filter(status__in=COUNTED_STATUSES).exclude(Exists(replaced))


def _cell() -> dict[str, Any]:
    return {
        "buyers": set(),
        "lines": 0,
        "quantity": Decimal(0),
        "value": Decimal(0),
        "lines_suggested": 0,
        "value_suggested": Decimal(0),
    }


@transaction.atomic
def demand_aggregate_refresh(*, year: int) -> int:
    """Rebuild every DemandAggregate row of `year` (EMDN at every level, CPV), per region, per buyer kind
    and all together. Two grouped queries read the lines; the roll-up to EMDN ancestors is done here. Lines
    whose EMDN code the engine suggested (not yet confirmed) count like the others, and are also counted apart
    (`lines_suggested`, `value_suggested`)."""
    from tawrid.demand.models import AggregateScheme, DemandAggregate, DemandRefresh
    from tawrid.nomenclature.models import CpvCode, EmdnCode

    DemandRefresh.objects.get_or_create(year=year)
    marker = DemandRefresh.objects.select_for_update().get(year=year)
    lines = PlanLine.objects.filter(plan__in=counted_plans().filter(year=year))
    cells: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    used: dict[str, set[str]] = {AggregateScheme.EMDN: set(), AggregateScheme.CPV: set()}
    schemes: tuple[tuple[str, str], ...] = ((AggregateScheme.EMDN, "emdn__code"), (AggregateScheme.CPV, "cpv__code"))
    for scheme, field in schemes:
        grouped = (
            lines.filter(**{f"{field}__isnull": False})
            .values(field, "plan__buyer_id", "plan__buyer__region", "plan__buyer__kind", "emdn_source")
            .annotate(n=Count("pk"), q=Sum("base_quantity"), v=Sum("estimated_value"))
            .order_by()
        )
        for row in grouped:
            code = row[field]
            codes = emdn_ancestors(code) if scheme == AggregateScheme.EMDN else [code]
            for target in codes:
                used[scheme].add(target)
                for region in {row["plan__buyer__region"], ""}:
                    for kind in {row["plan__buyer__kind"], ""}:
                        cell = cells.setdefault((scheme, target, region, kind), _cell())
                        cell["buyers"].add(row["plan__buyer_id"])
                        cell["lines"] += row["n"]
                        cell["quantity"] += row["q"] or 0
                        cell["value"] += row["v"] or 0
                        if scheme == AggregateScheme.EMDN and row["emdn_source"] == EmdnSource.SUGGESTED:
                            cell["lines_suggested"] += row["n"]
                            cell["value_suggested"] += row["v"] or 0
    emdn = {c: (lvl, term) for c, lvl, term in EmdnCode.objects.filter(code__in=used[AggregateScheme.EMDN])
            .values_list("code", "level", "term")}  # fmt: skip
    cpv = {c: (lvl, label) for c, lvl, label in CpvCode.objects.filter(code__in=used[AggregateScheme.CPV])
           .values_list("code", "level", "label_fr")}  # fmt: skip
    now = timezone.now()
    rows = []
    for (scheme, code, region, kind), cell in cells.items():
        if scheme == AggregateScheme.EMDN:
            level, label = emdn.get(code, ((len(code) + 1) // 2, ""))
        else:
            level, label = cpv.get(code, (0, ""))
        rows.append(
            DemandAggregate(
                year=year,
                scheme=scheme,
                code=code,
                level=level,
                label=label[:400],
                region=region,
                buyer_kind=kind,
                buyers_count=len(cell["buyers"]),
                lines_count=cell["lines"],
                lines_suggested=cell["lines_suggested"],
                value_suggested=cell["value_suggested"],
                base_quantity=cell["quantity"],
                estimated_value=cell["value"],
                refreshed_at=now,
            )  # fmt: skip
        )
    DemandAggregate.objects.filter(year=year).delete()
    DemandAggregate.objects.bulk_create(rows, batch_size=2000)
    marker.refreshed_at, marker.rows = now, len(rows)
    marker.save(update_fields=["refreshed_at", "rows"])
    return len(rows)


def demand_refresh_enqueue(*, year: int, user: Any = None) -> Any:
    """Put the refresh of a year's national demand on the job queue (it runs once the transaction commits)."""
    from tawrid.core.jobs import job_enqueue

    return job_enqueue(
        kind=REFRESH_JOB,
        title=_("Refresh national demand %(year)s") % {"year": year},
        params={"year": year},
        created_by=user if getattr(user, "pk", None) else None,
    )
