"""Who sees match results and who decides on them (pages, API, exports and the admin site use these rules).

- a plan's results (runs of one plan, candidates, coverage, decisions) follow the plan's private side: its
  buyer's people and the secretariat overseeing the buyer; the buyer's administrators and members decide;
- national runs (every published plan of a year) are the secretariat's and the operator's;
- a manufacturer sees the plan lines its own products match, on published plans only, through
  `selectors.supplier_matches` (the line as the plans' rules show it to suppliers: no price, buyer named
  only when disclosed) — never the other suppliers' candidates.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from tawrid.core import permissions
from tawrid.core.permissions import Actor
from tawrid.demand import policies as plan_policies


def run_scope(actor: Actor, queryset: QuerySet[Any], prefix: str = "") -> QuerySet[Any]:
    if actor.is_superuser:
        return queryset
    if actor.is_anonymous:
        return queryset.none()
    condition = plan_policies.insider_q(actor, f"{prefix}plan__")
    if actor.is_secretariat:
        condition |= Q(**{f"{prefix}scope": "national"})
    return queryset.filter(condition)


def can_manage_run(actor: Actor, run: Any) -> bool:
    if run.plan_id is None:
        return can_run_national(actor)
    # A plan's run is managed by those who may match that plan: not every secretariat, only the one overseeing it.
    return can_match_plan(actor, run.plan)


def can_run_national(actor: Actor) -> bool:
    return actor.is_superuser or actor.is_secretariat


def can_match_plan(actor: Actor, plan: Any) -> bool:
    """Start a match run of a plan: the buyer's writers, the secretariat overseeing it, the operator."""
    if actor.is_superuser or actor.can_write_org(plan.buyer_id):
        return True
    return actor.is_secretariat and actor.can_read_org(plan.buyer_id)


def can_decide(actor: Actor, line: Any) -> bool:
    """Confirm or reject a proposal: the buyer's administrators and members (it is their purchase)."""
    return can_decide_plan(actor, line.plan)


def can_decide_plan(actor: Actor, plan: Any) -> bool:
    return actor.can_write_org(plan.buyer_id)


def can_see_results(actor: Actor, plan: Any) -> bool:
    """A plan's matching shows prices and every candidate: the plan's private side only."""
    return bool(plan_policies.can_see_private(actor, plan))


def is_supplier(actor: Actor) -> bool:
    return actor.is_superuser or plan_policies.is_supplier(actor)


def _result_scope(actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return run_scope(actor, queryset, "run__")


def _candidate_scope(actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return run_scope(actor, queryset, "result__run__")


def _decision_scope(actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
    if actor.is_superuser:
        return queryset
    if actor.is_anonymous:
        return queryset.none()
    return queryset.filter(plan_policies.insider_q(actor, "line__plan__"))


def _never(actor: Actor, obj: Any) -> bool:
    return False  # results are written by the services only


def register() -> None:
    from tawrid.matching.models import LineDecision, LineResult, MatchCandidate, MatchChunk, MatchDecision, MatchRun

    permissions.register(MatchRun, permissions.Custom(run_scope, can_manage_run))
    permissions.register(MatchChunk, permissions.Custom(_result_scope, _never))
    permissions.register(LineResult, permissions.Custom(_result_scope, _never))
    permissions.register(MatchCandidate, permissions.Custom(_candidate_scope, _never))
    permissions.register(MatchDecision, permissions.Custom(_decision_scope, lambda actor, d: can_decide(actor, d.line)))
    permissions.register(LineDecision, permissions.Custom(_decision_scope, lambda actor, d: can_decide(actor, d.line)))
