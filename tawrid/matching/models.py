"""Match runs and their results: which local product variants can supply each plan line, how well, why,
and how much of the demand local capacity covers once volumes are allocated.

A run is cut into chunks of lines that several worker processes take independently; a chunk's results are
replaced as a whole when it runs again, so a crashed run resumes without duplicates."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tawrid.core.models import TimeStampedModel


class ProductEmbedding(models.Model):
    """A product's dense vector, computed once from its texts and kept until the texts change (the hash
    says when). Changing one product re-embeds that product only."""

    product = models.OneToOneField(
        "catalog.Product", verbose_name=_("product"), on_delete=models.CASCADE, related_name="embedding"
    )
    model_name = models.CharField(_("model"), max_length=60)
    text_hash = models.CharField(_("text hash"), max_length=64)
    vector = models.BinaryField(_("vector"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("product embedding")
        verbose_name_plural = _("product embeddings")

    def __str__(self) -> str:
        return f"{self.product_id} {self.model_name}"


class RunScope(models.TextChoices):
    PLAN = "plan", _("One plan")
    NATIONAL = "national", _("All published plans of a year")


class RunStatus(models.TextChoices):
    MATCHING = "matching", _("Matching")
    ALLOCATING = "allocating", _("Allocating")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class MatchRun(TimeStampedModel):
    scope = models.CharField(_("scope"), max_length=10, choices=RunScope.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    plan = models.ForeignKey(
        "demand.PurchasePlan",
        verbose_name=_("plan"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="match_runs",
    )
    status = models.CharField(_("status"), max_length=12, choices=RunStatus.choices, default=RunStatus.MATCHING)
    created_by = models.ForeignKey(
        "accounts.User", verbose_name=_("started by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    chunks_total = models.PositiveIntegerField(_("chunks"), default=0)
    lines_total = models.PositiveIntegerField(_("lines"), default=0)
    products_total = models.PositiveIntegerField(_("products"), default=0)
    total_quantity = models.DecimalField(_("quantity asked (base units)"), max_digits=20, decimal_places=3, default=0)
    covered_quantity = models.DecimalField(
        _("quantity covered (base units)"), max_digits=20, decimal_places=3, default=0
    )
    total_value = models.DecimalField(_("value asked (MAD)"), max_digits=20, decimal_places=2, default=0)
    covered_value = models.DecimalField(_("value covered (MAD)"), max_digits=20, decimal_places=2, default=0)
    allocation_seconds = models.FloatField(_("allocation time (s)"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("match run")
        verbose_name_plural = _("match runs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scope="plan", plan__isnull=False) | Q(scope="national", plan__isnull=True),
                name="match_run_scope_plan",
            ),
            models.CheckConstraint(
                condition=Q(covered_quantity__lte=models.F("total_quantity")), name="match_run_cover"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} {self.year} #{self.pk}"


class ChunkStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class MatchChunk(models.Model):
    run = models.ForeignKey(MatchRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="chunks")
    number = models.PositiveIntegerField(_("number"))
    line_ids = models.JSONField(_("lines"), default=list)
    status = models.CharField(_("status"), max_length=10, choices=ChunkStatus.choices, default=ChunkStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    worker = models.CharField(_("worker"), max_length=80, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("chunk")
        verbose_name_plural = _("chunks")
        ordering = ["run", "number"]
        constraints = [models.UniqueConstraint(fields=["run", "number"], name="match_chunk_unique")]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.number}"


class Verdict(models.TextChoices):
    GOOD = "good", _("Fits")
    CONFLICT = "conflict", _("Specification conflict")
    NOT_ELIGIBLE = "not_eligible", _("Could become eligible")


class LineResult(models.Model):
    """A line's outcome in a run: the codes suggested for it and how much of it was allocated."""

    run = models.ForeignKey(MatchRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="line_results")
    chunk = models.ForeignKey(MatchChunk, verbose_name=_("chunk"), on_delete=models.CASCADE, related_name="results")
    line = models.ForeignKey(
        "demand.PlanLine", verbose_name=_("line"), on_delete=models.CASCADE, related_name="match_results"
    )
    code_suggestions = models.JSONField(_("suggested codes"), default=list)
    best_score = models.FloatField(_("best score"), default=0)
    candidates_count = models.PositiveSmallIntegerField(_("candidates"), default=0)
    quantity = models.DecimalField(_("quantity asked (base units)"), max_digits=20, decimal_places=3, default=0)
    covered_quantity = models.DecimalField(_("quantity covered"), max_digits=20, decimal_places=3, default=0)

    class Meta:
        verbose_name = _("line result")
        verbose_name_plural = _("line results")
        constraints = [models.UniqueConstraint(fields=["run", "line"], name="match_line_result_unique")]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.line_id}"

    @property
    def gap(self) -> object:
        return self.quantity - self.covered_quantity


class MatchCandidate(models.Model):
    result = models.ForeignKey(
        LineResult, verbose_name=_("line result"), on_delete=models.CASCADE, related_name="candidates"
    )
    rank = models.PositiveSmallIntegerField(_("rank"))
    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("product"), on_delete=models.CASCADE, related_name="+"
    )
    variant = models.ForeignKey(
        "catalog.Variant", verbose_name=_("variant"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    score = models.FloatField(_("score"))
    verdict = models.CharField(_("verdict"), max_length=14, choices=Verdict.choices)
    lexical = models.FloatField(_("text (words)"), default=0)
    dense = models.FloatField(_("text (meaning)"), default=0)
    code = models.FloatField(_("nomenclature"), default=0)
    specification = models.FloatField(_("specifications"), default=0)
    explanation = models.JSONField(_("explanation"), default=dict)
    allocated_quantity = models.DecimalField(_("allocated quantity"), max_digits=20, decimal_places=3, default=0)

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering = ["result", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["result", "rank"], name="match_candidate_rank_unique"),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=1), name="match_candidate_score_range"),
        ]
        indexes = [models.Index(fields=["product"])]

    def __str__(self) -> str:
        return f"{self.result_id}#{self.rank} {self.product_id}"


class DecisionKind(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class MatchDecision(TimeStampedModel):
    """A buyer's verdict on a (line, product) proposal; kept across runs and used as a labelled example."""

    line = models.ForeignKey(
        "demand.PlanLine", verbose_name=_("line"), on_delete=models.CASCADE, related_name="match_decisions"
    )
    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("product"), on_delete=models.CASCADE, related_name="+"
    )
    variant = models.ForeignKey(
        "catalog.Variant", verbose_name=_("variant"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision = models.CharField(_("decision"), max_length=10, choices=DecisionKind.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User", verbose_name=_("decided by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("match decision")
        verbose_name_plural = _("match decisions")
        constraints = [models.UniqueConstraint(fields=["line", "product"], name="match_decision_unique")]

    def __str__(self) -> str:
        return f"{self.line_id} {self.product_id} {self.decision}"

    def get_additional_data(self) -> dict[str, int | None]:
        return {"organisation_id": self.line.plan.buyer_id}


class LineDecisionKind(models.TextChoices):
    NO_LOCAL_SOURCE = "no_local_source", _("No local source")


class LineDecision(TimeStampedModel):
    """A buyer's verdict on a whole line, whatever its candidates: no local product can supply it (the buyer
    knows the candidates do not fit, or wants this line bought elsewhere). The allocation leaves the line out,
    so its demand counts as uncovered; kept across runs, like the decisions on proposals."""

    line = models.OneToOneField(
        "demand.PlanLine", verbose_name=_("line"), on_delete=models.CASCADE, related_name="match_line_decision"
    )
    decision = models.CharField(_("decision"), max_length=20, choices=LineDecisionKind.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User", verbose_name=_("decided by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("line decision")
        verbose_name_plural = _("line decisions")
        constraints = [
            models.CheckConstraint(condition=Q(decision__in=["no_local_source"]), name="match_line_decision_kind")
        ]

    def __str__(self) -> str:
        return f"{self.line_id} {self.decision}"

    def get_additional_data(self) -> dict[str, int | None]:
        return {"organisation_id": self.line.plan.buyer_id}
