"""A plan whose lines have no EMDN code yet is still a plan in force: the buyer's dashboard shows its demand (on a
row "Without an EMDN code", not "No plan in force"), and the secretariat's figures have its year."""

import pytest
from django.urls import reverse

from tawrid.accounts.models import OrganisationKind, Role
from tawrid.accounts.tests.factories import OrganisationFactory, person_in
from tawrid.insights import dashboards
from tawrid.insights.models import OrganisationYearFigures
from tawrid.insights.tests.factories import SnapshotWorld, published_plan

pytestmark = pytest.mark.django_db


def test_a_plan_without_codes_is_on_the_dashboards(client):
    world = SnapshotWorld()
    clinic = OrganisationFactory(name="Clinique Sans Codes", kind=OrganisationKind.HOSPITAL)
    buyer = person_in(clinic, Role.ADMIN, full_name="Leila Clinique")
    lines = [("COMPRESSE STERILE 10X10", "100", "2.00", ""), ("SONDE DE FOLEY CH16", "10", "5.00", "")]
    published_plan(user=buyer, buyer=clinic, year=2027, lines=lines)

    data = dashboards.buyer_dashboard(clinic, 2027)
    assert [(row["group"], row["lines"], row["demand"]) for row in data["rows"]] == [("", 2, 250)]
    client.force_login(buyer)
    page = client.get(reverse("insights:dashboard_organisation", args=[clinic.pk])).content.decode()
    assert "No plan in force" not in page and "Aucun plan en vigueur" not in page

    snapshot = world.compute()
    assert 2027 in snapshot.demand_years  # before: only the years of coded lines
    figures = OrganisationYearFigures.objects.get(snapshot=snapshot, organisation=clinic, year=2027)
    assert (figures.demand_lines, figures.demand_mad) == (2, 250)
