"""Annual local purchase plans: a buyer's plan for one year (whole group or one site) and its lines.

A plan is versioned: an amendment of a published plan is a new draft version pointing at the previous
one; the published version stays read-only. Lines keep the designation exactly as written beside what
was read from it (parsed attributes, corrected by the buyer), and their quantity in base units so that
demand adds up across buyers by nomenclature code, year, region and buyer type.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tawrid.core.models import TimeStampedModel


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CLOSED = "closed", _("Closed")


class CertificateKind(models.TextChoices):
    ISO13485 = "iso13485", _("ISO 13485")
    NM_IMANOR = "nm_imanor", _("NM conformity (IMANOR)")
    CE = "ce", _("CE marking")
    DMP_REGISTRATION = "dmp_registration", _("DMP registration")


class EmdnSource(models.TextChoices):
    """Who put a line's EMDN code there: empty when the line has none."""

    BUYER = "buyer", _("Given by the buyer")
    SUGGESTED = "suggested", _("Suggested by the engine")
    CONFIRMED = "confirmed", _("Confirmed by the buyer")


class PurchasePlan(TimeStampedModel):
    buyer = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("buyer"), on_delete=models.CASCADE, related_name="purchase_plans"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    site = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="site_purchase_plans",
        help_text=_("Empty for a plan of the whole group."),
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous_version = models.ForeignKey(
        "self",
        verbose_name=_("previous version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="amendments",
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    disclose_buyer = models.BooleanField(
        _("show our name to manufacturers"),
        default=False,
        help_text=_("Manufacturers see the published lines; they see who the buyer is only if this is ticked."),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("purchase plan")
        verbose_name_plural = _("purchase plans")
        ordering = ["-year", "buyer__name", "site__name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["buyer", "year", "site", "version"], name="demand_plan_unique_version"),
            models.UniqueConstraint(
                fields=["buyer", "year", "version"], condition=Q(site__isnull=True), name="demand_plan_unique_group"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in PlanStatus]), name="demand_plan_status_valid"
            ),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="demand_plan_year_range"),
            models.CheckConstraint(condition=Q(version__gte=1), name="demand_plan_version_positive"),
        ]
        indexes = [models.Index(fields=["status", "year"])]

    def __str__(self) -> str:
        scope = self.site.name if self.site_id and self.site else self.buyer.name
        return f"{scope} — {self.year} (v{self.version})"

    def get_additional_data(self) -> dict[str, int | None]:
        return {"organisation_id": self.buyer_id}

    @property
    def is_draft(self) -> bool:
        return self.status == PlanStatus.DRAFT


class PlanLine(TimeStampedModel):
    plan = models.ForeignKey(PurchasePlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="lines")
    line_number = models.PositiveIntegerField(_("line number"))
    buyer_reference = models.CharField(_("buyer's reference"), max_length=80, blank=True, db_index=True)
    designation = models.TextField(_("designation"), help_text=_("Exactly as the buyer wrote it."))
    search_text = models.TextField(editable=False, blank=True, default="")
    natural_key = models.CharField(max_length=300, editable=False, db_index=True)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    unit = models.CharField(_("purchase unit"), max_length=40, blank=True, help_text=_("As written: U, B/100, FL/1L…"))
    packaging = models.CharField(_("packaging"), max_length=20, blank=True)
    units_per_purchase_unit = models.DecimalField(
        _("base units per purchase unit"), max_digits=12, decimal_places=3, default=Decimal(1)
    )
    base_quantity = models.DecimalField(_("quantity in base units"), max_digits=18, decimal_places=3)
    unit_price = models.DecimalField(
        _("estimated unit price (MAD)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    estimated_value = models.DecimalField(
        _("estimated value (MAD)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    required_certificates = models.JSONField(_("required certificates"), default=list, blank=True)
    specification = models.TextField(_("technical specification"), blank=True)
    parsed_attributes = models.JSONField(_("attributes read from the designation"), default=list, blank=True)
    corrected_attributes = models.JSONField(
        _("attributes corrected by the buyer"), null=True, blank=True, help_text=_("Empty while not corrected.")
    )
    delivery_schedule = models.JSONField(
        _("delivery schedule"), default=dict, blank=True, help_text=_('{"period": "quarter", "quantities": {"1": 10}}')
    )
    delivery_site = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("delivery site"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    delivery_place = models.CharField(_("place of delivery"), max_length=200, blank=True)
    emdn = models.ForeignKey(
        "nomenclature.EmdnCode", verbose_name=_("EMDN code"), null=True, blank=True, on_delete=models.PROTECT
    )
    # The engine applies a code it is sure of (tawrid.matching.coding) and never replaces the buyer's: the source
    # says which, and the mass how sure the engine was (the probability of the code's whole subtree).
    emdn_source = models.CharField(
        _("source of the EMDN code"), max_length=10, choices=EmdnSource.choices, blank=True, default=""
    )
    emdn_mass = models.FloatField(
        _("engine's confidence in the code"), null=True, blank=True, help_text=_("Only for a suggested code.")
    )
    cpv = models.ForeignKey(
        "nomenclature.CpvCode", verbose_name=_("CPV code"), null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = _("plan line")
        verbose_name_plural = _("plan lines")
        ordering = ["plan", "line_number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "line_number"], name="demand_line_unique_number"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="demand_line_quantity_positive"),
            models.CheckConstraint(condition=Q(base_quantity__gt=0), name="demand_line_base_quantity_positive"),
            models.CheckConstraint(
                condition=Q(units_per_purchase_unit__gt=0), name="demand_line_units_per_unit_positive"
            ),
            models.CheckConstraint(
                condition=Q(unit_price__isnull=True) | Q(unit_price__gte=0), name="demand_line_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(estimated_value__isnull=True) | Q(estimated_value__gte=0),
                name="demand_line_value_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(emdn__isnull=True, emdn_source="")
                | Q(emdn__isnull=False, emdn_source__in=[s.value for s in EmdnSource]),
                name="demand_line_emdn_source_iff_code",
            ),
            models.CheckConstraint(
                condition=Q(emdn_mass__isnull=True)
                | Q(emdn_source=EmdnSource.SUGGESTED, emdn_mass__gte=0, emdn_mass__lte=1),
                name="demand_line_emdn_mass_of_suggestion",
            ),
        ]
        indexes = [models.Index(fields=["plan", "natural_key"]), models.Index(fields=["emdn"])]

    def __str__(self) -> str:
        return f"{self.line_number}. {self.designation[:80]}"

    @property
    def emdn_level(self) -> int | None:
        """1 for a category (A), 2 for a group (A01), then one more per two digits."""
        if self.emdn is None:
            return None
        return 1 if len(self.emdn.code) <= 1 else (len(self.emdn.code) + 1) // 2

    def get_additional_data(self) -> dict[str, int | None]:
        return {"organisation_id": self.plan.buyer_id}

    @property
    def attributes(self) -> list[dict[str, object]]:
        """The attributes in force: the buyer's correction when there is one, else what was parsed."""
        return self.corrected_attributes if self.corrected_attributes is not None else self.parsed_attributes

    @property
    def required_certificate_labels(self) -> list[str]:
        """The required certificates as people read them ("ISO 13485", not the stored key "iso13485")."""
        labels = dict(CertificateKind.choices)
        return [str(labels.get(key, key)) for key in self.required_certificates]


class AggregateScheme(models.TextChoices):
    EMDN = "emdn", _("EMDN")
    CPV = "cpv", _("CPV")


class DemandAggregate(models.Model):
    """National demand of one year for one nomenclature code, per region and buyer kind ("" = all).

    Rebuilt for a whole year by `demand_aggregate_refresh` (a job), never computed on page views. EMDN rows
    exist at every level of the tree: a line coded A0101010101 counts for A, A01, A0101 and so on."""

    year = models.PositiveSmallIntegerField(_("year"))
    scheme = models.CharField(_("nomenclature"), max_length=8, choices=AggregateScheme.choices)
    code = models.CharField(_("code"), max_length=13)
    level = models.PositiveSmallIntegerField(_("level"))
    label = models.CharField(_("label"), max_length=400, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True, help_text=_("Empty for all regions."))
    buyer_kind = models.CharField(_("buyer kind"), max_length=32, blank=True, help_text=_("Empty for all kinds."))
    buyers_count = models.PositiveIntegerField(_("buyers"))
    lines_count = models.PositiveIntegerField(_("lines"))
    lines_suggested = models.PositiveIntegerField(
        _("lines coded by the engine"), default=0, help_text=_("Of the lines: those whose code the engine suggested.")
    )
    base_quantity = models.DecimalField(_("quantity in base units"), max_digits=20, decimal_places=3)
    estimated_value = models.DecimalField(_("estimated value (MAD)"), max_digits=20, decimal_places=2)
    value_suggested = models.DecimalField(
        _("value of the lines coded by the engine (MAD)"), max_digits=20, decimal_places=2, default=0
    )
    refreshed_at = models.DateTimeField(_("refreshed at"))

    class Meta:
        verbose_name = _("demand aggregate")
        verbose_name_plural = _("demand aggregates")
        ordering = ["year", "scheme", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "scheme", "code", "region", "buyer_kind"], name="demand_aggregate_unique"
            ),
            models.CheckConstraint(
                condition=Q(scheme__in=[s.value for s in AggregateScheme]), name="demand_aggregate_scheme_valid"
            ),
        ]
        indexes = [models.Index(fields=["year", "scheme", "region", "buyer_kind", "level"])]

    def __str__(self) -> str:
        return f"{self.year} {self.scheme} {self.code}"


class DemandRefresh(models.Model):
    """One row per year whose national demand has been computed: when, and how many aggregate rows. The
    refresh locks this row first, so two refreshes of the same year (two workers) run one after the other
    instead of both deleting and re-inserting the year's aggregates at once."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    refreshed_at = models.DateTimeField(_("refreshed at"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)

    class Meta:
        verbose_name = _("national demand refresh")
        verbose_name_plural = _("national demand refreshes")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)
