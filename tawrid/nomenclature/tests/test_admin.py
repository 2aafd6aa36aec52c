import pytest
from django.urls import reverse

from tawrid.accounts.tests.factories import UserFactory
from tawrid.nomenclature.models import EmdnCode

pytestmark = pytest.mark.django_db


def test_admin_lists_and_searches_but_never_edits_reference_data(client, emdn):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    listing = client.get(reverse("admin:nomenclature_emdncode_changelist"), {"q": "A0101010101"})
    assert listing.status_code == 200 and "HYPODERMIC SYRINGE NEEDLES, WITH SAFETY SYSTEMS" in listing.content.decode()
    item = EmdnCode.objects.get(code="A0101010101")
    page = client.get(reverse("admin:nomenclature_emdncode_change", args=[item.pk])).content.decode()
    assert 'name="_save"' not in page  # read-only: no save button
    assert client.get(reverse("admin:nomenclature_emdncode_add")).status_code == 403
    delete_url = reverse("admin:nomenclature_emdncode_delete", args=[item.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert EmdnCode.objects.filter(pk=item.pk).exists()
