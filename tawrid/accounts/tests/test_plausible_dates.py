"""A cluster membership's dates are plausible (issue 15, finding 15): joining in year 1 or leaving in 9999 is
refused by the service, whatever the entry point (page, API), and the form shows it under the field."""

from datetime import date

import pytest

from tawrid.accounts import services
from tawrid.accounts.forms import ClusterMembershipForm
from tawrid.accounts.models import ClusterMembership, ClusterMembershipStatus, OrganisationKind
from tawrid.accounts.tests.factories import OrganisationFactory, World
from tawrid.core.errors import DomainError
from tawrid.core.permissions import actor_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("dates", "fields"),
    [
        ({"joined_on": date(1, 1, 1)}, {"joined_on"}),
        ({"joined_on": date(2020, 1, 1), "left_on": date(9999, 12, 31)}, {"left_on"}),
    ],
)
def test_the_service_refuses_implausible_membership_dates(dates, fields):
    world = World()
    newcomer = OrganisationFactory(kind=OrganisationKind.HOSPITAL_GROUP)
    status = ClusterMembershipStatus.LEFT if "left_on" in dates else ClusterMembershipStatus.ACTIVE
    with pytest.raises(DomainError) as refused:
        services.cluster_membership_set(
            actor=actor_for(world.secretariat), cluster=world.cluster, member=newcomer, status=status, **dates
        )
    assert set(refused.value.details) == fields
    assert not ClusterMembership.objects.filter(member=newcomer).exists()


def test_the_form_shows_the_problem_under_the_field():
    form = ClusterMembershipForm(data={"status": "active", "joined_on": "0001-01-01"})
    assert not form.is_valid()
    assert "joined_on" in form.errors
