"""An organisation administrator invites a person by e-mail; the invitee follows the link, sets a password
and lands on the home page as a member of that organisation."""

import re

import pytest
from django.core import mail

from tawrid.accounts.models import Membership, OrganisationKind, Role
from tawrid.accounts.tests.factories import TEST_PASSWORD, OrganisationFactory, person_in
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_invites_a_person_who_joins_through_the_emailed_link(page):
    organisation = OrganisationFactory(name="Atlas Sutures", kind=OrganisationKind.MANUFACTURER)
    admin = person_in(organisation, Role.ADMIN, full_name="Khadija Admin", email="khadija@atlas.example.ma")

    login(page, admin.email, TEST_PASSWORD)
    page.click("nav.main-nav a[data-menu=organisations]")
    page.click(f"text={organisation.name}")
    page.fill("input[name=email]", "youssef@atlas.example.ma")
    page.select_option("select[name=role]", Role.MEMBER)
    page.click("form[action$='/invite/'] button[type=submit]")
    page.wait_for_selector("[data-testid=invitations] >> text=youssef@atlas.example.ma")

    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["youssef@atlas.example.ma"]
    link = re.search(r"https?://\S+/accounts/invitation/\S+/", mail.outbox[0].body).group(0)

    page.click("form[action$='/logout/'] button")
    page.goto(link)
    assert "youssef@atlas.example.ma" in page.inner_text("main")
    page.fill("input[name=full_name]", "Youssef Invité")
    page.fill("input[name=password1]", "fil-chirurgical-2026")
    page.fill("input[name=password2]", "fil-chirurgical-2026")
    page.click("main form button[type=submit]")

    page.wait_for_url(lambda url: url.rstrip("/").count("/") == 2)
    assert page.inner_text("[data-testid=who]") == "Youssef Invité"
    membership = page.locator("[data-testid=membership]")
    assert membership.count() == 1 and "Atlas Sutures" in membership.inner_text()
    assert membership.get_attribute("data-role") == Role.MEMBER
    assert Membership.objects.filter(user__email="youssef@atlas.example.ma", organisation=organisation).exists()
