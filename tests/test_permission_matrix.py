"""The permission matrix: every role against every object kind built so far, through pages and the API.

Roles: anonymous; administrator, member and read-only person of organisation A; administrator of
organisation B; the secretariat of the cluster A belongs to; the secretariat of another cluster (the one
B belongs to); the platform operator (superuser).

For each (role, object kind, operation) the matrix says whether the operation is allowed. Allowed
operations must succeed and have their effect; denied ones must fail the right way (a login redirect or
401 for anonymous visitors, 404 for private objects one may not read, 403 or 404 for changes) and change
nothing. A last test checks that a person of A reaches none of B's objects by guessing their ids.
"""

from dataclasses import dataclass
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse

from tawrid.accounts import services
from tawrid.accounts.models import ApiToken, ClusterMembership, Invitation, Membership, Organisation, Role
from tawrid.accounts.tests.factories import InvitationFactory, World, token_for
from tawrid.core.models import Job, JobStatus
from tawrid.core.permissions import actor_for

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "admin_a", "member_a", "reader_a", "admin_b", "secretariat", "other_secretariat", "superuser"]

A_PEOPLE = {"admin_a", "member_a", "reader_a"}
READERS_OF_A = A_PEOPLE | {"secretariat", "superuser"}
ADMINS_OF_A = {"admin_a", "superuser"}
WRITERS_OF_A = {"admin_a", "member_a", "superuser"}
CLUSTER_SECRETARIAT = {"secretariat", "superuser"}
TOKEN_OWNER = {"member_a"}
AUDIT_READERS = {"admin_a", "secretariat", "superuser"}

# object kind → operation → roles allowed
MATRIX: dict[str, dict[str, set[str]]] = {
    "organisation": {
        "read_page": READERS_OF_A,
        "read_api": READERS_OF_A,
        "change_page": ADMINS_OF_A,
        "change_api": ADMINS_OF_A,
    },
    "membership": {
        "read_page": READERS_OF_A,
        "read_api": READERS_OF_A,
        "change_page": ADMINS_OF_A,
        "change_api": ADMINS_OF_A,
    },
    "invitation": {
        "read_page": READERS_OF_A,
        "read_api": READERS_OF_A,
        "change_page": ADMINS_OF_A,
        "change_api": ADMINS_OF_A,
    },
    "cluster_membership": {
        "read_page": READERS_OF_A,
        "read_api": READERS_OF_A,
        "change_page": CLUSTER_SECRETARIAT,
        "change_api": CLUSTER_SECRETARIAT,
    },
    "api_token": {
        "read_page": TOKEN_OWNER,
        "read_api": TOKEN_OWNER,
        "change_page": TOKEN_OWNER,
        "change_api": TOKEN_OWNER,
    },
    "job": {
        "read_page": READERS_OF_A,
        "read_api": READERS_OF_A,
        "change_page": WRITERS_OF_A,
        "change_api": WRITERS_OF_A,
    },
    # The audit trail is append-only: nobody changes it, through any door (see the last tests).
    "audit_entry": {"read_page": AUDIT_READERS, "read_api": AUDIT_READERS},
    # Who may change power-granting fields (an organisation's kind, country, parent, demo flag): the operator only.
    "organisation_powers": {"change_page": {"superuser"}, "change_api": {"superuser"}},
}

# The models this matrix covers (tests/permission_matrix/test_coverage.py checks every model with a policy is
# in some app's matrix; the other apps' tables are in tests/permission_matrix/).
MODELS = {
    Organisation: "organisation",
    Membership: "membership",
    Invitation: "invitation",
    ClusterMembership: "cluster_membership",
    ApiToken: "api_token",
    Job: "job",
    LogEntry: "audit_entry",
}

CASES = [(role, kind, op) for kind, ops in MATRIX.items() for op in ops for role in ROLES]


@dataclass
class Scene:
    world: World
    client: Client
    role: str
    headers: dict[str, str]
    invitation: Invitation
    token: ApiToken
    job: Job
    audit_marker: str

    @property
    def anonymous(self) -> bool:
        return self.role == "anonymous"

    def page(self, method: str, url: str, data: Any = None) -> Any:
        return getattr(self.client, method)(url, data or {})

    def api(self, method: str, url: str, data: Any = None) -> Any:
        kwargs: dict[str, Any] = {"headers": self.headers}
        if data is not None:
            kwargs.update(data=data, content_type="application/json")
        return getattr(self.client, method)(f"/api/v1{url}", **kwargs)

    def denied_read_page(self, response: Any) -> None:
        if self.anonymous:
            assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
        else:
            assert response.status_code in (403, 404), response.status_code

    def denied_read_api(self, response: Any, *, private: bool = True) -> None:
        if self.anonymous:
            assert response.status_code == 401
            assert response.json()["code"] == "unauthenticated"
        elif private:
            assert response.status_code == 404
            assert set(response.json()) == {"message", "code", "details"}

    def denied_change_page(self, response: Any) -> None:
        if self.anonymous:
            assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
        else:
            assert response.status_code in (403, 404), response.status_code

    def denied_change_api(self, response: Any) -> None:
        if self.anonymous:
            assert response.status_code == 401
        else:
            assert response.status_code in (403, 404), response.status_code
            assert set(response.json()) == {"message", "code", "details"}


@pytest.fixture
def scene_for(client):
    def build(role: str) -> Scene:
        world = World()
        invitation = InvitationFactory(organisation=world.org_a, email="pending@example.ma")
        token, _secret = token_for(world.member_a, name="Matrice")
        job = Job.objects.create(
            kind="core.prune_jobs", title="Import du plan", organisation=world.org_a, status=JobStatus.FAILED
        )
        services.organisation_update(
            actor=actor_for(world.admin_a), organisation=world.org_a, website="https://alpha.example.ma"
        )
        user = world.people[role]
        headers: dict[str, str] = {}
        if user is not None:
            client.force_login(user)
            headers = {"Authorization": f"Bearer {token_for(user, name='api')[1]}"}
        return Scene(world, client, role, headers, invitation, token, job, "https://alpha.example.ma")

    return build


# One function per (kind, operation): does it, returns whether it was allowed, and checks denials strictly.


def organisation_read_page(s: Scene) -> bool:
    response = s.page("get", reverse("accounts:organisation_detail", args=[s.world.org_a.pk]))
    if response.status_code == 200:
        assert s.world.reader_a.email in response.text
        return True
    s.denied_read_page(response)
    return False


def organisation_read_api(s: Scene) -> bool:
    response = s.api("get", f"/accounts/organisations/{s.world.org_a.pk}")
    if s.anonymous:
        # A is in the public directory: its public fields are anyone's, its people are not.
        assert response.status_code == 200 and response.json()["people"] is None
        return False
    assert response.status_code == 200
    people = response.json()["people"]
    if people is None:
        assert response.json()["legal_id"] is None
        return False
    assert s.world.reader_a.email in {p["email"] for p in people}
    return True


def organisation_change_page(s: Scene) -> bool:
    url = reverse("accounts:organisation_edit", args=[s.world.org_a.pk])
    data = {"name": "Alpha Gants", "kind": "manufacturer", "country": "MA", "city": "Tanger", "is_public": "on"}
    response = s.page("post", url, data)
    changed = Organisation.objects.get(pk=s.world.org_a.pk).city == "Tanger"
    if response.status_code == 302 and changed:
        return True
    assert not changed
    s.denied_change_page(response)
    return False


def organisation_change_api(s: Scene) -> bool:
    response = s.api("patch", f"/accounts/organisations/{s.world.org_a.pk}", {"city": "Tanger"})
    changed = Organisation.objects.get(pk=s.world.org_a.pk).city == "Tanger"
    if response.status_code == 200:
        assert changed
        return True
    assert not changed
    s.denied_change_api(response)
    return False


def membership_read_page(s: Scene) -> bool:
    return organisation_read_page(s)  # the people and their roles are on the organisation's page


def membership_read_api(s: Scene) -> bool:
    response = s.api("get", f"/accounts/organisations/{s.world.org_a.pk}/memberships")
    if response.status_code == 200:
        assert s.world.reader_a.email in {p["email"] for p in response.json()}
        return True
    s.denied_read_api(response)
    return False


def _reader_membership(s: Scene) -> Membership:
    return Membership.objects.get(user=s.world.reader_a, organisation=s.world.org_a)


def membership_change_page(s: Scene) -> bool:
    membership = _reader_membership(s)
    response = s.page("post", reverse("accounts:membership_role", args=[membership.pk]), {"role": Role.MEMBER})
    changed = Membership.objects.get(pk=membership.pk).role == Role.MEMBER
    if changed:
        assert response.status_code == 302
        return True
    s.denied_change_page(response)
    return False


def membership_change_api(s: Scene) -> bool:
    membership = _reader_membership(s)
    url = f"/accounts/organisations/{s.world.org_a.pk}/memberships/{membership.pk}"
    response = s.api("patch", url, {"role": Role.MEMBER})
    changed = Membership.objects.get(pk=membership.pk).role == Role.MEMBER
    if response.status_code == 200:
        assert changed
        return True
    assert not changed
    s.denied_change_api(response)
    return False


def invitation_read_page(s: Scene) -> bool:
    response = s.page("get", reverse("accounts:organisation_detail", args=[s.world.org_a.pk]))
    if response.status_code == 200:
        assert s.invitation.email in response.text
        return True
    s.denied_read_page(response)
    return False


def invitation_read_api(s: Scene) -> bool:
    response = s.api("get", f"/accounts/organisations/{s.world.org_a.pk}/invitations")
    if response.status_code == 200:
        assert [i["id"] for i in response.json()] == [s.invitation.pk]
        return True
    s.denied_read_api(response)
    return False


def invitation_change_page(s: Scene) -> bool:
    response = s.page("post", reverse("accounts:invitation_revoke", args=[s.invitation.pk]))
    changed = Invitation.objects.get(pk=s.invitation.pk).status == "revoked"
    if changed:
        assert response.status_code == 302
        return True
    s.denied_change_page(response)
    return False


def invitation_change_api(s: Scene) -> bool:
    response = s.api("delete", f"/accounts/organisations/{s.world.org_a.pk}/invitations/{s.invitation.pk}")
    changed = Invitation.objects.get(pk=s.invitation.pk).status == "revoked"
    if response.status_code == 200:
        assert changed
        return True
    assert not changed
    s.denied_change_api(response)
    return False


def cluster_membership_read_page(s: Scene) -> bool:
    # A's people see it on their organisation's page, the secretariat also on its members page.
    response = s.page("get", reverse("accounts:organisation_detail", args=[s.world.org_a.pk]))
    if response.status_code == 200:
        assert s.world.cluster.name in response.text
        if s.role in CLUSTER_SECRETARIAT:
            members = s.page("get", reverse("accounts:cluster_members"), {"cluster": s.world.cluster.pk})
            assert s.world.cm_a in list(members.context["memberships"])
        return True
    s.denied_read_page(response)
    return False


def cluster_membership_read_api(s: Scene) -> bool:
    response = s.api("get", "/accounts/cluster-memberships")
    if s.anonymous:
        s.denied_read_api(response)
        return False
    assert response.status_code == 200
    return s.world.cm_a.pk in {m["id"] for m in response.json()}


def cluster_membership_change_page(s: Scene) -> bool:
    url = reverse("accounts:cluster_membership_edit", args=[s.world.cm_a.pk])
    response = s.page("post", url, {"status": "suspended", "joined_on": "", "left_on": "", "notes": ""})
    changed = ClusterMembership.objects.get(pk=s.world.cm_a.pk).status == "suspended"
    if changed:
        assert response.status_code == 302
        return True
    s.denied_change_page(response)
    return False


def cluster_membership_change_api(s: Scene) -> bool:
    response = s.api("patch", f"/accounts/cluster-memberships/{s.world.cm_a.pk}", {"status": "suspended"})
    changed = ClusterMembership.objects.get(pk=s.world.cm_a.pk).status == "suspended"
    if response.status_code == 200:
        assert changed
        return True
    assert not changed
    s.denied_change_api(response)
    return False


def api_token_read_page(s: Scene) -> bool:
    response = s.page("get", reverse("accounts:profile"))
    if s.anonymous:
        s.denied_read_page(response)
        return False
    assert response.status_code == 200
    return s.token in list(response.context["tokens"])


def api_token_read_api(s: Scene) -> bool:
    response = s.api("get", "/accounts/tokens")
    if s.anonymous:
        s.denied_read_api(response)
        return False
    return s.token.pk in {t["id"] for t in response.json()}


def api_token_change_page(s: Scene) -> bool:
    response = s.page("post", reverse("accounts:token_revoke", args=[s.token.pk]))
    changed = ApiToken.objects.get(pk=s.token.pk).revoked_at is not None
    if changed:
        assert response.status_code == 302
        return True
    s.denied_change_page(response)
    return False


def api_token_change_api(s: Scene) -> bool:
    response = s.api("delete", f"/accounts/tokens/{s.token.pk}")
    changed = ApiToken.objects.get(pk=s.token.pk).revoked_at is not None
    if response.status_code == 200:
        assert changed
        return True
    assert not changed
    s.denied_change_api(response)
    return False


def job_read_page(s: Scene) -> bool:
    response = s.page("get", reverse("core:job_detail", args=[s.job.pk]))
    if response.status_code == 200:
        assert s.job.title in response.text
        return True
    s.denied_read_page(response)
    return False


def job_read_api(s: Scene) -> bool:
    response = s.api("get", f"/jobs/{s.job.pk}")
    if response.status_code == 200:
        assert response.json()["id"] == s.job.pk
        return True
    s.denied_read_api(response)
    return False


def job_change_page(s: Scene) -> bool:
    response = s.page("post", reverse("core:job_retry", args=[s.job.pk]))
    retried = Job.objects.filter(retry_of=s.job).exists()
    if retried:
        assert response.status_code == 302
        return True
    s.denied_change_page(response)
    return False


def job_change_api(s: Scene) -> bool:
    response = s.api("post", f"/jobs/{s.job.pk}/retry", {})
    retried = Job.objects.filter(retry_of=s.job).exists()
    if response.status_code == 201:
        assert retried
        return True
    assert not retried
    s.denied_change_api(response)
    return False


def audit_entry_read_page(s: Scene) -> bool:
    response = s.page("get", reverse("accounts:audit_log"), {"object_type": "organisation"})
    if response.status_code == 200:
        return s.audit_marker in response.text
    s.denied_read_page(response)
    return False


def audit_entry_read_api(s: Scene) -> bool:
    response = s.api("get", "/accounts/audit", None)
    if s.anonymous:
        s.denied_read_api(response)
        return False
    assert response.status_code == 200
    return any(change["after"] == s.audit_marker for entry in response.json() for change in entry["changes"])


def organisation_powers_change_page(s: Scene) -> bool:
    url = reverse("accounts:organisation_powers", args=[s.world.org_a.pk])
    response = s.page("post", url, {"kind": "ministry_health", "country": "MA", "parent": "", "reason": "Matrice"})
    changed = Organisation.objects.get(pk=s.world.org_a.pk).kind == "ministry_health"
    if changed:
        assert response.status_code == 302
        return True
    s.denied_change_page(response)
    return False


def organisation_powers_change_api(s: Scene) -> bool:
    url = f"/accounts/organisations/{s.world.org_a.pk}/powers"
    response = s.api("post", url, {"kind": "ministry_health", "reason": "Matrice"})
    changed = Organisation.objects.get(pk=s.world.org_a.pk).kind == "ministry_health"
    if response.status_code == 200:
        assert changed
        return True
    assert not changed
    s.denied_change_api(response)
    return False


@pytest.mark.parametrize(("role", "kind", "op"), CASES, ids=[f"{k}-{o}-{r}" for r, k, o in CASES])
def test_permission_matrix(scene_for, role: str, kind: str, op: str) -> None:
    scene = scene_for(role)
    allowed = globals()[f"{kind}_{op}"](scene)
    expected = role in MATRIX[kind][op]
    assert allowed is expected, f"{role} {'should' if expected else 'should not'} be able to {op} a {kind}"


def test_the_matrix_covers_every_role_and_kind() -> None:
    assert len(CASES) == len(ROLES) * sum(len(ops) for ops in MATRIX.values())
    for kind, ops in MATRIX.items():
        for op in ops:
            assert callable(globals().get(f"{kind}_{op}")), f"missing check {kind}_{op}"


@pytest.mark.parametrize("role", ROLES)
def test_nobody_changes_the_audit_trail(client, role: str) -> None:
    from auditlog.models import LogEntry

    world = World()
    services.organisation_update(actor=actor_for(world.admin_a), organisation=world.org_a, city="Safi")
    entry = LogEntry.objects.filter(additional_data__organisation_id=world.org_a.pk).latest("timestamp")
    from tawrid.core import permissions

    assert not permissions.can_change(actor_for(world.people[role]), entry)
    user = world.people[role]
    if user is not None:
        client.force_login(user)
    response = client.post(reverse("admin:auditlog_logentry_delete", args=[entry.pk]), {"post": "yes"})
    assert response.status_code in (302, 403)
    assert LogEntry.objects.filter(pk=entry.pk).exists()


def test_a_person_of_a_reaches_none_of_bs_objects_by_guessing_ids(client) -> None:
    world = World()
    b_membership = Membership.objects.get(user=world.admin_b, organisation=world.org_b)
    b_invitation = InvitationFactory(organisation=world.org_b)
    b_token, _ = token_for(world.admin_b)
    b_job = Job.objects.create(kind="core.prune_jobs", title="Job B", organisation=world.org_b, status=JobStatus.FAILED)
    client.force_login(world.admin_a)
    headers = {"Authorization": f"Bearer {token_for(world.admin_a)[1]}"}

    pages = [
        ("get", reverse("accounts:organisation_detail", args=[world.org_b.pk]), None),
        ("get", reverse("accounts:organisation_edit", args=[world.org_b.pk]), None),
        (
            "post",
            reverse("accounts:organisation_edit", args=[world.org_b.pk]),
            {"name": "Pris", "kind": "other", "country": "MA"},
        ),
        (
            "post",
            reverse("accounts:invitation_create", args=[world.org_b.pk]),
            {"email": "spy@example.ma", "role": "admin"},
        ),
        ("post", reverse("accounts:membership_role", args=[b_membership.pk]), {"role": "read_only"}),
        ("post", reverse("accounts:membership_remove", args=[b_membership.pk]), None),
        ("post", reverse("accounts:invitation_revoke", args=[b_invitation.pk]), None),
        ("post", reverse("accounts:token_revoke", args=[b_token.pk]), None),
        ("get", reverse("accounts:cluster_membership_edit", args=[world.cm_b.pk]), None),
        ("post", reverse("accounts:cluster_membership_edit", args=[world.cm_b.pk]), {"status": "left"}),
        ("get", reverse("core:job_detail", args=[b_job.pk]), None),
        ("post", reverse("core:job_retry", args=[b_job.pk]), None),
    ]
    for method, url, data in pages:
        response = getattr(client, method)(url, data or {})
        assert response.status_code == 404, (method, url, response.status_code)

    api = [
        ("get", f"/accounts/organisations/{world.org_b.pk}", None),
        ("patch", f"/accounts/organisations/{world.org_b.pk}", {"name": "Pris"}),
        ("get", f"/accounts/organisations/{world.org_b.pk}/memberships", None),
        ("patch", f"/accounts/organisations/{world.org_b.pk}/memberships/{b_membership.pk}", {"role": "read_only"}),
        ("patch", f"/accounts/organisations/{world.org_a.pk}/memberships/{b_membership.pk}", {"role": "read_only"}),
        ("delete", f"/accounts/organisations/{world.org_b.pk}/memberships/{b_membership.pk}", None),
        ("get", f"/accounts/organisations/{world.org_b.pk}/invitations", None),
        ("post", f"/accounts/organisations/{world.org_b.pk}/invitations", {"email": "spy@example.ma", "role": "admin"}),
        ("delete", f"/accounts/organisations/{world.org_b.pk}/invitations/{b_invitation.pk}", None),
        ("delete", f"/accounts/organisations/{world.org_a.pk}/invitations/{b_invitation.pk}", None),
        ("patch", f"/accounts/cluster-memberships/{world.cm_b.pk}", {"status": "left"}),
        ("delete", f"/accounts/tokens/{b_token.pk}", None),
        ("get", f"/jobs/{b_job.pk}", None),
        ("post", f"/jobs/{b_job.pk}/retry", {}),
    ]
    for method, url, data in api:
        kwargs: dict[str, Any] = {"headers": headers}
        if data is not None:
            kwargs.update(data=data, content_type="application/json")
        response = getattr(client, method)(f"/api/v1{url}", **kwargs)
        assert response.status_code == 404, (method, url, response.status_code)
        assert response.json()["code"] == "not_found"

    assert world.cm_b.pk not in {
        m["id"] for m in client.get("/api/v1/accounts/cluster-memberships", headers=headers).json()
    }
    assert world.org_b.pk not in {o["id"] for o in client.get("/api/v1/accounts/organisations", headers=headers).json()}
    # Nothing of B changed.
    assert Organisation.objects.get(pk=world.org_b.pk).name == "Beta Seringues"
    assert Membership.objects.get(pk=b_membership.pk).role == Role.ADMIN
    assert Invitation.objects.get(pk=b_invitation.pk).status == "pending"
    assert not Invitation.objects.filter(email="spy@example.ma").exists()
    assert ApiToken.objects.get(pk=b_token.pk).revoked_at is None
    assert ClusterMembership.objects.get(pk=world.cm_b.pk).status == "active"
    assert not Job.objects.filter(retry_of=b_job).exists()
