"""API of matching (/api/v1/matching/): runs of a plan or of a year, their progress and coverage, each line's
candidates with explanations, gaps, the buyer's decisions, a manufacturer's matched lines, and EMDN code
suggestions. Same services, selectors and policies as the pages."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from tawrid.core.api_schemas import Id, Limit200, Limit500, Limit1000, Offset, Year
from tawrid.core.errors import DomainError, Forbidden, NotFound
from tawrid.core.permissions import actor_for, get_visible_or_404
from tawrid.demand import selectors as demand_selectors
from tawrid.demand.models import PlanLine
from tawrid.matching import line_services, policies, selectors, services
from tawrid.matching.models import MatchCandidate, MatchRun, RunStatus

router = Router(tags=["matching"])


class RunOut(Schema):
    id: int
    scope: str
    year: int
    plan_id: int | None
    status: str
    lines_total: int
    products_total: int
    chunks_total: int
    chunks_done: int
    chunks_failed: int
    lines_done: int
    stalled: bool = Field(..., description="True when the run should be resumed (a part failed or stopped moving).")
    total_quantity: Decimal
    covered_quantity: Decimal
    quantity_share: float
    total_value: Decimal
    covered_value: Decimal
    value_share: float
    confirmed_quantity: Decimal | None = Field(
        None, description="Base units allocated to proposals the buyer confirmed (a plan's run; null for national)."
    )
    lines_decided: int | None = Field(
        None, description="Lines with a decision: a proposal confirmed or rejected, or no local source."
    )
    lines_no_local_source: int | None = None
    allocation_seconds: float | None
    error: str
    created_at: datetime
    finished_at: datetime | None


class FitOut(Schema):
    attribute: str
    fit: str = Field(..., description="exact, compatible, conflict or unknown")
    asked: str
    offered: str


class ExplanationOut(Schema):
    words: list[str]
    code: str = Field(..., description="same_code, same_type, same_group, different, or empty when unknown")
    fits: list[FitOut]
    eligible: bool
    missing: list[str]


class CandidateOut(Schema):
    id: int
    rank: int
    product_id: int
    product_name: str
    manufacturer_id: int
    manufacturer_name: str
    variant_id: int | None
    variant_label: str
    score: float
    verdict: str = Field(..., description="good, conflict or not_eligible")
    lexical: float
    dense: float
    code: float
    specification: float
    allocated_quantity: Decimal
    share: float = Field(..., description="Allocated quantity / the line's quantity (0 to 1).")
    decision: str = Field("", description="confirmed, rejected, or empty")
    explanation: ExplanationOut


class CodeSuggestionOut(Schema):
    code: str
    term: str
    score: float


class LineResultOut(Schema):
    line_id: int
    line_number: int
    designation: str
    emdn: str
    quantity: Decimal
    covered_quantity: Decimal
    line_decision: str = Field("", description="no_local_source, or empty")
    code_suggestions: list[CodeSuggestionOut]
    candidates: list[CandidateOut] = Field(..., description="Every candidate worth showing, best first.")


class GapOut(Schema):
    code: str
    term: str
    lines: int
    uncovered: Decimal


class DecisionIn(Schema):
    line_id: Id
    product_id: Id
    decision: str = Field(..., description="confirmed, rejected or withdraw")
    reason: str = ""


class DecisionOut(Schema):
    line_id: int
    product_id: int
    decision: str
    coverage: RunOut | None


class LineDecisionsIn(Schema):
    line_ids: list[Id] = Field(..., min_length=1, max_length=2000)
    action: str = Field(
        ...,
        description="no_local_source (the line is left out of the allocation), reject_all (every candidate), "
        "confirm_best (the best fitting proposal not rejected), clear (remove the lines' decisions)",
    )
    reason: str = Field("", max_length=300)


class LineDecisionsOut(Schema):
    lines: int
    changed: int
    skipped: int = Field(..., description="Lines left as they were (confirm_best: no fitting proposal).")
    coverage: RunOut | None


class NationalIn(Schema):
    year: Year


class SuggestIn(Schema):
    texts: list[str] = Field(..., max_length=500)
    top: int = Field(5, ge=1, le=20)


class SupplierMatchOut(Schema):
    line_id: int
    designation: str
    year: int
    buyer: str
    quantity: Decimal
    product_id: int
    variant_id: int | None
    score: float
    verdict: str
    allocated_quantity: Decimal
    share: float = Field(..., description="Allocated quantity / the line's quantity (0 to 1).")
    explanation: ExplanationOut


def _run(run: MatchRun) -> dict[str, Any]:
    progress = selectors.run_progress(run)
    coverage = selectors.coverage(run)
    return {
        "id": run.pk,
        "scope": run.scope,
        "year": run.year,
        "plan_id": run.plan_id,
        "status": run.status,
        "lines_total": run.lines_total,
        "products_total": run.products_total,
        "chunks_total": run.chunks_total,
        "chunks_done": progress.chunks_done,
        "chunks_failed": progress.chunks_failed,
        "lines_done": progress.lines_done,
        "stalled": selectors.is_stalled(run, progress),
        "total_quantity": run.total_quantity,
        "covered_quantity": run.covered_quantity,
        "quantity_share": round(coverage["quantity_share"], 4),
        "total_value": run.total_value,
        "covered_value": run.covered_value,
        "value_share": round(coverage["value_share"], 4),
        "confirmed_quantity": coverage["confirmed_quantity"],
        "lines_decided": coverage["lines_decided"],
        "lines_no_local_source": coverage["lines_no_local_source"],
        "allocation_seconds": run.allocation_seconds,
        "error": run.error,
        "created_at": run.created_at,
        "finished_at": run.finished_at,
    }


def _candidate(candidate: MatchCandidate, decision: str = "", quantity: Decimal | None = None) -> dict[str, Any]:
    return {
        "id": candidate.pk,
        "rank": candidate.rank,
        "product_id": candidate.product_id,
        "product_name": candidate.product.name_fr,
        "manufacturer_id": candidate.product.manufacturer_id,
        "manufacturer_name": candidate.product.manufacturer.name,
        "variant_id": candidate.variant_id,
        "variant_label": candidate.variant.label if candidate.variant else "",
        "score": round(candidate.score, 4),
        "verdict": candidate.verdict,
        "lexical": candidate.lexical,
        "dense": candidate.dense,
        "code": candidate.code,
        "specification": candidate.specification,
        "allocated_quantity": candidate.allocated_quantity,
        "share": round(selectors.share_of(candidate.allocated_quantity, quantity or 0), 4),
        "decision": decision,
        "explanation": selectors.explanation_out(candidate.explanation),
    }


def _visible_run(request: HttpRequest, run_id: int) -> tuple[Any, MatchRun]:
    actor = actor_for(request.user)
    run = get_visible_or_404(actor, MatchRun.objects.select_related("plan"), pk=run_id)
    return actor, run


@router.post("/plans/{plan_id}/runs", response={202: RunOut}, summary="Match a plan (a job; follow the run)")
def start_plan_run(request: HttpRequest, plan_id: Id) -> Status[dict]:
    actor = actor_for(request.user)
    plan = demand_selectors.plan_detail(actor, plan_id)
    run = services.match_run_start(actor=actor, plan=plan)
    run.refresh_from_db()
    return Status(202, _run(run))


@router.get("/plans/{plan_id}/runs", response=list[RunOut], summary="A plan's runs, latest first")
def list_plan_runs(request: HttpRequest, plan_id: Id) -> list:
    actor = actor_for(request.user)
    plan = demand_selectors.plan_detail(actor, plan_id)
    if not policies.can_see_results(actor, plan):
        raise Forbidden()
    return [_run(run) for run in selectors.runs_of(actor, plan=plan)[:50]]


@router.post("/national/runs", response={202: RunOut}, summary="Match every published plan of a year (secretariat)")
def start_national_run(request: HttpRequest, payload: NationalIn) -> Status[dict]:
    actor = actor_for(request.user)
    run = services.match_run_start(actor=actor, year=payload.year)
    run.refresh_from_db()
    return Status(202, _run(run))


@router.get("/runs/{run_id}", response=RunOut, summary="A run: progress, coverage")
def get_run(request: HttpRequest, run_id: Id) -> dict:
    _actor, run = _visible_run(request, run_id)
    return _run(run)


@router.post("/runs/{run_id}/resume", response={202: RunOut}, summary="Resume a run after a crash")
def resume_run(request: HttpRequest, run_id: Id) -> Status[dict]:
    actor, run = _visible_run(request, run_id)
    services.match_run_resume(actor=actor, run=run)
    run.refresh_from_db()
    return Status(202, _run(run))


@router.get("/runs/{run_id}/lines", response=list[LineResultOut], summary="Each line with its candidates")
def list_run_lines(
    request: HttpRequest, run_id: Id, show: str = "", q: str = "", offset: Offset = 0, limit: Limit200 = 50
) -> list:
    actor, run = _visible_run(request, run_id)
    if run.status != RunStatus.DONE:
        raise DomainError(_("This matching is not finished yet."), code="run_not_done")
    results = list(
        selectors.line_results(actor, run, show=show, q=q)[max(offset, 0) : max(offset, 0) + min(limit, 200)]
    )
    candidates = selectors.candidates_by_result(results)
    decisions = selectors.decisions_for(r.line_id for r in results)
    line_decisions = selectors.line_decisions_for(r.line_id for r in results)
    terms = selectors.code_terms({s["code"] for r in results for s in r.code_suggestions})
    return [
        {
            "line_id": r.line_id,
            "line_number": r.line.line_number,
            "designation": r.line.designation,
            "emdn": r.line.emdn.code if r.line.emdn else "",
            "quantity": r.quantity,
            "covered_quantity": r.covered_quantity,
            "line_decision": getattr(line_decisions.get(r.line_id), "decision", ""),
            "code_suggestions": [
                {"code": s["code"], "term": terms.get(s["code"], ""), "score": s["score"]} for s in r.code_suggestions
            ],
            "candidates": [
                _candidate(c, getattr(decisions.get((r.line_id, c.product_id)), "decision", ""), r.quantity)
                for c in candidates.get(r.pk, [])
            ],
        }
        for r in results
    ]


@router.get("/runs/{run_id}/gaps", response=list[GapOut], summary="Uncovered demand by EMDN code")
def list_gaps(request: HttpRequest, run_id: Id, limit: Limit1000 = 200) -> list:
    actor, run = _visible_run(request, run_id)
    return selectors.gaps(actor, run, limit=min(max(limit, 1), 1000))


@router.post("/decisions", response=DecisionOut, summary="Confirm or reject a proposed product for a line")
def decide(request: HttpRequest, payload: DecisionIn) -> dict:
    actor = actor_for(request.user)
    line = get_visible_or_404(actor, PlanLine.objects.select_related("plan"), pk=payload.line_id)
    candidate = (
        MatchCandidate.objects.filter(result__line=line, product_id=payload.product_id)
        .select_related("product")
        .order_by("-result__run_id", "rank")
        .first()
    )
    if candidate is None:
        raise NotFound()
    if payload.decision == "withdraw":
        services.decision_withdraw(actor=actor, line=line, product=candidate.product)
    else:
        services.decision_record(
            actor=actor,
            line=line,
            product=candidate.product,
            decision=payload.decision,
            reason=payload.reason,
            variant_id=candidate.variant_id,
        )
    run = selectors.latest_run(actor, plan=line.plan)
    return {
        "line_id": line.pk,
        "product_id": payload.product_id,
        "decision": payload.decision,
        "coverage": _run(run) if run else None,
    }


@router.post(
    "/plans/{plan_id}/line-decisions",
    response=LineDecisionsOut,
    summary="Decide on many lines at once: no local source, reject all, confirm the best, clear",
)
def decide_lines(request: HttpRequest, plan_id: Id, payload: LineDecisionsIn) -> dict:
    actor = actor_for(request.user)
    plan = demand_selectors.plan_detail(actor, plan_id)
    outcome = line_services.lines_decide(
        actor=actor, plan=plan, line_ids=payload.line_ids, action=payload.action, reason=payload.reason
    )
    if outcome.run is not None:
        outcome.run.refresh_from_db()  # the figures as stored (decimals with their places)
    return {
        "lines": outcome.lines,
        "changed": outcome.changed,
        "skipped": outcome.skipped,
        "coverage": _run(outcome.run) if outcome.run else None,
    }


@router.get("/mine", response=list[SupplierMatchOut], summary="Published plan lines my products match")
def my_matches(request: HttpRequest, q: str = "", offset: Offset = 0, limit: Limit500 = 100) -> list:
    actor = actor_for(request.user)
    if not policies.is_supplier(actor):
        raise Forbidden()
    rows = selectors.supplier_matches(actor, q=q)[max(offset, 0) : max(offset, 0) + min(limit, 500)]
    return [
        {
            "line_id": c.result.line_id,
            "designation": c.result.line.designation,
            "year": c.result.line.plan.year,
            "buyer": demand_selectors.buyer_label(actor, c.result.line.plan),
            "quantity": c.result.quantity,
            "product_id": c.product_id,
            "variant_id": c.variant_id,
            "score": round(c.score, 4),
            "verdict": c.verdict,
            "allocated_quantity": c.allocated_quantity,
            "share": round(selectors.share_of(c.allocated_quantity, c.result.quantity), 4),
            "explanation": selectors.explanation_out(c.explanation),
        }
        for c in rows
    ]


@router.post("/suggest-codes", response=list[list[CodeSuggestionOut]], summary="EMDN codes suggested for texts")
def suggest_codes(request: HttpRequest, payload: SuggestIn) -> list:
    if not request.user.is_authenticated:
        raise Forbidden()
    return [services.suggest_codes(text[:500], top=payload.top) for text in payload.texts]
