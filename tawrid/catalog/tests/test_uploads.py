"""Uploaded documents (issue 15, finding 13): stored under a generated name with the extension of the type found
in the content, never the client's name; a file whose name claims another type than its content is refused; the
client's name is kept only as data (sanitised) and the download says the right type and a name with its
extension."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tawrid.accounts.tests.factories import token_for
from tawrid.catalog import services
from tawrid.catalog.models import ProductDocument
from tawrid.core.errors import DomainError
from tawrid.core.permissions import actor_for

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 64
GENERATED = re.compile(r"^catalog/\d{4}/\d{2}/[0-9a-f]{32}\.(pdf|png|jpg)$")


def upload(world, name, content, kind="data_sheet", title=""):
    return services.document_upload(
        actor=actor_for(world.admin_a),
        organisation=world.org_a,
        product=world.product_a,
        file=SimpleUploadedFile(name, content),
        kind=kind,
        title=title,
    )


def test_a_pdf_named_with_a_nul_and_html_is_refused_and_nothing_is_stored(world):
    with pytest.raises(DomainError) as refused:
        upload(world, "x.pdf\x00.html", PDF)
    assert refused.value.code == "bad_file_type"
    assert refused.value.details and refused.value.details["file"]
    assert not ProductDocument.objects.exists()


def test_a_pdf_sent_as_png_is_refused_with_a_clear_message(world):
    with pytest.raises(DomainError) as refused:
        upload(world, "x.png", PDF)
    assert refused.value.code == "bad_file_type"
    assert "PDF" in refused.value.message and ".png" in refused.value.message
    with pytest.raises(DomainError):
        upload(world, "photo.pdf", PNG, kind="photo")
    assert not ProductDocument.objects.exists()


def test_a_photo_must_be_an_image(world):
    with pytest.raises(DomainError) as refused:
        upload(world, "photo.pdf", PDF, kind="photo")
    assert refused.value.code == "bad_file_type"
    assert upload(world, "photo.jpeg", JPEG, kind="photo").content_type == "image/jpeg"


@pytest.mark.parametrize(
    ("name", "content", "extension", "title"),
    [
        ("Fiche technique.pdf", PDF, "pdf", "Fiche technique.pdf"),
        ("scan", PDF, "pdf", "scan"),  # no extension: the content decides
        ("photo.JPG", JPEG, "jpg", "photo.JPG"),
        ("..\\..\\etc\\<b>passwd<b>.png", PNG, "png", "<b>passwd<b>.png"),  # a Windows path
        ("bad\x00\x1b[31m\u202ename.pdf", PDF, "pdf", "bad[31mname.pdf"),
    ],
)
def test_every_upload_is_stored_under_a_generated_name_with_the_detected_extension(
    world, name, content, extension, title
):
    document = upload(world, name, content)
    assert GENERATED.match(document.file.name), document.file.name
    assert document.file.name.endswith("." + extension)
    assert document.title == title  # the client's name, sanitised, only as data


def test_two_uploads_of_the_same_name_never_share_a_stored_name(world):
    first, second = upload(world, "fiche.pdf", PDF), upload(world, "fiche.pdf", PDF)
    assert first.file.name != second.file.name


def test_the_download_sends_the_type_and_a_filename_with_its_extension(client, world):
    titled = upload(world, "x.pdf", PDF, title="Notice d'utilisation")
    named = upload(world, "fiche-2026.pdf", PDF)
    photo = upload(world, "vue de face.jpeg", JPEG, kind="photo")
    client.force_login(world.admin_a)
    expected = {
        titled.pk: ("application/pdf", "Notice d'utilisation.pdf"),
        named.pk: ("application/pdf", "fiche-2026.pdf"),
        photo.pk: ("image/jpeg", "vue de face.jpeg"),
    }
    for pk, (content_type, filename) in expected.items():
        response = client.get(reverse("catalog:document_download", args=[pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == content_type
        assert f'filename="{filename}"' in response["Content-Disposition"], response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"


def test_a_non_ascii_title_is_sent_encoded(client, world):
    document = upload(world, "x.pdf", PDF, title="شهادة المطابقة")
    client.force_login(world.admin_a)
    disposition = client.get(reverse("catalog:document_download", args=[document.pk]))["Content-Disposition"]
    assert "filename*=utf-8''" in disposition and disposition.endswith(".pdf")


def test_the_upload_page_refuses_a_pdf_named_png_with_the_message(client, world):
    client.force_login(world.admin_a)
    url = reverse("catalog:document_upload", args=[world.product_a.pk])
    response = client.post(url, {"kind": "data_sheet", "file": SimpleUploadedFile("x.png", PDF)}, follow=True)
    assert not ProductDocument.objects.exists()
    assert ".png" in response.content.decode()
    client.post(url, {"kind": "data_sheet", "file": SimpleUploadedFile("fiche.pdf", PDF)})
    assert GENERATED.match(ProductDocument.objects.get().file.name)


def test_the_api_refuses_both_attacks_and_stores_under_a_generated_name(client, world):
    headers = {"Authorization": f"Bearer {token_for(world.admin_a)[1]}"}
    for name in ("x.pdf\x00.html", "x.png"):
        response = client.post(
            "/api/v1/catalog/documents",
            {"file": SimpleUploadedFile(name, PDF), "kind": "ifu", "organisation_id": world.org_a.pk},
            headers=headers,
        )
        assert response.status_code == 400, (name, response.content)
        assert response.json()["code"] == "bad_file_type" and response.json()["details"]["file"]
    assert not ProductDocument.objects.exists()
    response = client.post(
        "/api/v1/catalog/documents",
        {"file": SimpleUploadedFile("notice.pdf", PDF), "kind": "ifu", "organisation_id": world.org_a.pk},
        headers=headers,
    )
    assert response.status_code == 201
    assert GENERATED.match(ProductDocument.objects.get().file.name)
