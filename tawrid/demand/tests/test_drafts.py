"""A draft given to another buyer, and deleted: only drafts, only by those who make plans for both buyers, never
while a consultation or an order points at it; both recorded in the audit trail."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from tawrid.accounts.models import Membership, Role
from tawrid.core.errors import DomainError, Forbidden
from tawrid.core.permissions import actor_for
from tawrid.demand import drafts
from tawrid.demand.models import PlanLine, PurchasePlan
from tawrid.sourcing.models import Consultation

pytestmark = pytest.mark.django_db


def two_buyers(world):
    """World's buyer also makes the plans of the CHU."""
    Membership.objects.create(user=world.buyer, organisation=world.hospital, role=Role.MEMBER)
    return actor_for(world.buyer)


def consultation_of(plan):
    now = timezone.now()
    return Consultation.objects.create(
        buyer=plan.buyer,
        plan=plan,
        reference=f"C-{plan.pk}",
        title="Aiguilles",
        questions_deadline=now + timedelta(days=5),
        submission_deadline=now + timedelta(days=10),
        opening_at=now + timedelta(days=10, hours=1),
    )


def test_a_draft_goes_to_another_buyer_with_its_lines_and_the_change_is_audited(world):
    actor = two_buyers(world)
    plan = world.plan(lines=2, site=world.site)
    PlanLine.objects.filter(plan=plan).update(delivery_place="Clinique Atlas Rabat", delivery_site=world.site)
    moved = drafts.plan_change_buyer(actor=actor, plan=plan, buyer=world.hospital)
    plan.refresh_from_db()
    assert (moved.pk, plan.buyer_id, plan.site_id, plan.lines.count()) == (plan.pk, world.hospital.pk, None, 2)
    assert not plan.lines.filter(delivery_site__isnull=False).exists()  # the group's site is not the CHU's
    entry = LogEntry.objects.get_for_object(plan).filter(action=LogEntry.Action.UPDATE).latest("timestamp")
    assert "buyer" in entry.changes_dict


def test_the_buyer_is_not_changed_to_one_the_person_does_not_act_for(world):
    plan = world.plan(lines=1)
    with pytest.raises(Forbidden):
        drafts.plan_change_buyer(actor=actor_for(world.buyer), plan=plan, buyer=world.hospital)
    with pytest.raises(Forbidden):  # the CHU's administrator cannot take the group's draft
        drafts.plan_change_buyer(actor=actor_for(world.other_buyer), plan=plan, buyer=world.hospital)
    assert PurchasePlan.objects.get(pk=plan.pk).buyer_id == world.group.pk


def test_published_plans_amendments_and_plans_with_consultations_keep_their_buyer(world):
    actor = two_buyers(world)
    published = world.plan(lines=1, publish=True)
    with pytest.raises(DomainError, match="brouillon"):
        drafts.plan_change_buyer(actor=actor, plan=published, buyer=world.hospital)
    with pytest.raises(DomainError, match="brouillon"):
        drafts.plan_delete(actor=actor, plan=published)
    draft = world.plan(lines=1, year=2027)
    consultation_of(draft)
    with pytest.raises(DomainError) as refused:
        drafts.plan_change_buyer(actor=actor, plan=draft, buyer=world.hospital)
    assert refused.value.code == "plan_has_dependants" and "1" in refused.value.message
    with pytest.raises(DomainError):
        drafts.plan_delete(actor=actor, plan=draft)
    assert PurchasePlan.objects.filter(pk__in=[published.pk, draft.pk], buyer=world.group).count() == 2
    world.plan(lines=0, year=2028, buyer=world.hospital)
    taken = world.plan(lines=0, year=2028)
    with pytest.raises(DomainError) as exists:  # the CHU already has its plan of 2028
        drafts.plan_change_buyer(actor=actor, plan=taken, buyer=world.hospital)
    assert exists.value.code == "plan_exists"


def test_a_draft_is_deleted_with_its_lines_and_the_deletion_is_audited(world):
    actor = actor_for(world.buyer)
    plan = world.plan(lines=3)
    pk = plan.pk
    with pytest.raises(Forbidden):
        drafts.plan_delete(actor=actor_for(world.other_buyer), plan=plan)
    drafts.plan_delete(actor=actor, plan=plan)
    assert not PurchasePlan.objects.filter(pk=pk).exists() and not PlanLine.objects.filter(plan_id=pk).exists()
    assert LogEntry.objects.filter(object_pk=str(pk), action=LogEntry.Action.DELETE).exists()
