"""Who sees which plans and lines (pages, API, exports and the admin site use these same rules).

- the buyer's people (the buyer organisation or the plan's site) see everything of their plans and
  change them (administrators and members);
- the cluster secretariat sees everything of the plans of the organisations it oversees;
- manufacturers and start-ups see the lines of PUBLISHED plans only, without prices, and without the
  buyer's identity unless the buyer chose to disclose it (`can_see_private`, `can_see_buyer`);
- anonymous visitors see nothing.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from tawrid.accounts.models import SUPPLIER_KINDS
from tawrid.core import permissions
from tawrid.core.permissions import Actor

SUPPLIER_KIND_VALUES = tuple(str(kind) for kind in SUPPLIER_KINDS)


def is_supplier(actor: Actor) -> bool:
    return actor.has_kind(*SUPPLIER_KIND_VALUES)


def insider_q(actor: Actor, prefix: str = "") -> Q:
    """The plans (under `prefix`) whose buyer or site the actor belongs to or oversees."""
    orgs = actor.readable_org_ids
    return Q(**{f"{prefix}buyer__in": orgs}) | Q(**{f"{prefix}site__in": orgs})


def plan_scope(actor: Actor, queryset: QuerySet[Any], prefix: str = "") -> QuerySet[Any]:
    if actor.is_superuser:
        return queryset
    if actor.is_anonymous:
        return queryset.none()
    condition = insider_q(actor, prefix)
    if is_supplier(actor):
        condition |= Q(**{f"{prefix}status": "published"})
    return queryset.filter(condition)


def can_see_private(actor: Actor, plan: Any) -> bool:
    """Prices and everything else of the plan: its buyer's people, the secretariat overseeing it, the operator."""
    return actor.is_superuser or actor.can_read_org(plan.buyer_id) or actor.can_read_org(plan.site_id)


def can_see_buyer(actor: Actor, plan: Any) -> bool:
    return bool(plan.disclose_buyer) or can_see_private(actor, plan)


def can_edit_plan(actor: Actor, plan: Any) -> bool:
    return actor.can_write_org(plan.buyer_id)


def can_create_plan_for(actor: Actor, buyer_id: int | None) -> bool:
    from tawrid.accounts.models import BUYER_KINDS

    return actor.can_write_org(buyer_id) and actor.kinds.get(buyer_id or 0) in {str(k) for k in BUYER_KINDS}


def buyer_orgs(actor: Actor) -> frozenset[int]:
    """The buyer organisations this person may make plans for."""
    return actor.org_ids_of_kind("hospital_group", "hospital", writable=True)


def _line_scope(actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return plan_scope(actor, queryset, "plan__")


def _line_change(actor: Actor, line: Any) -> bool:
    return can_edit_plan(actor, line.plan)


def register() -> None:
    from tawrid.demand.models import PlanLine, PurchasePlan

    permissions.register(PurchasePlan, permissions.Custom(plan_scope, can_edit_plan))
    permissions.register(PlanLine, permissions.Custom(_line_scope, _line_change))


def can_see_national_demand(actor: Actor) -> bool:
    """Any person of an organisation (and the operator); anonymous visitors and people without one do not."""
    return actor.is_superuser or bool(actor.org_ids)


def can_see_national_values(actor: Actor) -> bool:
    """Estimated values of national demand: buyers' people, the cluster secretariat and the operator — not the
    manufacturers, start-ups, investors and others, who see quantities and buyer counts only (prices are the
    buyers' negotiating information)."""
    from tawrid.accounts.models import BUYER_KINDS

    return actor.is_superuser or actor.is_secretariat or actor.has_kind(*(str(k) for k in BUYER_KINDS))


def can_refresh_national_demand(actor: Actor) -> bool:
    return actor.is_superuser or actor.is_secretariat
