import pytest
from auditlog.models import LogEntry
from django.core import mail

from tawrid.accounts import services
from tawrid.accounts.models import ApiToken, ClusterMembership, Invitation, Membership, OrganisationKind, Role
from tawrid.accounts.tests.factories import InvitationFactory, OrganisationFactory, World, token_for
from tawrid.core.permissions import actor_for

pytestmark = pytest.mark.django_db

API = "/api/v1/accounts"


@pytest.fixture
def world():
    return World()


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {token_for(user)[1]}"}


def test_me_lists_my_organisations(client, world):
    body = client.get(f"{API}/me", headers=bearer(world.admin_a)).json()
    assert body["email"] == world.admin_a.email
    assert body["memberships"] == [
        {
            "organisation_id": world.org_a.pk,
            "organisation_name": "Alpha Gants",
            "organisation_kind": "manufacturer",
            "role": "admin",
        }
    ]


def test_organisation_search_is_accent_and_case_insensitive(client, world):
    OrganisationFactory(name="Société Fès Médical", city="Fès", kind=OrganisationKind.HOSPITAL)
    services.organisation_update(
        actor=actor_for(world.superuser), organisation=world.org_a, description="Gants d'examen en NITRILE"
    )
    names = [o["name"] for o in client.get(f"{API}/organisations", {"q": "societe FES"}).json()]
    assert names == ["Société Fès Médical"]
    assert [o["name"] for o in client.get(f"{API}/organisations", {"q": "nitrile"}).json()] == ["Alpha Gants"]
    kinds = {o["kind"] for o in client.get(f"{API}/organisations", {"kind": "cluster"}).json()}
    assert kinds == {"cluster"}


def test_the_directory_hides_unlisted_organisations_from_outsiders(client, world):
    names = {o["name"] for o in client.get(f"{API}/organisations").json()}
    assert "Alpha Gants" in names and "Beta Seringues" not in names
    names = {o["name"] for o in client.get(f"{API}/organisations", headers=bearer(world.admin_b)).json()}
    assert "Beta Seringues" in names


def test_organisation_detail_shows_people_only_to_insiders_and_the_secretariat(client, world):
    url = f"{API}/organisations/{world.org_a.pk}"
    assert client.get(url).json()["people"] is None
    assert client.get(url, headers=bearer(world.admin_b)).json()["people"] is None
    insider = client.get(url, headers=bearer(world.reader_a)).json()
    assert {p["email"] for p in insider["people"]} == {world.admin_a.email, world.member_a.email, world.reader_a.email}
    assert len(client.get(url, headers=bearer(world.secretariat)).json()["people"]) == 3
    assert client.get(f"{API}/organisations/{world.org_b.pk}", headers=bearer(world.admin_a)).status_code == 404


def test_patch_organisation_validates_with_the_form(client, world):
    url = f"{API}/organisations/{world.org_a.pk}"
    response = client.patch(
        url,
        {"website": "pas une adresse", "legal_id": "12"},
        content_type="application/json",
        headers=bearer(world.admin_a),
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error" and {"website", "legal_id"} <= set(body["details"])
    response = client.patch(url, {"city": "Tanger"}, content_type="application/json", headers=bearer(world.admin_a))
    assert response.status_code == 200 and response.json()["city"] == "Tanger"
    response = client.patch(url, {"city": "Rabat"}, content_type="application/json", headers=bearer(world.member_a))
    assert response.status_code == 403
    world.org_a.refresh_from_db()
    assert world.org_a.city == "Tanger"


def test_memberships_list_and_role_change(client, world):
    url = f"{API}/organisations/{world.org_a.pk}/memberships"
    people = client.get(url, headers=bearer(world.member_a)).json()
    reader = next(p for p in people if p["email"] == world.reader_a.email)
    target = f"{url}/{reader['membership_id']}"
    denied = client.patch(target, {"role": "admin"}, content_type="application/json", headers=bearer(world.member_a))
    assert denied.status_code == 403
    invalid = client.patch(target, {"role": "king"}, content_type="application/json", headers=bearer(world.admin_a))
    assert invalid.status_code == 422 and "role" in invalid.json()["details"]
    done = client.patch(target, {"role": "member"}, content_type="application/json", headers=bearer(world.admin_a))
    assert done.status_code == 200 and done.json()["role"] == "member"
    own = Membership.objects.get(user=world.admin_a).pk
    last = client.patch(
        f"{url}/{own}", {"role": "member"}, content_type="application/json", headers=bearer(world.admin_a)
    )
    assert last.status_code == 400 and last.json()["code"] == "last_admin"


def test_membership_of_another_organisation_cannot_be_reached_through_mine(client, world):
    b_membership = Membership.objects.get(user=world.admin_b).pk
    response = client.patch(
        f"{API}/organisations/{world.org_a.pk}/memberships/{b_membership}",
        {"role": "read_only"},
        content_type="application/json",
        headers=bearer(world.admin_a),
    )
    assert response.status_code == 404
    assert response.json() == {"message": response.json()["message"], "code": "not_found", "details": {}}
    assert Membership.objects.get(pk=b_membership).role == Role.ADMIN


def test_invitations_through_the_api(client, world, django_capture_on_commit_callbacks):
    url = f"{API}/organisations/{world.org_a.pk}/invitations"
    bad = client.post(url, {"email": "not-an-email"}, content_type="application/json", headers=bearer(world.admin_a))
    assert bad.status_code == 422 and "email" in bad.json()["details"]
    with django_capture_on_commit_callbacks(execute=True):  # the e-mail goes out after the commit
        created = client.post(
            url,
            {"email": "new@example.ma", "role": "read_only"},
            content_type="application/json",
            headers=bearer(world.admin_a),
        )
    assert created.status_code == 201 and created.json()["status"] == "pending"
    assert "token_hash" not in created.json()
    assert mail.outbox[-1].to == ["new@example.ma"]
    duplicate = client.post(
        url, {"email": "new@example.ma"}, content_type="application/json", headers=bearer(world.admin_a)
    )
    assert duplicate.status_code == 400 and duplicate.json()["code"] == "already_invited"
    forbidden = client.post(
        url, {"email": "x@example.ma"}, content_type="application/json", headers=bearer(world.member_a)
    )
    assert forbidden.status_code == 403
    listed = client.get(url, headers=bearer(world.secretariat)).json()
    assert [i["email"] for i in listed] == ["new@example.ma"]
    revoked = client.delete(f"{url}/{created.json()['id']}", headers=bearer(world.admin_a))
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"


def test_tokens_endpoints_show_the_secret_once(client, world):
    headers = bearer(world.member_a)
    created = client.post(f"{API}/tokens", {"name": "ERP", "days": 7}, content_type="application/json", headers=headers)
    assert created.status_code == 201
    secret = created.json()["secret"]
    listed = client.get(f"{API}/tokens", headers=headers).json()
    assert {t["name"] for t in listed} == {"tests", "ERP"}
    assert all("secret" not in t for t in listed)
    assert client.get(f"{API}/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    bad = client.post(f"{API}/tokens", {"name": " ", "days": 0}, content_type="application/json", headers=headers)
    assert bad.status_code == 422 and {"name", "days"} <= set(bad.json()["details"])
    other = token_for(world.admin_a)[0]
    assert client.delete(f"{API}/tokens/{other.pk}", headers=headers).status_code == 404
    assert ApiToken.objects.get(pk=other.pk).revoked_at is None
    revoked = client.delete(f"{API}/tokens/{created.json()['id']}", headers=headers)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert client.get(f"{API}/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_cluster_memberships_endpoints(client, world):
    mine = client.get(f"{API}/cluster-memberships", headers=bearer(world.member_a)).json()
    assert [(m["cluster_name"], m["member_name"]) for m in mine] == [("Cluster médical", "Alpha Gants")]
    secretariat = bearer(world.secretariat)
    newcomer = OrganisationFactory(name="Nouvel Hôpital", kind=OrganisationKind.HOSPITAL)
    created = client.post(
        f"{API}/cluster-memberships",
        {"cluster_id": world.cluster.pk, "member_id": newcomer.pk},
        content_type="application/json",
        headers=secretariat,
    )
    assert created.status_code == 201 and created.json()["status"] == "proposed"
    assert created.json()["member_consented_at"] is None
    ClusterMembership.objects.filter(pk=created.json()["id"]).update(status="applied")
    listed = client.get(f"{API}/cluster-memberships", {"status": "applied"}, headers=secretariat).json()
    assert [m["member_name"] for m in listed] == ["Nouvel Hôpital"]
    left = client.patch(
        f"{API}/cluster-memberships/{created.json()['id']}",
        {"status": "left", "joined_on": "2024-01-10", "left_on": "2023-01-01"},
        content_type="application/json",
        headers=secretariat,
    )
    # Well-formed dates in the wrong order: a rule the document cannot state, so a 400 (not a 422).
    assert left.status_code == 400 and "left_on" in left.json()["details"]
    left = client.patch(
        f"{API}/cluster-memberships/{created.json()['id']}",
        {"status": "left", "left_on": "2025-02-01"},
        content_type="application/json",
        headers=secretariat,
    )
    assert left.status_code == 200 and left.json()["left_on"] == "2025-02-01"
    denied = client.patch(
        f"{API}/cluster-memberships/{world.cm_a.pk}",
        {"status": "suspended"},
        content_type="application/json",
        headers=bearer(world.admin_a),
    )
    assert denied.status_code == 403
    assert ClusterMembership.objects.get(pk=world.cm_a.pk).status == "active"


def test_audit_endpoint_shows_before_and_after(client, world):
    services.organisation_update(actor=actor_for(world.admin_a), organisation=world.org_a, city="Agadir")
    entries = client.get(f"{API}/audit", {"object_type": "organisation"}, headers=bearer(world.admin_a)).json()
    update = next(e for e in entries if e["action"] == "update")
    assert update["organisation_id"] == world.org_a.pk
    assert {"field": "city", "before": "Casablanca", "after": "Agadir"} in update["changes"]
    assert client.get(f"{API}/audit", headers=bearer(world.member_a)).json() == []
    reversed_dates = {"date_from": "2025-02-01", "date_to": "2025-01-01"}
    refused = client.get(f"{API}/audit", reversed_dates, headers=bearer(world.admin_a))
    assert refused.status_code == 400 and "date_to" in refused.json()["details"]  # a rule, not the document's shape
    unknown = client.get(f"{API}/audit", {"object_type": "opening"}, headers=bearer(world.admin_a))
    assert unknown.status_code == 422 and "query.object_type" in unknown.json()["details"]  # not a documented choice


def test_accept_invitation_records_the_membership_in_the_audit_trail(world):
    invitation = InvitationFactory(organisation=world.org_a, email="audit@example.ma")
    services.invitation_accept(raw_token=invitation.raw_token, full_name="Audit", password="un-mot-de-passe-solide")
    assert LogEntry.objects.filter(
        additional_data__organisation_id=world.org_a.pk, content_type__model="membership"
    ).exists()
    assert Invitation.objects.get(pk=invitation.pk).status == "accepted"


def test_changes_made_with_a_token_name_their_author_in_the_audit_trail(client, world):
    response = client.patch(
        f"{API}/organisations/{world.org_a.pk}",
        {"city": "Larache"},
        content_type="application/json",
        headers=bearer(world.admin_a),
    )
    assert response.status_code == 200
    entry = LogEntry.objects.get_for_object(world.org_a).filter(action=LogEntry.Action.UPDATE).latest("timestamp")
    assert entry.changes_dict["city"][1] == "Larache"
    assert entry.actor == world.admin_a
