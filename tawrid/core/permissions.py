"""Who may see and change what: one place, used by pages, the API, exports and the admin site.

The rules:
- a person acts through their memberships: administrators and members of an organisation may change its
  private data, read-only members may only read it;
- the people of a cluster's secretariat (an organisation of kind `cluster`) may read the private data of
  the cluster's member organisations, not change it: only of members whose membership is active and that
  agreed to it (`ClusterMembership.member_consented_at`), never of applicants, proposed, suspended or former
  members;
- authorities (IMANOR, the DMP, the Ministry of Industry) act only on what they govern; each app's policy
  says which decisions those are;
- anonymous visitors see only what is public;
- a superuser reads everything through these same functions (the platform operator), and nothing else
  bypasses them.

Each model that holds private data registers a `Policy` (see `register`). Lists are filtered with
`visible(actor, queryset)`; single objects are fetched with `get_visible_or_404`, which answers 404 for
objects that exist but are not the actor's to see, so that ids cannot be probed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet

from tawrid.core.errors import Forbidden, NotFound

WRITER_ROLES = frozenset({"admin", "member"})


@dataclass(frozen=True)
class Actor:
    """What one person is, for permission checks: built once per request (see `actor_for`)."""

    user_id: int | None = None
    is_superuser: bool = False
    is_staff: bool = False
    roles: dict[int, str] = field(default_factory=dict)  # organisation id → role
    kinds: dict[int, str] = field(default_factory=dict)  # organisation id → organisation kind
    overseen_org_ids: frozenset[int] = frozenset()  # members of the clusters whose secretariat they are in

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None

    @property
    def org_ids(self) -> frozenset[int]:
        return frozenset(self.roles)

    @property
    def readable_org_ids(self) -> frozenset[int]:
        return self.org_ids | self.overseen_org_ids

    @property
    def writable_org_ids(self) -> frozenset[int]:
        return frozenset(org for org, role in self.roles.items() if role in WRITER_ROLES)

    @property
    def admin_org_ids(self) -> frozenset[int]:
        return frozenset(org for org, role in self.roles.items() if role == "admin")

    def org_ids_of_kind(self, *kinds: str, writable: bool = False) -> frozenset[int]:
        pool = self.writable_org_ids if writable else self.org_ids
        return frozenset(org for org in pool if self.kinds.get(org) in kinds)

    def has_kind(self, *kinds: str, writable: bool = False) -> bool:
        return bool(self.org_ids_of_kind(*kinds, writable=writable))

    @property
    def is_secretariat(self) -> bool:
        return self.has_kind("cluster")

    def can_read_org(self, org_id: int | None) -> bool:
        return self.is_superuser or (org_id is not None and org_id in self.readable_org_ids)

    def can_write_org(self, org_id: int | None) -> bool:
        return org_id is not None and org_id in self.writable_org_ids

    def is_admin_of(self, org_id: int | None) -> bool:
        return org_id is not None and org_id in self.admin_org_ids


ANONYMOUS = Actor()


def actor_for(user: Any) -> Actor:
    """The actor of a user (anonymous or not); cached on the user object for the request's life."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, "_tawrid_actor", None)
    if cached is not None:
        return cached
    from tawrid.accounts.models import ClusterMembership, Membership

    roles: dict[int, str] = {}
    kinds: dict[int, str] = {}
    for org_id, role, kind in Membership.objects.filter(user=user).values_list(
        "organisation_id", "role", "organisation__kind"
    ):
        roles[org_id] = role
        kinds[org_id] = kind
    cluster_ids = [org for org, kind in kinds.items() if kind == "cluster"]
    overseen: frozenset[int] = frozenset()
    if cluster_ids:
        # Powers come from data the overseen organisation agreed to: an active membership it consented to.
        overseen = frozenset(
            ClusterMembership.objects.filter(
                cluster_id__in=cluster_ids, status="active", member_consented_at__isnull=False
            ).values_list("member_id", flat=True)
        )
    actor = Actor(
        user_id=user.pk,
        is_superuser=user.is_superuser,
        is_staff=user.is_staff,
        roles=roles,
        kinds=kinds,
        overseen_org_ids=overseen,
    )
    user._tawrid_actor = actor
    return actor


class Policy(Protocol):
    def scope(self, actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]: ...

    def can_change(self, actor: Actor, obj: Any) -> bool: ...


@dataclass(frozen=True)
class OrganisationOwned:
    """Private data owned by one organisation, reached through `org_field` (a lookup path)."""

    org_field: str = "organisation"
    public_filter: dict[str, Any] | None = None  # rows anyone may read (e.g. {"is_public": True})

    def scope(self, actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if actor.is_superuser:
            return queryset
        visible = queryset.filter(**{f"{self.org_field}__in": actor.readable_org_ids})
        if self.public_filter:
            visible = visible | queryset.filter(**self.public_filter)
        return visible.distinct() if self.public_filter else visible

    def can_change(self, actor: Actor, obj: Any) -> bool:
        org_id = _follow(obj, self.org_field)
        return actor.can_write_org(org_id)


@dataclass(frozen=True)
class Public:
    """Reference data anyone may read and only platform staff may change (through the loaders)."""

    def scope(self, actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset

    def can_change(self, actor: Actor, obj: Any) -> bool:
        return actor.is_superuser


@dataclass(frozen=True)
class Custom:
    """A policy given by two functions, for models whose rules do not fit the common shapes."""

    scope_fn: Callable[[Actor, QuerySet[Any]], QuerySet[Any]]
    change_fn: Callable[[Actor, Any], bool]

    def scope(self, actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return self.scope_fn(actor, queryset)

    def can_change(self, actor: Actor, obj: Any) -> bool:
        return self.change_fn(actor, obj)


_POLICIES: dict[type[Model], Policy] = {}


def register(model: type[Model], policy: Policy) -> None:
    _POLICIES[model] = policy


def policy_for(model: type[Model]) -> Policy:
    try:
        return _POLICIES[model]
    except KeyError:
        # A model without a policy is nobody's to read: failing closed makes a forgotten policy visible.
        raise LookupError(f"No permission policy registered for {model.__name__}") from None


def registered_models() -> Iterable[type[Model]]:
    return tuple(_POLICIES)


def visible[M: Model](actor: Actor, queryset: QuerySet[M]) -> QuerySet[M]:
    return policy_for(queryset.model).scope(actor, queryset)


def get_visible_or_404[M: Model](actor: Actor, queryset: QuerySet[M], **lookup: Any) -> M:
    try:
        return visible(actor, queryset).get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def can_change(actor: Actor, obj: Model) -> bool:
    return policy_for(type(obj)).can_change(actor, obj)


def require_change(actor: Actor, obj: Model) -> None:
    if not can_change(actor, obj):
        raise Forbidden()


def _follow(obj: Any, path: str) -> Any:
    """The id at the end of a lookup path such as `plan__organisation` (without loading the last object)."""
    *hops, last = path.split("__")
    for hop in hops:
        obj = getattr(obj, hop, None)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id", None) if hasattr(obj, f"{last}_id") else getattr(obj, last, None)
