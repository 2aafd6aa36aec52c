from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tawrid.accounts import services
from tawrid.accounts.models import ApiToken, ClusterMembership, Invitation, Membership, Organisation, Role, User
from tawrid.accounts.tests.factories import (
    TEST_PASSWORD,
    ClusterMembershipFactory,
    InvitationFactory,
    OrganisationFactory,
    World,
    token_for,
)
from tawrid.accounts.tokens import hash_secret
from tawrid.core.permissions import actor_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def test_login_by_email_sets_the_preferred_language(client, world):
    world.member_a.preferred_language = "ar"
    world.member_a.save()
    response = client.post(
        reverse("accounts:login"), {"username": world.member_a.email.upper(), "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert response.cookies["tawrid_language"].value == "ar"
    client.logout()
    refused = client.post(reverse("accounts:login"), {"username": world.admin_a.email, "password": "wrong"})
    assert refused.status_code == 200 and refused.context["form"].errors


def test_password_reset_sends_a_working_link(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the e-mail is queued once the request commits
        response = client.post(reverse("accounts:password_reset"), {"email": world.reader_a.email})
    assert response.status_code == 302
    message = mail.outbox[-1]
    assert message.to == [world.reader_a.email]
    link = next(line for line in message.body.splitlines() if "/accounts/password-reset/" in line)
    path = "/" + link.split("/", 3)[3]
    page = client.get(path, follow=True)
    assert page.status_code == 200 and page.context["validlink"]
    done = client.post(
        page.redirect_chain[-1][0], {"new_password1": "un-nouveau-secret-42", "new_password2": "un-nouveau-secret-42"}
    )
    assert done.status_code == 302
    assert User.objects.get(pk=world.reader_a.pk).check_password("un-nouveau-secret-42")


def test_profile_lists_organisations_and_saves_name_and_language(client, world):
    client.force_login(world.member_a)
    page = client.get(reverse("accounts:profile"))
    assert page.status_code == 200
    assert "Alpha Gants" in page.text
    response = client.post(reverse("accounts:profile"), {"full_name": "Mehdi Bennani", "preferred_language": "en"})
    assert response.status_code == 302 and response.cookies["tawrid_language"].value == "en"
    world.member_a.refresh_from_db()
    assert (world.member_a.full_name, world.member_a.preferred_language) == ("Mehdi Bennani", "en")
    refused = client.post(reverse("accounts:profile"), {"full_name": "   ", "preferred_language": "xx"})
    assert refused.status_code == 400
    world.member_a.refresh_from_db()
    assert world.member_a.full_name == "Mehdi Bennani"


def test_token_secret_is_shown_once_and_can_be_revoked(client, world):
    client.force_login(world.member_a)
    response = client.post(reverse("accounts:token_create"), {"name": "Export ERP", "days": "30"})
    assert response.status_code == 200
    secret = response.context["new_secret"]
    assert secret in response.text
    token = ApiToken.objects.get(name="Export ERP")
    assert token.token_hash == hash_secret(secret)
    again = client.get(reverse("accounts:profile"))
    assert secret not in again.text and token.prefix in again.text
    client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    other, _ = token_for(world.admin_a)
    assert client.post(reverse("accounts:token_revoke", args=[other.pk])).status_code == 404
    assert client.post(reverse("accounts:token_create"), {"name": ""}).status_code == 400


def test_organisation_page_for_an_admin_and_for_a_member(client, world):
    client.force_login(world.admin_a)
    page = client.get(reverse("accounts:organisation_detail", args=[world.org_a.pk]))
    assert page.status_code == 200
    assert page.context["is_admin"] and world.reader_a.email in page.text
    assert reverse("accounts:invitation_create", args=[world.org_a.pk]) in page.text
    client.force_login(world.member_a)
    page = client.get(reverse("accounts:organisation_detail", args=[world.org_a.pk]))
    assert not page.context["is_admin"]
    assert reverse("accounts:invitation_create", args=[world.org_a.pk]) not in page.text


def test_admin_manages_people_from_the_page(client, world):
    client.force_login(world.admin_a)
    reader = Membership.objects.get(user=world.reader_a)
    client.post(reverse("accounts:membership_role", args=[reader.pk]), {"role": Role.MEMBER})
    assert Membership.objects.get(pk=reader.pk).role == Role.MEMBER
    own = Membership.objects.get(user=world.admin_a)
    response = client.post(reverse("accounts:membership_role", args=[own.pk]), {"role": Role.MEMBER}, follow=True)
    assert Membership.objects.get(pk=own.pk).role == Role.ADMIN
    assert any(m.level_tag == "error" for m in response.context["messages"])
    client.post(reverse("accounts:membership_remove", args=[reader.pk]))
    assert not Membership.objects.filter(pk=reader.pk).exists()


def test_invitation_from_the_page_with_errors_shown(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.admin_a)
    url = reverse("accounts:invitation_create", args=[world.org_a.pk])
    response = client.post(url, {"email": world.member_a.email, "role": Role.MEMBER})
    assert response.status_code == 400 and response.context["invite_form"].errors["email"]
    with django_capture_on_commit_callbacks(execute=True):  # the e-mail goes out after the commit
        response = client.post(url, {"email": "nadia@example.ma", "role": Role.READ_ONLY})
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="nadia@example.ma")
    assert "http://testserver/accounts/invitation/twd_" in mail.outbox[-1].body
    client.post(reverse("accounts:invitation_revoke", args=[invitation.pk]))
    assert Invitation.objects.get(pk=invitation.pk).status == "revoked"


def test_invitation_acceptance_page_for_a_new_person(client, world):
    invitation = InvitationFactory(organisation=world.org_a, email="salma@example.ma")
    url = reverse("accounts:invitation_accept", args=[invitation.raw_token])
    page = client.get(url)
    assert page.status_code == 200 and "salma@example.ma" in page.text
    mismatch = client.post(
        url, {"full_name": "Salma", "password1": "un-mot-de-passe-solide", "password2": "autre-chose-123"}
    )
    assert mismatch.status_code == 400 and "password2" in mismatch.context["form"].errors
    response = client.post(
        url,
        {"full_name": "Salma Idrissi", "password1": "un-mot-de-passe-solide", "password2": "un-mot-de-passe-solide"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("core:home")
    home = client.get(reverse("core:home"))
    assert home.context["user"].email == "salma@example.ma"
    assert Membership.objects.filter(user__email="salma@example.ma", organisation=world.org_a).exists()
    client.logout()
    used = client.get(url)
    assert used.status_code == 410


def test_invitation_acceptance_page_for_a_logged_in_person_and_bad_links(client, world):
    invitation = InvitationFactory(organisation=world.org_b, email=world.member_a.email, role=Role.READ_ONLY)
    client.force_login(world.member_a)
    url = reverse("accounts:invitation_accept", args=[invitation.raw_token])
    assert client.get(url).context["form"] is None
    assert client.post(url).status_code == 302
    assert Membership.objects.get(user=world.member_a, organisation=world.org_b).role == Role.READ_ONLY
    assert client.get(reverse("accounts:invitation_accept", args=["twd_unknown"])).status_code == 404
    expired = InvitationFactory(organisation=world.org_a, expires_at=timezone.now() - timedelta(hours=1))
    assert client.get(reverse("accounts:invitation_accept", args=[expired.raw_token])).status_code == 410


def test_cluster_members_page_filters_by_status_and_kind(client, world):
    ClusterMembershipFactory(
        cluster=world.cluster, member=OrganisationFactory(name="Hôpital Nord", kind="hospital"), status="suspended"
    )
    client.force_login(world.secretariat)
    page = client.get(reverse("accounts:cluster_members"))
    assert [cm.member.name for cm in page.context["memberships"]] == ["Alpha Gants", "Hôpital Nord"]
    filtered = client.get(reverse("accounts:cluster_members"), {"status": "suspended"})
    assert [cm.member.name for cm in filtered.context["memberships"]] == ["Hôpital Nord"]
    by_kind = client.get(reverse("accounts:cluster_members"), {"kind": "manufacturer"}, headers={"HX-Request": "true"})
    assert [cm.member.name for cm in by_kind.context["memberships"]] == ["Alpha Gants"]
    assert "<html" not in by_kind.text and 'id="results"' in by_kind.text
    assert client.get(reverse("accounts:cluster_members"), {"cluster": world.other_cluster.pk}).status_code == 404
    client.force_login(world.admin_a)
    assert client.get(reverse("accounts:cluster_members")).status_code == 404


def test_secretariat_adds_and_edits_members_from_the_page(client, world):
    client.force_login(world.secretariat)
    candidate = OrganisationFactory(name="Start-up Omega", kind="startup")
    add = reverse("accounts:cluster_membership_add") + f"?cluster={world.cluster.pk}"
    assert client.get(add).status_code == 200
    response = client.post(add, {"member": candidate.pk, "status": "proposed", "cluster": world.cluster.pk})
    assert response.status_code == 302
    membership = ClusterMembership.objects.get(cluster=world.cluster, member=candidate)
    assert membership.status == "proposed" and membership.member_consented_at is None
    edit = reverse("accounts:cluster_membership_edit", args=[membership.pk])
    refused = client.post(edit, {"status": "active"})  # the candidate has not agreed
    assert refused.status_code == 400 and ClusterMembership.objects.get(pk=membership.pk).status == "proposed"
    bad = client.post(edit, {"status": "active", "left_on": "2025-01-01"})
    assert bad.status_code == 400
    client.post(edit, {"status": "left", "joined_on": "2024-01-01", "left_on": "2025-01-01"})
    membership.refresh_from_db()
    assert membership.status == "left" and str(membership.left_on) == "2025-01-01"


def test_secretariat_admin_creates_an_organisation_from_the_page(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.secretariat)
    with django_capture_on_commit_callbacks(execute=True):  # the invitation's e-mail goes out after the commit
        response = client.post(
            reverse("accounts:organisation_create"),
            {
                "name": "Epsilon Textiles",
                "kind": "manufacturer",
                "country": "MA",
                "city": "Tétouan",
                "is_public": "on",
                "cluster": world.cluster.pk,
                "first_admin_email": "chef@epsilon.ma",
            },
        )
    assert response.status_code == 302
    organisation = Organisation.objects.get(name="Epsilon Textiles")
    assert ClusterMembership.objects.filter(cluster=world.cluster, member=organisation).exists()
    assert mail.outbox[-1].to == ["chef@epsilon.ma"]
    client.force_login(world.admin_a)
    assert client.get(reverse("accounts:organisation_create")).status_code == 403


def test_audit_page_shows_who_what_and_before_after(client, world):
    client.force_login(world.admin_a)
    client.post(
        reverse("accounts:organisation_edit", args=[world.org_a.pk]),
        {"name": "Alpha Gants SA", "kind": "manufacturer", "country": "MA", "city": "Casablanca", "is_public": "on"},
    )
    page = client.get(reverse("accounts:audit_log"), {"object_type": "organisation"})
    assert page.status_code == 200
    row = next(r for r in page.context["rows"] if r["entry"].action == 1)
    assert row["entry"].actor == world.admin_a
    assert any(before == "Alpha Gants" and after == "Alpha Gants SA" for _label, before, after in row["changes"])
    assert "Alpha Gants SA" in page.text
    client.force_login(world.admin_b)
    page = client.get(reverse("accounts:audit_log"))
    assert all(r["entry"].additional_data.get("organisation_id") != world.org_a.pk for r in page.context["rows"])
    client.force_login(world.member_a)
    assert client.get(reverse("accounts:audit_log")).status_code == 403


def test_pages_show_a_menu_entry_for_what_the_person_may_open(client, world):
    client.force_login(world.secretariat)
    menu = {item.key for item in client.get(reverse("accounts:organisation_list")).context["menu"]}
    assert {"organisations", "cluster", "audit"} <= menu


def test_audit_filters_by_type_and_date_and_answers_htmx_with_the_table_only(client, world):
    services.organisation_update(actor=actor_for(world.admin_a), organisation=world.org_a, city="Essaouira")
    client.force_login(world.admin_a)
    today = timezone.localdate()
    partial = client.get(
        reverse("accounts:audit_log"),
        {"object_type": "membership", "date_from": today.isoformat(), "date_to": today.isoformat()},
        headers={"HX-Request": "true"},
    )
    assert "<html" not in partial.text and 'id="results"' in partial.text
    assert partial.context["rows"] and {r["type"] for r in partial.context["rows"]} == {"membership"}
    yesterday = (today - timedelta(days=1)).isoformat()
    empty = client.get(reverse("accounts:audit_log"), {"date_to": yesterday})
    assert empty.context["rows"] == []


def test_invitation_page_warns_a_logged_in_person_it_is_not_theirs(client, world):
    invitation = InvitationFactory(organisation=world.org_b, email="someone.else@example.ma")
    client.force_login(world.member_a)
    url = reverse("accounts:invitation_accept", args=[invitation.raw_token])
    assert "someone.else@example.ma" in client.get(url).context["problem"]
    assert client.post(url).status_code == 400
    assert not Membership.objects.filter(user=world.member_a, organisation=world.org_b).exists()
