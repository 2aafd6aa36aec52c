"""The pages: a buyer's plan lifecycle on screen, and who sees what (prices, buyer's name, drafts)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tawrid.demand.models import PlanStatus, PurchasePlan

pytestmark = pytest.mark.django_db


def test_buyer_creates_plan_adds_line_corrects_and_publishes(client, world):
    client.force_login(world.buyer)
    response = client.post(reverse("demand:plan_create"), {"buyer": world.group.pk, "year": 2026, "title": "Plan 2026"})
    plan = PurchasePlan.objects.get(buyer=world.group, year=2026)
    assert response.headers["Location"] == reverse("demand:plan_detail", args=[plan.pk])
    response = client.post(
        reverse("demand:line_create", args=[plan.pk]),
        {"designation": "SONDE DE FOLEY CH 16 STERILE", "quantity": "0", "unit": "U"},
    )
    assert response.status_code == 200 and plan.lines.count() == 0  # quantity must be above zero
    client.post(
        reverse("demand:line_create", args=[plan.pk]),
        {"designation": "SONDE DE FOLEY CH 16 STERILE", "quantity": "250", "unit": "B/10", "unit_price": "6,80",
         "required_certificates": ["iso13485", "ce"], "delivery_schedule": "T1: 250"},
    )  # fmt: skip
    line = plan.lines.get()
    assert line.base_quantity == Decimal(2500) and line.required_certificates == ["iso13485", "ce"]
    client.post(reverse("demand:line_attributes", args=[line.pk]), {"attributes": "charrière=18 Fr"})
    line.refresh_from_db()
    assert line.corrected_attributes[0]["attribute"] == "french_size"
    page = client.get(reverse("demand:plan_detail", args=[plan.pk])).content.decode()
    assert "SONDE DE FOLEY CH 16 STERILE" in page
    totals = page.split('data-testid="plan-totals"')[1].split("</dl>")[0]
    assert "2" in totals and "500" in totals and "700,00" in totals
    client.post(reverse("demand:plan_publish", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PUBLISHED
    # read-only now: editing is refused with a message and changes nothing
    response = client.post(
        reverse("demand:line_edit", args=[line.pk]), {"designation": "X", "quantity": "1"}, follow=True
    )
    line.refresh_from_db()
    assert line.designation == "SONDE DE FOLEY CH 16 STERILE"
    response = client.post(reverse("demand:plan_amend", args=[plan.pk]))
    new = PurchasePlan.objects.get(buyer=world.group, year=2026, version=2)
    assert response.headers["Location"] == reverse("demand:plan_detail", args=[new.pk])
    client.post(reverse("demand:line_delete", args=[new.lines.get().pk]))
    diff = client.get(reverse("demand:plan_diff", args=[new.pk])).content.decode()
    assert "SONDE DE FOLEY" in diff.split('data-testid="diff-removed"')[1].split("</ul>")[0]
    export = client.get(reverse("demand:plan_export", args=[plan.pk]))
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_manufacturer_sees_published_lines_without_prices_or_buyer(client, world):
    published = world.plan(publish=True)
    draft = world.plan(buyer=world.hospital, lines=2) if False else None  # noqa: F841
    hidden_draft = world.plan(year=2027, lines=1)
    client.force_login(world.manufacturer)
    page = client.get(reverse("demand:published_lines")).content.decode()
    assert "AIGUILLE HYPODERMIQUE" in page and "G 21" in page
    assert "Groupe Santé Atlas" not in page and "45,50" not in page and "45.50" not in page
    detail = client.get(reverse("demand:plan_detail", args=[published.pk])).content.decode()
    assert "Groupe Santé Atlas" not in detail and "45,50" not in detail and "Unit price" not in detail
    assert client.get(reverse("demand:plan_detail", args=[hidden_draft.pk])).status_code == 404
    export = client.get(reverse("demand:plan_export", args=[published.pk]))
    assert b"Groupe" not in export.content
    assert client.post(reverse("demand:plan_amend", args=[published.pk])).status_code in (403, 404)
    # once the buyer discloses its name, manufacturers see it (still without prices)
    PurchasePlan.objects.filter(pk=published.pk).update(disclose_buyer=True)
    page = client.get(reverse("demand:published_lines")).content.decode()
    assert "Groupe Santé Atlas" in page and "45,50" not in page


def test_another_buyer_sees_nothing_and_the_secretariat_sees_everything(client, world):
    draft = world.plan(lines=2)
    published = world.plan(year=2025, publish=True)
    client.force_login(world.other_buyer)
    for plan in (draft, published):
        assert client.get(reverse("demand:plan_detail", args=[plan.pk])).status_code == 404
    assert "AIGUILLE" not in client.get(reverse("demand:published_lines")).content.decode()
    client.force_login(world.secretariat)
    for plan in (draft, published):
        page = client.get(reverse("demand:plan_detail", args=[plan.pk])).content.decode()
        assert "Groupe Santé Atlas" in page and "45,50" in page
        assert 'data-testid="plan-publish"' not in page  # reads, does not change
    assert client.post(reverse("demand:plan_publish", args=[draft.pk])).status_code == 403


def test_anonymous_is_sent_to_login(client, world):
    plan = world.plan(publish=True)
    for url in (
        reverse("demand:plan_list"),
        reverse("demand:published_lines"),
        reverse("demand:plan_detail", args=[plan.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response.headers["Location"]


def test_plan_import_link_goes_to_the_import_with_the_plan(client, world):
    plan = world.plan(lines=0)
    client.force_login(world.buyer)
    response = client.get(reverse("demand:plan_import", args=[plan.pk]))
    assert response.headers["Location"] == (
        reverse("imports:new", args=["demand.plan_lines"]) + f"?plan={plan.pk}&organisation={world.group.pk}"
    )
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
