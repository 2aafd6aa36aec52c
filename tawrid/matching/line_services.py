"""Writes of a buyer's decisions on whole lines, one or many at once: "no local source" (the line is left out of
the allocation), reject every candidate, confirm the best candidate, or clear the line's decisions. Each call
re-allocates the plan's latest finished run once, so the coverage shown follows at once.

services.py keeps the runs and the decisions on one proposal; these are the bulk actions of the plan's matching
page and of the API (same policies)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tawrid.core.errors import DomainError, Forbidden
from tawrid.core.permissions import Actor
from tawrid.demand.models import PlanLine, PurchasePlan
from tawrid.matching import policies, selectors
from tawrid.matching.models import (
    DecisionKind,
    LineDecision,
    LineDecisionKind,
    MatchCandidate,
    MatchDecision,
    MatchRun,
    RunStatus,
    Verdict,
)
from tawrid.matching.services import match_run_allocate

NO_LOCAL_SOURCE = "no_local_source"
REJECT_ALL = "reject_all"
CONFIRM_BEST = "confirm_best"
CLEAR = "clear"
ACTIONS = (NO_LOCAL_SOURCE, REJECT_ALL, CONFIRM_BEST, CLEAR)
MAX_LINES = 2000  # one request; a plan of 5,000 lines is decided in a few


@dataclass(frozen=True)
class Outcome:
    lines: int  # lines of the plan the action was applied to
    changed: int  # decisions written or removed
    skipped: int  # lines the action did not apply to (confirm_best: no good candidate left)
    run: MatchRun | None  # the run re-allocated, if any


def latest_done_run(plan: PurchasePlan) -> MatchRun | None:
    return MatchRun.objects.filter(plan=plan, status=RunStatus.DONE).order_by("-created_at", "-pk").first()


def lines_decide(
    *, actor: Actor, plan: PurchasePlan, line_ids: Iterable[int], action: str, reason: str = ""
) -> Outcome:
    """Apply `action` to the plan's lines among `line_ids` (ids of other plans are ignored) and re-allocate."""
    if not policies.can_decide_plan(actor, plan):
        raise Forbidden(_("Only the buyer decides on its plan's proposals."))
    if action not in ACTIONS:
        raise DomainError(_("Unknown action."), code="bad_action")
    ids = sorted({int(pk) for pk in line_ids})[:MAX_LINES]
    lines = list(PlanLine.objects.filter(plan=plan, pk__in=ids).only("pk", "plan_id"))
    if not lines:
        raise DomainError(_("Select at least one line."), code="no_lines_selected")
    run = latest_done_run(plan)
    if run is None and action in (REJECT_ALL, CONFIRM_BEST):
        raise DomainError(_("Match the plan first: there are no candidates yet."), code="no_run")
    line_pks = [line.pk for line in lines]
    with transaction.atomic():
        if action == NO_LOCAL_SOURCE:
            changed, skipped = _no_local_source(actor, line_pks, reason), 0
        elif action == CLEAR:
            changed = MatchDecision.objects.filter(line_id__in=line_pks).delete()[0]
            changed += LineDecision.objects.filter(line_id__in=line_pks).delete()[0]
            skipped = 0
        else:
            assert run is not None
            changed, skipped = _on_candidates(actor, run, line_pks, action, reason)
        if run is not None:
            match_run_allocate(run=run)
    return Outcome(lines=len(line_pks), changed=changed, skipped=skipped, run=run)


def _no_local_source(actor: Actor, line_pks: list[int], reason: str) -> int:
    now = timezone.now()
    LineDecision.objects.bulk_create(
        [
            LineDecision(
                line_id=pk,
                decision=LineDecisionKind.NO_LOCAL_SOURCE,
                reason=reason[:300],
                decided_by_id=actor.user_id,
                created_at=now,
                updated_at=now,
            )
            for pk in line_pks
        ],
        update_conflicts=True,
        unique_fields=["line"],
        update_fields=["decision", "reason", "decided_by", "updated_at"],
    )
    return len(line_pks)


def _on_candidates(actor: Actor, run: MatchRun, line_pks: list[int], action: str, reason: str) -> tuple[int, int]:
    """Reject every candidate shown for the lines, or confirm each line's best: the first by rank that fits (no
    conflict, eligible), is a proposal (score ≥ the proposal threshold) and was not rejected."""
    candidates = (
        MatchCandidate.objects.filter(
            result__run=run, result__line_id__in=line_pks, score__gte=selectors.SHOWN_THRESHOLD
        )
        .select_related("result")
        .only("result__line_id", "product_id", "variant_id", "score", "verdict", "rank")
        .order_by("result__line_id", "rank")
    )
    decisions = selectors.decisions_for(line_pks)
    chosen: dict[tuple[int, int], tuple[str, int | None]] = {}  # (line, product) -> (decision, variant)
    if action == REJECT_ALL:
        for c in candidates:
            chosen.setdefault((c.result.line_id, c.product_id), (DecisionKind.REJECTED, c.variant_id))
        skipped = len(set(line_pks) - {line for line, _product in chosen})
    else:
        best: dict[int, MatchCandidate] = {}
        for c in candidates:
            line = c.result.line_id
            rejected = getattr(decisions.get((line, c.product_id)), "decision", "") == DecisionKind.REJECTED
            if line in best or rejected:
                continue
            if c.verdict == Verdict.GOOD and c.score >= selectors.PROPOSAL_THRESHOLD:
                best[line] = c
        for line, c in best.items():
            chosen[(line, c.product_id)] = (DecisionKind.CONFIRMED, c.variant_id)
        skipped = len(line_pks) - len(best)
        # A line confirmed is a line with a local source after all.
        LineDecision.objects.filter(line_id__in=list(best)).delete()
    now = timezone.now()
    MatchDecision.objects.bulk_create(
        [
            MatchDecision(
                line_id=line,
                product_id=product,
                variant_id=variant,
                decision=decision,
                reason=reason[:300],
                decided_by_id=actor.user_id,
                created_at=now,
                updated_at=now,
            )
            for (line, product), (decision, variant) in chosen.items()
        ],
        update_conflicts=True,
        unique_fields=["line", "product"],
        update_fields=["decision", "variant", "reason", "decided_by", "updated_at"],
    )
    return len(chosen), skipped
