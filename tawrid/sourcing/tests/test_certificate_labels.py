"""A consultation's required certificates read as people name them ("ISO 13485"), never as stored keys."""

import pytest
from django.test import Client
from django.urls import reverse

from tawrid.sourcing.tests.factories import AwardWorld


@pytest.mark.django_db
def test_consultation_page_names_the_required_certificates():
    world = AwardWorld()
    consultation = world.consultation()
    consultation.required_certificates = ["iso13485", "ce"]
    consultation.save(update_fields=["required_certificates"])
    client = Client()
    client.force_login(world.buyer)
    page = client.get(reverse("sourcing:consultation_detail", args=[consultation.pk])).content.decode()
    assert "ISO 13485, " in page
    assert ">iso13485" not in page and "iso13485," not in page and ", ce<" not in page
