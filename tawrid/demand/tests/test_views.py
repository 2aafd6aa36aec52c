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


def _second_buyer(world):
    from tawrid.accounts.models import Membership, Role

    Membership.objects.create(user=world.buyer, organisation=world.hospital, role=Role.MEMBER)


def test_the_plan_is_made_for_the_buyer_chosen_in_the_form_never_another(client, world):
    from tawrid.accounts.tests.factories import OrganisationFactory

    _second_buyer(world)
    client.force_login(world.buyer)
    page = client.get(reverse("demand:plan_create")).content.decode()
    assert 'name="buyer"' in page and "CHU Oued Ziz" in page and "Groupe Santé Atlas" in page
    assert "onchange=" not in page and "onclick=" not in page and "onsubmit=" not in page
    response = client.post(reverse("demand:plan_create"), {"buyer": world.hospital.pk, "year": 2026})
    plan = PurchasePlan.objects.get(year=2026)
    assert plan.buyer_id == world.hospital.pk and response.headers["Location"].endswith(f"/{plan.pk}/")
    stranger = OrganisationFactory(name="Hôpital Ailleurs", slug="ailleurs", kind="hospital")
    response = client.post(reverse("demand:plan_create"), {"buyer": stranger.pk, "year": 2027})
    assert response.status_code == 200 and "Choisissez l’un des acheteurs" in response.content.decode()
    assert not PurchasePlan.objects.filter(year=2027).exists()  # never silently made for another buyer
    response = client.post(reverse("demand:plan_create"), {"buyer": world.hospital.pk, "year": 2028,
                                                           "site": world.site.pk})  # fmt: skip
    assert response.status_code == 200 and not PurchasePlan.objects.filter(year=2028).exists()


def test_change_the_buyer_of_a_draft_on_its_page(client, world):
    _second_buyer(world)
    plan = world.plan(lines=1)
    client.force_login(world.buyer)
    detail = client.get(reverse("demand:plan_detail", args=[plan.pk])).content.decode()
    assert 'data-testid="plan-change-buyer"' in detail and 'data-testid="plan-delete"' in detail
    url = reverse("demand:plan_buyer", args=[plan.pk])
    assert "CHU Oued Ziz" in client.get(url).content.decode()
    forged = client.post(url, {"buyer": world.maker.pk})
    assert forged.status_code == 200 and PurchasePlan.objects.get(pk=plan.pk).buyer_id == world.group.pk
    response = client.post(url, {"buyer": world.hospital.pk})
    assert response.status_code == 302 and PurchasePlan.objects.get(pk=plan.pk).buyer_id == world.hospital.pk
    client.force_login(world.buyer_reader)  # reads the group's plans, changes none
    other = world.plan(lines=0, year=2027)
    assert client.post(reverse("demand:plan_buyer", args=[other.pk]), {"buyer": world.hospital.pk}).status_code in (
        403,
        404,
    )


def test_delete_a_draft_after_confirming_and_never_a_published_plan(client, world):
    draft = world.plan(lines=2)
    published = world.plan(year=2025, publish=True)
    client.force_login(world.buyer)
    confirm = client.get(reverse("demand:plan_delete", args=[draft.pk]))
    assert confirm.status_code == 200 and 'data-testid="plan-delete-form"' in confirm.content.decode()
    assert PurchasePlan.objects.filter(pk=draft.pk).exists()  # asking is not deleting
    response = client.post(reverse("demand:plan_delete", args=[draft.pk]))
    assert response.headers["Location"] == reverse("demand:plan_list")
    assert not PurchasePlan.objects.filter(pk=draft.pk).exists()
    response = client.post(reverse("demand:plan_delete", args=[published.pk]))
    assert response.status_code == 302 and PurchasePlan.objects.filter(pk=published.pk).exists()
    client.force_login(world.other_buyer)
    assert client.post(reverse("demand:plan_delete", args=[published.pk])).status_code in (403, 404)


def test_fractional_boxes_are_refused_on_the_form_and_quantities_show_without_trailing_zeros(client, world):
    plan = world.plan(lines=0)
    client.force_login(world.buyer)
    url = reverse("demand:line_create", args=[plan.pk])
    response = client.post(url, {"designation": "SERINGUE 5 ML", "quantity": "600,5", "unit": "B/100"})
    assert response.status_code == 200 and "n’est pas un nombre entier" in response.content.decode()
    assert not plan.lines.exists()
    client.post(url, {"designation": "SERINGUE 5 ML", "quantity": "600", "unit": "B/100"})
    client.post(url, {"designation": "SOLUTION HYDRO-ALCOOLIQUE", "quantity": "1200,5", "unit": "L"})
    assert plan.lines.count() == 2  # litres keep their decimals
    page = client.get(reverse("demand:plan_detail", args=[plan.pk]), headers={"Accept-Language": "fr"})
    cells = [part.split("</td>")[0] for part in page.content.decode().split('<td class="num">')[1:]]
    assert "600" in cells and "1\xa0200,5" in cells and "600,000" not in cells and "1\xa0200,500" not in cells
    edit = client.get(reverse("demand:line_edit", args=[plan.lines.get(unit="B/100").pk])).content.decode()
    assert 'value="600"' in edit


def test_the_plan_import_page_honours_its_organisation_and_refuses_a_forged_one(client, world):
    from tawrid.demand.imports import KIND
    from tawrid.imports.models import ImportRun

    _second_buyer(world)
    plan = world.plan(lines=0, buyer=world.hospital)
    client.force_login(world.buyer)
    redirect_to = client.get(reverse("demand:plan_import", args=[plan.pk])).headers["Location"]
    assert f"organisation={world.hospital.pk}" in redirect_to
    page = client.get(redirect_to).content.decode()
    assert 'data-testid="upload-organisation"' in page and "CHU Oued Ziz" in page
    assert f'type="hidden" name="organisation" value="{world.hospital.pk}"' in page
    url = reverse("imports:new", args=[KIND])
    for forged in (world.maker.pk, "abc", 999999):
        refused = client.get(f"{url}?organisation={forged}&plan={plan.pk}")
        assert refused.status_code == 403 and 'data-testid="upload-refused"' in refused.content.decode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tawrid.demand.tests import files

    sent = client.post(
        f"{url}?organisation={world.maker.pk}&plan={plan.pk}",
        {"organisation": world.maker.pk, "file": SimpleUploadedFile("plan.xlsx", files.plan_workbook())},
    )
    assert sent.status_code == 403 and not ImportRun.objects.exists()


def test_a_refused_upload_keeps_the_file_for_the_next_try(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tawrid.demand.imports import KIND
    from tawrid.demand.tests import files
    from tawrid.imports.models import ImportRun

    plan = world.plan(lines=0)
    client.force_login(world.buyer)
    url = f"{reverse('imports:new', args=[KIND])}?organisation={world.group.pk}&plan={plan.pk}"
    data = files.plan_workbook()
    response = client.post(url, {"organisation": world.group.pk, "sheet": "Feuil9",
                                 "file": SimpleUploadedFile("plan achats.xlsx", data)})  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 200 and 'data-testid="upload-error"' in page and not ImportRun.objects.exists()
    assert 'data-testid="upload-kept"' in page and "plan achats.xlsx" in page
    token = page.split('name="pending" value="')[1].split('"')[0]
    response = client.post(url, {"organisation": world.group.pk, "sheet": "Besoins", "pending": token})
    run = ImportRun.objects.get()
    assert response.status_code == 302 and run.original_filename == "plan achats.xlsx" and run.size == len(data)
    assert run.sheet_name == "Besoins" and run.params == {"plan": plan.pk}
    client.force_login(world.other_buyer)  # a token is worth nothing in another session
    again = client.post(url, {"organisation": world.group.pk, "pending": token})
    assert ImportRun.objects.count() == 1 and again.status_code in (200, 403)
