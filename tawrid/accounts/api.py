"""API of the accounts app (/api/v1/accounts/): the caller, organisations and their people, invitations,
cluster memberships, the audit trail and personal tokens. Same permissions and forms as the pages."""

from datetime import date, datetime
from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from tawrid.accounts import policies, selectors, services
from tawrid.accounts.api_auth import OptionalAuth
from tawrid.accounts.forms import (
    AUDIT_OBJECT_TYPES,
    MAX_TOKEN_DAYS,
    ApiTokenForm,
    AuditFilterForm,
    ClusterMembershipForm,
    InvitationForm,
    MembershipRoleForm,
    OrganisationForm,
    validated,
)
from tawrid.accounts.models import ClusterMembershipStatus, OrganisationKind, Role, User
from tawrid.core.api_schemas import FILLED_TEXT, Day, Id, Limit500, Offset
from tawrid.core.errors import Forbidden
from tawrid.core.permissions import actor_for

router = Router(tags=["accounts"])


# Schemas -------------------------------------------------------------------------------------------------------


class MembershipOut(Schema):
    organisation_id: int
    organisation_name: str
    organisation_kind: str
    role: str


class MeOut(Schema):
    id: int
    email: str
    full_name: str
    memberships: list[MembershipOut]


class OrganisationOut(Schema):
    id: int
    name: str
    slug: str
    kind: OrganisationKind
    city: str
    region: str
    country: str
    description: str
    website: str
    is_public: bool


class PersonOut(Schema):
    membership_id: int
    user_id: int
    full_name: str
    email: str
    role: Role
    job_title: str


class OrganisationDetailOut(OrganisationOut):
    legal_id: str | None = Field(None, description="Only for those who may read the organisation's private data.")
    people: list[PersonOut] | None = Field(
        None, description="Only for the organisation's people and its cluster's secretariat; null otherwise."
    )


class OrganisationPatch(Schema):
    # An unknown field (`parent_id`, `is_demo`…) is refused (422), never silently dropped.
    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    kind: OrganisationKind | None = Field(
        None, description="Platform operator only (…/powers): may be sent back unchanged, a change is refused (403)."
    )
    legal_id: str | None = None
    city: str | None = None
    region: str | None = None
    country: str | None = Field(
        None, description="Platform operator only (…/powers): may be sent back unchanged, a change is refused (403)."
    )
    website: str | None = None
    description: str | None = None
    is_public: bool | None = None


class OrganisationPowersIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(..., description="Why: kept in the audit trail with the change.")
    kind: OrganisationKind | None = None
    country: str | None = Field(None, description="ISO 3166 code, e.g. MA.")
    parent_id: Id | None = Field(None, description="The parent organisation; null for none, left out to keep it.")
    is_demo: bool | None = None


class RoleIn(Schema):
    role: str


class InvitationIn(Schema):
    email: str = Field(..., json_schema_extra={"format": "email"})
    role: Role = Role.MEMBER


class InvitationOut(Schema):
    id: int
    organisation_id: int
    email: str
    role: Role
    status: str
    expires_at: datetime
    created_at: datetime


class TokenIn(Schema):
    name: str = Field(
        ...,
        description="What the token is for (not blank).",
        json_schema_extra={"maxLength": 100, "pattern": FILLED_TEXT},
    )
    # Bounds documented, checked by ApiTokenForm (which reports the errors of both fields together).
    days: int | None = Field(
        None,
        description=f"Lifetime in days (default {settings.API_TOKEN_DEFAULT_DAYS}).",
        json_schema_extra={"minimum": 1, "maximum": MAX_TOKEN_DAYS},
    )


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    secret: str = Field(..., description="The token itself: shown in this answer only, never again.")


class ClusterMembershipOut(Schema):
    id: int
    cluster_id: int
    cluster_name: str = Field(..., alias="cluster.name")
    member_id: int
    member_name: str = Field(..., alias="member.name")
    member_kind: str = Field(..., alias="member.kind")
    status: ClusterMembershipStatus
    joined_on: date | None
    left_on: date | None
    notes: str
    member_consented_at: datetime | None = Field(
        None, description="When the member organisation agreed (applied or accepted); empty: not agreed."
    )


class ClusterMembershipIn(Schema):
    cluster_id: Id
    member_id: Id
    status: str = ClusterMembershipStatus.PROPOSED
    joined_on: Day | None = None
    left_on: Day | None = None
    notes: str = ""


class ClusterApplicationIn(Schema):
    cluster_id: Id
    notes: str = ""


class ClusterMembershipPatch(Schema):
    status: str | None = None
    joined_on: Day | None = None
    left_on: Day | None = None
    notes: str | None = None


class AuditChangeOut(Schema):
    field: str
    before: Any
    after: Any


class AuditEntryOut(Schema):
    id: int
    timestamp: datetime
    actor_id: int | None
    actor_name: str | None
    object_type: str
    object_id: str
    object_repr: str
    action: str
    organisation_id: int | None
    changes: list[AuditChangeOut]


def _me(request: HttpRequest) -> User:
    """The caller (authenticated endpoints only)."""
    assert isinstance(request.user, User)
    return request.user


def _person(membership: Any) -> dict[str, Any]:
    return {
        "membership_id": membership.pk,
        "user_id": membership.user_id,
        "full_name": membership.user.full_name,
        "email": membership.user.email,
        "role": membership.role,
        "job_title": membership.job_title,
    }


def _organisation_detail(request: HttpRequest, organisation: Any) -> dict[str, Any]:
    actor = actor_for(request.user)
    data = {field: getattr(organisation, field) for field in OrganisationOut.model_fields}
    data["id"] = organisation.pk
    if policies.can_read_private(actor, organisation.pk):
        data["legal_id"] = organisation.legal_id
        data["people"] = [_person(m) for m in selectors.membership_list(actor=actor, organisation=organisation)]
    return data


# The caller ----------------------------------------------------------------------------------------------------


@router.get("/me", response=MeOut, summary="The person the token or session belongs to")
def me(request: HttpRequest) -> dict:
    user = _me(request)
    actor = actor_for(user)
    return {
        "id": user.pk,
        "email": user.email,
        "full_name": user.full_name,
        "memberships": [
            {
                "organisation_id": m.organisation_id,
                "organisation_name": m.organisation.name,
                "organisation_kind": m.organisation.kind,
                "role": m.role,
            }
            for m in selectors.my_memberships(actor=actor, user=user)
        ],
    }


# Organisations ---------------------------------------------------------------------------------------------------


@router.get("/organisations", response=list[OrganisationOut], auth=OptionalAuth(), summary="Organisations I can see")
def list_organisations(
    request: HttpRequest,
    kind: OrganisationKind | None = None,
    q: str | None = None,
    limit: Limit500 = 100,
    offset: Offset = 0,
) -> list:
    """The public directory and my own organisations. `q` matches name, city and description, ignoring
    accents and case."""
    organisations = selectors.organisation_list(actor=actor_for(request.user), kind=kind, q=q)
    offset = max(0, offset)
    return list(organisations[offset : offset + max(1, min(limit, 500))])


@router.get(
    "/organisations/{organisation_id}", response=OrganisationDetailOut, auth=OptionalAuth(), summary="One organisation"
)
def get_organisation(request: HttpRequest, organisation_id: Id) -> dict:
    organisation = selectors.organisation_get(actor=actor_for(request.user), organisation_id=organisation_id)
    return _organisation_detail(request, organisation)


@router.patch("/organisations/{organisation_id}", response=OrganisationDetailOut, summary="Change an organisation")
def patch_organisation(request: HttpRequest, organisation_id: Id, payload: OrganisationPatch) -> dict:
    actor = actor_for(request.user)
    organisation = selectors.organisation_get_private(actor=actor, organisation_id=organisation_id)
    if not policies.can_administer(actor, organisation.pk):
        raise Forbidden()
    changes = payload.dict(exclude_unset=True)
    # Operator-only fields are not in the form: the service accepts them unchanged and refuses a change.
    powers = {k: changes.pop(k) for k in ("kind", "country") if changes.get(k) is not None}
    form = OrganisationForm(
        data={
            **{field: getattr(organisation, field) for field in OrganisationForm.Meta.fields},
            **{k: v for k, v in changes.items() if v is not None},
        },
        instance=organisation,
    )
    data = validated(form)
    organisation = services.organisation_update(
        actor=actor, organisation=organisation, **{k: data[k] for k in changes if k in data}, **powers
    )
    return _organisation_detail(request, organisation)


@router.post(
    "/organisations/{organisation_id}/powers",
    response=OrganisationDetailOut,
    summary="Change an organisation's kind, country, parent or demo flag (platform operator)",
)
def set_organisation_powers(request: HttpRequest, organisation_id: Id, payload: OrganisationPowersIn) -> dict:
    """What an organisation is decides what its people may do, so only the platform operator changes it, with a
    reason kept in the audit trail. Fields left out are kept."""
    actor = actor_for(request.user)
    organisation = selectors.organisation_get_private(actor=actor, organisation_id=organisation_id)
    if not policies.can_set_powers(actor):
        raise Forbidden(policies.operator_only_message())
    given = payload.dict(exclude_unset=True)
    parent: Any = services.KEEP
    if "parent_id" in given:
        parent_id = given["parent_id"]
        parent = None if parent_id is None else selectors.organisation_get(actor=actor, organisation_id=parent_id)
    organisation = services.organisation_set_powers(
        actor=actor,
        organisation=organisation,
        reason=payload.reason,
        kind=payload.kind,
        country=payload.country,
        parent=parent,
        is_demo=payload.is_demo,
    )
    return _organisation_detail(request, organisation)


# People of an organisation -----------------------------------------------------------------------------------------


@router.get(
    "/organisations/{organisation_id}/memberships", response=list[PersonOut], summary="The organisation's people"
)
def list_memberships(request: HttpRequest, organisation_id: Id) -> list:
    actor = actor_for(request.user)
    organisation = selectors.organisation_get_private(actor=actor, organisation_id=organisation_id)
    return [_person(m) for m in selectors.membership_list(actor=actor, organisation=organisation)]


@router.patch(
    "/organisations/{organisation_id}/memberships/{membership_id}",
    response=PersonOut,
    summary="Change a person's role (administrators)",
)
def patch_membership(request: HttpRequest, organisation_id: Id, membership_id: Id, payload: RoleIn) -> dict:
    actor = actor_for(request.user)
    membership = selectors.membership_get(actor=actor, membership_id=membership_id, organisation_id=organisation_id)
    role = validated(MembershipRoleForm(data=payload.dict()))["role"]
    return _person(services.membership_change_role(actor=actor, membership=membership, role=role))


@router.delete(
    "/organisations/{organisation_id}/memberships/{membership_id}",
    response={204: None},
    summary="Remove a person from the organisation (administrators)",
)
def delete_membership(request: HttpRequest, organisation_id: Id, membership_id: Id) -> Status[None]:
    actor = actor_for(request.user)
    membership = selectors.membership_get(actor=actor, membership_id=membership_id, organisation_id=organisation_id)
    services.membership_remove(actor=actor, membership=membership)
    return Status(204, None)


# Invitations -----------------------------------------------------------------------------------------------------


@router.get(
    "/organisations/{organisation_id}/invitations",
    response=list[InvitationOut],
    summary="Pending invitations of an organisation",
)
def list_invitations(request: HttpRequest, organisation_id: Id) -> list:
    actor = actor_for(request.user)
    organisation = selectors.organisation_get_private(actor=actor, organisation_id=organisation_id)
    return list(selectors.invitation_list(actor=actor, organisation=organisation))


@router.post(
    "/organisations/{organisation_id}/invitations",
    response={201: InvitationOut},
    summary="Invite someone by e-mail (administrators)",
)
def create_invitation(request: HttpRequest, organisation_id: Id, payload: InvitationIn) -> Status[Any]:
    actor = actor_for(request.user)
    organisation = selectors.organisation_get_private(actor=actor, organisation_id=organisation_id)
    data = validated(InvitationForm(data=payload.dict()))
    invitation = services.invitation_create(
        actor=actor, organisation=organisation, site_url=f"{request.scheme}://{request.get_host()}", **data
    )
    return Status(201, invitation)


@router.delete(
    "/organisations/{organisation_id}/invitations/{invitation_id}",
    response=InvitationOut,
    summary="Revoke a pending invitation (administrators)",
)
def revoke_invitation(request: HttpRequest, organisation_id: Id, invitation_id: Id) -> Any:
    actor = actor_for(request.user)
    invitation = selectors.invitation_get(actor=actor, invitation_id=invitation_id, organisation_id=organisation_id)
    return services.invitation_revoke(actor=actor, invitation=invitation)


# Cluster membership ------------------------------------------------------------------------------------------------


@router.get("/cluster-memberships", response=list[ClusterMembershipOut], summary="Cluster memberships I can see")
def list_cluster_memberships(
    request: HttpRequest,
    cluster_id: Id | None = None,
    status: ClusterMembershipStatus | None = None,
    kind: OrganisationKind | None = None,
    q: str | None = None,
) -> list:
    """Memberships of my organisations in clusters and, for a secretariat, its cluster's members."""
    actor = actor_for(request.user)
    cluster = selectors.organisation_get(actor=actor, organisation_id=cluster_id) if cluster_id is not None else None
    return list(selectors.cluster_membership_list(actor=actor, cluster=cluster, status=status, kind=kind, q=q))


@router.post(
    "/cluster-memberships",
    response={201: ClusterMembershipOut},
    summary="Add a member to a cluster, or change its status and dates (secretariat)",
)
def set_cluster_membership(request: HttpRequest, payload: ClusterMembershipIn) -> Status[Any]:
    actor = actor_for(request.user)
    cluster = selectors.organisation_get(actor=actor, organisation_id=payload.cluster_id)
    members = selectors.cluster_candidates(actor=actor, cluster=cluster)
    form = ClusterMembershipForm(
        data={**payload.dict(exclude={"cluster_id", "member_id"}), "member": payload.member_id}, members=members
    )
    data = validated(form)
    return Status(201, services.cluster_membership_set(actor=actor, cluster=cluster, **data))


@router.patch(
    "/cluster-memberships/{cluster_membership_id}",
    response=ClusterMembershipOut,
    summary="Change a cluster membership's status and dates (secretariat)",
)
def patch_cluster_membership(request: HttpRequest, cluster_membership_id: Id, payload: ClusterMembershipPatch) -> Any:
    actor = actor_for(request.user)
    membership = selectors.cluster_membership_get(actor=actor, cluster_membership_id=cluster_membership_id)
    if not (actor.is_superuser or actor.can_write_org(membership.cluster_id)):
        raise Forbidden()
    current = {
        "member": membership.member_id,
        "status": membership.status,
        "joined_on": membership.joined_on,
        "left_on": membership.left_on,
        "notes": membership.notes,
    }
    changes = payload.dict(exclude_unset=True)
    members = selectors.cluster_candidates(actor=actor, cluster=membership.cluster).filter(pk=membership.member_id)
    data = validated(ClusterMembershipForm(data={**current, **changes}, members=members))
    if data["status"] != ClusterMembershipStatus.LEFT and "left_on" not in changes:
        data["left_on"] = None
    return services.cluster_membership_set(actor=actor, cluster=membership.cluster, **data)


@router.post(
    "/cluster-memberships/{cluster_membership_id}/accept",
    response=ClusterMembershipOut,
    summary="Accept a cluster's proposal of membership (the member's administrators)",
)
def accept_cluster_membership(request: HttpRequest, cluster_membership_id: Id) -> Any:
    """The member organisation agrees: the membership is active, and the secretariat oversees it."""
    actor = actor_for(request.user)
    membership = selectors.cluster_membership_get(actor=actor, cluster_membership_id=cluster_membership_id)
    return services.cluster_membership_accept(actor=actor, membership=membership)


@router.post(
    "/cluster-memberships/{cluster_membership_id}/decline",
    response={204: None},
    summary="Decline a cluster's proposal of membership (the member's administrators)",
)
def decline_cluster_membership(request: HttpRequest, cluster_membership_id: Id) -> Status[None]:
    actor = actor_for(request.user)
    membership = selectors.cluster_membership_get(actor=actor, cluster_membership_id=cluster_membership_id)
    services.cluster_membership_decline(actor=actor, membership=membership)
    return Status(204, None)


@router.post(
    "/organisations/{organisation_id}/cluster-applications",
    response={201: ClusterMembershipOut},
    summary="Apply to a cluster (the organisation's administrators)",
)
def apply_to_cluster(request: HttpRequest, organisation_id: Id, payload: ClusterApplicationIn) -> Status[Any]:
    """The organisation asks to join the cluster; its secretariat then activates the membership."""
    actor = actor_for(request.user)
    member = selectors.organisation_get(actor=actor, organisation_id=organisation_id)
    cluster = selectors.organisation_get(actor=actor, organisation_id=payload.cluster_id)
    membership = services.cluster_membership_apply(actor=actor, member=member, cluster=cluster, notes=payload.notes)
    return Status(201, membership)


# Audit trail ----------------------------------------------------------------------------------------------------------


_ACTIONS = {0: "create", 1: "update", 2: "delete", 3: "access"}
# The audited models, as AuditFilterForm's choices.
AuditObjectType = Literal[tuple(key for key, _label in AUDIT_OBJECT_TYPES)]  # type: ignore[valid-type]


@router.get("/audit", response=list[AuditEntryOut], summary="Audit trail of the organisations I administer or oversee")
def list_audit(
    request: HttpRequest,
    object_type: AuditObjectType | None = None,  # type: ignore[valid-type]  # a Literal built from the choices
    date_from: Day | None = None,
    date_to: Day | None = None,
    organisation_id: Id | None = None,
    limit: Limit500 = 100,
) -> list:
    actor = actor_for(request.user)
    data = validated(
        AuditFilterForm(data={"object_type": object_type or "", "date_from": date_from, "date_to": date_to})
    )
    entries = selectors.audit_entries(
        actor=actor,
        object_type=data["object_type"] or None,
        date_from=data["date_from"],
        date_to=data["date_to"],
        organisation_id=organisation_id,
    )[: max(1, min(limit, 500))]
    return [
        {
            "id": entry.pk,
            "timestamp": entry.timestamp,
            "actor_id": entry.actor_id,
            "actor_name": str(entry.actor) if entry.actor else None,
            "object_type": selectors.audit_object_type(entry),
            "object_id": entry.object_pk,
            "object_repr": entry.object_repr,
            "action": _ACTIONS.get(entry.action, str(entry.action)),
            "organisation_id": (entry.additional_data or {}).get("organisation_id"),
            "changes": [
                {"field": field, "before": values[0], "after": values[1]}
                for field, values in (entry.changes_dict or {}).items()
                if isinstance(values, list) and len(values) == 2
            ],
        }
        for entry in entries
    ]


# Personal tokens ----------------------------------------------------------------------------------------------


@router.get("/tokens", response=list[TokenOut], summary="My API tokens (never their secrets)")
def list_tokens(request: HttpRequest) -> list:
    return list(selectors.api_token_list(actor=actor_for(request.user), user=_me(request)))


@router.post("/tokens", response={201: TokenCreatedOut}, summary="Create an API token; its secret is shown once")
def create_token(request: HttpRequest, payload: TokenIn) -> Status[dict]:
    data = validated(ApiTokenForm(data=payload.dict()))
    token, secret = services.api_token_create(
        actor=actor_for(request.user), user=_me(request), name=data["name"], days=data["days"]
    )
    return Status(201, {**{field: getattr(token, field) for field in TokenOut.model_fields}, "secret": secret})


@router.delete("/tokens/{token_id}", response=TokenOut, summary="Revoke one of my API tokens")
def revoke_token(request: HttpRequest, token_id: Id) -> Any:
    actor = actor_for(request.user)
    token = selectors.api_token_get(actor=actor, user=_me(request), token_id=token_id)
    return services.api_token_revoke(actor=actor, token=token)
