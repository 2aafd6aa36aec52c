"""Reads of the accounts app, always scoped by the permission policies (tawrid.accounts.policies)."""

from datetime import date, datetime, time
from typing import Any

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.utils import timezone

from tawrid.accounts.models import (
    ApiToken,
    ClusterMembership,
    Invitation,
    InvitationStatus,
    Membership,
    Organisation,
    OrganisationKind,
    User,
)
from tawrid.accounts.policies import OPERATOR_ONLY_KINDS, can_read_private, can_set_powers
from tawrid.core import permissions
from tawrid.core.errors import NotFound
from tawrid.core.permissions import Actor
from tawrid.core.text import search_terms

AUDITED_MODELS = {
    "organisation": Organisation,
    "membership": Membership,
    "invitation": Invitation,
    "clustermembership": ClusterMembership,
}


# Organisations --------------------------------------------------------------------------------------------


def organisation_list(*, actor: Actor, kind: str | None = None, q: str | None = None) -> QuerySet[Organisation]:
    """Organisations the actor may see (the public directory and their own), by kind and search words."""
    organisations = permissions.visible(actor, Organisation.objects.all())
    if kind:
        organisations = organisations.filter(kind=kind)
    for term in search_terms(q):
        organisations = organisations.filter(search_text__contains=term)
    return organisations.order_by("name")


def my_memberships(*, actor: Actor, user: User) -> QuerySet[Membership]:
    """The actor's own memberships, with their organisations."""
    return (
        permissions.visible(actor, Membership.objects.filter(user=user))
        .select_related("organisation")
        .order_by("organisation__name")
    )


def organisation_get(*, actor: Actor, organisation_id: Any) -> Organisation:
    return permissions.get_visible_or_404(actor, Organisation.objects.all(), pk=organisation_id)


def organisation_get_private(*, actor: Actor, organisation_id: Any) -> Organisation:
    """An organisation whose private data (people, invitations, audit) the actor may read, or 404."""
    organisation = organisation_get(actor=actor, organisation_id=organisation_id)
    if not can_read_private(actor, organisation.pk):
        raise NotFound()
    return organisation


def clusters_of(*, actor: Actor, writable: bool = False) -> QuerySet[Organisation]:
    """Clusters whose secretariat the actor is in (the superuser: every cluster)."""
    clusters = Organisation.objects.filter(kind=OrganisationKind.CLUSTER)
    if actor.is_superuser:
        return clusters.order_by("name")
    ids = actor.org_ids_of_kind(OrganisationKind.CLUSTER, writable=writable)
    return clusters.filter(pk__in=ids).order_by("name")


# People and invitations ---------------------------------------------------------------------------------------


def membership_list(*, actor: Actor, organisation: Organisation) -> QuerySet[Membership]:
    return (
        permissions.visible(actor, Membership.objects.filter(organisation=organisation))
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


def membership_get(*, actor: Actor, membership_id: Any, organisation_id: Any = None) -> Membership:
    lookup: dict[str, Any] = {"pk": membership_id}
    if organisation_id is not None:
        lookup["organisation_id"] = organisation_id
    return permissions.get_visible_or_404(actor, Membership.objects.select_related("user", "organisation"), **lookup)


def invitation_list(*, actor: Actor, organisation: Organisation, pending_only: bool = True) -> QuerySet[Invitation]:
    invitations = permissions.visible(actor, Invitation.objects.filter(organisation=organisation))
    if pending_only:
        invitations = invitations.filter(status=InvitationStatus.PENDING)
    return invitations.select_related("invited_by").order_by("-created_at")


def invitation_get(*, actor: Actor, invitation_id: Any, organisation_id: Any = None) -> Invitation:
    lookup: dict[str, Any] = {"pk": invitation_id}
    if organisation_id is not None:
        lookup["organisation_id"] = organisation_id
    return permissions.get_visible_or_404(actor, Invitation.objects.select_related("organisation"), **lookup)


# Cluster membership ---------------------------------------------------------------------------------------------


def cluster_membership_list(
    *,
    actor: Actor,
    cluster: Organisation | None = None,
    status: str | None = None,
    kind: str | None = None,
    q: str | None = None,
) -> QuerySet[ClusterMembership]:
    memberships = permissions.visible(actor, ClusterMembership.objects.all())
    if cluster is not None:
        memberships = memberships.filter(cluster=cluster)
    if status:
        memberships = memberships.filter(status=status)
    if kind:
        memberships = memberships.filter(member__kind=kind)
    for term in search_terms(q):
        memberships = memberships.filter(member__search_text__contains=term)
    return memberships.select_related("cluster", "member").order_by("cluster__name", "member__name")


def cluster_membership_get(*, actor: Actor, cluster_membership_id: Any) -> ClusterMembership:
    return permissions.get_visible_or_404(
        actor, ClusterMembership.objects.select_related("cluster", "member"), pk=cluster_membership_id
    )


def cluster_candidates(*, actor: Actor, cluster: Organisation) -> QuerySet[Organisation]:
    """Organisations the secretariat may add to its cluster: those it can see, other than the cluster, and
    never an authority nor a cluster (enrolling one would give the secretariat its private data)."""
    candidates = organisation_list(actor=actor).exclude(pk=cluster.pk)
    if not can_set_powers(actor):
        candidates = candidates.exclude(kind__in=OPERATOR_ONLY_KINDS)
    return candidates


# Tokens ---------------------------------------------------------------------------------------------------------


def api_token_list(*, actor: Actor, user: User) -> QuerySet[ApiToken]:
    return permissions.visible(actor, ApiToken.objects.filter(user=user)).order_by("-created_at")


def api_token_get(*, actor: Actor, user: User, token_id: Any) -> ApiToken:
    """One of `user`'s own tokens (pages and the API only ever handle the caller's own tokens)."""
    return permissions.get_visible_or_404(actor, ApiToken.objects.filter(user_id=user.pk), pk=token_id)


# Audit trail ----------------------------------------------------------------------------------------------------


def audit_entries(
    *,
    actor: Actor,
    object_type: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    organisation_id: int | None = None,
) -> QuerySet[LogEntry]:
    """Changes to organisations, memberships, invitations and cluster memberships the actor may browse."""
    content_types = ContentType.objects.get_for_models(*AUDITED_MODELS.values())
    type_ids = [content_types[model].pk for model in AUDITED_MODELS.values()]
    if object_type:
        model = AUDITED_MODELS.get(object_type)
        type_ids = [content_types[model].pk] if model else []
    entries = permissions.visible(actor, LogEntry.objects.filter(content_type_id__in=type_ids))
    if organisation_id is not None:
        entries = entries.filter(
            Q(additional_data__organisation_id=organisation_id) | Q(additional_data__cluster_id=organisation_id)
        )
    zone = timezone.get_current_timezone()
    if date_from:
        entries = entries.filter(timestamp__gte=timezone.make_aware(datetime.combine(date_from, time.min), zone))
    if date_to:
        entries = entries.filter(timestamp__lte=timezone.make_aware(datetime.combine(date_to, time.max), zone))
    return entries.select_related("actor", "content_type").order_by("-timestamp", "-pk")


def audit_object_type(entry: LogEntry) -> str:
    for key, model in AUDITED_MODELS.items():
        if entry.content_type.model == model._meta.model_name:
            return key
    return ""
