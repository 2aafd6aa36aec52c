import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tawrid.accounts.models import ApiToken, Invitation, Membership
from tawrid.accounts.tests.factories import InvitationFactory, World, token_for
from tawrid.core.models import Job

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def _staff(user, *codenames):
    user.is_staff = True
    user.save()
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def test_staff_admin_of_a_sees_only_a_memberships_in_the_changelist(client, world):
    client.force_login(_staff(world.admin_a, "view_membership", "change_membership"))
    page = client.get(reverse("admin:accounts_membership_changelist"))
    assert page.status_code == 200
    shown = set(page.context["cl"].result_list)
    assert shown == set(Membership.objects.filter(organisation=world.org_a))
    b_membership = Membership.objects.get(user=world.admin_b)
    assert world.admin_b.email not in page.text
    # Guessing B's membership id in the change page leads nowhere.
    response = client.get(reverse("admin:accounts_membership_change", args=[b_membership.pk]))
    assert response.status_code == 302 and Membership.objects.get(pk=b_membership.pk).role == "admin"


def test_staff_member_of_a_may_view_but_not_change_memberships(client, world):
    client.force_login(_staff(world.member_a, "view_membership", "change_membership", "delete_membership"))
    reader = Membership.objects.get(user=world.reader_a)
    url = reverse("admin:accounts_membership_change", args=[reader.pk])
    page = client.get(url)
    assert page.status_code == 200 and not page.context["has_change_permission"]
    client.post(url, {"user": world.reader_a.pk, "organisation": world.org_a.pk, "role": "admin", "job_title": ""})
    assert Membership.objects.get(pk=reader.pk).role == "read_only"
    assert (
        client.post(reverse("admin:accounts_membership_delete", args=[reader.pk]), {"post": "yes"}).status_code == 403
    )
    assert Membership.objects.filter(pk=reader.pk).exists()


def test_admin_lists_of_other_models_follow_the_policies(client, world):
    InvitationFactory(organisation=world.org_b)
    mine = InvitationFactory(organisation=world.org_a)
    token_for(world.admin_b)
    own_token, _ = token_for(world.admin_a)
    Job.objects.create(kind="core.prune_jobs", title="B's job", organisation=world.org_b)
    a_job = Job.objects.create(kind="core.prune_jobs", title="A's job", organisation=world.org_a)
    client.force_login(
        _staff(world.admin_a, "view_invitation", "view_apitoken", "view_job", "view_organisation", "view_user")
    )
    assert list(client.get(reverse("admin:accounts_invitation_changelist")).context["cl"].result_list) == [mine]
    assert list(client.get(reverse("admin:accounts_apitoken_changelist")).context["cl"].result_list) == [own_token]
    assert list(client.get(reverse("admin:core_job_changelist")).context["cl"].result_list) == [a_job]
    organisations = set(client.get(reverse("admin:accounts_organisation_changelist")).context["cl"].result_list)
    assert world.org_a in organisations and world.org_b not in organisations  # B is not in the public directory
    people = set(client.get(reverse("admin:accounts_user_changelist")).context["cl"].result_list)
    assert world.member_a in people and world.admin_b not in people


def test_the_admin_shows_no_secret_and_revokes_tokens(client, world):
    token, secret = token_for(world.member_a)
    client.force_login(world.superuser)
    page = client.get(reverse("admin:accounts_apitoken_change", args=[token.pk]))
    assert page.status_code == 200
    assert token.token_hash not in page.text and secret not in page.text
    client.post(reverse("admin:accounts_apitoken_changelist"), {"action": "revoke", "_selected_action": [token.pk]})
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    invitation = InvitationFactory(organisation=world.org_a)
    page = client.get(reverse("admin:accounts_invitation_change", args=[invitation.pk]))
    assert invitation.token_hash not in page.text
    client.post(
        reverse("admin:accounts_invitation_changelist"), {"action": "revoke", "_selected_action": [invitation.pk]}
    )
    assert Invitation.objects.get(pk=invitation.pk).status == "revoked"


def test_superuser_admin_pages_open(client, world):
    client.force_login(world.superuser)
    for name in [
        "accounts_user",
        "accounts_organisation",
        "accounts_membership",
        "accounts_clustermembership",
        "core_job",
    ]:
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200
    assert client.get(reverse("admin:accounts_user_add")).status_code == 200
    assert client.get(reverse("admin:accounts_user_change", args=[world.member_a.pk])).status_code == 200


def test_audit_entries_in_the_admin_follow_the_audit_policy(client, world):
    from auditlog.models import LogEntry

    from tawrid.accounts import services
    from tawrid.core.permissions import actor_for

    services.organisation_update(actor=actor_for(world.admin_b), organisation=world.org_b, city="Oujda")
    services.organisation_update(actor=actor_for(world.admin_a), organisation=world.org_a, city="Safi")
    client.force_login(_staff(world.admin_a, "view_logentry"))
    page = client.get(reverse("admin:auditlog_logentry_changelist"), {"q": "Gants"})
    assert page.status_code == 200
    shown = list(page.context["cl"].result_list)
    assert shown and all(e.additional_data.get("organisation_id") == world.org_a.pk for e in shown)
    b_entry = LogEntry.objects.filter(additional_data__organisation_id=world.org_b.pk).first()
    assert client.get(reverse("admin:auditlog_logentry_change", args=[b_entry.pk])).status_code == 302


def test_staff_cannot_create_memberships_elsewhere_nor_grant_themselves_rights(client, world):
    client.force_login(_staff(world.admin_a, "add_membership", "view_membership", "change_user", "view_user"))
    response = client.post(
        reverse("admin:accounts_membership_add"),
        {"user": world.admin_a.pk, "organisation": world.org_b.pk, "role": "admin", "job_title": ""},
    )
    assert response.status_code == 403
    assert not Membership.objects.filter(user=world.admin_a, organisation=world.org_b).exists()
    page = client.get(reverse("admin:accounts_user_change", args=[world.admin_a.pk]))
    assert "is_superuser" in page.context["adminform"].readonly_fields
