"""A small world for the plans' tests: two buyers (a group with a site, a hospital), a manufacturer, the
cluster secretariat overseeing the group, and helpers to make plans with lines."""

from decimal import Decimal
from typing import Any

from tawrid.accounts.models import OrganisationKind, Role
from tawrid.accounts.tests.factories import ClusterMembershipFactory, OrganisationFactory, UserFactory, person_in
from tawrid.core.permissions import actor_for
from tawrid.demand import services
from tawrid.demand.forms import PlanLineForm
from tawrid.demand.models import PurchasePlan


def line_data(designation: str, quantity: str = "10", unit: str = "B/100", **extra: Any) -> dict[str, Any]:
    """Cleaned data of a line, through the line form (as the screen and the import produce it)."""
    data = {"designation": designation, "quantity": quantity, "unit": unit, **extra}
    form = PlanLineForm(data=data)
    assert form.is_valid(), form.errors
    return form.cleaned_data


class DemandWorld:
    def __init__(self) -> None:
        self.group = OrganisationFactory(name="Groupe Santé Atlas", slug="gsa", kind=OrganisationKind.HOSPITAL_GROUP)
        self.site = OrganisationFactory(
            name="Clinique Atlas Rabat", slug="gsa-rabat", kind=OrganisationKind.HOSPITAL, parent=self.group
        )
        self.hospital = OrganisationFactory(name="CHU Oued Ziz", slug="chu-oz", kind=OrganisationKind.HOSPITAL)
        self.maker = OrganisationFactory(name="Maroc Seringues", slug="maroc-seringues")
        self.cluster = OrganisationFactory(name="Cluster DM", slug="cluster-dm", kind=OrganisationKind.CLUSTER)
        ClusterMembershipFactory(cluster=self.cluster, member=self.group)
        self.buyer = person_in(self.group, Role.MEMBER, full_name="Nadia Achats", email="nadia@gsa.ma")
        self.buyer_reader = person_in(self.group, Role.READ_ONLY, full_name="Rachid Lecture")
        self.other_buyer = person_in(self.hospital, Role.ADMIN, full_name="Hassan CHU")
        self.manufacturer = person_in(self.maker, Role.MEMBER, full_name="Karim Fabricant")
        self.secretariat = person_in(self.cluster, Role.ADMIN, full_name="Samira Secrétariat")
        self.superuser = UserFactory(is_superuser=True, is_staff=True)

    def actor(self, user: Any) -> Any:
        return actor_for(user)

    def plan(self, *, lines: int = 3, publish: bool = False, year: int = 2026, **kwargs: Any) -> PurchasePlan:
        actor = actor_for(self.buyer)
        plan = services.plan_create(actor=actor, buyer=kwargs.pop("buyer", self.group), year=year, **kwargs)
        for n in range(lines):
            services.line_create(
                actor=actor,
                plan=plan,
                data=line_data(
                    f"AIGUILLE HYPODERMIQUE STERILE U.U. 25 X 8 / 10 G {21 + n}",
                    quantity=str(10 * (n + 1)),
                    buyer_reference=f"AIG-{n + 1:03d}",
                    unit_price=Decimal("45.50"),
                ),
            )
        if publish:
            plan = services.plan_publish(actor=actor, plan=plan)
        return plan
