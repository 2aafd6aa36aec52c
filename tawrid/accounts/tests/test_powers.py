"""Power-granting fields (issue 15, finding 1): an organisation's kind, country, parent organisation and demo
flag are changed by the platform operator only, through `services.organisation_set_powers`, audited.

The attack it closes: a manufacturer's administrator changed its own organisation's kind to the DMP, IMANOR or a
hospital group (page or API), used those powers on a competitor, then switched back.
"""

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils.html import escape

from tawrid.accounts import policies, selectors, services
from tawrid.accounts.forms import OrganisationCreateForm, OrganisationForm
from tawrid.accounts.models import ClusterMembership, Organisation, OrganisationKind
from tawrid.accounts.tests.factories import OrganisationFactory, World, token_for
from tawrid.core.errors import DomainError, Forbidden
from tawrid.core.permissions import actor_for

pytestmark = pytest.mark.django_db

API = "/api/v1/accounts"


@pytest.fixture
def world():
    return World()


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {token_for(user)[1]}"}


def _fresh(org: Organisation) -> Organisation:
    return Organisation.objects.get(pk=org.pk)


def _powers_unchanged(org: Organisation) -> None:
    fresh = _fresh(org)
    assert (fresh.kind, fresh.country, fresh.parent_id, fresh.is_demo) == ("manufacturer", "MA", None, False)


# The attack, through the API -------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["ministry_health", "imanor", "hospital_group", "cluster"])
def test_an_administrator_cannot_change_its_organisations_kind_through_the_api(client, world, kind):
    url = f"{API}/organisations/{world.org_a.pk}"
    response = client.patch(url, {"kind": kind}, content_type="application/json", headers=bearer(world.admin_a))
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "operator_only" and "kind" in body["details"]
    _powers_unchanged(world.org_a)
    # Its people never gain the authority's powers.
    assert not actor_for(_fresh_user(world.admin_a)).has_kind(kind)


def _fresh_user(user):
    return type(user).objects.get(pk=user.pk)


def test_an_administrator_cannot_change_its_country_nor_other_operator_fields_through_the_api(client, world):
    url = f"{API}/organisations/{world.org_a.pk}"
    headers = bearer(world.admin_a)
    response = client.patch(url, {"country": "FR", "city": "Safi"}, content_type="application/json", headers=headers)
    assert response.status_code == 403 and response.json()["code"] == "operator_only"
    assert _fresh(world.org_a).city == "Casablanca"  # nothing of the request was applied
    for forged in ({"is_demo": True}, {"parent_id": world.org_b.pk}, {"parent": world.org_b.pk}):
        response = client.patch(url, forged, content_type="application/json", headers=headers)
        assert response.status_code in (403, 422), forged
        assert set(response.json()) == {"message", "code", "details"}
    _powers_unchanged(world.org_a)


def test_sending_back_the_current_kind_and_country_is_harmless(client, world):
    url = f"{API}/organisations/{world.org_a.pk}"
    response = client.patch(
        url,
        {"kind": "manufacturer", "country": "MA", "city": "Safi"},
        content_type="application/json",
        headers=bearer(world.admin_a),
    )
    assert response.status_code == 200 and response.json()["city"] == "Safi"


# The attack, through the page ------------------------------------------------------------------------------------


def test_the_edit_page_offers_no_operator_only_field(client, world):
    client.force_login(world.admin_a)
    page = client.get(reverse("accounts:organisation_edit", args=[world.org_a.pk]))
    assert page.status_code == 200
    assert not set(policies.OPERATOR_ONLY_FIELDS) & set(page.context["form"].fields)
    assert 'name="kind"' not in page.text and "ministry_health" not in page.text
    assert not set(policies.OPERATOR_ONLY_FIELDS) & set(OrganisationForm.base_fields)


@pytest.mark.parametrize(
    "forged", [{"kind": "ministry_health"}, {"kind": "imanor"}, {"country": "FR"}, {"is_demo": "on"}, {"parent": "1"}]
)
def test_a_forged_post_of_an_operator_only_field_is_refused_and_changes_nothing(client, world, forged):
    client.force_login(world.admin_a)
    url = reverse("accounts:organisation_edit", args=[world.org_a.pk])
    # What the old form sent, with one operator-only field forged (the same values as now are harmless).
    data = {"name": "Alpha Gants", "kind": "manufacturer", "country": "MA", "city": "Tanger", "is_public": "on"}
    data.update(forged)
    if "parent" in forged:
        data["parent"] = str(world.org_b.pk)
    response = client.post(url, data)
    assert response.status_code in (400, 403)
    assert escape(policies.operator_only_message()) in response.text
    _powers_unchanged(world.org_a)
    assert _fresh(world.org_a).city == "Casablanca"


def test_the_service_refuses_a_kind_change_even_to_the_operator(world):
    # One door for power changes: organisation_set_powers, with a reason.
    for who in (world.admin_a, world.superuser):
        with pytest.raises(Forbidden) as refused:
            services.organisation_update(actor=actor_for(who), organisation=world.org_a, kind="ministry_health")
        assert refused.value.code == "operator_only"
    _powers_unchanged(world.org_a)


# The operator's way ------------------------------------------------------------------------------------------------


def _kind_entries(org: Organisation):
    return [
        e
        for e in LogEntry.objects.filter(additional_data__organisation_id=org.pk, action=LogEntry.Action.UPDATE)
        if "kind" in (e.changes_dict or {})
    ]


def test_the_operator_changes_the_kind_with_a_reason_and_it_is_audited(world):
    organisation = services.organisation_change_kind(
        actor=actor_for(world.superuser),
        organisation=world.org_a,
        kind=OrganisationKind.STARTUP,
        reason="Statut start-up confirmé (ticket 42)",
    )
    assert organisation.kind == "startup" and _fresh(world.org_a).kind == "startup"
    (entry,) = _kind_entries(world.org_a)
    assert entry.changes_dict["kind"] == ["manufacturer", "startup"]
    assert entry.additional_data["reason"] == "Statut start-up confirmé (ticket 42)"


def test_only_the_operator_sets_powers_and_always_with_a_reason(world):
    for who in ("admin_a", "member_a", "secretariat", "admin_b"):
        with pytest.raises(Forbidden):
            services.organisation_set_powers(
                actor=actor_for(getattr(world, who)), organisation=world.org_a, kind="ministry_health", reason="x"
            )
    with pytest.raises(DomainError) as no_reason:
        services.organisation_set_powers(
            actor=actor_for(world.superuser), organisation=world.org_a, kind="startup", reason="  "
        )
    assert "reason" in no_reason.value.details
    _powers_unchanged(world.org_a)


def test_set_powers_validates_kind_country_and_parent(world):
    operator = actor_for(world.superuser)
    with pytest.raises(DomainError) as bad_kind:
        services.organisation_set_powers(actor=operator, organisation=world.org_a, kind="king", reason="r")
    assert "kind" in bad_kind.value.details
    with pytest.raises(DomainError) as bad_country:
        services.organisation_set_powers(actor=operator, organisation=world.org_a, country="Maroc", reason="r")
    assert "country" in bad_country.value.details
    group = OrganisationFactory(name="Groupe Atlas", kind=OrganisationKind.HOSPITAL_GROUP)
    hospital = OrganisationFactory(name="Clinique Atlas", kind=OrganisationKind.HOSPITAL)
    services.organisation_set_powers(actor=operator, organisation=hospital, parent=group, reason="Rachat")
    assert _fresh(hospital).parent_id == group.pk
    for parent in (hospital, group):  # itself, or a loop
        with pytest.raises(DomainError) as loop:
            services.organisation_set_powers(actor=operator, organisation=group, parent=parent, reason="r")
        assert "parent" in loop.value.details
    services.organisation_set_powers(actor=operator, organisation=hospital, parent=None, reason="Cession")
    assert _fresh(hospital).parent_id is None
    updated = services.organisation_set_powers(
        actor=operator, organisation=world.org_a, country="fr", is_demo=True, reason="Siège à Lyon"
    )
    assert (updated.country, updated.is_demo) == ("FR", True)
    assert not updated.is_established_in_morocco


def test_a_cluster_with_members_cannot_stop_being_a_cluster(world):
    with pytest.raises(DomainError) as refused:
        services.organisation_set_powers(
            actor=actor_for(world.superuser), organisation=world.cluster, kind="other", reason="r"
        )
    assert refused.value.code == "cluster_has_members"
    assert _fresh(world.cluster).kind == "cluster"


def test_the_operator_page_changes_the_kind_and_audits_the_reason(client, world):
    client.force_login(world.superuser)
    url = reverse("accounts:organisation_powers", args=[world.org_a.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'name="kind"' in page.text
    response = client.post(url, {"kind": "hospital_group", "country": "MA", "parent": "", "reason": "Erreur"})
    assert response.status_code == 302
    assert _fresh(world.org_a).kind == "hospital_group"
    (entry,) = _kind_entries(world.org_a)
    assert entry.actor == world.superuser and entry.additional_data["reason"] == "Erreur"
    detail = client.get(reverse("accounts:organisation_detail", args=[world.org_a.pk]))
    assert url in detail.text  # the operator finds the page from the organisation's page
    client.force_login(world.admin_a)  # the organisation's administrators read the change and its reason
    trail = client.get(reverse("accounts:audit_log"), {"object_type": "organisation"})
    assert "Erreur" in trail.text
    assert url not in client.get(reverse("accounts:organisation_detail", args=[world.org_a.pk])).text


def test_the_operator_page_and_api_are_closed_to_everybody_else(client, world):
    url = reverse("accounts:organisation_powers", args=[world.org_a.pk])
    api_url = f"{API}/organisations/{world.org_a.pk}/powers"
    for who in (world.admin_a, world.member_a, world.secretariat, world.admin_b):
        client.force_login(who)
        assert client.get(url).status_code in (403, 404)
        assert client.post(url, {"kind": "ministry_health", "country": "MA", "reason": "x"}).status_code in (403, 404)
        response = client.post(
            api_url, {"kind": "ministry_health", "reason": "x"}, content_type="application/json", headers=bearer(who)
        )
        assert response.status_code in (403, 404)
    _powers_unchanged(world.org_a)
    assert not _kind_entries(world.org_a)


def test_the_operator_api_changes_the_kind_and_it_is_audited(client, world):
    api_url = f"{API}/organisations/{world.org_a.pk}/powers"
    response = client.post(
        api_url,
        {"kind": "startup", "reason": "Statut start-up"},
        content_type="application/json",
        headers=bearer(world.superuser),
    )
    assert response.status_code == 200 and response.json()["kind"] == "startup"
    (entry,) = _kind_entries(world.org_a)
    assert entry.actor == world.superuser and entry.additional_data["reason"] == "Statut start-up"
    missing_reason = client.post(
        api_url, {"kind": "manufacturer"}, content_type="application/json", headers=bearer(world.superuser)
    )
    assert missing_reason.status_code in (400, 422)
    assert _fresh(world.org_a).kind == "startup"


# Other doors to the same powers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["ministry_health", "imanor", "ministry_industry", "cluster"])
def test_a_secretariat_cannot_create_an_authority_or_a_cluster(world, kind):
    with pytest.raises(Forbidden):
        services.organisation_create(
            actor=actor_for(world.secretariat),
            name="Faux ministère",
            kind=kind,
            cluster=world.cluster,
            first_admin_email=world.secretariat.email,
        )
    assert not Organisation.objects.filter(name="Faux ministère").exists()
    form = OrganisationCreateForm(clusters=Organisation.objects.filter(pk=world.cluster.pk), operator=False)
    assert kind not in {value for value, _label in form.fields["kind"].choices}


def test_the_operator_still_creates_an_authority(world):
    created = services.organisation_create(actor=actor_for(world.superuser), name="DMP", kind="ministry_health")
    assert created.kind == "ministry_health"


@pytest.mark.parametrize("kind", ["ministry_health", "imanor", "cluster"])
def test_a_secretariat_cannot_enrol_an_authority_or_another_cluster(world, kind):
    # Enrolling an organisation gives the secretariat its private data.
    target = OrganisationFactory(name="Autorité", kind=kind)
    with pytest.raises(Forbidden):
        services.cluster_membership_set(actor=actor_for(world.secretariat), cluster=world.cluster, member=target)
    assert not ClusterMembership.objects.filter(member=target).exists()
    assert target not in selectors.cluster_candidates(actor=actor_for(world.secretariat), cluster=world.cluster)


def test_the_admin_site_leaves_operator_only_fields_read_only(client, world):
    world.admin_a.is_staff = True
    world.admin_a.save()
    world.admin_a.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_organisation", "change_organisation", "change_user"])
    )
    client.force_login(world.admin_a)
    url = reverse("admin:accounts_organisation_change", args=[world.org_a.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert not set(policies.OPERATOR_ONLY_FIELDS) & set(page.context["adminform"].form.fields)
    client.post(
        url,
        {"name": "Alpha Gants", "slug": world.org_a.slug, "kind": "ministry_health", "country": "FR", "is_demo": "on"},
    )
    _powers_unchanged(world.org_a)
    user_page = client.get(reverse("admin:accounts_user_change", args=[world.admin_a.pk]))
    assert "is_demo" not in user_page.context["adminform"].form.fields
