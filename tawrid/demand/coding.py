"""EMDN codes of plan lines: the codes the matching engine applies, and the buyer's confirmations and choices.

A line's code has a source (`PlanLine.emdn_source`): given by the buyer (plan form, import, API), suggested by the
engine (the deepest code whose probability mass reaches the threshold, `tawrid.matching.engine.confidence`; its
mass is kept in `emdn_mass`) or confirmed by the buyer after a suggestion. The engine only ever writes lines that
have no code or a code it suggested itself: a buyer's code or a confirmed one is never replaced.

Codes are the plan's metadata, not its content: they may be confirmed or chosen on draft and published plans
(a published plan's lines, quantities and prices stay read-only), never on closed ones. Each change made by a
person is saved line by line, so the audit trail (`tawrid.demand.audit`) records who changed which code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from tawrid.core.errors import DomainError, Forbidden
from tawrid.core.permissions import Actor
from tawrid.demand import policies
from tawrid.demand.models import EmdnSource, PlanLine, PlanStatus, PurchasePlan
from tawrid.nomenclature.models import EmdnCode

CODABLE_STATUSES = (PlanStatus.DRAFT, PlanStatus.PUBLISHED)
FILTERS = ("uncoded", "suggested", "confirmed", "buyer")
GROUP_LENGTH = 3  # A01: the shortest code the engine applies


def threshold_percent() -> int:
    """The engine's confidence threshold, for the page's explanation (read from the pure engine module)."""
    from tawrid.matching.engine.confidence import THRESHOLD

    return round(THRESHOLD * 100)


def can_code_plan(actor: Actor, plan: PurchasePlan) -> bool:
    """The buyer's people who may change its lines, on a draft or published plan (codes are metadata)."""
    return policies.can_edit_plan(actor, plan) and plan.status in CODABLE_STATUSES


def _require_code(actor: Actor, plan: PurchasePlan) -> None:
    if not policies.can_edit_plan(actor, plan):
        raise Forbidden(_("Only the plan's buyer sets its codes."))
    if plan.status not in CODABLE_STATUSES:
        raise DomainError(_("This plan is closed: its codes can no longer be changed."), code="plan_closed")


def _after_change(plan: PurchasePlan) -> None:
    """National demand counts the plans in force: refresh the year's once the change is committed."""
    if plan.status != PlanStatus.DRAFT:
        from tawrid.demand.services import demand_refresh_enqueue

        demand_refresh_enqueue(year=plan.year)


# The engine --------------------------------------------------------------------------------------------------


@transaction.atomic
def engine_codes_apply(*, codes: Mapping[int, tuple[str, float] | None]) -> int:
    """Apply the engine's confident code (code, subtree mass), or None, to each line id of `codes` that has no
    code or only one the engine suggested: a new run replaces the previous run's suggestion, and removes it when
    the engine is no longer sure. Lines with the buyer's code or a confirmed one are left alone (locked first, so
    a confirmation made meanwhile wins). Returns how many lines changed."""
    if not codes:
        return 0
    wanted = {found[0] for found in codes.values() if found is not None}
    code_ids = dict(EmdnCode.objects.filter(code__in=wanted).values_list("code", "pk"))
    # Ordered by id: PlanLine's default ordering joins the plan's optional site (an outer join PostgreSQL refuses
    # to lock), and one lock order keeps two runs from deadlocking.
    lines = (
        PlanLine.objects.select_for_update()
        .filter(pk__in=list(codes))
        .filter(Q(emdn__isnull=True) | Q(emdn_source=EmdnSource.SUGGESTED))
        .only("pk", "emdn_id", "emdn_source", "emdn_mass")
        .order_by("pk")
    )
    now, changed = timezone.now(), []
    for line in lines:
        found = codes[line.pk]
        if found is None or found[0] not in code_ids:
            new: tuple[Any, str, float | None] = (None, "", None)
        else:
            new = (code_ids[found[0]], EmdnSource.SUGGESTED, round(min(1.0, max(0.0, float(found[1]))), 4))
        if (line.emdn_id, line.emdn_source, line.emdn_mass) != new:
            line.emdn_id, line.emdn_source, line.emdn_mass = new
            line.updated_at = now
            changed.append(line)
    # The system's writes, many lines at a time (a national run codes thousands): the run's LineResult rows are
    # their record; the people's changes below go through save() and the audit trail.
    PlanLine.objects.bulk_update(changed, ["emdn", "emdn_source", "emdn_mass", "updated_at"], batch_size=1000)
    return len(changed)


def demand_refresh_after_engine(*, plan_id: int | None, year: int) -> None:
    """A run has applied its codes: national demand of the year counts them once refreshed (a run of a draft plan
    changes nothing there)."""
    from tawrid.demand.services import COUNTED_STATUSES, demand_refresh_enqueue

    if plan_id is None or PurchasePlan.objects.filter(pk=plan_id, status__in=COUNTED_STATUSES).exists():
        demand_refresh_enqueue(year=year)


# The buyer ---------------------------------------------------------------------------------------------------


def _confirm(lines: Iterable[PlanLine]) -> int:
    count = 0
    for line in lines:
        line.emdn_source, line.emdn_mass = EmdnSource.CONFIRMED, None
        line.save(update_fields=["emdn_source", "emdn_mass", "updated_at"])
        count += 1
    return count


@transaction.atomic
def codes_confirm(*, actor: Actor, plan: PurchasePlan, line_ids: Iterable[int] | None = None, group: str = "") -> int:
    """Confirm the engine's codes of the plan's chosen lines (`line_ids`), or of every suggested line of an EMDN
    group (`group`, A01…). Lines whose code is not a suggestion are skipped. Returns how many were confirmed."""
    _require_code(actor, plan)
    lines = plan.lines.select_for_update().filter(emdn_source=EmdnSource.SUGGESTED)
    if group:
        lines = lines.filter(emdn__code__startswith=group.strip().upper()[:GROUP_LENGTH])
    elif line_ids is not None:
        lines = lines.filter(pk__in=[int(i) for i in line_ids])
    else:
        raise DomainError(_("Choose the lines or the group to confirm."), code="nothing_chosen")
    count = _confirm(lines.order_by("line_number"))
    if count:
        _after_change(plan)
    return count


@transaction.atomic
def code_choose(*, actor: Actor, line: PlanLine, code: str) -> PlanLine:
    """Set a line's code to `code` (an EMDN code of group level or deeper). One of the suggestions of the latest
    run, or the engine's applied code, is a confirmation; any other code is the buyer's own."""
    plan = line.plan
    _require_code(actor, plan)
    # Only the line is locked: PostgreSQL refuses to lock the nullable side of the outer join to its code.
    line = PlanLine.objects.select_for_update(of=("self",)).select_related("emdn").get(pk=line.pk)
    wanted = (code or "").strip().upper()
    item = EmdnCode.objects.filter(code=wanted).first()
    if item is None or len(wanted) < GROUP_LENGTH:
        raise DomainError(
            _("%(code)s is not an EMDN code of group level or deeper.") % {"code": wanted or "—"},
            code="unknown_code",
            details={"code": [_("Choose an EMDN code (A01, A0101…).")]},
        )
    suggested = wanted in {s["code"] for s in latest_suggestions([line]).get(line.pk, [])}
    if line.emdn_source == EmdnSource.SUGGESTED and line.emdn is not None and line.emdn.code == wanted:
        suggested = True
    line.emdn = item
    line.emdn_source = EmdnSource.CONFIRMED if suggested else EmdnSource.BUYER
    line.emdn_mass = None
    line.save(update_fields=["emdn", "emdn_source", "emdn_mass", "updated_at"])
    _after_change(plan)
    return line


# Reads -------------------------------------------------------------------------------------------------------


@dataclass
class CodeRow:
    line: PlanLine
    suggestions: list[dict[str, Any]] = field(default_factory=list)  # [{"code", "term", "score"}] of the latest run

    @property
    def level(self) -> int | None:
        return self.line.emdn_level

    @property
    def percent(self) -> int | None:
        return round(self.line.emdn_mass * 100) if self.line.emdn_mass is not None else None


def latest_run_id(plan: PurchasePlan) -> int | None:
    """The plan's latest match run that is not failed (read through the app registry: demand does not import
    matching)."""
    run = apps.get_model("matching", "MatchRun")
    return (
        run.objects.filter(plan=plan)
        .exclude(status="failed")
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)
        .first()
    )


def latest_suggestions(lines: Iterable[PlanLine], run_id: int | None = None) -> dict[int, list[dict[str, Any]]]:
    """{line id: the latest run's top codes with their terms}."""
    lines = list(lines)
    if not lines:
        return {}
    if run_id is None:
        run_id = latest_run_id(lines[0].plan)
    if run_id is None:
        return {}
    results = apps.get_model("matching", "LineResult").objects.filter(run_id=run_id, line__in=[ln.pk for ln in lines])
    stored = dict(results.values_list("line_id", "code_suggestions"))
    terms = dict(
        EmdnCode.objects.filter(code__in={s["code"] for rows in stored.values() for s in rows}).values_list(
            "code", "term"
        )
    )
    return {
        line_id: [{"code": s["code"], "term": terms.get(s["code"], ""), "score": s.get("score", 0)} for s in rows]
        for line_id, rows in stored.items()
    }


def plan_code_lines(plan: PurchasePlan, *, show: str = "", group: str = "") -> QuerySet[PlanLine]:
    """The plan's lines for the codes page, filtered: `show` one of FILTERS, `group` an EMDN group (A01)."""
    lines = plan.lines.select_related("emdn").order_by("line_number")
    if show == "uncoded":
        lines = lines.filter(emdn__isnull=True)
    elif show in ("suggested", "confirmed", "buyer"):
        lines = lines.filter(emdn_source=show)
    if group:
        lines = lines.filter(emdn__code__startswith=group.strip().upper()[:GROUP_LENGTH])
    return lines


def code_rows(plan: PurchasePlan, lines: Iterable[PlanLine]) -> list[CodeRow]:
    """The page's rows: each line with the latest run's suggestions (a constant number of queries)."""
    lines = list(lines)
    for line in lines:
        line.plan = plan  # spare a query per line where the plan is read
    suggestions = latest_suggestions(lines, latest_run_id(plan)) if lines else {}
    return [CodeRow(line, suggestions.get(line.pk, [])) for line in lines]


def code_summary(plan: PurchasePlan) -> dict[str, Any]:
    """How many lines of the plan have which source, and the suggested lines per EMDN group (for the bulk
    confirmations)."""
    counts = dict(plan.lines.values_list("emdn_source").annotate(n=Count("pk")).order_by())
    groups = (
        plan.lines.filter(emdn_source=EmdnSource.SUGGESTED)
        .annotate(group=Substr("emdn__code", 1, GROUP_LENGTH))
        .values("group")
        .annotate(n=Count("pk"))
        .order_by("group")
    )
    group_rows = list(groups)
    terms = dict(EmdnCode.objects.filter(code__in=[g["group"] for g in group_rows]).values_list("code", "term"))
    total = sum(counts.values())
    return {
        "total": total,
        "uncoded": counts.get("", 0),
        "buyer": counts.get(EmdnSource.BUYER, 0),
        "suggested": counts.get(EmdnSource.SUGGESTED, 0),
        "confirmed": counts.get(EmdnSource.CONFIRMED, 0),
        "groups": [{"group": g["group"], "term": terms.get(g["group"], ""), "lines": g["n"]} for g in group_rows],
    }


def code_search(query: str, *, limit: int = 20) -> list[EmdnCode]:
    """EMDN codes of group level or deeper matching `query` (words of the English term, or a code prefix)."""
    from tawrid.nomenclature.selectors import search

    return list(search(key="emdn", query=query).filter(level__gte=2)[:limit])
