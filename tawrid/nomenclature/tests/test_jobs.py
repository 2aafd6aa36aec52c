import pytest

from tawrid.core.jobs import job_enqueue, registered_kinds
from tawrid.core.models import JobStatus
from tawrid.nomenclature.models import EmdnCode

pytestmark = pytest.mark.django_db(transaction=True)


def test_load_reference_job_runs_with_progress_and_log():
    assert "nomenclature.load_reference" in registered_kinds()
    job = job_enqueue(kind="nomenclature.load_reference", title="Load", params={"which": ["emdn"]})
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result["emdn"]["created"] == 8454
    assert (job.progress_done, job.progress_total) == (2, 2)
    assert "emdn: 8454 created" in job.log
    assert EmdnCode.objects.count() == 8454


def test_failing_load_job_records_the_message_and_writes_nothing(settings, tmp_path):
    settings.REFERENCE_DATA_DIR = tmp_path  # no files there
    job = job_enqueue(kind="nomenclature.load_reference", title="Load", params={"which": ["emdn"]})
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "emdn_v2_en.csv" in job.error
    assert EmdnCode.objects.count() == 0
