import os
import socket
import subprocess
import sys

import pytest
from django.utils import translation
from django.utils.translation import gettext as _

from tawrid.accounts.tests.factories import OrganisationFactory, person_in
from tawrid.core import jobs
from tawrid.core.errors import DomainError
from tawrid.core.models import Job, JobStatus

pytestmark = pytest.mark.django_db(transaction=True)


@jobs.job_kind("tests.count_to")
def count_to(context: jobs.JobContext, *, n: int, fail_at: int | None = None) -> dict:
    context.set_total(n)
    for i in range(1, n + 1):
        if i == fail_at:
            raise DomainError(f"Échec voulu à {i}")
        context.advance(step=f"item {i}")
    context.log("counted")
    return {"counted": n}


def test_job_runs_through_the_task_backend_and_records_progress():
    job = jobs.job_enqueue(kind="tests.count_to", title="Count", params={"n": 5})
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert (job.progress_done, job.progress_total, job.percent) == (5, 5, 100)
    assert job.result == {"counted": 5}
    assert "counted" in job.log
    assert job.task_id


def test_failed_job_keeps_its_message_and_can_be_retried():
    job = jobs.job_enqueue(kind="tests.count_to", title="Count", params={"n": 5, "fail_at": 3})
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == "Échec voulu à 3"
    assert job.progress_done == 2
    retry = jobs.job_retry(job=job)
    assert retry.retry_of_id == job.pk
    assert Job.objects.get(pk=retry.pk).status == JobStatus.FAILED  # same params, same failure


def test_only_failed_jobs_can_be_retried_and_unknown_kinds_are_refused():
    job = jobs.job_enqueue(kind="tests.count_to", title="Count", params={"n": 1})
    with pytest.raises(DomainError):
        jobs.job_retry(job=Job.objects.get(pk=job.pk))
    with pytest.raises(DomainError):
        jobs.job_enqueue(kind="tests.nope", title="x")
    assert Job.objects.count() == 1


def test_job_pages_show_progress_only_to_those_who_may_see_it(client):
    org = OrganisationFactory()
    owner = person_in(org)
    stranger = person_in(OrganisationFactory())
    job = jobs.job_enqueue(kind="tests.count_to", title="Count", params={"n": 2}, created_by=owner, organisation=org)
    client.force_login(owner)
    response = client.get(f"/jobs/{job.pk}/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b'data-status="succeeded"' in response.content
    assert b"hx-trigger" not in response.content  # a finished job stops polling
    client.force_login(stranger)
    assert client.get(f"/jobs/{job.pk}/").status_code == 404
    assert client.get(f"/api/v1/jobs/{job.pk}").status_code == 404
    assert client.post(f"/jobs/{job.pk}/retry/").status_code == 404


def test_running_job_partial_polls():
    job = Job.objects.create(kind="tests.count_to", title="Count", status=JobStatus.RUNNING, progress_total=10)
    from django.template.loader import render_to_string

    html = render_to_string("core/_job_progress.html", {"job": job})
    assert 'hx-trigger="every 1s"' in html


def test_job_results_are_shown_readably():
    from tawrid.core.templatetags.tawrid import readable

    assert readable({"created": 0, "skipped": True, "details": {}}) == "created: 0 · skipped: ✓"
    assert readable(8454).replace("\u202f", " ").replace("\xa0", " ") in {"8 454", "8,454"}
    assert readable(["a", 2]) == "a, 2"


def _pid_of_a_finished_process() -> int:
    probe = subprocess.Popen([sys.executable, "-c", "pass"])  # noqa: S603
    probe.wait()
    return probe.pid


def test_the_worker_running_a_job_is_recorded():
    job = jobs.job_enqueue(kind="tests.count_to", title="Count", params={"n": 1})
    job.refresh_from_db()
    assert job.worker == f"{socket.gethostname()}:{os.getpid()}"


def test_jobs_of_a_dead_worker_of_this_host_are_failed_and_can_be_retried():
    host = socket.gethostname()
    dead = Job.objects.create(
        kind="tests.count_to",
        title="Killed",
        params={"n": 2},
        status=JobStatus.RUNNING,
        worker=f"{host}:{_pid_of_a_finished_process()}",
    )
    alive = Job.objects.create(kind="tests.count_to", title="Live", status=JobStatus.RUNNING, worker=f"{host}:1")
    ours = Job.objects.create(
        kind="tests.count_to", title="Ours", status=JobStatus.RUNNING, worker=f"{host}:{os.getpid()}"
    )
    elsewhere = Job.objects.create(
        kind="tests.count_to", title="Other host", status=JobStatus.RUNNING, worker="another-host.example:1"
    )
    unknown = Job.objects.create(kind="tests.count_to", title="Before workers were recorded", status=JobStatus.RUNNING)
    finished = Job.objects.create(kind="tests.count_to", title="Done", status=JobStatus.SUCCEEDED, worker=dead.worker)

    assert jobs.fail_interrupted_jobs() == [dead.pk]

    dead.refresh_from_db()
    assert dead.status == JobStatus.FAILED
    assert dead.finished_at is not None
    assert "interrompu" in dead.error.lower() or "interrupted" in dead.error.lower()
    for job in (alive, ours, elsewhere, unknown):  # pid 1 (init) lives; other hosts are not ours to judge
        assert Job.objects.get(pk=job.pk).status == JobStatus.RUNNING
    assert Job.objects.get(pk=finished.pk).status == JobStatus.SUCCEEDED
    assert jobs.fail_interrupted_jobs() == []  # nothing left to do, nothing written twice

    retry = jobs.job_retry(job=dead)
    assert Job.objects.get(pk=retry.pk).status == JobStatus.SUCCEEDED


# A message with translations in French and Arabic (tawrid.core's catalogue).
_SPOKEN = "Only a failed job can be retried."


@jobs.job_kind("tests.speak")
def speak(context: jobs.JobContext, *, fail: bool = False) -> dict:
    if fail:
        raise DomainError(_(_SPOKEN))
    return {"message": _(_SPOKEN)}


@pytest.mark.parametrize("language", ["ar", "en", "fr"])
def test_a_job_runs_in_the_language_of_the_person_who_started_it(monkeypatch, language):
    # The worker is another process, in the server's default language: the queue is stopped here, and the job
    # runs later under another language, as it would in the worker.
    monkeypatch.setattr(jobs, "_put_on_queue", lambda job_id, priority=0: None)
    with translation.override(language):
        expected = _(_SPOKEN)
        succeeds = jobs.job_enqueue(kind="tests.speak", title="Speak")
        fails = jobs.job_enqueue(kind="tests.speak", title="Speak", params={"fail": True})
    assert succeeds.language == fails.language == language
    worker_language = "en" if language != "en" else "ar"
    with translation.override(worker_language):
        assert _(_SPOKEN) != expected  # the test means something: the two languages differ
        assert jobs.job_execute(succeeds.pk).result == {"message": expected}
        assert jobs.job_execute(fails.pk).error == expected
        assert translation.get_language() == worker_language  # the worker's own language is given back


def test_a_job_without_a_recorded_language_runs_in_the_default_one(monkeypatch, settings):
    monkeypatch.setattr(jobs, "_put_on_queue", lambda job_id, priority=0: None)
    job = Job.objects.create(kind="tests.speak", title="From before languages were recorded")
    with translation.override("ar"):
        result = jobs.job_execute(job.pk).result
    with translation.override(settings.LANGUAGE_CODE):
        assert result == {"message": _(_SPOKEN)}
