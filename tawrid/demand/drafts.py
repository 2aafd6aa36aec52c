"""Writes on a draft plan as a whole: giving it to another buyer, and deleting it.

Both are for drafts only (a published plan is public and read-only: it is amended or closed, never moved nor
deleted) and are refused while anything else points at the plan or its lines — a consultation made from it,
or a consultation's or an order's line taken from one of its lines — since moving or deleting the plan
would silently cut those links. The audit trail (django-auditlog, see tawrid.demand.audit) records the
change of buyer and the deletion, with the person who made them.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from tawrid.accounts.models import BUYER_KINDS, Organisation
from tawrid.core.errors import DomainError, Forbidden
from tawrid.core.permissions import Actor
from tawrid.core.text import fold
from tawrid.demand import policies
from tawrid.demand.models import PlanLine, PlanStatus, PurchasePlan


def dependants(plan: PurchasePlan) -> list[str]:
    """What points at the plan or its lines, as sentences for the person (empty when nothing does)."""
    found: list[str] = []
    consultations = plan.consultations.count()
    if consultations:
        found.append(_("Consultations made from this plan: %(count)s.") % {"count": consultations})
    in_consultations = PlanLine.objects.filter(plan=plan, consultation_lines__isnull=False).distinct().count()
    if in_consultations:
        found.append(_("Lines taken into a consultation: %(count)s.") % {"count": in_consultations})
    ordered = PlanLine.objects.filter(plan=plan, order_lines__isnull=False).distinct().count()
    if ordered:
        found.append(_("Lines ordered: %(count)s.") % {"count": ordered})
    return found


def _require_movable(actor: Actor, plan: PurchasePlan, refusal: str) -> PurchasePlan:
    if not policies.can_edit_plan(actor, plan):
        raise Forbidden()
    plan = PurchasePlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.DRAFT:
        raise DomainError(
            _("This plan is %(status)s: only a draft can be deleted or given to another buyer.")
            % {"status": plan.get_status_display().lower()},
            code="plan_not_draft",
        )
    found = dependants(plan)
    if found:
        raise DomainError(f"{refusal} {' '.join(found)}", code="plan_has_dependants")
    return plan


@transaction.atomic
def plan_change_buyer(*, actor: Actor, plan: PurchasePlan, buyer: Organisation) -> PurchasePlan:
    """Give a draft to another buyer the person makes plans for. The plan then covers the whole new buyer (the
    site of the former buyer is not one of its sites); places of delivery are read again against its sites."""
    from tawrid.demand.services import site_index

    if buyer.kind not in {str(k) for k in BUYER_KINDS}:
        raise DomainError(_("Only a hospital group or a hospital makes purchase plans."), code="not_a_buyer")
    if not policies.can_create_plan_for(actor, buyer.pk):
        raise Forbidden(_("You do not make purchase plans for %(buyer)s.") % {"buyer": buyer.name})
    plan = _require_movable(actor, plan, _("The buyer of this draft cannot be changed:"))
    if plan.buyer_id == buyer.pk:
        return plan
    if plan.previous_version_id:
        raise DomainError(
            _(
                "This draft amends a published plan: it keeps that plan's buyer. Delete the draft, then create a "
                "plan for the other buyer."
            ),
            code="amendment_keeps_buyer",
        )
    if PurchasePlan.objects.filter(buyer=buyer, year=plan.year, site__isnull=True).exists():
        raise DomainError(
            _("%(buyer)s already has a plan of %(year)s: open it (or amend it) instead.")
            % {"buyer": buyer.name, "year": plan.year},
            code="plan_exists",
        )
    plan.buyer, plan.site = buyer, None
    plan.save(update_fields=["buyer", "site", "updated_at"])
    sites = site_index(plan)
    lines = list(plan.lines.all())
    for line in lines:
        line.delivery_site = sites.get(fold(line.delivery_place)) if line.delivery_place else None
    PlanLine.objects.bulk_update(lines, ["delivery_site"], batch_size=1000)
    return plan


@transaction.atomic
def plan_delete(*, actor: Actor, plan: PurchasePlan) -> None:
    """Delete a draft and its lines (and the matching results computed for them)."""
    plan = _require_movable(actor, plan, _("This draft cannot be deleted:"))
    plan.delete()
