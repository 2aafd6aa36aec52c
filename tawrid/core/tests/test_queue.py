"""The job queue's order (what a person waits for before national batches), a queued job's place in it and
its estimate, and job results shown with translated labels."""

import datetime

import pytest
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from tawrid.accounts.tests.factories import OrganisationFactory, person_in
from tawrid.core import jobs, queue
from tawrid.core.job_results import result_items
from tawrid.core.models import Job, JobStatus
from tawrid.core.queue import Priority, priority_for, queue_position

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
DUMMY_QUEUE = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


def test_what_a_person_waits_for_goes_before_national_batches():
    buyer = OrganisationFactory.build()
    user_kinds = [("imports.execute", None), ("imports.validate", None), ("matching.match_chunk", buyer)]
    batch_kinds = [("matching.match_chunk", None), ("matching.allocate", None), ("demand.refresh_aggregates", None)]
    assert {priority_for(kind, org) for kind, org in user_kinds} == {Priority.USER}
    assert {priority_for(kind, org) for kind, org in batch_kinds} == {Priority.BATCH}
    assert priority_for("insights.snapshot") == Priority.BATCH
    assert priority_for("nomenclature.load_reference") == Priority.NORMAL
    assert priority_for("matching.allocate", buyer) > priority_for("nomenclature.load_reference") > Priority.BATCH


@pytest.mark.django_db(transaction=True)
def test_the_database_queue_hands_a_user_job_enqueued_after_a_batch_one_first(settings):
    settings.TASKS = DATABASE_QUEUE
    batch = jobs.job_enqueue(kind="core.prune_jobs", title="Batch")
    user = jobs.job_enqueue(kind="core.prune_idempotency_keys", title="Mine", priority=Priority.USER)
    assert (batch.priority, user.priority) == (Priority.BATCH, Priority.USER)
    # what db_worker takes next: the ready task first in the backend's own order (priority, then age)
    first = DBTaskResult.objects.ready().first()
    assert first is not None and first.args_kwargs["args"] == [user.pk] and first.priority == Priority.USER
    assert DBTaskResult.objects.get(id=Job.objects.get(pk=batch.pk).task_id).priority == Priority.BATCH


@pytest.mark.django_db
def test_a_retry_keeps_the_priority(settings, django_capture_on_commit_callbacks):
    settings.TASKS = DUMMY_QUEUE
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.job_enqueue(kind="core.prune_jobs", title="Batch", priority=Priority.USER)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED)
    with django_capture_on_commit_callbacks(execute=True):
        retry = jobs.job_retry(job=Job.objects.get(pk=job.pk))
    assert retry.priority == Priority.USER


def _finished(kind: str, seconds: int, *, ago: int = 3600) -> Job:
    end = timezone.now() - datetime.timedelta(seconds=ago)
    return Job.objects.create(
        kind=kind,
        title="done",
        status=JobStatus.SUCCEEDED,
        started_at=end - datetime.timedelta(seconds=seconds),
        finished_at=end,
    )


@pytest.mark.django_db
def test_a_queued_job_knows_how_many_are_ahead_and_about_how_long_it_waits():
    for seconds in (100, 120, 140):
        _finished("matching.match_chunk", seconds)
    _finished("imports.execute", 30)
    running = Job.objects.create(
        kind="matching.match_chunk",
        title="running",
        status=JobStatus.RUNNING,
        started_at=timezone.now() - datetime.timedelta(seconds=20),
        worker="host:1",
        priority=Priority.BATCH,
    )
    national = [
        Job.objects.create(kind="matching.match_chunk", title=f"chunk {n}", priority=Priority.BATCH) for n in range(5)
    ]
    earlier_import = Job.objects.create(kind="imports.execute", title="theirs", priority=Priority.USER)
    mine = Job.objects.create(kind="imports.execute", title="mine", priority=Priority.USER)

    position = queue_position(mine)
    # the chunk at work and the import queued before mine; not the five national chunks queued before it
    assert (position.ahead, position.running) == (2, 1)
    assert position.wait_seconds == (120 - 20) + 30  # what is left of the running chunk, then the other import
    assert position.duration_seconds == 30
    with translation.override("en"):
        assert "2 jobs ahead of yours" in position.ahead_text()
        assert "about 2 minutes" in position.estimate_text()

    last_chunk = queue_position(national[-1])
    assert last_chunk.ahead == 1 + 2 + 4  # running, both imports, the four chunks before it
    assert queue_position(running) is None and queue_position(earlier_import).ahead == 1


@pytest.mark.django_db
def test_no_estimate_without_recent_runs_of_a_kind_ahead():
    Job.objects.create(kind="insights.report", title="report", priority=Priority.USER)
    mine = Job.objects.create(kind="imports.execute", title="mine", priority=Priority.USER)
    position = queue_position(mine)
    assert position.ahead == 1 and position.wait_seconds is None and position.duration_seconds is None
    assert position.estimate_text() == ""
    with translation.override("en"):
        assert queue.duration_text(30) == "less than a minute"


@pytest.mark.django_db
def test_the_job_page_and_the_api_show_the_place_in_the_queue(client):
    org = OrganisationFactory()
    owner = person_in(org)
    Job.objects.create(kind="imports.execute", title="theirs", priority=Priority.USER)
    mine = Job.objects.create(kind="imports.execute", title="mine", organisation=org, priority=Priority.USER)
    client.force_login(owner)
    page = client.get(f"/jobs/{mine.pk}/").content.decode()
    assert 'data-testid="job-queue" data-ahead="1"' in page
    answer = client.get(f"/api/v1/jobs/{mine.pk}").json()
    assert answer["priority"] == Priority.USER and answer["queue"]["ahead"] == 1


@pytest.mark.django_db
def test_a_job_result_reads_with_translated_labels_and_no_internal_ids(client):
    org = OrganisationFactory()
    owner = person_in(org)
    job = Job.objects.create(
        kind="imports.execute",
        title="Importing catalogue.xlsx",
        organisation=org,
        status=JobStatus.SUCCEEDED,
        result={"status": "imported", "rows": 12, "invalid": 1, "run_id": 4},
    )
    with translation.override("en"):
        items = [(str(label), str(value)) for label, value in result_items(job)]
    assert items == [("Status", "Imported"), ("Rows read", "12"), ("Rows in error", "1")]
    client.force_login(owner)
    page = client.get(f"/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "<dt>status</dt>" not in page and "<dt>rows</dt>" not in page and "run_id" not in page
