"""Who may see and change people, organisations, memberships, invitations, tokens and the audit trail.

- Organisations: the public directory fields of listed (`is_public`) organisations are anyone's to read;
  everything private about an organisation (its people, memberships, invitations, audit trail) is read by
  its own people and by the secretariat of a cluster it belongs to (`Actor.overseen_org_ids`). Only its
  administrators change it.
- Memberships and invitations: read like the organisation's private data, changed by its administrators.
- Cluster memberships: read by the member organisation's people and by the cluster's people, changed by
  the cluster's administrators and members (the secretariat). The member's consent is its own: only its
  administrators apply to a cluster or accept or decline a proposal (`can_consent_for`), and the
  secretariat activates only a membership the member consented to.
- API tokens: their owner only.
- Audit trail entries: the administrators of the organisation they are filed under, and the secretariat
  of the clusters that organisation belongs to. Nobody changes them.
- The superuser (platform operator) reads and changes all of it.
- Operator-only fields (`OPERATOR_ONLY_FIELDS`): what an organisation *is* — its kind, its country, its parent
  organisation, its demo flag — decides what its people may do (an authority's decisions, a secretariat's
  oversight, a buyer's view of prices, the national preference, a group's sites). Its own administrators
  must not set it, or anyone could make themselves the DMP: only the operator changes it, with a reason,
  through `services.organisation_set_powers`. A secretariat creating an organisation may not give it an
  operator-only kind (an authority or a cluster), nor enrol one in its cluster.

`private_org_ids` is the set of organisations whose private data an actor may read: pages and the API use
it to decide whether an organisation is shown with its people or by its public fields only.
"""

from typing import Any

from auditlog.models import LogEntry
from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from tawrid.accounts.models import (
    AUTHORITY_KINDS,
    ApiToken,
    ClusterMembership,
    Invitation,
    Membership,
    Organisation,
    OrganisationKind,
    User,
)
from tawrid.core import permissions
from tawrid.core.permissions import Actor

# Organisation fields that grant powers: read by the policies, set by the platform operator only.
OPERATOR_ONLY_FIELDS = ("kind", "country", "parent", "is_demo")
# Kinds that carry an authority's or a secretariat's powers: only the operator gives them.
OPERATOR_ONLY_KINDS = frozenset(AUTHORITY_KINDS | {OrganisationKind.CLUSTER})


def can_set_powers(actor: Actor) -> bool:
    return actor.is_superuser


def operator_only_message() -> str:
    return gettext(
        "Only the platform operator can change an organisation's kind, country, parent organisation or demo flag."
    )


def can_read_private(actor: Actor, organisation_id: int | None) -> bool:
    return actor.can_read_org(organisation_id)


def can_administer(actor: Actor, organisation_id: int | None) -> bool:
    return actor.is_superuser or actor.is_admin_of(organisation_id)


def can_consent_for(actor: Actor, member_id: int | None) -> bool:
    """Whether the actor may agree, for organisation `member_id`, to its cluster's oversight (or refuse it)."""
    return actor.is_superuser or actor.is_admin_of(member_id)


def cluster_ids_of(actor: Actor, *, writable: bool = False) -> frozenset[int]:
    """The clusters whose secretariat the actor is in."""
    return actor.org_ids_of_kind("cluster", writable=writable)


def audit_org_ids(actor: Actor) -> frozenset[int]:
    """Organisations whose audit trail the actor may browse (the superuser: see `audit_scope`)."""
    return actor.admin_org_ids | actor.overseen_org_ids


# Organisations -----------------------------------------------------------------------------------------


def _organisation_scope(actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
    if actor.is_superuser:
        return queryset
    return queryset.filter(Q(is_public=True) | Q(pk__in=actor.readable_org_ids))


def _organisation_change(actor: Actor, organisation: Any) -> bool:
    return can_administer(actor, organisation.pk)


# Memberships and invitations ------------------------------------------------------------------------------


def _org_private_scope(actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
    if actor.is_superuser:
        return queryset
    return queryset.filter(organisation_id__in=actor.readable_org_ids)


def _org_admin_change(actor: Actor, obj: Any) -> bool:
    return can_administer(actor, obj.organisation_id)


# Cluster memberships ----------------------------------------------------------------------------------------


def _cluster_membership_scope(actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
    if actor.is_superuser:
        return queryset
    return queryset.filter(Q(member_id__in=actor.org_ids) | Q(cluster_id__in=actor.org_ids))


def _cluster_membership_change(actor: Actor, cluster_membership: Any) -> bool:
    return actor.is_superuser or actor.can_write_org(cluster_membership.cluster_id)


# People and tokens --------------------------------------------------------------------------------------------


def _user_scope(actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
    if actor.is_superuser:
        return queryset
    if actor.is_anonymous:
        return queryset.none()
    people = Membership.objects.filter(organisation_id__in=actor.readable_org_ids).values("user_id")
    return queryset.filter(Q(pk=actor.user_id) | Q(pk__in=people))


def can_change_user(actor: Actor, user: Any) -> bool:
    return actor.is_superuser or (actor.user_id is not None and user.pk == actor.user_id)


def _token_scope(actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
    if actor.is_superuser:
        return queryset
    if actor.is_anonymous:
        return queryset.none()
    return queryset.filter(user_id=actor.user_id)


def _token_change(actor: Actor, token: Any) -> bool:
    return actor.is_superuser or (actor.user_id is not None and token.user_id == actor.user_id)


# Audit trail --------------------------------------------------------------------------------------------------


def audit_scope(actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
    if actor.is_superuser:
        return queryset
    org_ids = sorted(audit_org_ids(actor))
    clusters = sorted(cluster_ids_of(actor))
    if not org_ids and not clusters:
        return queryset.none()
    condition = Q(additional_data__organisation_id__in=org_ids) if org_ids else Q(pk__in=[])
    if clusters:
        condition |= Q(additional_data__cluster_id__in=clusters)
    return queryset.filter(condition)


def _audit_change(actor: Actor, entry: Any) -> bool:
    return False  # the trail is append-only


def register() -> None:
    permissions.register(Organisation, permissions.Custom(_organisation_scope, _organisation_change))
    permissions.register(Membership, permissions.Custom(_org_private_scope, _org_admin_change))
    permissions.register(Invitation, permissions.Custom(_org_private_scope, _org_admin_change))
    permissions.register(ClusterMembership, permissions.Custom(_cluster_membership_scope, _cluster_membership_change))
    permissions.register(User, permissions.Custom(_user_scope, can_change_user))
    permissions.register(ApiToken, permissions.Custom(_token_scope, _token_change))
    permissions.register(LogEntry, permissions.Custom(audit_scope, _audit_change))
