"""Insights: trade flows, the HS ↔ EMDN crosswalk, indicator snapshots and the quarterly reports.

Trade flows are stored as they were declared (exporter → importer, by the side that reported them, in the
file's HS revision) together with their HS 2022 code, so every figure can be traced back to a line of a file.
Indicators are never aggregated on a page view: `IndicatorSnapshot` rows are built by a job from the trade
flows, the published plans, the latest national match run, the orders and the catalogue, and pages read them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tawrid.core.models import TimeStampedModel


class TradeSource(models.TextChoices):
    COMTRADE = "comtrade", _("UN Comtrade")
    BACI = "baci", _("CEPII BACI")


class DatasetStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    VALIDATING = "validating", _("Checking the file")
    LOADING = "loading", _("Loading")
    READY = "ready", _("Loaded")
    REFUSED = "refused", _("Refused")
    FAILED = "failed", _("Failed")
    REPLACED = "replaced", _("Replaced by a newer file")


class ReportedBy(models.TextChoices):
    IMPORTER = "importer", _("Importing country")
    EXPORTER = "exporter", _("Exporting country")
    RECONCILED = "reconciled", _("Reconciled (both sides)")


class TradeDataset(TimeStampedModel):
    """One trade file, from upload to loaded flows. Only datasets in status `ready` are read by indicators: a
    file that is being checked or loaded, or that failed, contributes nothing."""

    name = models.CharField(_("name"), max_length=200)
    source = models.CharField(_("source"), max_length=10, choices=TradeSource.choices)
    layout = models.CharField(_("layout"), max_length=20, blank=True)
    hs_revision = models.CharField(_("HS revision"), max_length=6, blank=True)
    illustrative = models.BooleanField(
        _("illustrative data"),
        default=False,
        help_text=_("Made-up figures for demonstrations; every page that uses them says so."),
    )
    file = models.FileField(_("file"), upload_to="trade/%Y/%m/", max_length=300)
    original_filename = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("file fingerprint (SHA-256)"), max_length=64)
    file_size = models.PositiveBigIntegerField(_("file size (bytes)"), default=0)
    encoding = models.CharField(_("encoding"), max_length=40, blank=True)
    replace_existing = models.BooleanField(
        _("replace the years already loaded"),
        default=False,
        help_text=_("Years of the same source and countries already loaded are replaced by this file's."),
    )
    status = models.CharField(_("status"), max_length=12, choices=DatasetStatus.choices, default=DatasetStatus.QUEUED)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    flow_count = models.PositiveIntegerField(_("flows loaded"), default=0)
    skipped = models.JSONField(_("rows skipped, by reason"), default=dict, blank=True)
    problem_count = models.PositiveIntegerField(_("problems"), default=0)
    problems = models.JSONField(_("first problems"), default=list, blank=True)
    years = models.JSONField(_("years"), default=list, blank=True)
    countries = models.JSONField(_("declaring countries"), default=list, blank=True)
    total_value_usd = models.DecimalField(_("total value (USD)"), max_digits=22, decimal_places=2, default=0)
    error = models.TextField(_("error"), blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    job = models.ForeignKey(
        "core.Job", verbose_name=_("job"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    loaded_at = models.DateTimeField(_("loaded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("trade data set")
        verbose_name_plural = _("trade data sets")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(source__in=[s.value for s in TradeSource]), name="insights_dataset_source_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in DatasetStatus]), name="insights_dataset_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TradeFlow(models.Model):
    """One yearly flow of one HS 2022 subheading from an exporter to an importer, in US dollars.

    A line of a file written in an older HS revision whose code was split between several HS 2022 codes
    gives one flow per HS 2022 code, each with its `share` of the declared value (see docs/insights.md)."""

    dataset = models.ForeignKey(
        TradeDataset, verbose_name=_("data set"), on_delete=models.CASCADE, related_name="flows"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    exporter = models.CharField(_("exporter"), max_length=3, help_text=_("ISO 3166 alpha-3; WLD for the world."))
    importer = models.CharField(_("importer"), max_length=3, help_text=_("ISO 3166 alpha-3; WLD for the world."))
    reported_by = models.CharField(_("reported by"), max_length=10, choices=ReportedBy.choices)
    hs6 = models.CharField(_("HS 2022 code"), max_length=6)
    hs6_original = models.CharField(_("code as declared"), max_length=6)
    share = models.DecimalField(_("share of the declared line"), max_digits=7, decimal_places=6, default=1)
    value_usd = models.DecimalField(_("value (USD)"), max_digits=20, decimal_places=2)
    quantity = models.DecimalField(_("quantity"), max_digits=20, decimal_places=3, null=True, blank=True)
    quantity_unit = models.CharField(_("unit"), max_length=12, blank=True)
    line = models.PositiveIntegerField(_("line in the file"))

    class Meta:
        verbose_name = _("trade flow")
        verbose_name_plural = _("trade flows")
        constraints = [
            models.CheckConstraint(condition=Q(value_usd__gte=0), name="insights_flow_value_not_negative"),
            models.CheckConstraint(
                condition=Q(quantity__isnull=True) | Q(quantity__gte=0), name="insights_flow_quantity_not_negative"
            ),
            models.CheckConstraint(condition=Q(share__gt=0) & Q(share__lte=1), name="insights_flow_share_valid"),
            models.UniqueConstraint(
                fields=["dataset", "year", "reported_by", "exporter", "importer", "hs6_original", "hs6"],
                name="insights_flow_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["importer", "year", "hs6"], name="insights_flow_importer"),
            models.Index(fields=["exporter", "year", "hs6"], name="insights_flow_exporter"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.exporter}→{self.importer} {self.hs6}"


class HsEmdnLink(TimeStampedModel):
    """The crosswalk: which part of an HS 2022 subheading's trade belongs to an EMDN group (level 2).

    Tawrid's own table (data/reference/crosswalk), edited on screen by the cluster staff; its history is in
    the audit trail. For one HS code the shares add up to 100 — `crosswalk_set_links` refuses anything else,
    and never leaves a code of the crosswalk without a group."""

    hs6 = models.CharField(_("HS 2022 code"), max_length=6, db_index=True)
    emdn_group = models.ForeignKey(
        "nomenclature.EmdnCode", verbose_name=_("EMDN group"), on_delete=models.PROTECT, related_name="hs_links"
    )
    share_percent = models.DecimalField(_("share (%)"), max_digits=5, decimal_places=2)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("HS ↔ EMDN link")
        verbose_name_plural = _("HS ↔ EMDN crosswalk")
        ordering = ["hs6", "emdn_group__code"]
        constraints = [
            models.UniqueConstraint(fields=["hs6", "emdn_group"], name="insights_link_unique"),
            models.CheckConstraint(
                condition=Q(share_percent__gt=0) & Q(share_percent__lte=100), name="insights_link_share_valid"
            ),
        ]

    def __str__(self) -> str:
        # The audit trail finds a code's history by this text: it must start with the HS code and a space.
        return f"{self.hs6} → {self.emdn_group.code} ({self.share_percent} %)"


class ExchangeRate(TimeStampedModel):
    """Yearly average value of one foreign currency unit in dirhams, to show trade values (declared in US
    dollars) in MAD. Without a rate for a year, that year's trade figures are shown in USD only."""

    year = models.PositiveSmallIntegerField(_("year"))
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    mad_per_unit = models.DecimalField(_("MAD for one unit"), max_digits=10, decimal_places=4)
    source = models.CharField(_("source"), max_length=300)
    illustrative = models.BooleanField(_("illustrative"), default=False)

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["currency", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["year", "currency"], name="insights_rate_unique"),
            models.CheckConstraint(condition=Q(mad_per_unit__gt=0), name="insights_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.year}: {self.mad_per_unit} MAD"


class SnapshotStatus(models.TextChoices):
    COMPUTING = "computing", _("Computing")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class IndicatorSnapshot(TimeStampedModel):
    """The indicators as computed at one moment from everything loaded; pages read the latest ready one."""

    status = models.CharField(
        _("status"), max_length=10, choices=SnapshotStatus.choices, default=SnapshotStatus.COMPUTING
    )
    reporter = models.CharField(_("country"), max_length=3, default="MAR")
    trade_years = models.JSONField(_("trade years"), default=list, blank=True)
    demand_years = models.JSONField(_("plan years"), default=list, blank=True)
    datasets = models.JSONField(_("trade data sets used"), default=list, blank=True)
    illustrative = models.BooleanField(_("uses illustrative trade data"), default=False)
    complexity_countries = models.PositiveIntegerField(_("countries in the complexity measures"), default=0)
    complexity_year = models.PositiveSmallIntegerField(_("year of the complexity measures"), null=True, blank=True)
    notes = models.JSONField(_("notes"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    job = models.ForeignKey(
        "core.Job", verbose_name=_("job"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("indicator snapshot")
        verbose_name_plural = _("indicator snapshots")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_status_display()}"


class GroupYearFigures(models.Model):
    """One EMDN group in one year: imports (from trade flows through the crosswalk), declared demand (published
    plans), demand covered by local products (latest national match run's allocation) and orders."""

    snapshot = models.ForeignKey(IndicatorSnapshot, on_delete=models.CASCADE, related_name="group_years")
    group = models.CharField(_("EMDN group"), max_length=3)
    year = models.PositiveSmallIntegerField(_("year"))
    imports_usd = models.DecimalField(_("imports (USD)"), max_digits=20, decimal_places=2, default=0)
    imports_mad = models.DecimalField(_("imports (MAD)"), max_digits=20, decimal_places=2, null=True, blank=True)
    import_origins = models.PositiveSmallIntegerField(_("countries of origin"), default=0)
    exports_usd = models.DecimalField(_("exports (USD)"), max_digits=20, decimal_places=2, default=0)
    demand_mad = models.DecimalField(_("declared demand (MAD)"), max_digits=20, decimal_places=2, default=0)
    demand_lines = models.PositiveIntegerField(_("plan lines"), default=0)
    demand_buyers = models.PositiveIntegerField(_("buyers"), default=0)
    covered_mad = models.DecimalField(_("demand covered locally (MAD)"), max_digits=20, decimal_places=2, default=0)
    ordered_mad = models.DecimalField(_("ordered (MAD)"), max_digits=20, decimal_places=2, default=0)
    ordered_local_mad = models.DecimalField(_("ordered locally (MAD)"), max_digits=20, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("EMDN group figures of a year")
        verbose_name_plural = _("EMDN group figures of a year")
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "group", "year"], name="insights_group_year_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.group} {self.year}"


class LocalSupply(models.Model):
    """Published products of manufacturers established in Morocco on the snapshot's day, and their regulatory
    state: counted per EMDN group and per manufacturer."""

    products = models.PositiveIntegerField(_("published products"), default=0)
    eligible_products = models.PositiveIntegerField(_("eligible products"), default=0)
    capacity_units = models.PositiveBigIntegerField(_("declared capacity (units per year)"), default=0)
    certified_products = models.PositiveIntegerField(_("products with ISO 13485 verified by IMANOR"), default=0)
    registered_products = models.PositiveIntegerField(_("products with a valid DMP registration"), default=0)
    labelled_products = models.PositiveIntegerField(_("products with the Made in Morocco label"), default=0)

    class Meta:
        abstract = True


class GroupFigures(LocalSupply):
    """One EMDN group, whatever the year: local supply (from the catalogue) and the economic-complexity
    measures of the reporting country for the HS codes of the group (when several countries' trade is loaded)."""

    snapshot = models.ForeignKey(IndicatorSnapshot, on_delete=models.CASCADE, related_name="groups")
    group = models.CharField(_("EMDN group"), max_length=3)
    label = models.CharField(_("term"), max_length=300, blank=True)
    manufacturers = models.PositiveIntegerField(_("local manufacturers"), default=0)
    risk_class = models.CharField(_("risk class"), max_length=3, blank=True)
    risk_class_from_products = models.BooleanField(_("risk class known from local products"), default=False)
    hs_codes = models.JSONField(_("HS codes"), default=list, blank=True)
    rca = models.FloatField(_("revealed comparative advantage"), null=True, blank=True)
    density = models.FloatField(_("density"), null=True, blank=True)
    pci = models.FloatField(_("product complexity"), null=True, blank=True)
    cog = models.FloatField(_("opportunity gain"), null=True, blank=True)
    category_makers = models.PositiveIntegerField(_("local manufacturers in the EMDN category"), default=0)
    registrations_pending = models.PositiveIntegerField(_("products whose registration is under review"), default=0)
    certificates_expiring = models.PositiveIntegerField(
        _("products whose certificate lapses within 90 days"), default=0
    )
    registrations_expiring = models.PositiveIntegerField(
        _("products whose registration lapses within 90 days"), default=0
    )

    class Meta:
        verbose_name = _("EMDN group figures")
        verbose_name_plural = _("EMDN group figures")
        constraints = [models.UniqueConstraint(fields=["snapshot", "group"], name="insights_group_unique")]

    def __str__(self) -> str:
        return self.group


class OrganisationYearFigures(models.Model):
    """One buyer or manufacturer in one year, for the secretariat's dashboard: as a buyer, its declared demand
    (plans in force of that year), the part eligible local products can cover (national run) and its orders;
    as a supplier, the demand allocated to its products (national run) and what was ordered from it."""

    snapshot = models.ForeignKey(IndicatorSnapshot, on_delete=models.CASCADE, related_name="organisation_years")
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    demand_mad = models.DecimalField(_("declared demand (MAD)"), max_digits=20, decimal_places=2, default=0)
    demand_lines = models.PositiveIntegerField(_("plan lines"), default=0)
    covered_mad = models.DecimalField(_("demand covered locally (MAD)"), max_digits=20, decimal_places=2, default=0)
    ordered_mad = models.DecimalField(_("ordered (MAD)"), max_digits=20, decimal_places=2, default=0)
    ordered_local_mad = models.DecimalField(_("ordered locally (MAD)"), max_digits=20, decimal_places=2, default=0)
    allocated_mad = models.DecimalField(
        _("demand allocated to its products (MAD)"), max_digits=20, decimal_places=2, default=0
    )
    sold_mad = models.DecimalField(_("ordered from it (MAD)"), max_digits=20, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("organisation figures of a year")
        verbose_name_plural = _("organisation figures of a year")
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "organisation", "year"], name="insights_org_year_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.year}"


class OrganisationFigures(LocalSupply):
    """One local manufacturer's catalogue on the snapshot's day: published products, eligible ones, their
    certificates, registrations and labels, and the declared yearly capacity."""

    snapshot = models.ForeignKey(IndicatorSnapshot, on_delete=models.CASCADE, related_name="organisations")
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    groups = models.PositiveIntegerField(_("EMDN groups"), default=0)

    class Meta:
        verbose_name = _("organisation figures")
        verbose_name_plural = _("organisation figures")
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "organisation"], name="insights_org_unique"),
        ]

    def __str__(self) -> str:
        return str(self.organisation_id)


class ReportKind(models.TextChoices):
    QUARTERLY = "quarterly", _("Quarterly cluster report")
    OPPORTUNITY = "opportunity", _("Opportunity report")


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class Report(TimeStampedModel):
    """A PDF report generated by a job and archived (never regenerated in place: a new request makes a new
    report, so what was sent to a ministry stays as it was)."""

    kind = models.CharField(_("kind"), max_length=12, choices=ReportKind.choices)
    language = models.CharField(_("language"), max_length=5)
    title = models.CharField(_("title"), max_length=300)
    period = models.CharField(_("period"), max_length=20, blank=True, help_text=_("e.g. 2026-T3"))
    group = models.CharField(_("EMDN group"), max_length=3, blank=True)
    snapshot = models.ForeignKey(
        IndicatorSnapshot, verbose_name=_("indicators"), null=True, blank=True, on_delete=models.SET_NULL
    )
    status = models.CharField(_("status"), max_length=8, choices=ReportStatus.choices, default=ReportStatus.QUEUED)
    file = models.FileField(_("file"), upload_to="reports/%Y/", max_length=300, blank=True)
    pages = models.PositiveSmallIntegerField(_("pages"), default=0)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    job = models.ForeignKey(
        "core.Job", verbose_name=_("job"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=[k.value for k in ReportKind]), name="insights_report_kind"),
            models.CheckConstraint(
                condition=Q(kind="quarterly") | ~Q(group=""), name="insights_report_opportunity_has_group"
            ),
        ]

    def __str__(self) -> str:
        return self.title
