from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Base of every domain model: when a row was created and last changed (by the database clock)."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class Job(TimeStampedModel):
    """A long piece of work run by the task worker, with its progress and log, shown by any page."""

    kind = models.CharField(_("kind"), max_length=80, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("total"), null=True, blank=True)
    step = models.CharField(_("current step"), max_length=200, blank=True)
    log = models.TextField(_("log"), blank=True)
    error = models.TextField(_("error"), blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="jobs",
    )
    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jobs",
    )
    retry_of = models.ForeignKey(
        "self", verbose_name=_("retry of"), null=True, blank=True, on_delete=models.SET_NULL, related_name="retries"
    )
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    # The task queue takes higher first (tawrid.core.queue): a person's import never waits behind a national batch.
    priority = models.SmallIntegerField(_("priority"), default=0)
    # The language of the person who started it: the worker runs the job in it, so that the messages the job
    # stores (an import's row errors, its summary) read in that person's language, not the server's default.
    language = models.CharField(_("language"), max_length=10, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # "host:pid" of the worker process running it, so a worker starting on that host can tell the jobs
    # of a process that died (killed, machine stopped) from those of a live worker.
    worker = models.CharField(_("worker"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress_total__isnull=True)
                | models.Q(progress_done__lte=models.F("progress_total")),
                name="core_job_progress_within_total",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in JobStatus]), name="core_job_status_valid"
            ),
            # the range of Django's tasks framework (TASK_MIN_PRIORITY…TASK_MAX_PRIORITY)
            models.CheckConstraint(condition=models.Q(priority__range=(-100, 100)), name="core_job_priority_range"),
        ]
        indexes = [models.Index(fields=["status", "-priority", "created_at"], name="core_job_queue_order")]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)

    @property
    def percent(self) -> int | None:
        if not self.progress_total:
            return 100 if self.status == JobStatus.SUCCEEDED else None
        return min(100, round(100 * self.progress_done / self.progress_total))


class IdempotencyKey(TimeStampedModel):
    """A request's key, sent again with a retried or doubled request: the second one replays the first answer.

    The unique (user, key) pair is what stops two racing requests: the second insert waits for the first
    request's transaction and then finds its answer (tawrid.core.idempotency). Kept until `expires_at`."""

    user = models.ForeignKey(
        "accounts.User", verbose_name=_("person"), on_delete=models.CASCADE, related_name="idempotency_keys"
    )
    key = models.CharField(_("key"), max_length=255)
    # sha256 of what the key stands for (method, path and body for the API; the form's page for a form).
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    response_body = models.TextField(_("response body"), blank=True)
    # For a form: where the object the first post created is shown.
    response_url = models.CharField(_("response address"), max_length=500, blank=True)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="core_idempotency_key_unique_per_user")]

    def __str__(self) -> str:
        return self.key
