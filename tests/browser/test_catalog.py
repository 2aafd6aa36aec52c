"""The catalogue journey in a browser: a manufacturer creates a product with two variants and their
specifications, uploads its ISO 13485 certificate and applies for DMP registration; IMANOR verifies the
certificate; the DMP approves; the product appears in the public directory; when the certificate expires
(the daily expiry job, run for a later date) the product is no longer eligible and leaves the directory."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tawrid.accounts.tests.factories import TEST_PASSWORD
from tawrid.catalog.jobs import expiry_reminders_send
from tawrid.catalog.models import Certificate, Product, RegistrationApplication
from tawrid.catalog.tests.factories import CatalogWorld, emdn
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_catalogue_journey_from_product_to_directory_and_out(page):
    world = CatalogWorld()
    emdn("A010101", "Hypodermic needles")
    today = timezone.localdate()
    expires = today + timedelta(days=200)

    # The manufacturer creates the product…
    login(page, world.admin_a.email, TEST_PASSWORD)
    page.click("nav.main-nav a[data-menu=products]")
    page.click("a[href$='/catalogue/products/new/']")
    page.fill("input[name=reference]", "AIG-HYPO")
    page.fill("input[name=name_fr]", "Aiguille hypodermique stérile à usage unique")
    page.fill("input[name=name_en]", "Sterile hypodermic needle")
    page.fill("input[name=emdn_code]", "A010101")
    page.check("input[name=sterile]")
    page.check("input[name=single_use]")
    page.fill("input[name=unit_price]", "0,35")
    page.click("[data-testid=product-form] button[type=submit]")

    # …with two variants and their specifications (units converted: 2,5 cm → 25 mm).
    for reference, label, gauge, length, unit in [
        ("AIG-21", "G21 25 mm", "21", "2,5", "CMT"),
        ("AIG-20", "G20 40 mm", "20", "40", "MMT"),
    ]:
        page.wait_for_selector("[data-testid=variant-form]")
        page.fill("input[name=reference]", reference)
        page.fill("input[name=label]", label)
        page.select_option("select[name=specs-0-attribute]", "gauge")
        page.fill("input[name=specs-0-value]", gauge)
        page.select_option("select[name=specs-1-attribute]", "needle_length")
        page.fill("input[name=specs-1-value]", length)
        page.select_option("select[name=specs-1-unit]", unit)
        page.click("button[name=add_another]" if reference == "AIG-21" else "button[name=save]")
    page.wait_for_selector("[data-testid=variants] >> text=G20 40 mm")
    variants = page.inner_text("[data-testid=variants]")
    assert "G21 25 mm" in variants and "21 G" in variants and "2,5 cm" in variants
    page.click("form[action$='/publish/'] button")
    page.wait_for_selector("[data-testid=product-status].status-published")
    product = Product.objects.get(reference="AIG-HYPO")
    assert "ISO 13485" in page.inner_text("[data-testid=eligibility]")

    # …uploads its ISO 13485 certificate…
    page.click("a[href*='/catalogue/certificates/new/']")
    page.select_option("select[name=kind]", "iso13485")
    page.fill("input[name=number]", "MA-QMS-2026-0001")
    page.fill("input[name=issuer]", "IMANOR")
    page.fill("input[name=issued_on]", (today - timedelta(days=30)).isoformat())
    page.fill("input[name=expires_on]", expires.isoformat())
    page.set_input_files("input[name=file]", {"name": "iso13485.pdf", "mimeType": "application/pdf", "buffer": PDF})
    page.click("[data-testid=certificate-form] button[type=submit]")
    page.wait_for_selector("[data-testid=certificate-status]")
    certificate = Certificate.objects.get(number="MA-QMS-2026-0001")
    assert certificate.document is not None and not certificate.verified

    # …and applies for DMP registration.
    page.goto(f"/catalogue/products/{product.pk}/registration/")
    page.fill("textarea[name=notes]", "Dossier technique complet, notice en français et en arabe.")
    page.click("[data-testid=registration-form] button[type=submit]")
    page.wait_for_selector("[data-testid=registration-status].status-submitted")
    page.click("form[action$='/logout/'] button")

    # IMANOR verifies the certificate from its queue.
    login(page, world.imanor_officer.email, TEST_PASSWORD)
    page.click("nav.main-nav a[data-menu=certification]")
    page.click("text=MA-QMS-2026-0001")
    page.select_option("select[name=action]", "verify")
    page.click("[data-testid=certificate-decision] button[type=submit]")
    page.wait_for_selector("[data-testid=verified]")
    page.click("form[action$='/logout/'] button")

    # The DMP approves the registration.
    login(page, world.dmp_officer.email, TEST_PASSWORD)
    page.click("nav.main-nav a[data-menu=registrations]")
    page.click("[data-testid=registration-queue] >> text=Aiguille hypodermique")
    page.select_option("select[name=action]", "approve")
    page.fill("input[name=number]", "DM-2026-00042")
    page.fill("input[name=valid_from]", (today - timedelta(days=1)).isoformat())
    page.fill("input[name=valid_until]", (today + timedelta(days=5 * 365)).isoformat())
    page.click("[data-testid=registration-decision] button[type=submit]")
    page.wait_for_selector("[data-testid=registration-status].status-approved")
    assert RegistrationApplication.objects.get(product=product).number == "DM-2026-00042"
    page.click("form[action$='/logout/'] button")

    # Anyone finds it in the public directory (accents and case ignored), without its price.
    page.goto("/catalogue/?q=AIGUILLE+HYPODERMIQUE+STERILE")
    page.wait_for_selector("[data-testid=directory-results] >> text=Aiguille hypodermique stérile")
    page.click("[data-testid=directory-results] >> text=Aiguille hypodermique stérile")
    public = page.inner_text("main")
    assert "G21 25 mm" in public and "0,35" not in public and "0.35" not in public

    # The certificate expires: the daily job, run for the day after, marks it expired; the product leaves.
    expiry_reminders_send(on=expires + timedelta(days=1))
    certificate.refresh_from_db()
    assert certificate.status == "expired"
    page.goto("/catalogue/?q=aiguille")
    assert "Aiguille hypodermique" not in page.inner_text("[data-testid=directory-results]")
    login(page, world.admin_a.email, TEST_PASSWORD)
    page.goto(f"/catalogue/products/{product.pk}/")
    assert "MA-QMS-2026-0001" in page.inner_text("[data-testid=eligibility]")
