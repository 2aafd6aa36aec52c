"""The shared bounds on dates people enter, and the names uploads are stored and downloaded under."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tawrid.core import storage, validators
from tawrid.core.errors import DomainError

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.parametrize(
    ("value", "plausible"),
    [
        (date(1, 1, 1), False),
        (date(1949, 12, 31), False),
        (date(1950, 1, 1), True),
        (date(9999, 12, 31), False),
        (validators.latest_date(), True),
        (validators.latest_date() + timedelta(days=1), False),
    ],
)
def test_date_bounds(value, plausible):
    assert (validators.date_problem(value) is None) is plausible
    if not plausible:
        with pytest.raises(ValidationError):
            validators.validate_plausible_date(value)


def test_an_issue_date_is_not_after_today():
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert validators.date_problem(tomorrow) is None
    assert validators.date_problem(tomorrow, not_future=True)
    assert validators.date_problem(timezone.localdate(), not_future=True) is None


def test_the_horizon_of_a_29_february():
    assert validators.latest_date(date(2028, 2, 29)) == date(2078, 2, 28)


def test_deadlines_are_to_come_and_within_the_horizon():
    now = timezone.now()
    assert validators.deadline_problem(now - timedelta(minutes=1), now=now)
    assert validators.deadline_problem(datetime(1970, 1, 1, tzinfo=now.tzinfo), now=now)
    assert validators.deadline_problem(now + timedelta(days=30), now=now) is None
    assert validators.deadline_problem(now + validators.DEADLINE_HORIZON + timedelta(minutes=1), now=now)


def test_require_plausible_dates_reports_each_field():
    with pytest.raises(DomainError) as refused:
        validators.require_plausible_dates({"a": date(1, 1, 1), "b": date(2020, 1, 1), "c": None})
    assert refused.value.code == "implausible_date" and set(refused.value.details) == {"a"}


@pytest.mark.parametrize(
    ("name", "clean"),
    [
        ("x.pdf\x00.html", "x.pdf.html"),
        ("C:\\Users\\amina\\fiche.pdf", "fiche.pdf"),
        ("../../etc/passwd", "passwd"),
        ("facture\u202efdp.exe", "facturefdp.exe"),  # a right-to-left override hiding ".exe"
        ("  شهادة   المطابقة.pdf ", "شهادة المطابقة.pdf"),
        ("...", ""),
    ],
)
def test_client_filenames_are_sanitised(name, clean):
    assert storage.client_filename(name) == clean


@pytest.mark.parametrize(
    ("display", "kind", "filename"),
    [
        ("Notice", storage.PDF, "Notice.pdf"),
        ("fiche.PDF", storage.PDF, "fiche.PDF"),
        ("x.pdf.html", storage.PDF, "x.pdf"),
        ("photo.png", storage.JPEG, "photo.jpg"),
        ("vue.jpeg", storage.JPEG, "vue.jpeg"),
        ("Fiche 1/2", storage.PDF, "Fiche 1-2.pdf"),
        ("", storage.PNG, "document-7.png"),
    ],
)
def test_download_filenames_end_with_the_type_found(display, kind, filename):
    assert storage.download_filename(display, kind, fallback="document-7") == filename


def test_detect_upload_by_content_and_name():
    assert storage.detect_upload(SimpleUploadedFile("fiche.pdf", PDF), [storage.PDF]) is storage.PDF
    assert storage.detect_upload(SimpleUploadedFile("fiche", PDF), [storage.PDF]) is storage.PDF
    for name in ("x.png", "x.pdf.html", "x.pdf.gz"):
        with pytest.raises(DomainError):
            storage.detect_upload(SimpleUploadedFile(name, PDF), [storage.PDF, storage.PNG])
    with pytest.raises(DomainError):
        storage.detect_upload(SimpleUploadedFile("x.pdf", PDF), [storage.PNG, storage.JPEG])
    assert storage.generated_name(storage.PDF) != storage.generated_name(storage.PDF)
