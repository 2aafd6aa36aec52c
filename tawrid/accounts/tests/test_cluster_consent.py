"""Issue 15: a secretariat's oversight comes from memberships its member organisations agreed to, and active."""

import pytest
from django.urls import reverse

from tawrid.accounts import services
from tawrid.accounts.models import ClusterMembership, ClusterMembershipStatus, OrganisationKind
from tawrid.accounts.tests.factories import ClusterMembershipFactory, OrganisationFactory, World, token_for
from tawrid.core.errors import DomainError, Forbidden
from tawrid.core.permissions import actor_for

API = "/api/v1/accounts"


@pytest.fixture
def world(db):
    return World()


def overseen(user) -> frozenset[int]:
    return actor_for(type(user).objects.get(pk=user.pk)).overseen_org_ids


@pytest.mark.parametrize("status", ["applied", "suspended", "left"])
def test_only_an_active_membership_gives_oversight(world, status):
    assert world.org_a.pk in overseen(world.secretariat)
    ClusterMembership.objects.filter(pk=world.cm_a.pk).update(status=status)
    assert world.org_a.pk not in overseen(world.secretariat)


def test_an_active_membership_without_consent_gives_no_oversight(world):
    ClusterMembership.objects.filter(pk=world.cm_a.pk).update(member_consented_at=None)
    assert world.org_a.pk not in overseen(world.secretariat)


def test_secretariat_cannot_enrol_an_existing_organisation_as_active(world):
    competitor = OrganisationFactory(name="Concurrent", kind=OrganisationKind.MANUFACTURER)
    actor = actor_for(world.secretariat)
    for status in ("active", "suspended", "applied"):
        with pytest.raises(DomainError):
            services.cluster_membership_set(actor=actor, cluster=world.cluster, member=competitor, status=status)
    assert not ClusterMembership.objects.filter(member=competitor).exists()
    assert competitor.pk not in overseen(world.secretariat)


def test_proposal_gives_nothing_until_the_member_accepts(world):
    proposal = services.cluster_membership_set(
        actor=actor_for(world.secretariat), cluster=world.cluster, member=world.org_b, status="proposed"
    )
    assert proposal.member_consented_at is None and world.org_b.pk not in overseen(world.secretariat)
    with pytest.raises(DomainError):
        services.cluster_membership_set(
            actor=actor_for(world.secretariat), cluster=world.cluster, member=world.org_b, status="active"
        )
    with pytest.raises(Forbidden):
        services.cluster_membership_accept(actor=actor_for(world.secretariat), membership=proposal)
    accepted = services.cluster_membership_accept(actor=actor_for(world.admin_b), membership=proposal)
    assert accepted.status == ClusterMembershipStatus.ACTIVE
    assert accepted.member_consented_by == world.admin_b and accepted.member_consented_at is not None
    assert world.org_b.pk in overseen(world.secretariat)


def test_member_declines_a_proposal(world):
    proposal = services.cluster_membership_set(
        actor=actor_for(world.secretariat), cluster=world.cluster, member=world.org_b, status="proposed"
    )
    with pytest.raises(Forbidden):
        services.cluster_membership_decline(actor=actor_for(world.admin_a), membership=proposal)
    services.cluster_membership_decline(actor=actor_for(world.admin_b), membership=proposal)
    assert not ClusterMembership.objects.filter(pk=proposal.pk).exists()


def test_member_applies_and_the_secretariat_activates(world):
    with pytest.raises(Forbidden):
        services.cluster_membership_apply(
            actor=actor_for(world.member_a), member=world.org_a, cluster=world.other_cluster
        )
    application = services.cluster_membership_apply(
        actor=actor_for(world.admin_a), member=world.org_a, cluster=world.other_cluster
    )
    assert application.status == "applied" and application.member_consented_by == world.admin_a
    assert world.org_a.pk not in overseen(world.other_secretariat)
    services.cluster_membership_set(
        actor=actor_for(world.other_secretariat), cluster=world.other_cluster, member=world.org_a, status="active"
    )
    assert world.org_a.pk in overseen(world.other_secretariat)


def test_leaving_withdraws_consent(world):
    actor = actor_for(world.secretariat)
    services.cluster_membership_set(actor=actor, cluster=world.cluster, member=world.org_a, status="left")
    with pytest.raises(DomainError):
        services.cluster_membership_set(actor=actor, cluster=world.cluster, member=world.org_a, status="active")
    assert ClusterMembership.objects.get(pk=world.cm_a.pk).status == "left"


def test_suspending_keeps_consent_and_can_be_undone(world):
    actor = actor_for(world.secretariat)
    services.cluster_membership_set(actor=actor, cluster=world.cluster, member=world.org_a, status="suspended")
    assert world.org_a.pk not in overseen(world.secretariat)
    services.cluster_membership_set(actor=actor, cluster=world.cluster, member=world.org_a, status="active")
    assert world.org_a.pk in overseen(world.secretariat)


def test_organisation_created_by_the_secretariat_is_an_active_consented_member(world):
    organisation = services.organisation_create(
        actor=actor_for(world.secretariat), name="Gamma Neuf", kind="manufacturer", cluster=world.cluster
    )
    membership = ClusterMembership.objects.get(member=organisation)
    assert membership.status == "active" and membership.member_consented_at is not None
    assert organisation.pk in overseen(world.secretariat)


def test_factory_memberships_are_consented(world):
    assert ClusterMembershipFactory().member_consented_at is not None


# Pages --------------------------------------------------------------------------------------------------------


def test_secretariat_page_refuses_activation_without_consent(client, world):
    client.force_login(world.secretariat)
    candidate = OrganisationFactory(name="Start-up Omega", kind="startup")
    add = reverse("accounts:cluster_membership_add") + f"?cluster={world.cluster.pk}"
    response = client.post(add, {"member": candidate.pk, "status": "active", "cluster": world.cluster.pk})
    assert response.status_code == 400
    assert candidate.name in str(response.context["form"].errors)  # "… has not agreed to join the cluster …"
    assert not ClusterMembership.objects.filter(member=candidate).exists()


def test_member_admin_accepts_and_applies_from_the_organisation_page(client, world):
    proposal = services.cluster_membership_set(
        actor=actor_for(world.secretariat), cluster=world.cluster, member=world.org_b, status="proposed"
    )
    client.force_login(world.admin_b)
    page = client.get(reverse("accounts:organisation_detail", args=[world.org_b.pk]))
    accept = reverse("accounts:cluster_membership_accept", args=[proposal.pk])
    assert accept in page.text and reverse("accounts:cluster_membership_decline", args=[proposal.pk]) in page.text
    assert client.post(accept).status_code == 302
    assert ClusterMembership.objects.get(pk=proposal.pk).status == "active"
    third = OrganisationFactory(name="Cluster textile", kind=OrganisationKind.CLUSTER)
    apply = reverse("accounts:cluster_application_create", args=[world.org_b.pk])
    assert apply in client.get(reverse("accounts:organisation_detail", args=[world.org_b.pk])).text
    client.post(apply, {"cluster": third.pk})
    assert ClusterMembership.objects.get(cluster=third, member=world.org_b).status == "applied"
    client.force_login(world.member_a)
    assert (
        client.post(
            reverse("accounts:cluster_application_create", args=[world.org_a.pk]), {"cluster": world.other_cluster.pk}
        ).status_code
        == 403
    )


# API ----------------------------------------------------------------------------------------------------------


def test_api_accept_decline_and_apply(client, world):
    def bearer(user):
        return {"Authorization": f"Bearer {token_for(user)[1]}"}

    secretariat = bearer(world.other_secretariat)
    active = client.post(
        f"{API}/cluster-memberships",
        {"cluster_id": world.other_cluster.pk, "member_id": world.org_a.pk, "status": "active"},
        content_type="application/json",
        headers=secretariat,
    )
    assert (
        active.status_code == 400
        and not ClusterMembership.objects.filter(cluster=world.other_cluster, member=world.org_a).exists()
    )
    proposed = client.post(
        f"{API}/cluster-memberships",
        {"cluster_id": world.other_cluster.pk, "member_id": world.org_a.pk, "status": "proposed"},
        content_type="application/json",
        headers=secretariat,
    )
    assert proposed.status_code == 201 and proposed.json()["status"] == "proposed"
    pk = proposed.json()["id"]
    assert client.post(f"{API}/cluster-memberships/{pk}/accept", headers=bearer(world.member_a)).status_code == 403
    assert client.post(f"{API}/cluster-memberships/{pk}/decline", headers=bearer(world.admin_a)).status_code == 204
    applied = client.post(
        f"{API}/organisations/{world.org_a.pk}/cluster-applications",
        {"cluster_id": world.other_cluster.pk},
        content_type="application/json",
        headers=bearer(world.admin_a),
    )
    assert applied.status_code == 201 and applied.json()["status"] == "applied"
    proposal = services.cluster_membership_set(
        actor=actor_for(world.secretariat), cluster=world.cluster, member=world.org_b, status="proposed"
    )
    accepted = client.post(f"{API}/cluster-memberships/{proposal.pk}/accept", headers=bearer(world.admin_b))
    assert accepted.status_code == 200 and accepted.json()["status"] == "active"
