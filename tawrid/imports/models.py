from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tawrid.core.models import TimeStampedModel


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    MAPPED = "mapped", _("Columns mapped")
    VALIDATING = "validating", _("Being checked")
    VALIDATED = "validated", _("Checked")
    IMPORTING = "importing", _("Being imported")
    IMPORTED = "imported", _("Imported")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = (ImportStatus.UPLOADED, ImportStatus.MAPPED, ImportStatus.VALIDATED)
ACTIVE_STATUSES = (ImportStatus.VALIDATING, ImportStatus.IMPORTING)  # a job checks or imports the file
FINAL_STATUSES = (ImportStatus.IMPORTED, ImportStatus.FAILED, ImportStatus.CANCELLED)


class ColumnMapping(TimeStampedModel):
    """How an organisation's files of one import kind are laid out, remembered for its next import."""

    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind of import"), max_length=80)
    mapping = models.JSONField(_("mapping"), default=dict, blank=True, help_text=_("Header (folded) → column key."))
    sheet_name = models.CharField(_("sheet"), max_length=200, blank=True)
    header_row = models.PositiveIntegerField(_("header row"), null=True, blank=True)

    class Meta:
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "kind"], name="imports_mapping_one_per_org_kind"),
            models.CheckConstraint(
                condition=models.Q(header_row__isnull=True) | models.Q(header_row__gte=1),
                name="imports_mapping_header_row_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} — {self.organisation_id}"


class ImportRun(TimeStampedModel):
    """One file imported (or being imported) by an organisation, from upload to result."""

    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="import_runs"
    )
    kind = models.CharField(_("kind of import"), max_length=80, db_index=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", max_length=300)
    original_filename = models.CharField(_("file name"), max_length=255)
    file_format = models.CharField(_("format"), max_length=8)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    status = models.CharField(_("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    sheets = models.JSONField(_("sheets"), default=list, blank=True)
    sheet_name = models.CharField(_("sheet"), max_length=200, blank=True)
    header_row = models.PositiveIntegerField(_("header row"), default=1)
    headers = models.JSONField(_("headers"), default=list, blank=True)
    mapping = models.JSONField(_("mapping"), default=dict, blank=True, help_text=_("Header → column key."))
    keep_valid_rows = models.BooleanField(
        _("keep the valid rows"),
        default=False,
        help_text=_("Import the valid rows even when others are in error (by default nothing is imported then)."),
    )
    reimport_of = models.ForeignKey(
        "self",
        verbose_name=_("re-import of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reimports",
    )
    total_rows = models.PositiveIntegerField(_("rows read"), default=0)
    valid_rows = models.PositiveIntegerField(_("valid rows"), default=0)
    invalid_rows = models.PositiveIntegerField(_("rows in error"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    errors_summary = models.JSONField(_("errors by column"), default=dict, blank=True)
    message = models.TextField(_("message"), blank=True)
    job = models.ForeignKey(
        "core.Job", verbose_name=_("job"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "kind", "sha256"], name="imports_run_org_kind_sha")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in ImportStatus]), name="imports_run_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_rows__lte=models.F("total_rows"))
                & models.Q(invalid_rows__lte=models.F("total_rows")),
                name="imports_run_counts_within_total",
            ),
            models.CheckConstraint(condition=models.Q(header_row__gte=1), name="imports_run_header_row_positive"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.original_filename} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def may_keep_valid_rows(self) -> bool:
        """Failed only because some of its rows are in error (all or nothing): its valid rows may be imported
        without the others, from the same file."""
        return (
            self.status == ImportStatus.FAILED
            and self.invalid_rows > 0
            and self.valid_rows > 0
            and not self.keep_valid_rows
        )

    @property
    def is_interrupted(self) -> bool:
        """Being checked or imported, but its job ended without finishing (its worker died, say): its owner
        may retry it or cancel it."""
        return self.status in ACTIVE_STATUSES and (self.job is None or self.job.is_finished)


class ImportRowError(models.Model):
    """One problem found in one cell (or one row) of an imported file."""

    run = models.ForeignKey(ImportRun, verbose_name=_("import"), on_delete=models.CASCADE, related_name="row_errors")
    row_number = models.PositiveIntegerField(_("row"))
    column = models.CharField(_("column"), max_length=200, blank=True)
    value = models.TextField(_("value"), blank=True)
    message = models.TextField(_("reason"))
    is_warning = models.BooleanField(_("warning"), default=False)

    class Meta:
        verbose_name = _("row error")
        verbose_name_plural = _("row errors")
        ordering = ["run", "row_number", "pk"]
        indexes = [models.Index(fields=["run", "row_number"], name="imports_rowerror_run_row")]

    def __str__(self) -> str:
        return f"{self.row_number}: {self.message}"
