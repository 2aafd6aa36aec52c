"""The import pages: upload → mapping → preview → import → result, and who may see what."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tawrid.accounts.models import Membership, Role
from tawrid.accounts.tests.factories import OrganisationFactory, person_in
from tawrid.imports.models import ColumnMapping, ImportRun, ImportStatus
from tawrid.imports.tests import files
from tawrid.imports.tests.kind import KIND

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return OrganisationFactory(name="Clinique Atlas")


@pytest.fixture
def buyer(org, client):
    user = person_in(org, role=Role.MEMBER)
    client.force_login(user)
    return user


def post_file(client, org, data, name="personnel.xlsx", **extra):
    return client.post(
        reverse("imports:new", args=[KIND]),
        {"organisation": org.pk, "file": SimpleUploadedFile(name, data), **extra},
    )


def test_the_whole_journey(client, buyer, org, django_capture_on_commit_callbacks):
    page = client.get(reverse("imports:new", args=[KIND]))
    assert page.status_code == 200 and "Personnes" in page.content.decode()

    response = post_file(client, org, files.messy_workbook())
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response.url == reverse("imports:detail", args=[run.pk])

    detail = client.get(response.url).content.decode()
    assert 'name="col_0"' in detail and '<option value="email" selected>' in detail

    form = {"sheet": "Personnel", "header_row": 4, "remember": "on"}
    form.update(
        {
            f"col_{i}": key
            for i, key in enumerate(["email", "full_name", "job_title", "quantity", "budget", "start_date", "active"])
        }
    )
    response = client.post(reverse("imports:mapping", args=[run.pk]), form)
    assert response.status_code == 302
    assert ColumnMapping.objects.filter(organisation=org, kind=KIND).exists()

    preview = client.get(reverse("imports:preview", args=[run.pk]), headers={"HX-Request": "true"}).content.decode()
    assert "amina@example.ma" in preview and "1234.50" in preview.replace("\u202f", "").replace(",", ".")
    assert "<html" not in preview  # a partial for htmx

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("imports:execute", args=[run.pk]))
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == ImportStatus.IMPORTED and run.created_count == 3
    result = client.get(reverse("imports:detail", args=[run.pk])).content.decode()
    assert 'data-testid="created-count">3<' in result
    assert Membership.objects.filter(organisation=org, role=Role.READ_ONLY).count() == 3

    listing = client.get(reverse("imports:list")).content.decode()
    assert "personnel.xlsx" in listing


def test_upload_errors_are_shown_and_nothing_is_kept(client, buyer, org, settings):
    response = post_file(client, org, files.PNG, name="photo.xlsx")
    assert response.status_code == 200 and 'data-testid="upload-error"' in response.content.decode()
    settings.IMPORT_MAX_BYTES = 100
    response = post_file(client, org, files.messy_workbook())
    assert "limit" in response.content.decode() or "limite" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_reimport_asks_for_confirmation(client, buyer, org, django_capture_on_commit_callbacks):
    data = files.messy_workbook()
    post_file(client, org, data)
    run = ImportRun.objects.get()
    client.post(
        reverse("imports:mapping", args=[run.pk]),
        {"sheet": "Personnel", "header_row": 4, **{f"col_{i}": k for i, k in enumerate(["email", "full_name"])}},
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:execute", args=[run.pk]))
    response = post_file(client, org, data)
    body = response.content.decode()
    assert response.status_code == 200 and f"#{run.pk}" in body and 'name="confirm_reimport"' in body
    response = post_file(client, org, data, confirm_reimport="on")
    assert response.status_code == 302 and ImportRun.objects.count() == 2


def test_invalid_mapping_is_explained(client, buyer, org):
    post_file(client, org, files.messy_workbook())
    run = ImportRun.objects.get()
    response = client.post(reverse("imports:mapping", args=[run.pk]), {"sheet": "Personnel", "header_row": 4})
    assert response.status_code == 422 and 'data-testid="mapping-error"' in response.content.decode()


def test_error_report_download(client, buyer, org, django_capture_on_commit_callbacks):
    rows = [["a@example.ma", "A", "", "-5", "", "", ""]]
    post_file(client, org, files.messy_workbook(rows))
    run = ImportRun.objects.get()
    client.post(
        reverse("imports:mapping", args=[run.pk]),
        {
            "sheet": "Personnel",
            "header_row": 4,
            **{f"col_{i}": k for i, k in enumerate(["email", "full_name", "", "quantity"])},
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:execute", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED
    response = client.get(reverse("imports:errors", args=[run.pk, "xlsx"]))
    assert response["Content-Disposition"].endswith('.xlsx"')
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][0] == 5 and rows[1][2] == "-5"
    assert client.get(f"/imports/{run.pk}/errors.pdf").status_code == 404


def test_template_workbook_has_the_columns(client, buyer):
    response = client.get(reverse("imports:template", args=[KIND]))
    header = next(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert header[:2] == ("E-mail", "Nom complet")


def test_another_organisations_import_is_not_found(client, buyer, org):
    other_org = OrganisationFactory()
    other = person_in(other_org)
    client.force_login(other)
    post_file(client, other_org, files.messy_workbook())
    run = ImportRun.objects.get()
    client.force_login(buyer)
    for name in ("detail", "preview", "status"):
        assert client.get(reverse(f"imports:{name}", args=[run.pk])).status_code == 404
    assert client.get(reverse("imports:errors", args=[run.pk, "csv"])).status_code == 404
    assert client.post(reverse("imports:execute", args=[run.pk])).status_code == 404
    assert client.post(reverse("imports:cancel", args=[run.pk])).status_code == 404
    assert "personnel.xlsx" not in client.get(reverse("imports:list")).content.decode()
    # and one cannot upload for an organisation one does not belong to
    response = post_file(client, other_org, files.messy_workbook())
    assert response.status_code == 200 and ImportRun.objects.count() == 1


def test_unknown_kind_is_404(client, buyer):
    assert client.get(reverse("imports:new", args=["nope.nothing"])).status_code == 404


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("imports:list"))
    assert response.status_code == 302 and "login" in response.url


def test_pages_have_no_inline_script_or_style(client, buyer, org):
    post_file(client, org, files.messy_workbook())
    run = ImportRun.objects.get()
    for url in (reverse("imports:list"), reverse("imports:new", args=[KIND]), reverse("imports:detail", args=[run.pk])):
        body = client.get(url).content.decode()
        assert "<style" not in body and " style=" not in body
        assert "<script>" not in body


def _mapped(buyer, org):
    from tawrid.core.permissions import actor_for
    from tawrid.imports import services

    actor = actor_for(buyer)
    run = services.import_upload(
        actor=actor, user=buyer, kind_name=KIND, organisation=org, filename="p.xlsx", data=files.messy_workbook()
    )
    return services.import_set_mapping(actor=actor, run=run)


def test_the_preview_shows_yes_and_no_not_true_and_false(client, buyer, org):
    run = _mapped(buyer, org)
    preview = client.get(reverse("imports:preview", args=[run.pk]), headers={"HX-Request": "true"}).content.decode()
    assert "amina@example.ma" in preview
    assert ">True<" not in preview and ">False<" not in preview
    assert ">Oui<" in preview  # the test language is French


def test_cancelling_asks_first_and_one_click_cancels_nothing(client, buyer, org):
    run = _mapped(buyer, org)
    detail = client.get(reverse("imports:detail", args=[run.pk])).content.decode()
    cancel_url = reverse("imports:cancel", args=[run.pk])
    assert f'href="{cancel_url}"' in detail  # a link to a page that asks, not a button that cancels

    confirmation = client.get(cancel_url)
    assert confirmation.status_code == 200
    page = confirmation.content.decode()
    assert 'data-testid="confirm-cancel"' in page and 'data-testid="keep-import"' in page
    run.refresh_from_db()
    assert run.status == ImportStatus.MAPPED  # looking at the question changed nothing

    assert client.post(cancel_url).status_code == 302
    run.refresh_from_db()
    assert run.status == ImportStatus.CANCELLED
    assert client.get(cancel_url).status_code == 302  # nothing left to cancel: back to the import
