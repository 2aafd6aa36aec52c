import pytest

from tawrid.accounts import selectors, services
from tawrid.accounts.models import OrganisationKind
from tawrid.accounts.tests.factories import InvitationFactory, OrganisationFactory, World, token_for
from tawrid.core.errors import NotFound
from tawrid.core.permissions import ANONYMOUS, actor_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def test_directory_shows_public_organisations_and_ones_own(world):
    assert world.org_b not in selectors.organisation_list(actor=ANONYMOUS)
    assert world.org_a in selectors.organisation_list(actor=ANONYMOUS)
    assert world.org_b in selectors.organisation_list(actor=actor_for(world.admin_b))
    assert world.org_b in selectors.organisation_list(actor=actor_for(world.other_secretariat))  # its cluster's member
    assert world.org_b in selectors.organisation_list(actor=actor_for(world.superuser))


def test_directory_search_folds_accents_and_filters_by_kind(world):
    OrganisationFactory(name="Clinique Atlas", city="Marrakech", kind=OrganisationKind.HOSPITAL)
    assert [o.name for o in selectors.organisation_list(actor=ANONYMOUS, q="MARRAKÈCH atlas")] == ["Clinique Atlas"]
    assert [o.name for o in selectors.organisation_list(actor=ANONYMOUS, kind="hospital")] == ["Clinique Atlas"]


def test_private_organisation_data_only_for_its_people_and_overseers(world):
    for who in (world.reader_a, world.secretariat, world.superuser):
        assert selectors.organisation_get_private(actor=actor_for(who), organisation_id=world.org_a.pk) == world.org_a
    for who in (world.admin_b, world.other_secretariat):
        with pytest.raises(NotFound):
            selectors.organisation_get_private(actor=actor_for(who), organisation_id=world.org_a.pk)
    with pytest.raises(NotFound):
        selectors.organisation_get_private(actor=ANONYMOUS, organisation_id=world.org_a.pk)
    assert selectors.organisation_get(actor=ANONYMOUS, organisation_id=world.org_a.pk) == world.org_a
    with pytest.raises(NotFound):
        selectors.organisation_get(actor=ANONYMOUS, organisation_id="not-a-number")


def test_people_and_invitations_lists_are_scoped(world):
    InvitationFactory(organisation=world.org_a)
    assert selectors.membership_list(actor=actor_for(world.admin_b), organisation=world.org_a).count() == 0
    assert selectors.membership_list(actor=actor_for(world.secretariat), organisation=world.org_a).count() == 3
    assert selectors.invitation_list(actor=actor_for(world.other_secretariat), organisation=world.org_a).count() == 0
    assert selectors.invitation_list(actor=actor_for(world.reader_a), organisation=world.org_a).count() == 1


def test_cluster_memberships_for_members_and_secretariats(world):
    assert list(selectors.cluster_membership_list(actor=actor_for(world.member_a))) == [world.cm_a]
    assert list(selectors.cluster_membership_list(actor=actor_for(world.secretariat))) == [world.cm_a]
    assert list(selectors.cluster_membership_list(actor=actor_for(world.admin_b))) == [world.cm_b]
    assert list(selectors.clusters_of(actor=actor_for(world.secretariat))) == [world.cluster]
    assert list(selectors.clusters_of(actor=actor_for(world.admin_a))) == []


def test_tokens_are_their_owners_only(world):
    token, _ = token_for(world.member_a)
    assert list(selectors.api_token_list(actor=actor_for(world.member_a), user=world.member_a)) == [token]
    assert list(selectors.api_token_list(actor=actor_for(world.admin_a), user=world.member_a)) == []
    with pytest.raises(NotFound):
        selectors.api_token_get(actor=actor_for(world.admin_a), user=world.admin_a, token_id=token.pk)


def test_audit_entries_for_admins_and_the_overseeing_secretariat(world):
    services.organisation_update(actor=actor_for(world.admin_a), organisation=world.org_a, city="Safi")
    services.organisation_update(actor=actor_for(world.admin_b), organisation=world.org_b, city="Meknès")

    def orgs(who, **filters):
        return {e.additional_data["organisation_id"] for e in selectors.audit_entries(actor=actor_for(who), **filters)}

    assert world.org_a.pk in orgs(world.admin_a) and world.org_b.pk not in orgs(world.admin_a)
    assert world.org_a.pk in orgs(world.secretariat) and world.org_b.pk not in orgs(world.secretariat)
    assert world.org_b.pk in orgs(world.other_secretariat) and world.org_a.pk not in orgs(world.other_secretariat)
    assert orgs(world.member_a) == set()
    assert {world.org_a.pk, world.org_b.pk} <= orgs(world.superuser)
    only_memberships = selectors.audit_entries(actor=actor_for(world.admin_a), object_type="membership")
    assert {selectors.audit_object_type(e) for e in only_memberships} == {"membership"}
