"""Pages for production sites (list, edit, delete refused while products are made there), a manufacturer
withdrawing its DMP registration application, and the spreadsheet buttons of the product list."""

import pytest
from django.urls import reverse

from tawrid.catalog import services
from tawrid.catalog.models import ProductionSite, RegistrationStatus
from tawrid.catalog.tests.factories import RegistrationFactory
from tawrid.core.errors import DomainError
from tawrid.core.permissions import actor_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(world):
    return ProductionSite.objects.create(organisation=world.org_a, name="Usine de Tanger", city="Tanger")


def test_site_list_and_edit(world, client, site):
    client.force_login(world.member_a)
    page = client.get(reverse("catalog:site_list"))
    assert page.status_code == 200 and "Usine de Tanger" in page.content.decode()
    response = client.post(
        reverse("catalog:site_edit", args=[site.pk]), {"name": "Usine  de Tanger Med", "city": "Tanger", "region": ""}
    )
    assert response.status_code == 302
    site.refresh_from_db()
    assert site.name == "Usine de Tanger Med"


def test_a_site_without_products_is_deleted(world, client, site):
    client.force_login(world.admin_a)
    assert client.get(reverse("catalog:site_delete", args=[site.pk])).status_code == 200
    assert client.post(reverse("catalog:site_delete", args=[site.pk])).status_code == 302
    assert not ProductionSite.objects.filter(pk=site.pk).exists()


def test_a_site_used_by_products_is_not_deleted(world, client, site):
    world.product_a.site = site
    world.product_a.save()
    client.force_login(world.admin_a)
    page = client.get(reverse("catalog:site_delete", args=[site.pk]))
    assert 'data-testid="site-in-use"' in page.content.decode()
    response = client.post(reverse("catalog:site_delete", args=[site.pk]), follow=True)
    assert ProductionSite.objects.filter(pk=site.pk).exists()
    assert any("Usine de Tanger" in str(m) for m in response.context["messages"])
    with pytest.raises(DomainError) as refused:
        services.site_delete(actor=actor_for(world.admin_a), site=site)
    assert refused.value.code == "site_in_use"


@pytest.mark.parametrize("who", ["admin_b", "reader_a"])
def test_others_cannot_edit_or_delete_a_site(world, client, site, who):
    client.force_login(world.people[who])
    assert client.get(reverse("catalog:site_edit", args=[site.pk])).status_code in (403, 404)
    assert client.post(reverse("catalog:site_delete", args=[site.pk])).status_code in (403, 404)
    assert ProductionSite.objects.filter(pk=site.pk).exists()


def test_the_manufacturer_withdraws_its_application_from_the_page(world, client):
    registration = RegistrationFactory(product=world.product_a, status=RegistrationStatus.SUBMITTED, number="")
    client.force_login(world.member_a)
    page = client.get(reverse("catalog:registration_detail", args=[registration.pk]))
    assert 'data-testid="registration-withdraw"' in page.content.decode()
    response = client.post(reverse("catalog:registration_withdraw", args=[registration.pk]))
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.WITHDRAWN
    page = client.get(reverse("catalog:registration_detail", args=[registration.pk]))
    assert 'data-testid="registration-withdraw"' not in page.content.decode()


def test_others_cannot_withdraw_an_application(world, client):
    registration = RegistrationFactory(product=world.product_a, status=RegistrationStatus.SUBMITTED, number="")
    client.force_login(world.dmp_officer)
    page = client.get(reverse("catalog:registration_detail", args=[registration.pk]))
    assert 'data-testid="registration-withdraw"' not in page.content.decode()
    assert client.post(reverse("catalog:registration_withdraw", args=[registration.pk])).status_code in (403, 404)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.SUBMITTED


def test_product_list_links_to_import_template_and_export(world, client):
    client.force_login(world.member_a)
    content = client.get(reverse("catalog:product_list")).content.decode()
    assert reverse("imports:new", args=["catalog.products"]) in content
    assert reverse("imports:template", args=["catalog.products"]) in content
    assert reverse("catalog:product_export") in content
    client.force_login(world.buyer)
    assert reverse("catalog:product_export") not in client.get(reverse("catalog:product_list")).content.decode()
