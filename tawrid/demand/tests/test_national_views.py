"""National demand pages: visibility (values, buyers' names), filters, drill-down, chart, export, refresh."""

import io

import openpyxl
import pytest
from django.urls import reverse

from tawrid.accounts.models import OrganisationKind, Role
from tawrid.accounts.tests.factories import OrganisationFactory, UserFactory, person_in
from tawrid.core.models import Job
from tawrid.demand import services
from tawrid.demand.tests.national import R1, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def national(world):
    plans = build(world)
    services.demand_aggregate_refresh(year=2026)
    services.demand_aggregate_refresh(year=2027)
    return plans


def page(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("demand:national"), {"year": 2026, **params})
    assert response.status_code == 200
    return response.content.decode()


def table(html: str) -> str:
    return html.split('data-testid="national-table"')[1].split("</table>")[0]


def test_anonymous_is_sent_to_login_and_people_without_organisation_refused(client, national):
    response = client.get(reverse("demand:national"))
    assert response.status_code == 302 and "login" in response.headers["Location"]
    client.force_login(UserFactory())
    assert client.get(reverse("demand:national")).status_code == 403


def test_buyer_sees_values_manufacturer_sees_quantities_only(client, world, national):
    buyer = table(page(client, world.other_buyer))
    assert "517" in buyer and "177,00" in buyer and reverse("demand:national_code", args=["emdn", "A"]) in buyer
    maker = page(client, world.manufacturer)
    assert "517" in table(maker) and "177,00" not in maker and "150,00" not in maker
    assert "Groupe Santé Atlas" not in maker and "CHU Oued Ziz" not in maker
    investor = person_in(OrganisationFactory(kind=OrganisationKind.INVESTOR), Role.MEMBER)
    assert "177,00" not in page(client, investor)
    assert "177,00" in table(page(client, world.secretariat))


def test_filters_level_category_region_kind_scheme_search(client, world, national):
    html = table(page(client, world.buyer))  # default: EMDN categories
    assert ">A<" in html and ">T<" in html and "A01" not in html
    html = table(page(client, world.buyer, category="A"))  # a category: its groups
    assert ">A01<" in html and ">A<" not in html and ">T01<" not in html
    html = table(page(client, world.buyer, category="A", level="all", region=R1))
    assert ">A0102<" in html and "510" in html and "170,00" in html and "517" not in html
    html = table(page(client, world.buyer, level="all", buyer_kind="hospital"))
    assert ">T01<" in html and ">A0102<" not in html
    html = table(page(client, world.buyer, scheme="cpv"))
    assert "33000000-0" in html and "Matériel médical" in html and ">A<" not in html
    html = table(page(client, world.buyer, level="all", q="hypodermic"))
    assert ">A010101<" in html and ">A0102<" not in html
    assert "/national/emdn/" not in table(page(client, world.buyer, year=2030))  # a year without figures


def test_chart_is_server_side_svg_without_style(client, world, national):
    html = page(client, world.manufacturer, category="A", level="all")
    chart = html.split('data-testid="national-chart"')[1].split("</figure>")[0]
    assert chart.count("<rect") == 5 and "style=" not in chart and "<script" not in chart
    assert 'width="480"' in chart  # the largest bar (A, 517) spans the whole width


def test_code_page_children_and_lines_within_permissions(client, world, national):
    url = reverse("demand:national_code", args=["emdn", "A0101"])
    client.force_login(world.manufacturer)
    html = client.get(url, {"year": 2026}).content.decode()
    assert ">A010101<" in html.split('data-testid="national-children"')[1]
    lines = html.split('data-testid="national-lines"')[1].split("</table>")[0]
    # the manufacturer sees the published group line (no name, no price); the CHU's plan is closed: not shown
    assert "AIGUILLE HYPODERMIQUE 21G" in lines and "23G" not in lines
    assert "Groupe Santé Atlas" not in html and "20,00" not in html
    client.force_login(world.buyer)
    lines = client.get(url, {"year": 2026}).content.decode().split('data-testid="national-lines"')[1]
    assert "Groupe Santé Atlas" in lines and "20,00" in lines and "23G" not in lines  # its own lines only
    assert "1000" not in lines  # the draft of the site is not behind the figures
    client.force_login(world.superuser)
    lines = client.get(url, {"year": 2026}).content.decode().split('data-testid="national-lines"')[1]
    assert "21G" in lines and "23G" in lines and "CHU Oued Ziz" in lines
    assert client.get(reverse("demand:national_code", args=["emdn", "Z99"]), {"year": 2026}).status_code == 404


def test_page_reads_in_a_bounded_number_of_queries(client, world, national, django_assert_max_num_queries):
    client.force_login(world.buyer)
    client.get(reverse("demand:national"))
    with django_assert_max_num_queries(14):
        client.get(reverse("demand:national"), {"year": 2026, "level": "all"})


def test_export_follows_filters_and_visibility(client, world, national):
    client.force_login(world.buyer)
    response = client.get(reverse("demand:national_export"), {"year": 2026, "category": "A", "level": "all"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows[0]) == 8 and {r[0] for r in rows[1:]} == {"A", "A01", "A0101", "A010101", "A0102"}
    first = next(r for r in rows[1:] if r[0] == "A")
    # buyers, lines, of which coded by the engine, quantity, value
    assert (first[3], first[4], first[5], float(first[6]), float(first[7])) == (2, 3, 0, 517.0, 177.0)
    client.force_login(world.manufacturer)
    response = client.get(reverse("demand:national_export"), {"year": 2026})
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows[0]) == 7 and {r[0] for r in rows[1:]} == {"A", "T"}


def test_refresh_now_for_the_secretariat_only(client, world, national, django_capture_on_commit_callbacks):
    client.force_login(world.manufacturer)
    assert 'data-testid="national-refresh"' not in page(client, world.manufacturer)
    assert client.post(reverse("demand:national_refresh"), {"year": 2026}).status_code == 403
    assert 'data-testid="national-refresh"' in page(client, world.secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("demand:national_refresh"), {"year": 2026})
    job = Job.objects.filter(kind=services.REFRESH_JOB, created_by=world.secretariat).get()
    assert response.headers["Location"] == reverse("core:job_detail", args=[job.pk])
    assert job.status == "succeeded" and job.result == {"year": 2026, "rows": 44}
