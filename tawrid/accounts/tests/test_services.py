from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.utils import timezone

from tawrid.accounts import services
from tawrid.accounts.models import (
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
from tawrid.accounts.tests.factories import (
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    World,
    person_in,
)
from tawrid.accounts.tokens import hash_secret
from tawrid.core.errors import DomainError, Forbidden
from tawrid.core.permissions import actor_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def _token_from_mail(message) -> str:
    line = next(line for line in message.body.splitlines() if "/accounts/invitation/" in line)
    return line.rstrip("/").rsplit("/", 1)[-1]


# Organisations ----------------------------------------------------------------------------------------------


def test_secretariat_admin_creates_an_organisation_in_its_cluster_and_invites_its_first_admin(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the invitation's e-mail goes out after the commit
        organisation = services.organisation_create(
            actor=actor_for(world.secretariat),
            name="Gamma Pansements",
            kind=OrganisationKind.MANUFACTURER,
            city="Fès",
            description="Compresses stériles",
            cluster=world.cluster,
            first_admin_email="Directrice@Gamma.ma",
        )
    assert organisation.slug == "gamma-pansements"
    assert organisation.search_text == "gamma pansements fes compresses steriles"
    membership = ClusterMembership.objects.get(cluster=world.cluster, member=organisation)
    assert membership.status == ClusterMembershipStatus.ACTIVE and membership.joined_on == timezone.localdate()
    invitation = Invitation.objects.get(organisation=organisation)
    assert (invitation.email, invitation.role) == ("directrice@gamma.ma", Role.ADMIN)
    assert mail.outbox[-1].to == ["directrice@gamma.ma"]


def test_organisation_create_is_refused_to_ordinary_people_and_to_other_clusters(world):
    with pytest.raises(Forbidden):
        services.organisation_create(actor=actor_for(world.admin_a), name="X", kind=OrganisationKind.OTHER)
    with pytest.raises(Forbidden):
        services.organisation_create(
            actor=actor_for(world.other_secretariat), name="X", kind=OrganisationKind.OTHER, cluster=world.cluster
        )
    assert not Organisation.objects.filter(name="X").exists()


def test_organisation_create_refuses_a_duplicate_name_and_gives_unique_slugs(world):
    actor = actor_for(world.superuser)
    with pytest.raises(DomainError) as refused:
        services.organisation_create(actor=actor, name="alpha gants", kind=OrganisationKind.OTHER)
    assert refused.value.code == "duplicate"
    first = services.organisation_create(actor=actor, name="Delta", kind=OrganisationKind.OTHER)
    second = services.organisation_create(actor=actor, name="Delta!", kind=OrganisationKind.OTHER)
    assert first.slug == "delta" and second.slug == "delta-2"


def test_organisation_update_by_admin_refreshes_search_text_and_is_audited(world):
    services.organisation_update(actor=actor_for(world.admin_a), organisation=world.org_a, city="Kénitra")
    world.org_a.refresh_from_db()
    assert "kenitra" in world.org_a.search_text
    entry = LogEntry.objects.get_for_object(world.org_a).filter(action=LogEntry.Action.UPDATE).first()
    assert entry.changes_dict["city"] == ["Casablanca", "Kénitra"]
    assert entry.additional_data == {"organisation_id": world.org_a.pk}


@pytest.mark.parametrize("who", ["member_a", "reader_a", "secretariat", "admin_b"])
def test_organisation_update_is_refused_to_non_admins(world, who):
    with pytest.raises(Forbidden):
        services.organisation_update(actor=actor_for(getattr(world, who)), organisation=world.org_a, city="Oujda")
    world.org_a.refresh_from_db()
    assert world.org_a.city == "Casablanca"


# Memberships ------------------------------------------------------------------------------------------------


def test_admin_changes_a_role_and_removes_a_person(world):
    actor = actor_for(world.admin_a)
    membership = Membership.objects.get(user=world.member_a, organisation=world.org_a)
    services.membership_change_role(actor=actor, membership=membership, role=Role.READ_ONLY)
    assert Membership.objects.get(pk=membership.pk).role == Role.READ_ONLY
    services.membership_remove(actor=actor, membership=membership)
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_the_last_administrator_can_be_neither_demoted_nor_removed(world):
    actor = actor_for(world.admin_a)
    own = Membership.objects.get(user=world.admin_a, organisation=world.org_a)
    with pytest.raises(DomainError) as demoted:
        services.membership_change_role(actor=actor, membership=own, role=Role.MEMBER)
    assert demoted.value.code == "last_admin"
    assert "administra" in demoted.value.message
    with pytest.raises(DomainError) as removed:
        services.membership_remove(actor=actor, membership=own)
    assert removed.value.code == "last_admin"
    assert Membership.objects.get(pk=own.pk).role == Role.ADMIN
    # With a second administrator, the first may step down.
    other = Membership.objects.get(user=world.member_a, organisation=world.org_a)
    services.membership_change_role(actor=actor, membership=other, role=Role.ADMIN)
    services.membership_change_role(actor=actor, membership=own, role=Role.MEMBER)
    assert Membership.objects.get(pk=own.pk).role == Role.MEMBER


def test_members_cannot_change_roles(world):
    membership = Membership.objects.get(user=world.reader_a, organisation=world.org_a)
    for who in (world.member_a, world.secretariat, world.admin_b):
        with pytest.raises(Forbidden):
            services.membership_change_role(actor=actor_for(who), membership=membership, role=Role.ADMIN)
    assert Membership.objects.get(pk=membership.pk).role == Role.READ_ONLY


# Invitations -------------------------------------------------------------------------------------------------


def test_invitation_sends_a_link_and_stores_only_the_hash(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(
            actor=actor_for(world.admin_a), organisation=world.org_a, email="Nouvelle@Example.ma", role=Role.MEMBER
        )
    assert invitation.email == "nouvelle@example.ma"
    assert invitation.expires_at - timezone.now() > timedelta(days=13, hours=23)
    message = mail.outbox[-1]
    assert message.to == ["nouvelle@example.ma"] and world.org_a.name in message.subject
    raw = _token_from_mail(message)
    assert invitation.token_hash == hash_secret(raw)
    assert not Invitation.objects.filter(token_hash=raw).exists()


def test_new_person_accepts_an_invitation_once(world):
    invitation = InvitationFactory(organisation=world.org_a, email="karim@example.ma", role=Role.READ_ONLY)
    membership = services.invitation_accept(
        raw_token=invitation.raw_token, full_name="  Karim   Test ", password="un-mot-de-passe-solide"
    )
    user = User.objects.get(email="karim@example.ma")
    assert user.full_name == "Karim Test" and user.check_password("un-mot-de-passe-solide")
    assert (membership.user, membership.organisation, membership.role) == (user, world.org_a, Role.READ_ONLY)
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED and invitation.accepted_by == user
    with pytest.raises(DomainError) as reused:
        services.invitation_accept(raw_token=invitation.raw_token, full_name="Autre", password="un-autre-mot-solide")
    assert reused.value.code == "invitation_used"


def test_existing_person_accepts_as_themselves_only(world):
    invitation = InvitationFactory(organisation=world.org_b, email=world.member_a.email)
    with pytest.raises(DomainError) as wrong:
        services.invitation_accept(raw_token=invitation.raw_token, user=world.reader_a)
    assert wrong.value.code == "wrong_person"
    with pytest.raises(DomainError) as exists:
        services.invitation_accept(raw_token=invitation.raw_token, full_name="X", password="un-mot-de-passe-solide")
    assert exists.value.code == "account_exists"
    membership = services.invitation_accept(raw_token=invitation.raw_token, user=world.member_a)
    assert membership.organisation == world.org_b and membership.role == Role.MEMBER


def test_expired_revoked_and_unknown_invitations_are_refused_clearly(world):
    expired = InvitationFactory(organisation=world.org_a, expires_at=timezone.now() - timedelta(minutes=1))
    revoked = InvitationFactory(organisation=world.org_a, status=InvitationStatus.REVOKED)
    for raw, code in [
        (expired.raw_token, "invitation_expired"),
        (revoked.raw_token, "invitation_revoked"),
        ("twd_nope", "invalid_token"),
    ]:
        with pytest.raises(DomainError) as refused:
            services.invitation_accept(raw_token=raw, full_name="Personne", password="un-mot-de-passe-solide")
        assert refused.value.code == code
    assert not User.objects.filter(email__in=[expired.email, revoked.email]).exists()


def test_weak_password_is_refused_and_nothing_is_created(world):
    invitation = InvitationFactory(organisation=world.org_a)
    with pytest.raises(DomainError) as refused:
        services.invitation_accept(raw_token=invitation.raw_token, full_name="Personne", password="123")
    assert "password1" in refused.value.details
    assert not User.objects.filter(email=invitation.email).exists()
    assert Invitation.objects.get(pk=invitation.pk).status == InvitationStatus.PENDING


def test_duplicate_invitation_and_existing_member_are_refused(world, django_capture_on_commit_callbacks):
    actor = actor_for(world.admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_create(actor=actor, organisation=world.org_a, email="dup@example.ma")
    with pytest.raises(DomainError) as duplicate:
        services.invitation_create(actor=actor, organisation=world.org_a, email="DUP@example.ma")
    assert duplicate.value.code == "already_invited"
    with pytest.raises(DomainError) as member:
        services.invitation_create(actor=actor, organisation=world.org_a, email=world.member_a.email.upper())
    assert member.value.code == "already_member"
    assert Invitation.objects.filter(organisation=world.org_a).count() == 1
    assert len(mail.outbox) == 1


def test_an_expired_pending_invitation_makes_room_for_a_new_one(world):
    old = InvitationFactory(
        organisation=world.org_a, email="late@example.ma", expires_at=timezone.now() - timedelta(days=1)
    )
    new = services.invitation_create(actor=actor_for(world.admin_a), organisation=world.org_a, email="late@example.ma")
    old.refresh_from_db()
    assert old.status == InvitationStatus.REVOKED and new.status == InvitationStatus.PENDING


def test_only_admins_invite_and_revoke(world):
    for who in (world.member_a, world.secretariat, world.admin_b):
        with pytest.raises(Forbidden):
            services.invitation_create(actor=actor_for(who), organisation=world.org_a, email="x@example.ma")
    invitation = InvitationFactory(organisation=world.org_a)
    with pytest.raises(Forbidden):
        services.invitation_revoke(actor=actor_for(world.member_a), invitation=invitation)
    services.invitation_revoke(actor=actor_for(world.admin_a), invitation=invitation)
    assert Invitation.objects.get(pk=invitation.pk).status == InvitationStatus.REVOKED
    with pytest.raises(DomainError) as again:
        services.invitation_revoke(actor=actor_for(world.admin_a), invitation=invitation)
    assert again.value.code == "not_pending"


def test_a_mail_failure_does_not_fail_the_invitation(world, settings, django_capture_on_commit_callbacks):
    from tawrid.core.tests.test_mail import closed_smtp_port

    closed_smtp_port(settings)  # no mail server: the e-mail is queued after the commit and retried (tawrid.core.mail)
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_create(actor=actor_for(world.admin_a), organisation=world.org_a, email="x@example.ma")
    assert Invitation.objects.filter(email="x@example.ma").exists() and not mail.outbox


# Cluster membership --------------------------------------------------------------------------------------------


def test_secretariat_adds_a_member_changes_its_status_and_records_leaving(world):
    actor = actor_for(world.secretariat)
    newcomer = OrganisationFactory(kind=OrganisationKind.HOSPITAL_GROUP)
    newcomer_admin = person_in(newcomer, Role.ADMIN)
    membership = services.cluster_membership_apply(
        actor=actor_for(newcomer_admin), member=newcomer, cluster=world.cluster
    )
    assert membership.joined_on is None and membership.status == ClusterMembershipStatus.APPLIED
    membership = services.cluster_membership_set(
        actor=actor,
        cluster=world.cluster,
        member=newcomer,
        status=ClusterMembershipStatus.ACTIVE,
        joined_on=date(2024, 3, 1),
    )
    assert (membership.status, membership.joined_on) == (ClusterMembershipStatus.ACTIVE, date(2024, 3, 1))
    membership = services.cluster_membership_set(
        actor=actor,
        cluster=world.cluster,
        member=newcomer,
        status=ClusterMembershipStatus.LEFT,
        left_on=date(2025, 6, 30),
    )
    assert (membership.status, membership.joined_on, membership.left_on) == (
        "left",
        date(2024, 3, 1),
        date(2025, 6, 30),
    )
    assert membership.member_consented_at is None  # leaving withdraws the consent
    assert ClusterMembership.objects.filter(cluster=world.cluster, member=newcomer).count() == 1


def test_cluster_membership_refusals(world):
    with pytest.raises(Forbidden):
        services.cluster_membership_set(actor=actor_for(world.admin_a), cluster=world.cluster, member=world.org_b)
    with pytest.raises(Forbidden):
        services.cluster_membership_set(
            actor=actor_for(world.other_secretariat), cluster=world.cluster, member=world.org_b
        )
    actor = actor_for(world.secretariat)
    with pytest.raises(DomainError) as not_cluster:
        services.cluster_membership_set(actor=actor, cluster=world.org_a, member=world.org_b)
    assert not_cluster.value.code == "not_a_cluster"
    with pytest.raises(DomainError) as dates:
        services.cluster_membership_set(
            actor=actor,
            cluster=world.cluster,
            member=world.org_a,
            status=ClusterMembershipStatus.LEFT,
            joined_on=date(2024, 1, 1),
            left_on=date(2023, 1, 1),
        )
    assert "left_on" in dates.value.details
    with pytest.raises(DomainError):
        services.cluster_membership_set(actor=actor, cluster=world.cluster, member=world.cluster)
    assert not ClusterMembership.objects.filter(cluster=world.cluster, member=world.org_b).exists()


# Profile and tokens -----------------------------------------------------------------------------------------------


def test_profile_update_only_by_oneself(world):
    services.user_update_profile(
        actor=actor_for(world.member_a), user=world.member_a, full_name=" Mehdi  B. ", preferred_language="ar"
    )
    world.member_a.refresh_from_db()
    assert (world.member_a.full_name, world.member_a.preferred_language) == ("Mehdi B.", "ar")
    with pytest.raises(Forbidden):
        services.user_update_profile(actor=actor_for(world.admin_a), user=world.member_a, full_name="Piraté")
    with pytest.raises(DomainError):
        services.user_update_profile(
            actor=actor_for(world.member_a), user=world.member_a, full_name="X", preferred_language="de"
        )


def test_tokens_are_created_for_oneself_and_revoked_by_their_owner(world):
    token, secret = services.api_token_create(actor=actor_for(world.member_a), user=world.member_a, name="ERP", days=30)
    assert secret.startswith("twd_") and token.prefix == secret[:10]
    with pytest.raises(Forbidden):
        services.api_token_create(actor=actor_for(world.admin_a), user=world.member_a, name="stolen")
    with pytest.raises(Forbidden):
        services.api_token_revoke(actor=actor_for(world.admin_a), token=token)
    with pytest.raises(DomainError):
        services.api_token_create(actor=actor_for(world.member_a), user=world.member_a, name="x", days=0)
    services.api_token_revoke(actor=actor_for(world.member_a), token=token)
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_memberships_of_a_new_admin_take_effect_for_their_permissions():
    organisation = OrganisationFactory()
    first = person_in(organisation, Role.ADMIN)
    second = UserFactory()
    membership = MembershipFactory(user=second, organisation=organisation, role=Role.MEMBER)
    services.membership_change_role(actor=actor_for(first), membership=membership, role=Role.ADMIN)
    second = User.objects.get(pk=second.pk)
    assert actor_for(second).is_admin_of(organisation.pk)
