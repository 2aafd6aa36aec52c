"""Dashboards: an organisation's (a buyer's demand per EMDN group of a year, a manufacturer's groups and what its
products miss), the secretariat's (every member buyer and manufacturer), the ministries' (local products and their
regulatory state per EMDN category); figures computed by hand from DashboardWorld, the same rules in pages, xlsx
and API, and nobody opens another organisation's dashboard."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from tawrid.accounts.models import OrganisationKind, Role
from tawrid.accounts.tests.factories import OrganisationFactory, person_in
from tawrid.core.permissions import Actor, actor_for
from tawrid.insights import dashboards
from tawrid.insights.models import GroupFigures, OrganisationFigures, OrganisationYearFigures
from tawrid.insights.tests.factories import DashboardWorld
from tawrid.insights.views import XLSX

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = DashboardWorld()
    world.snapshot = world.compute()
    return world


def _xlsx_rows(response):
    assert response["Content-Type"] == XLSX
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


# ------------------------------------------------------------------------------------- snapshot arithmetic


def test_regulatory_figures_per_group(world):
    t01 = GroupFigures.objects.get(snapshot=world.snapshot, group="T01")
    # two gloves, both under the maker's ISO 13485; one registered; the other's registration is under review
    assert (t01.products, t01.certified_products, t01.registered_products, t01.eligible_products) == (2, 2, 1, 1)
    assert (t01.registrations_pending, t01.registrations_expiring, t01.certificates_expiring) == (1, 0, 0)
    a02 = GroupFigures.objects.get(snapshot=world.snapshot, group="A02")
    assert (a02.products, a02.certified_products, a02.registered_products, a02.registrations_expiring) == (1, 1, 1, 1)
    assert a02.labelled_products == 0


def test_organisation_figures(world):
    gloves = OrganisationFigures.objects.get(snapshot=world.snapshot, organisation=world.glove_maker)
    assert (gloves.products, gloves.eligible_products, gloves.certified_products, gloves.registered_products) == (
        2, 1, 2, 1,
    )  # fmt: skip
    assert (gloves.groups, gloves.capacity_units) == (1, 1500)
    assert not OrganisationFigures.objects.filter(snapshot=world.snapshot, organisation=world.foreign).exists()
    years = {
        row.organisation_id: row for row in OrganisationYearFigures.objects.filter(snapshot=world.snapshot, year=2026)
    }
    group = years[world.group.pk]
    assert (group.demand_mad, group.demand_lines) == (Decimal("3100.00"), 3)
    assert group.covered_mad == Decimal("1000.00")  # 500 of 1000 syringes at 2.00
    assert (group.ordered_mad, group.ordered_local_mad) == (Decimal("900.00"), Decimal("600.00"))
    hospital = years[world.hospital.pk]
    assert (hospital.demand_mad, hospital.covered_mad, hospital.ordered_mad) == (
        Decimal("500.00"), Decimal("500.00"), Decimal("0"),
    )  # fmt: skip
    syringes = years[world.syringe_maker.pk]
    assert (syringes.allocated_mad, syringes.sold_mad) == (Decimal("1500.00"), Decimal("600.00"))
    assert years[world.foreign.pk].sold_mad == Decimal("300.00")


# ------------------------------------------------------------------------------------------- dashboards' data


def test_buyer_dashboard_figures(world):
    data = dashboards.buyer_dashboard(world.group, 2026)
    rows = {row["group"]: row for row in data["rows"]}
    assert set(rows) == {"A02", "T01"}
    assert (rows["A02"]["demand"], rows["A02"]["lines"], rows["A02"]["covered"]) == (
        Decimal("2500.00"), 2, Decimal("1000.00"),
    )  # fmt: skip
    assert rows["A02"]["coverage"] == Decimal("0.4")
    assert (rows["A02"]["ordered"], rows["A02"]["local_rate"]) == (Decimal("600.00"), 1)
    assert (rows["T01"]["ordered"], rows["T01"]["ordered_local"], rows["T01"]["local_rate"]) == (
        Decimal("300.00"), 0, 0,
    )  # fmt: skip
    totals = data["totals"]
    assert (totals["demand"], totals["ordered"], totals["ordered_local"]) == (
        Decimal("3100.00"), Decimal("900.00"), Decimal("600.00"),
    )  # fmt: skip
    assert totals["local_rate"] == Decimal(600) / Decimal(900)
    assert totals["local_rate_of_plan"] == Decimal(600) / Decimal(3100)
    assert dashboards.buyer_years(world.group) == [2026]


def test_manufacturer_dashboard_figures(world):
    data = dashboards.manufacturer_dashboard(actor_for(world.glove_maker_admin), world.glove_maker, world.snapshot)
    rows = {row["group"]: row for row in data["rows"]}
    assert list(rows) == ["T01"]
    assert (rows["T01"]["products"], rows["T01"]["eligible"]) == (2, 1)
    assert rows["T01"]["demand"] == Decimal("600.00") and rows["T01"]["buyers"] == 1
    assert sum(data["missing"].values()) == 1  # the second glove lacks its DMP registration
    assert data["categories"] == ["T"]
    assert [o.group for o in data["opportunities"]] == sorted(
        (o.group for o in data["opportunities"]), key=[o.group for o in data["opportunities"]].index
    )
    assert {o.group[:1] for o in data["opportunities"]} == {"T"}


def test_cluster_dashboard_figures(world):
    data = dashboards.cluster_dashboard(actor_for(world.manager), world.snapshot, 2026)
    assert [b["organisation"] for b in data["buyers"]] == [world.group, world.hospital]  # largest demand first
    assert data["totals"]["demand"] == Decimal("3600.00")
    assert data["totals"]["covered"] == Decimal("1500.00")
    assert data["totals"]["local_rate"] == Decimal(600) / Decimal(900)
    suppliers = {s["organisation"]: s for s in data["suppliers"]}
    assert set(suppliers) == {world.syringe_maker, world.glove_maker}  # local ones only: not the foreign maker
    assert (suppliers[world.syringe_maker]["allocated"], suppliers[world.syringe_maker]["sold"]) == (
        Decimal("1500.00"), Decimal("600.00"),
    )  # fmt: skip
    assert suppliers[world.glove_maker]["catalogue"].products == 2


def test_cluster_dashboard_shows_only_overseen_organisations(world):
    other_cluster = OrganisationFactory(name="Autre cluster", kind=OrganisationKind.CLUSTER)
    stranger = person_in(other_cluster, Role.ADMIN)
    data = dashboards.cluster_dashboard(actor_for(stranger), world.snapshot, 2026)
    assert data["buyers"] == [] and data["suppliers"] == []


def test_regulatory_dashboard_per_category_and_group(world):
    data = dashboards.regulatory_dashboard(Actor(is_superuser=True), world.snapshot)
    rows = {row["code"]: row for row in data["rows"]}
    assert set(rows) == {"A", "T"}
    assert (rows["T"]["products"], rows["T"]["certified_only"], rows["T"]["neither"]) == (2, 1, 0)
    assert rows["T"]["imports_usd"] == Decimal("1500.00")  # T01 900 + T02 600 in 2023
    assert rows["T"]["imports_mad"] == Decimal("15000.00")
    assert (rows["A"]["demand"], rows["A"]["covered"]) == (Decimal("3000.00"), Decimal("1500.00"))
    assert rows["A"]["coverage"] == Decimal("0.5")
    assert data["totals"]["products"] == 3 and data["totals"]["manufacturers"] == 2
    assert (data["trade_year"], data["demand_year"]) == (2023, 2026)
    groups = dashboards.regulatory_dashboard(Actor(is_superuser=True), world.snapshot, category="T")
    assert [row["code"] for row in groups["rows"]] == ["T01", "T02"]
    assert groups["rows"][1]["products"] == 0 and groups["rows"][1]["imports_usd"] == Decimal("600.00")


def test_review_queues_are_the_authoritys_own(world):
    dmp = person_in(OrganisationFactory(name="DMP", kind=OrganisationKind.MINISTRY_HEALTH), Role.MEMBER)
    industry = person_in(OrganisationFactory(name="MIC", kind=OrganisationKind.MINISTRY_INDUSTRY), Role.MEMBER)
    assert dashboards.review_queues(actor_for(dmp)) == {"registrations": 1}
    assert dashboards.review_queues(actor_for(industry)) == {}


# ----------------------------------------------------------------------------------------------------- pages


def test_dashboard_sends_each_person_to_their_own(client, world):
    client.force_login(world.buyer)
    assert client.get(reverse("insights:dashboard")).url == reverse(
        "insights:dashboard_organisation", args=[world.group.pk]
    )
    client.force_login(world.manager)
    assert client.get(reverse("insights:dashboard")).url == reverse("insights:dashboard_cluster")
    health = person_in(OrganisationFactory(name="DMP", kind=OrganisationKind.MINISTRY_HEALTH), Role.MEMBER)
    client.force_login(health)
    assert client.get(reverse("insights:dashboard")).url == reverse("insights:dashboard_health")
    imanor = person_in(OrganisationFactory(name="IMANOR", kind=OrganisationKind.IMANOR), Role.MEMBER)
    client.force_login(imanor)
    assert client.get(reverse("insights:dashboard")).url == reverse("insights:dashboard_industry")
    client.force_login(world.investor)  # neither a buyer, a manufacturer nor an authority: the indicators
    assert client.get(reverse("insights:dashboard")).url == reverse("insights:index")


def test_buyer_page_and_its_xlsx(client, world):
    client.force_login(world.buyer)
    url = reverse("insights:dashboard_organisation", args=[world.group.pk])
    content = client.get(url).content.decode()
    assert 'data-testid="buyer-totals"' in content and 'data-demand="3100' in content
    assert content.count('data-testid="dashboard-row"') == 2
    assert "<svg" in content
    rows = _xlsx_rows(client.get(url + "?format=xlsx&table=groups"))
    assert rows[0][:4] == ["Groupe EMDN", "Libellé", "Lignes du plan", "Demande déclarée (MAD)"]
    by_group = {row[0]: row for row in rows[1:]}
    assert by_group["A02"][3] == 2500 and by_group["A02"][5] == pytest.approx(0.4)


def test_manufacturer_page_tables_export(client, world):
    client.force_login(world.glove_maker_admin)
    url = reverse("insights:dashboard_organisation", args=[world.glove_maker.pk])
    content = client.get(url).content.decode()
    assert 'data-key="T01"' in content and 'data-testid="missing-certificates"' in content
    assert {row[0] for row in _xlsx_rows(client.get(url + "?format=xlsx&table=opportunities"))[1:]} <= {"T01", "T02"}
    assert client.get(url + "?format=xlsx&table=nothing").status_code == 404


def test_cluster_page_drills_down_to_a_buyer(client, world):
    client.force_login(world.manager)
    content = client.get(reverse("insights:dashboard_cluster")).content.decode()
    buyer_page = reverse("insights:dashboard_organisation", args=[world.group.pk])
    assert f'href="{buyer_page}"' in content
    assert client.get(buyer_page).status_code == 200  # the secretariat opens the dashboards of its members
    rows = _xlsx_rows(client.get(reverse("insights:dashboard_cluster") + "?format=xlsx&table=suppliers"))
    assert {row[0] for row in rows[1:]} == {"Gants Locaux", "Seringues Locales"}


def test_ministry_pages_filter_by_category(client, world):
    health = person_in(OrganisationFactory(name="DMP", kind=OrganisationKind.MINISTRY_HEALTH), Role.MEMBER)
    client.force_login(health)
    content = client.get(reverse("insights:dashboard_health")).content.decode()
    assert 'data-key="A"' in content and 'data-key="T"' in content
    assert 'data-testid="review-queues"' in content
    only_t = client.get(reverse("insights:dashboard_health") + "?category=T").content.decode()
    assert 'data-key="T01"' in only_t and 'data-key="A02"' not in only_t
    rows = _xlsx_rows(client.get(reverse("insights:dashboard_health") + "?category=T&format=xlsx&table=groups"))
    assert [row[0] for row in rows[1:]] == ["T01", "T02"]
    assert client.get(reverse("insights:dashboard_industry")).status_code == 403
    industry = person_in(OrganisationFactory(name="MIC", kind=OrganisationKind.MINISTRY_INDUSTRY), Role.MEMBER)
    client.force_login(industry)
    assert client.get(reverse("insights:dashboard_industry")).status_code == 200
    assert client.get(reverse("insights:dashboard_health")).status_code == 403
    assert client.get(reverse("insights:dashboard_cluster")).status_code == 403


def test_nobody_opens_another_organisations_dashboard(client, world):
    client.force_login(world.buyer)
    assert client.get(reverse("insights:dashboard_organisation", args=[world.glove_maker.pk])).status_code == 404
    assert client.get(reverse("insights:dashboard_organisation", args=[world.hospital.pk])).status_code == 404
    assert client.get(reverse("insights:dashboard_cluster")).status_code == 403
    assert client.get(reverse("insights:dashboard_health")).status_code == 403
    client.force_login(world.glove_maker_admin)
    url = reverse("insights:dashboard_organisation", args=[world.group.pk])
    assert client.get(url).status_code == 404
    assert client.get(url + "?format=xlsx").status_code == 404


def test_anonymous_is_sent_to_the_login(client):
    for name in ("dashboard", "dashboard_cluster", "dashboard_industry", "dashboard_health"):
        assert "/accounts/login/" in client.get(reverse(f"insights:{name}")).url


# ------------------------------------------------------------------------------------------------------- API

API = "/api/v1/insights/dashboards"


def _auth(user):
    from tawrid.accounts.tests.factories import token_for

    return {"Authorization": f"Bearer {token_for(user)[1]}"}


def test_api_buyer_dashboard(client, world):
    response = client.get(f"{API}/organisations/{world.group.pk}", headers=_auth(world.buyer))
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["role"], body["year"], body["years"]) == ("buyer", 2026, [2026])
    groups = {row["group"]: row for row in body["buyer_groups"]}
    assert groups["A02"]["demand_mad"] == "2500.00" and groups["A02"]["coverage"] == "0.4000"
    assert body["buyer_totals"]["local_rate"] == "0.6667"
    no_figures = client.get(f"{API}/organisations/{world.group.pk}?year=2020", headers=_auth(world.buyer))
    assert no_figures.status_code == 400 and no_figures.json()["code"] == "no_figures"
    assert "year" in no_figures.json()["details"]


def test_api_manufacturer_dashboard(client, world):
    response = client.get(f"{API}/organisations/{world.glove_maker.pk}", headers=_auth(world.glove_maker_admin))
    body = response.json()
    assert body["role"] == "manufacturer" and body["year"] == 2026
    assert [(g["group"], g["products"], g["eligible_products"]) for g in body["manufacturer_groups"]] == [("T01", 2, 1)]
    assert body["missing"] == [{"requirement": "Enregistrement DMP", "products": 1}]


def test_api_cluster_and_ministry_dashboards(client, world):
    body = client.get(f"{API}/cluster", headers=_auth(world.manager)).json()
    assert [b["organisation"]["name"] for b in body["buyers"]] == ["Groupe Santé Discret", "CHU Ouvert"]
    assert body["totals"]["demand_mad"] == "3600.00"
    syringes = next(s for s in body["suppliers"] if s["organisation"]["id"] == world.syringe_maker.pk)
    assert (syringes["allocated_mad"], syringes["sold_mad"], syringes["eligible_products"]) == ("1500.00", "600.00", 1)
    dmp = person_in(OrganisationFactory(name="DMP", kind=OrganisationKind.MINISTRY_HEALTH), Role.MEMBER)
    health = client.get(f"{API}/health?category=T", headers=_auth(dmp)).json()
    t01 = next(row for row in health["rows"] if row["code"] == "T01")
    assert (t01["registered_products"], t01["registrations_pending"], t01["certified_not_registered"]) == (1, 1, 1)
    assert health["review_queues"] == {"registrations": 1}
    assert client.get(f"{API}/health?category=TT", headers=_auth(dmp)).status_code == 422
    assert client.get(f"{API}/industry", headers=_auth(dmp)).status_code == 403
    assert client.get(f"{API}/cluster", headers=_auth(dmp)).status_code == 403


def test_api_dashboards_keep_organisations_apart(client, world):
    headers = _auth(world.glove_maker_admin)
    assert client.get(f"{API}/organisations/{world.group.pk}", headers=headers).status_code == 404
    assert client.get(f"{API}/organisations/{world.syringe_maker.pk}", headers=headers).status_code == 404
    assert client.get(f"{API}/cluster", headers=headers).status_code == 403
    assert client.get(f"{API}/industry", headers=headers).status_code == 403
    for path in (f"/organisations/{world.group.pk}", "/cluster", "/industry", "/health"):
        assert client.get(f"{API}{path}").status_code == 401


def test_cluster_and_ministry_pages_queries_do_not_grow_with_organisations(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tawrid.accounts.tests.factories import ClusterMembershipFactory
    from tawrid.insights.tests.factories import published_plan

    client.force_login(world.manager)
    pages = [reverse("insights:dashboard_cluster"), reverse("insights:dashboard_industry")]
    before = []
    for url in pages:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        before.append(len(queries))
    for n in range(4):
        buyer = OrganisationFactory(name=f"Hôpital {n}", kind=OrganisationKind.HOSPITAL)
        ClusterMembershipFactory(cluster=world.cluster, member=buyer)
        published_plan(user=person_in(buyer, Role.ADMIN), buyer=buyer, year=2026,
                       lines=[("SERINGUE 5 ML", "10", "2.00", "A0201")])  # fmt: skip
    world.compute()
    for url, count in zip(pages, before, strict=True):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert len(queries) <= count + 1, url  # the new snapshot's rows are read in the same queries
    assert response.status_code == 200
    cluster = client.get(pages[0]).content.decode()
    assert all(f'data-key="Hôpital {n}"' in cluster for n in range(4))  # each new buyer is a row
