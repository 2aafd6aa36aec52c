"""A run's jobs: one job per run at a time, cancel while checking or importing (finding 7), and a run whose
worker died can be retried or cancelled by its owner, with true counts (finding 10)."""

import contextlib
import dataclasses
import threading

import pytest
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from tawrid.accounts.models import Membership, Role
from tawrid.accounts.tests.factories import OrganisationFactory, person_in
from tawrid.core import jobs
from tawrid.core.errors import DomainError
from tawrid.core.models import Job, JobStatus
from tawrid.core.permissions import actor_for
from tawrid.imports import checking, services
from tawrid.imports.models import ImportRowError, ImportRun, ImportStatus
from tawrid.imports.registry import get_kind, register
from tawrid.imports.tests import files
from tawrid.imports.tests.kind import KIND

QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
ROWS = [[f"p{i}@example.ma", f"Personne {i}", "", str(i), "", "", ""] for i in range(60)]


@pytest.fixture
def org(db):
    return OrganisationFactory()


@pytest.fixture
def buyer(org):
    return person_in(org, role=Role.MEMBER)


def mapped_run(user, org, rows=ROWS):
    actor = actor_for(user)
    run = services.import_upload(
        actor=actor, user=user, kind_name=KIND, organisation=org, filename="p.xlsx", data=files.messy_workbook(rows)
    )
    return services.import_set_mapping(actor=actor, run=run)


def people_of(org):
    return Membership.objects.filter(organisation=org, role=Role.READ_ONLY).count()


def cancel_at_row(monkeypatch, user, row_count=20):
    """The owner presses "cancel" while the job is on row `row_count` of the file."""
    monkeypatch.setattr(checking, "CHECK_EVERY", 5)
    kind = get_kind(KIND)
    seen = [0]

    def validate_row(values, context):
        seen[0] += 1
        if seen[0] == row_count:
            services.import_cancel(actor=actor_for(user), run=ImportRun.objects.get(pk=context.run_id))
        return kind.check_row(values, context)

    register(dataclasses.replace(kind, row_form=None, validate_row=validate_row))
    return seen


@pytest.mark.parametrize("action", ["validate", "execute"])
def test_the_owner_cancels_a_run_while_its_job_reads_the_rows(
    buyer, org, settings, monkeypatch, django_capture_on_commit_callbacks, action
):
    settings.IMPORT_INLINE_BYTES = 10  # checking is a job too
    run = mapped_run(buyer, org)
    seen = cancel_at_row(monkeypatch, buyer)
    with django_capture_on_commit_callbacks(execute=True):
        getattr(services, f"import_{action}")(actor=actor_for(buyer), run=run, user=buyer)
    run.refresh_from_db()
    assert run.status == ImportStatus.CANCELLED
    assert seen[0] < 30  # the job stopped at its next batch, not at the end of the file
    assert run.job.status == JobStatus.SUCCEEDED and run.job.result["status"] == ImportStatus.CANCELLED
    assert (run.total_rows, run.created_count) == (0, 0)
    assert not ImportRowError.objects.filter(run=run).exists()
    assert people_of(org) == 0


def _interrupted(user, org):
    """An import whose worker was killed: the run stays `importing`, its job was marked failed."""
    run = mapped_run(user, org, ROWS[:3])
    run = services.import_execute(actor=actor_for(user), run=run, user=user)  # the job never runs
    Job.objects.filter(pk=run.job_id).update(status=JobStatus.FAILED, error="Interrupted")
    run.refresh_from_db()
    return run


def test_an_interrupted_import_is_retried_once_with_true_counts(buyer, org, django_capture_on_commit_callbacks):
    run = _interrupted(buyer, org)
    assert run.is_interrupted
    with django_capture_on_commit_callbacks(execute=True):
        run = services.import_retry(actor=actor_for(buyer), run=run, user=buyer)
        with pytest.raises(DomainError) as busy:
            services.import_retry(actor=actor_for(buyer), run=ImportRun.objects.get(pk=run.pk), user=buyer)
        assert busy.value.code == "import_busy"
        with pytest.raises(DomainError) as busy:
            services.import_execute(actor=actor_for(buyer), run=ImportRun.objects.get(pk=run.pk), user=buyer)
        assert busy.value.code == "import_busy"
    run.refresh_from_db()
    assert run.status == ImportStatus.IMPORTED
    assert (run.created_count, run.updated_count, run.unchanged_count) == (3, 0, 0)
    assert people_of(org) == 3


def test_retries_of_the_dead_job_from_the_jobs_page_import_once(buyer, org, django_capture_on_commit_callbacks):
    run = _interrupted(buyer, org)
    dead = run.job
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            with contextlib.suppress(DomainError):  # refused once a retry is under way: also right
                jobs.job_retry(job=Job.objects.get(pk=dead.pk), created_by=buyer)
    run.refresh_from_db()
    assert run.status == ImportStatus.IMPORTED
    assert (run.created_count, run.updated_count, run.unchanged_count) == (3, 0, 0)  # not "0 created, 3 unchanged"
    assert people_of(org) == 3


def test_an_interrupted_run_can_be_cancelled_by_its_owner_only(buyer, org):
    run = _interrupted(buyer, org)
    reader = person_in(org, role=Role.READ_ONLY)
    with pytest.raises(DomainError):
        services.import_cancel(actor=actor_for(reader), run=run)
    with pytest.raises(DomainError):
        services.import_retry(actor=actor_for(reader), run=run, user=reader)
    run = services.import_cancel(actor=actor_for(buyer), run=run)
    assert run.status == ImportStatus.CANCELLED
    with pytest.raises(DomainError) as closed:
        services.import_retry(actor=actor_for(buyer), run=run, user=buyer)
    assert closed.value.code == "import_closed"


def test_a_run_whose_job_is_alive_is_not_retried(buyer, org):
    run = mapped_run(buyer, org, ROWS[:3])
    run = services.import_execute(actor=actor_for(buyer), run=run, user=buyer)  # queued, alive
    assert not run.is_interrupted
    with pytest.raises(DomainError) as busy:
        services.import_retry(actor=actor_for(buyer), run=run, user=buyer)
    assert busy.value.code == "import_busy"


def test_an_interrupted_check_is_retried_or_cancelled(buyer, org, settings, django_capture_on_commit_callbacks):
    settings.IMPORT_INLINE_BYTES = 10
    run = services.import_validate(actor=actor_for(buyer), run=mapped_run(buyer, org, ROWS[:3]), user=buyer)
    assert run.status == ImportStatus.VALIDATING
    Job.objects.filter(pk=run.job_id).update(status=JobStatus.FAILED)
    run.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.import_retry(actor=actor_for(buyer), run=run, user=buyer)
    run.refresh_from_db()
    assert run.status == ImportStatus.VALIDATED and run.total_rows == 3


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
@pytest.mark.parametrize("action", ["retry", "execute"])
@override_settings(TASKS=QUEUE)
def test_five_concurrent_requests_make_one_job(action):
    org = OrganisationFactory()
    buyer = person_in(org, role=Role.MEMBER)
    run = _interrupted(buyer, org) if action == "retry" else mapped_run(buyer, org, ROWS[:3])
    before = set(Job.objects.values_list("pk", flat=True))
    start, done, errors = threading.Barrier(5), [], []

    def request() -> None:
        try:
            start.wait()
            fresh = ImportRun.objects.get(pk=run.pk)
            done.append(getattr(services, f"import_{action}")(actor=actor_for(buyer), run=fresh, user=buyer))
        except DomainError as error:
            errors.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=request) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(done) == 1 and errors == ["import_busy"] * 4
    new_jobs = Job.objects.exclude(pk__in=before)
    assert new_jobs.count() == 1
    assert ImportRun.objects.get(pk=run.pk).job_id == new_jobs.get().pk


def test_the_page_and_the_api_retry_or_cancel_an_interrupted_run(client, buyer, org):
    run = _interrupted(buyer, org)
    client.force_login(buyer)
    page = client.get(reverse("imports:detail", args=[run.pk])).content.decode()
    assert 'data-testid="run-interrupted"' in page and 'data-testid="retry"' in page and 'data-testid="cancel"' in page
    assert client.post(f"/api/v1/imports/runs/{run.pk}/retry").status_code == 202
    again = client.post(f"/api/v1/imports/runs/{run.pk}/retry")  # its new job is queued: refused
    assert again.status_code == 400 and again.json()["code"] == "import_busy"
    assert client.post(reverse("imports:cancel", args=[run.pk])).status_code == 302
    assert ImportRun.objects.get(pk=run.pk).status == ImportStatus.CANCELLED


def test_a_failed_job_is_retried_once_at_a_time(buyer, org):
    run = _interrupted(buyer, org)
    first = jobs.job_retry(job=run.job)  # queued: the worker has not taken it yet
    with pytest.raises(DomainError) as refused:
        jobs.job_retry(job=run.job)
    assert refused.value.code == "job_retrying"
    assert list(Job.objects.filter(retry_of=run.job)) == [first]
