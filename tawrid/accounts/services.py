"""Every write of the accounts app: organisations, people and roles, invitations, cluster membership,
profiles and personal API tokens.

Each service takes the acting person's `actor` (see tawrid.core.permissions), checks what it may do,
runs in one transaction and raises `DomainError` with a message for the user when it refuses. The audit
trail (django-auditlog) records each change with the actor of the request or of `set_actor`.
"""

from datetime import date, timedelta
from typing import Any, Final

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from tawrid.accounts import policies, tokens
from tawrid.accounts.models import (
    ApiToken,
    ClusterMembership,
    ClusterMembershipStatus,
    Invitation,
    InvitationStatus,
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from tawrid.accounts.policies import can_administer, can_change_user
from tawrid.core import permissions, validators
from tawrid.core.errors import DomainError, Forbidden
from tawrid.core.mail import mail_queue
from tawrid.core.permissions import Actor
from tawrid.core.text import fold

INVITATION_DAYS = 14
ORGANISATION_FIELDS = ("name", "kind", "legal_id", "city", "region", "country", "website", "description", "is_public")
# What an organisation's administrators change; the rest is the operator's (policies.OPERATOR_ONLY_FIELDS).
EDITABLE_FIELDS = tuple(f for f in ORGANISATION_FIELDS if f not in policies.OPERATOR_ONLY_FIELDS)


class _Keep:
    def __repr__(self) -> str:
        return "KEEP"


KEEP: Final[Any] = _Keep()  # "leave as it is", where None is a value (no parent organisation)


def organisation_search_text(organisation: Organisation) -> str:
    return fold(" ".join(filter(None, [organisation.name, organisation.city, organisation.description])))


def _unique_slug(name: str) -> str:
    base = (slugify(name) or "organisation")[:70]
    slug, n = base, 1
    while Organisation.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _forget_actor_cache(*users: Any) -> None:
    for user in users:
        if user is not None and hasattr(user, "_tawrid_actor"):
            del user._tawrid_actor


# Organisations ---------------------------------------------------------------------------------------------


def organisation_create(
    *,
    actor: Actor,
    name: str,
    kind: str,
    cluster: Organisation | None = None,
    first_admin_email: str = "",
    site_url: str | None = None,
    **fields: Any,
) -> Organisation:
    """A new organisation, created by the platform operator or by an administrator of a cluster secretariat.

    With `cluster`, it joins that cluster as an active member today, consented by its creator (the
    secretariat made it; its first administrator's invitation says so); a secretariat administrator must
    give one of their clusters. With `first_admin_email`, that person is invited as its administrator.
    """
    if cluster is not None and (cluster.kind != OrganisationKind.CLUSTER or not can_administer(actor, cluster.pk)):
        raise Forbidden(_("Only the administrators of a cluster secretariat can add members to that cluster."))
    if not actor.is_superuser and cluster is None:
        raise Forbidden(
            _("Only the platform operator or a cluster secretariat's administrators can add organisations.")
        )
    if kind in policies.OPERATOR_ONLY_KINDS and not policies.can_set_powers(actor):
        raise Forbidden(
            _("Only the platform operator can add an authority or a cluster."),
            details={"kind": [_("Only the platform operator can add an authority or a cluster.")]},
        )
    unknown = set(fields) - set(ORGANISATION_FIELDS)
    if unknown:
        raise ValueError(f"unknown organisation fields: {sorted(unknown)}")
    name = " ".join(name.split())
    if not name:
        raise DomainError(_("Give the organisation's name."), details={"name": [_("This field is required.")]})
    if kind not in OrganisationKind.values:
        raise DomainError(_("Unknown kind of organisation."), details={"kind": [_("Unknown kind of organisation.")]})
    with transaction.atomic():
        if Organisation.objects.filter(name__iexact=name).exists():
            raise DomainError(
                _("An organisation named “%(name)s” already exists.") % {"name": name},
                code="duplicate",
                details={"name": [_("This name is already used.")]},
            )
        organisation = Organisation(name=name, kind=kind, slug=_unique_slug(name), **fields)
        organisation.search_text = organisation_search_text(organisation)
        try:
            organisation.full_clean()
        except ValidationError as error:
            raise DomainError(_("The organisation could not be saved."), details=error.message_dict) from None
        organisation.save()
        if cluster is not None:
            ClusterMembership.objects.create(
                cluster=cluster,
                member=organisation,
                status=ClusterMembershipStatus.ACTIVE,
                joined_on=timezone.localdate(),
                member_consented_at=timezone.now(),
                member_consented_by_id=actor.user_id,
            )
        if first_admin_email:
            _invitation_create(
                organisation=organisation,
                email=first_admin_email,
                role=Role.ADMIN,
                invited_by_id=actor.user_id,
                site_url=site_url,
            )
    return organisation


def _operator_only(fields: list[str]) -> Forbidden:
    message = policies.operator_only_message()
    error = Forbidden(message, details={field: [message] for field in fields})
    error.code = "operator_only"
    return error


def _same_power(organisation: Organisation, field: str, value: Any) -> bool:
    """Whether `value`, as a form, the API or a forged request gives it, is what the organisation already has."""
    if field == "parent":
        return str(getattr(value, "pk", value) or "") == str(organisation.parent_id or "")
    if field == "is_demo":
        if isinstance(value, str):
            value = value.strip().lower() not in ("", "0", "false", "off", "no")
        return bool(value) == organisation.is_demo
    if field == "country":
        return str(value or "").strip().upper() == organisation.country
    return str(value) == str(getattr(organisation, field))


def organisation_update(*, actor: Actor, organisation: Organisation, **fields: Any) -> Organisation:
    """Change an organisation's own description (its administrators). Operator-only fields may be sent back
    unchanged (clients round-trip what they read); a change to one is refused: see `organisation_set_powers`."""
    permissions.require_change(actor, organisation)
    unknown = set(fields) - set(EDITABLE_FIELDS) - set(policies.OPERATOR_ONLY_FIELDS)
    if unknown:
        raise ValueError(f"unknown organisation fields: {sorted(unknown)}")
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        powers = {f: fields.pop(f) for f in policies.OPERATOR_ONLY_FIELDS if f in fields}
        if changed := [f for f, value in powers.items() if not _same_power(organisation, f, value)]:
            raise _operator_only(changed)
        if "name" in fields:
            fields["name"] = " ".join(str(fields["name"]).split())
            if Organisation.objects.filter(name__iexact=fields["name"]).exclude(pk=organisation.pk).exists():
                raise DomainError(
                    _("An organisation named “%(name)s” already exists.") % {"name": fields["name"]},
                    code="duplicate",
                    details={"name": [_("This name is already used.")]},
                )
        for field, value in fields.items():
            setattr(organisation, field, value)
        organisation.search_text = organisation_search_text(organisation)
        try:
            organisation.full_clean()
        except ValidationError as error:
            raise DomainError(_("The organisation could not be saved."), details=error.message_dict) from None
        organisation.save()
    return organisation


def _check_parent(organisation: Organisation, parent: Organisation | None) -> None:
    """Refuse a loop of parents, walked in the database (the objects given may be stale)."""
    ancestor_id, seen = getattr(parent, "pk", None), set()
    while ancestor_id is not None and ancestor_id not in seen:
        if ancestor_id == organisation.pk:
            message = _("An organisation cannot be its own parent, even through others.")
            raise DomainError(message, details={"parent": [message]})
        seen.add(ancestor_id)
        ancestor_id = Organisation.objects.filter(pk=ancestor_id).values_list("parent_id", flat=True).first()


def organisation_set_powers(
    *,
    actor: Actor,
    organisation: Organisation,
    reason: str,
    kind: str | None = None,
    country: str | None = None,
    parent: Organisation | None = KEEP,
    is_demo: bool | None = None,
) -> Organisation:
    """Change what an organisation is — its kind, country, parent organisation, demo flag — as the platform
    operator, for a reason kept with the audit entry. The one way to change these fields: they decide what its
    people may do (policies.OPERATOR_ONLY_FIELDS). `None` (`KEEP` for `parent`) leaves a field as it is."""
    if not policies.can_set_powers(actor):
        asked = {"kind": kind, "country": country, "parent": parent, "is_demo": is_demo}
        raise _operator_only([f for f, value in asked.items() if value is not None and value is not KEEP])
    reason = " ".join((reason or "").split())
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = [_("Say why: the reason is kept in the audit trail.")]
    if kind is not None and kind not in OrganisationKind.values:
        errors["kind"] = [_("Unknown kind of organisation.")]
    if country is not None:
        country = country.strip().upper()
        if len(country) != 2 or not country.isalpha():
            errors["country"] = [_("Give the two-letter ISO 3166 code of the country, for example MA.")]
    if errors:
        raise DomainError(_("The organisation could not be saved."), details=errors)
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        changes: dict[str, Any] = {}
        if kind is not None and kind != organisation.kind:
            # A cluster's secretariat oversees its members through the kind: members first go to another cluster.
            if organisation.kind == OrganisationKind.CLUSTER and organisation.cluster_members.exists():
                message = _("%(name)s still has members: it stays a cluster until they have been moved.") % {
                    "name": organisation
                }
                raise DomainError(message, code="cluster_has_members", details={"kind": [message]})
            changes["kind"] = kind
        if country is not None and country != organisation.country:
            changes["country"] = country
        if parent is not KEEP and getattr(parent, "pk", None) != organisation.parent_id:
            _check_parent(organisation, parent)
            changes["parent"] = parent
        if is_demo is not None and is_demo != organisation.is_demo:
            changes["is_demo"] = is_demo
        if not changes:
            return organisation
        for field, value in changes.items():
            setattr(organisation, field, value)
        organisation.audit_reason = reason  # filed with the audit entry (Organisation.get_additional_data)
        organisation.save(update_fields=[*changes, "updated_at"])
        organisation.audit_reason = ""  # for this change only
    return organisation


def organisation_change_kind(*, actor: Actor, organisation: Organisation, kind: str, reason: str) -> Organisation:
    """Change an organisation's kind (the platform operator, with a reason): see `organisation_set_powers`."""
    return organisation_set_powers(actor=actor, organisation=organisation, kind=kind, reason=reason)


# Memberships --------------------------------------------------------------------------------------------------


def _other_admins(membership: Membership) -> bool:
    return (
        Membership.objects.filter(organisation_id=membership.organisation_id, role=Role.ADMIN)
        .exclude(pk=membership.pk)
        .exists()
    )


def membership_change_role(*, actor: Actor, membership: Membership, role: str) -> Membership:
    permissions.require_change(actor, membership)
    if role not in Role.values:
        raise DomainError(_("Unknown role."), details={"role": [_("Unknown role.")]})
    with transaction.atomic():
        membership = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
        if membership.role == role:
            return membership
        # Lock the organisation's administrators so that two demotions at once cannot both pass the check.
        list(Membership.objects.select_for_update().filter(organisation_id=membership.organisation_id, role=Role.ADMIN))
        if membership.role == Role.ADMIN and not _other_admins(membership):
            raise DomainError(
                _("%(name)s is the organisation's last administrator: make someone else administrator first.")
                % {"name": membership.user},
                code="last_admin",
            )
        membership.role = role
        membership.save(update_fields=["role", "updated_at"])
    _forget_actor_cache(membership.user)
    return membership


def membership_remove(*, actor: Actor, membership: Membership) -> None:
    permissions.require_change(actor, membership)
    with transaction.atomic():
        membership = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
        list(Membership.objects.select_for_update().filter(organisation_id=membership.organisation_id, role=Role.ADMIN))
        if membership.role == Role.ADMIN and not _other_admins(membership):
            raise DomainError(
                _("%(name)s is the organisation's last administrator and cannot be removed.")
                % {"name": membership.user},
                code="last_admin",
            )
        membership.delete()


# Invitations -------------------------------------------------------------------------------------------------


def _site_url(site_url: str | None) -> str:
    return (site_url or settings.SITE_URL).rstrip("/")


def _invitation_create(
    *, organisation: Organisation, email: str, role: str, invited_by_id: int | None, site_url: str | None
) -> Invitation:
    email = email.strip().lower()
    if role not in Role.values:
        raise DomainError(_("Unknown role."), details={"role": [_("Unknown role.")]})
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise DomainError(
            _("%(email)s is already a member of %(organisation)s.") % {"email": email, "organisation": organisation},
            code="already_member",
            details={"email": [_("This person is already a member.")]},
        )
    now = timezone.now()
    pending = Invitation.objects.select_for_update().filter(
        organisation=organisation, email__iexact=email, status=InvitationStatus.PENDING
    )
    for invitation in pending:
        if invitation.expires_at > now:
            raise DomainError(
                _(
                    "%(email)s has already been invited and has not answered yet; "
                    "revoke that invitation to send a new one."
                )
                % {"email": email},
                code="already_invited",
                details={"email": [_("An invitation is already pending for this address.")]},
            )
        invitation.status = InvitationStatus.REVOKED  # expired: make room for the new one
        invitation.save(update_fields=["status", "updated_at"])
    raw = tokens.new_secret()
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        role=role,
        invited_by_id=invited_by_id,
        token_hash=tokens.hash_secret(raw),
        expires_at=now + timedelta(days=INVITATION_DAYS),
    )
    link = _site_url(site_url) + reverse("accounts:invitation_accept", kwargs={"token": raw})
    inviter = User.objects.filter(pk=invited_by_id).first() if invited_by_id else None
    context = {
        "invitation": invitation,
        "organisation": organisation,
        "inviter": inviter,
        "link": link,
        "role": invitation.get_role_display(),
        "days": INVITATION_DAYS,
    }
    subject = " ".join(render_to_string("accounts/email/invitation_subject.txt", context).split())
    body = render_to_string("accounts/email/invitation.txt", context)
    # Queued: sent once the invitation commits, retried if the mail server fails; never fails the invitation.
    mail_queue(to=[email], subject=subject, body=body)
    return invitation


def invitation_create(
    *, actor: Actor, organisation: Organisation, email: str, role: str = Role.MEMBER, site_url: str | None = None
) -> Invitation:
    """Invite someone by e-mail to join `organisation` with `role`. The link's secret is in the e-mail only."""
    if not can_administer(actor, organisation.pk):
        raise Forbidden(_("Only the organisation's administrators can invite people."))
    with transaction.atomic():
        return _invitation_create(
            organisation=organisation, email=email, role=role, invited_by_id=actor.user_id, site_url=site_url
        )


def invitation_check(invitation: Invitation | None) -> Invitation:
    """The invitation if it can still be accepted, or the reason why not."""
    if invitation is None:
        raise DomainError(_("This invitation link is not valid. Check that you copied it whole."), code="invalid_token")
    if invitation.status == InvitationStatus.ACCEPTED:
        raise DomainError(_("This invitation has already been used."), code="invitation_used")
    if invitation.status == InvitationStatus.REVOKED:
        raise DomainError(_("This invitation has been withdrawn by the organisation."), code="invitation_revoked")
    if invitation.expires_at <= timezone.now():
        raise DomainError(
            _("This invitation has expired. Ask %(organisation)s for a new one.")
            % {"organisation": invitation.organisation},
            code="invitation_expired",
        )
    return invitation


def invitation_find(*, raw_token: str) -> Invitation | None:
    if not raw_token or len(raw_token) > 100:
        return None
    return Invitation.objects.select_related("organisation").filter(token_hash=tokens.hash_secret(raw_token)).first()


def invitation_accept(
    *, raw_token: str, user: User | None = None, full_name: str = "", password: str = ""
) -> Membership:
    """Accept an invitation: as the logged-in `user`, or as a new person with `full_name` and `password`."""
    with transaction.atomic():
        found = invitation_find(raw_token=raw_token)
        if found is not None:
            found = Invitation.objects.select_for_update().select_related("organisation").get(pk=found.pk)
        invitation = invitation_check(found)
        if user is not None:
            if user.email.lower() != invitation.email.lower():
                raise DomainError(
                    _("This invitation was sent to %(email)s: log in as that person to accept it.")
                    % {"email": invitation.email},
                    code="wrong_person",
                )
        else:
            if User.objects.filter(email__iexact=invitation.email).exists():
                raise DomainError(
                    _("An account already exists for %(email)s: log in, then open the link again.")
                    % {"email": invitation.email},
                    code="account_exists",
                )
            full_name = " ".join(full_name.split())
            if not full_name:
                raise DomainError(_("Give your full name."), details={"full_name": [_("This field is required.")]})
            candidate = User(email=invitation.email, full_name=full_name)
            try:
                password_validation.validate_password(password, candidate)
            except ValidationError as error:
                raise DomainError(_("Choose another password."), details={"password1": list(error.messages)}) from None
            user = User.objects.create_user(invitation.email, password, full_name=full_name)
        if Membership.objects.filter(user=user, organisation=invitation.organisation).exists():
            raise DomainError(
                _("You are already a member of %(organisation)s.") % {"organisation": invitation.organisation},
                code="already_member",
            )
        try:
            with transaction.atomic():
                membership = Membership.objects.create(
                    user=user, organisation=invitation.organisation, role=invitation.role
                )
        except IntegrityError:
            raise DomainError(
                _("You are already a member of %(organisation)s.") % {"organisation": invitation.organisation},
                code="already_member",
            ) from None
        invitation.status = InvitationStatus.ACCEPTED
        invitation.accepted_by = user
        invitation.save(update_fields=["status", "accepted_by", "updated_at"])
    _forget_actor_cache(user)
    return membership


def invitation_revoke(*, actor: Actor, invitation: Invitation) -> Invitation:
    permissions.require_change(actor, invitation)
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.status != InvitationStatus.PENDING:
            raise DomainError(_("Only a pending invitation can be revoked."), code="not_pending")
        invitation.status = InvitationStatus.REVOKED
        invitation.save(update_fields=["status", "updated_at"])
    return invitation


# Cluster membership ----------------------------------------------------------------------------------------------


# Statuses that need the member's consent: the secretariat sets them only on a consented membership.
CONSENTED_STATUSES = frozenset({ClusterMembershipStatus.ACTIVE, ClusterMembershipStatus.SUSPENDED})


def _no_consent_error(member: Organisation) -> DomainError:
    message = _(
        "%(member)s has not agreed to join the cluster: propose the membership and wait for its administrators "
        "to accept it, or for them to apply."
    ) % {"member": member}
    return DomainError(message, code="no_consent", details={"status": [message]})


def cluster_membership_set(
    *,
    actor: Actor,
    cluster: Organisation,
    member: Organisation,
    status: str = ClusterMembershipStatus.PROPOSED,
    joined_on: date | None = None,
    left_on: date | None = None,
    notes: str | None = None,
) -> ClusterMembership:
    """Propose membership of `cluster` to `member`, or change a membership's status and dates (the
    secretariat). Only the member consents (`cluster_membership_apply`, `cluster_membership_accept`): a
    membership becomes active or suspended only once it has. Leaving is recorded, never deleted, and
    withdraws the consent: a former member comes back only by a new application or proposal."""
    if cluster.kind != OrganisationKind.CLUSTER:
        raise DomainError(_("%(name)s is not a cluster.") % {"name": cluster}, code="not_a_cluster")
    if not (actor.is_superuser or actor.can_write_org(cluster.pk)):
        raise Forbidden(_("Only the cluster's secretariat can manage its members."))
    if member.pk == cluster.pk:
        raise DomainError(
            _("A cluster cannot be a member of itself."), details={"member": [_("Choose another organisation.")]}
        )
    if status not in ClusterMembershipStatus.values:
        raise DomainError(_("Unknown status."), details={"status": [_("Unknown status.")]})
    validators.require_plausible_dates({"joined_on": joined_on, "left_on": left_on})
    today = timezone.localdate()
    with transaction.atomic():
        membership = ClusterMembership.objects.select_for_update().filter(cluster=cluster, member=member).first()
        if membership is None:
            # Enrolling gives the secretariat the member's private data: never an authority's nor a cluster's.
            if member.kind in policies.OPERATOR_ONLY_KINDS and not policies.can_set_powers(actor):
                raise Forbidden(
                    _("An authority or a cluster cannot be enrolled as a member of a cluster."),
                    details={"member": [_("Choose another organisation.")]},
                )
            membership = ClusterMembership(cluster=cluster, member=member)
        consented = membership.member_consented_at is not None
        if status in CONSENTED_STATUSES and not consented:
            raise _no_consent_error(member)
        if status == ClusterMembershipStatus.APPLIED and membership.status != ClusterMembershipStatus.APPLIED:
            message = _("Only the organisation's administrators can apply to a cluster.")
            raise DomainError(message, code="no_consent", details={"status": [message]})
        if status == ClusterMembershipStatus.PROPOSED and consented:
            message = _("%(member)s has already agreed to join the cluster.") % {"member": member}
            raise DomainError(message, code="already_consented", details={"status": [message]})
        membership.status = status
        if joined_on is not None:
            membership.joined_on = joined_on
        elif membership.joined_on is None and status == ClusterMembershipStatus.ACTIVE:
            membership.joined_on = today
        if status == ClusterMembershipStatus.LEFT:
            membership.left_on = left_on or membership.left_on or today
            membership.member_consented_at = membership.member_consented_by = None
        elif left_on is not None:
            raise DomainError(
                _("A leaving date is only for a member whose status is “Left”."),
                details={"left_on": [_("A leaving date is only for a member whose status is “Left”.")]},
            )
        else:
            membership.left_on = None
        if membership.joined_on and membership.left_on and membership.left_on < membership.joined_on:
            raise DomainError(
                _("The leaving date cannot be before the joining date."),
                details={"left_on": [_("The leaving date cannot be before the joining date.")]},
            )
        if notes is not None:
            membership.notes = notes
        membership.save()
    return membership


def _require_consent_power(actor: Actor, member_id: int) -> None:
    if not policies.can_consent_for(actor, member_id):
        raise Forbidden(_("Only the organisation's administrators can decide on its cluster memberships."))


def cluster_membership_apply(
    *, actor: Actor, member: Organisation, cluster: Organisation, notes: str = ""
) -> ClusterMembership:
    """`member` applies to `cluster` (its administrators): a consented application the secretariat then
    activates. A pending proposal of that cluster is accepted instead."""
    _require_consent_power(actor, member.pk)
    if cluster.kind != OrganisationKind.CLUSTER:
        raise DomainError(_("%(name)s is not a cluster.") % {"name": cluster}, code="not_a_cluster")
    if member.pk == cluster.pk:
        raise DomainError(
            _("A cluster cannot be a member of itself."), details={"cluster": [_("Choose another organisation.")]}
        )
    if member.kind in policies.OPERATOR_ONLY_KINDS and not policies.can_set_powers(actor):
        message = _("An authority or a cluster cannot be enrolled as a member of a cluster.")
        raise Forbidden(message, details={"cluster": [message]})
    with transaction.atomic():
        membership = ClusterMembership.objects.select_for_update().filter(cluster=cluster, member=member).first()
        if membership is not None and membership.status == ClusterMembershipStatus.PROPOSED:
            return cluster_membership_accept(actor=actor, membership=membership)
        if membership is not None and membership.status != ClusterMembershipStatus.LEFT:
            message = _("%(member)s is already a member of %(cluster)s or has applied.") % {
                "member": member,
                "cluster": cluster,
            }
            raise DomainError(message, code="already_member", details={"cluster": [message]})
        if membership is None:
            membership = ClusterMembership(cluster=cluster, member=member)
        membership.status = ClusterMembershipStatus.APPLIED
        membership.left_on = None
        membership.member_consented_at = timezone.now()
        membership.member_consented_by_id = actor.user_id
        if notes:
            membership.notes = notes
        membership.save()
    return membership


def _locked_proposal(actor: Actor, membership: ClusterMembership) -> ClusterMembership:
    _require_consent_power(actor, membership.member_id)
    membership = ClusterMembership.objects.select_for_update().select_related("cluster", "member").get(pk=membership.pk)
    if membership.status != ClusterMembershipStatus.PROPOSED:
        raise DomainError(_("Only a pending proposal can be accepted or declined."), code="not_proposed")
    return membership


def cluster_membership_accept(*, actor: Actor, membership: ClusterMembership) -> ClusterMembership:
    """The member's administrators accept the cluster's proposal: both sides agree, so it is active today."""
    with transaction.atomic():
        membership = _locked_proposal(actor, membership)
        membership.status = ClusterMembershipStatus.ACTIVE
        membership.joined_on = membership.joined_on or timezone.localdate()
        membership.member_consented_at = timezone.now()
        membership.member_consented_by_id = actor.user_id
        membership.save()
    return membership


def cluster_membership_decline(*, actor: Actor, membership: ClusterMembership) -> None:
    """The member's administrators decline the cluster's proposal: it is removed (the audit trail keeps it)."""
    with transaction.atomic():
        _locked_proposal(actor, membership).delete()


# People ------------------------------------------------------------------------------------------------------------


def user_update_profile(*, actor: Actor, user: User, full_name: str, preferred_language: str = "") -> User:
    # The rule of the User policy, applied directly: `user` may be the request's lazy user object.
    if not can_change_user(actor, user):
        raise Forbidden()
    full_name = " ".join(full_name.split())
    if not full_name:
        raise DomainError(_("Give your full name."), details={"full_name": [_("This field is required.")]})
    if preferred_language and preferred_language not in dict(settings.LANGUAGES):
        raise DomainError(_("Unknown language."), details={"preferred_language": [_("Unknown language.")]})
    with transaction.atomic():
        user.full_name = full_name
        user.preferred_language = preferred_language
        user.save(update_fields=["full_name", "preferred_language"])
    return user


# Personal API tokens ----------------------------------------------------------------------------------------------


def api_token_create(*, actor: Actor, user: User, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """A new token for `user` (themselves, or the platform operator); the secret is returned once."""
    if not (actor.is_superuser or actor.user_id == user.pk):
        raise Forbidden(_("You can only create API tokens for yourself."))
    if not user.is_active:
        raise DomainError(_("This account is deactivated."), code="inactive")
    name = name.strip()
    if not name:
        raise DomainError(_("Give the token a name."), details={"name": [_("This field is required.")]})
    if days is not None and not 1 <= days <= 3650:
        raise DomainError(
            _("A token lives between 1 and 3650 days."), details={"days": [_("Between 1 and 3650 days.")]}
        )
    return tokens.api_token_create(user=user, name=name, days=days)


def api_token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    permissions.require_change(actor, token)
    with transaction.atomic():
        return tokens.api_token_revoke(token=token)
