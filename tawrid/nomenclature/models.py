"""Reference nomenclatures: EMDN, CPV 2008, HS 2022 (with sections and revision concordances), FDA product codes.

Rows are written only by the loaders (`services.reference_load`) from the files under `data/reference/`;
every row keeps `search_text` = fold(code and every label), which the search matches word by word.
Codes are natural keys (unique); parents are foreign keys resolved by the loader.
"""

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from tawrid.core.models import TimeStampedModel


class EmdnCode(models.Model):
    """One code of the European Medical Device Nomenclature (a tree of 7 levels under 23 categories A..Z)."""

    code = models.CharField(_("code"), max_length=13, unique=True)
    term = models.CharField(
        _("term"), max_length=400, help_text=_("Official English term (EMDN has no French version).")
    )
    category = models.CharField(_("category"), max_length=1, db_index=True)
    level = models.PositiveSmallIntegerField(_("level"))
    is_terminal = models.BooleanField(_("terminal"), default=False)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    search_text = models.TextField(_("search text"), blank=True, editable=False)

    class Meta:
        verbose_name = _("EMDN code")
        verbose_name_plural = _("EMDN codes")
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "code"], name="nom_emdn_level_code")]
        constraints = [
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=7), name="nom_emdn_level_1_7"),
            models.CheckConstraint(
                condition=Exact(Length("code"), F("level") * 2 - 1), name="nom_emdn_level_from_code"
            ),
            models.CheckConstraint(
                condition=Q(level=1, parent__isnull=True) | Q(level__gt=1, parent__isnull=False),
                name="nom_emdn_parent_iff_not_category",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.term}"


class CpvKind(models.TextChoices):
    SUPPLIES = "supplies", _("Supplies")
    WORKS = "works", _("Works")
    SERVICES = "services", _("Services")


class CpvCode(models.Model):
    """A code of the Common Procurement Vocabulary 2008 (main vocabulary), with French, English and Italian labels.

    `level` counts the significant digits after the division: 1 = division (XX000000), 2 = group, 3 = class,
    4 = category, 5–7 = finer subdivisions.
    """

    code = models.CharField(_("code"), max_length=10, unique=True, help_text=_("Eight digits, a dash, a check digit."))
    numeric_code = models.PositiveIntegerField(_("numeric code"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=CpvKind.choices)
    level = models.PositiveSmallIntegerField(_("level"))
    label_fr = models.CharField(_("French label"), max_length=300)
    label_en = models.CharField(_("English label"), max_length=300)
    label_it = models.CharField(_("Italian label"), max_length=300)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    search_text = models.TextField(_("search text"), blank=True, editable=False)

    class Meta:
        verbose_name = _("CPV code")
        verbose_name_plural = _("CPV codes")
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "code"], name="nom_cpv_level_code")]
        constraints = [
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=7), name="nom_cpv_level_1_7"),
            models.CheckConstraint(condition=Exact(Length("code"), 10), name="nom_cpv_code_length"),
            models.CheckConstraint(condition=Q(kind__in=[k.value for k in CpvKind]), name="nom_cpv_kind_valid"),
            models.CheckConstraint(
                condition=Q(level=1, parent__isnull=True) | Q(level__gt=1, parent__isnull=False),
                name="nom_cpv_parent_iff_not_division",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.label_fr}"


class HsSection(models.Model):
    """One of the 21 sections of the Harmonized System (roman numeral and name)."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    roman = models.CharField(_("section"), max_length=6, unique=True)
    name = models.CharField(_("name"), max_length=300)
    search_text = models.TextField(_("search text"), blank=True, editable=False)

    class Meta:
        verbose_name = _("HS section")
        verbose_name_plural = _("HS sections")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(condition=Q(number__gte=1, number__lte=21), name="nom_hs_section_number_1_21"),
        ]

    def __str__(self) -> str:
        return f"{self.roman} {self.name}"


class HsCode(models.Model):
    """An HS 2022 code: chapter (2 digits), heading (4) or subheading (6)."""

    code = models.CharField(_("HS code"), max_length=6, unique=True)
    description = models.CharField(_("description"), max_length=400)
    level = models.PositiveSmallIntegerField(_("level"))
    # Null only for chapter 99 ("commodities not specified according to kind"), a UN Comtrade code outside the sections.
    section = models.ForeignKey(
        HsSection, verbose_name=_("section"), null=True, blank=True, on_delete=models.PROTECT, related_name="codes"
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    search_text = models.TextField(_("search text"), blank=True, editable=False)

    class Meta:
        verbose_name = _("HS code")
        verbose_name_plural = _("HS codes")
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "code"], name="nom_hs_level_code")]
        constraints = [
            models.CheckConstraint(condition=Q(level__in=[2, 4, 6]), name="nom_hs_level_2_4_6"),
            models.CheckConstraint(condition=Exact(Length("code"), F("level")), name="nom_hs_level_is_length"),
            models.CheckConstraint(
                condition=Q(level=2, parent__isnull=True) | Q(level__gt=2, parent__isnull=False),
                name="nom_hs_parent_iff_not_chapter",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


class HsConcordance(models.Model):
    """One row of the HS revision concordances: a code of a revision and its counterpart in the previous one.

    `adjustment` is the source's wording ("2022 to 2017"); the oldest steps lead to SITC revisions, so each
    side also names its classification (`revision_after`, `revision_before`, e.g. "HS 2017", "SITC Rev. 3").
    """

    code_after = models.CharField(_("code (newer revision)"), max_length=6)
    code_before = models.CharField(_("code (older revision)"), max_length=6)
    relationship = models.CharField(_("relationship"), max_length=3)
    adjustment = models.CharField(_("adjustment"), max_length=20)
    revision_after = models.CharField(_("newer revision"), max_length=20)
    revision_before = models.CharField(_("older revision"), max_length=20)

    class Meta:
        verbose_name = _("HS concordance")
        verbose_name_plural = _("HS concordances")
        ordering = ["-revision_after", "code_after", "code_before"]
        indexes = [
            models.Index(fields=["code_after", "adjustment"], name="nom_hsconc_after"),
            models.Index(fields=["code_before", "adjustment"], name="nom_hsconc_before"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["code_after", "code_before", "adjustment"], name="nom_hsconc_unique"),
            models.CheckConstraint(
                condition=Q(relationship__in=["1:1", "1:n", "n:1", "n:n"]), name="nom_hsconc_relationship_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code_after} → {self.code_before} ({self.adjustment}, {self.relationship})"


class FdaDeviceClass(models.TextChoices):
    CLASS_1 = "1", _("Class I")
    CLASS_2 = "2", _("Class II")
    CLASS_3 = "3", _("Class III")
    UNCLASSIFIED = "U", _("Unclassified")
    NOT_CLASSIFIED = "N", _("Not classified")
    HDE = "F", _("Humanitarian device exemption")


class FdaProductCode(models.Model):
    """A product code of the US FDA device classification (public domain), an optional second device vocabulary."""

    product_code = models.CharField(_("product code"), max_length=3, unique=True)
    device_name = models.CharField(_("device name"), max_length=200)
    device_class = models.CharField(_("device class"), max_length=1, choices=FdaDeviceClass.choices)
    review_panel = models.CharField(_("review panel"), max_length=2, blank=True, db_index=True)
    medical_specialty = models.CharField(_("medical specialty"), max_length=2, blank=True)
    regulation_number = models.CharField(_("regulation number"), max_length=12, blank=True)
    submission_type = models.CharField(_("submission type"), max_length=1, blank=True)
    gmp_exempt = models.BooleanField(_("exempt from good manufacturing practice"), default=False)
    third_party_review = models.CharField(_("third-party review"), max_length=1, blank=True)
    implant = models.BooleanField(_("implant"), default=False)
    life_sustaining = models.BooleanField(_("life-sustaining or life-supporting"), default=False)
    definition = models.TextField(_("definition"), blank=True)
    search_text = models.TextField(_("search text"), blank=True, editable=False)

    class Meta:
        verbose_name = _("FDA product code")
        verbose_name_plural = _("FDA product codes")
        ordering = ["product_code"]
        indexes = [models.Index(fields=["review_panel", "product_code"], name="nom_fda_panel_code")]
        constraints = [
            models.CheckConstraint(condition=Exact(Length("product_code"), 3), name="nom_fda_code_length"),
            models.CheckConstraint(
                condition=Q(device_class__in=[c.value for c in FdaDeviceClass]), name="nom_fda_class_valid"
            ),
            models.CheckConstraint(
                condition=Q(third_party_review__in=["", "Y", "N", "P"]), name="nom_fda_third_party_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_code} {self.device_name}"


class ReferenceDataset(TimeStampedModel):
    """What was last loaded for one nomenclature: the files' digest (to skip unchanged files) and the counts."""

    name = models.CharField(_("nomenclature"), max_length=20, unique=True)
    sha256 = models.CharField(_("SHA-256 of the files"), max_length=64)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    loaded_at = models.DateTimeField(_("loaded at"))

    class Meta:
        verbose_name = _("reference dataset")
        verbose_name_plural = _("reference datasets")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.row_count})"
