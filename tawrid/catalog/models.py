"""The product catalogue: products and their variants with specifications, documents, certificates, DMP
registrations (homologation) and the Made in Morocco label, each decision with its history.

Models hold data and constraints only; every write goes through `tawrid.catalog.services`.
"""

from decimal import Decimal
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tawrid.core.models import TimeStampedModel


def gtin_is_valid(value: str) -> bool:
    """A GS1 GTIN-14 (or a shorter GTIN padded with zeros) with a correct check digit."""
    if not value.isdigit() or len(value) not in (8, 12, 13, 14):
        return False
    digits = [int(d) for d in value.zfill(14)]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(digits[:13]))
    return (10 - total % 10) % 10 == digits[13]


class ProductionSite(TimeStampedModel):
    """A plant where an organisation makes products (ISO 13485 certificates may cover sites)."""

    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="sites"
    )
    name = models.CharField(_("name"), max_length=200)
    city = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("production site")
        verbose_name_plural = _("production sites")
        ordering = ["organisation__name", "name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="catalog_site_unique_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.city})" if self.city else self.name

    def get_additional_data(self) -> dict[str, int | None]:
        return {"organisation_id": self.organisation_id}


class RiskClass(models.TextChoices):
    I = "I", _("Class I")  # noqa: E741
    IIA = "IIa", _("Class IIa")
    IIB = "IIb", _("Class IIb")
    III = "III", _("Class III")
    IVD_A = "A", _("IVD class A")
    IVD_B = "B", _("IVD class B")
    IVD_C = "C", _("IVD class C")
    IVD_D = "D", _("IVD class D")


class ProductStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class Product(TimeStampedModel):
    """A product family of a manufacturer (e.g. nitrile examination gloves); hospitals buy its variants."""

    manufacturer = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("manufacturer"),
        on_delete=models.PROTECT,
        related_name="products",
        limit_choices_to={"kind__in": ["manufacturer", "startup"]},
    )
    site = models.ForeignKey(
        ProductionSite,
        verbose_name=_("production site"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="products",
    )
    reference = models.CharField(
        _("manufacturer's reference"), max_length=64, help_text=_("Your own reference; imports match on it.")
    )
    name_fr = models.CharField(_("name (French)"), max_length=255)
    name_ar = models.CharField(_("name (Arabic)"), max_length=255, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_ar = models.TextField(_("description (Arabic)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    emdn = models.ForeignKey(
        "nomenclature.EmdnCode", verbose_name=_("EMDN code"), on_delete=models.PROTECT, related_name="products"
    )
    cpv = models.ForeignKey(
        "nomenclature.CpvCode",
        verbose_name=_("CPV code"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
    )
    hs = models.ForeignKey(
        "nomenclature.HsCode",
        verbose_name=_("HS code"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
    )
    risk_class = models.CharField(_("risk class"), max_length=3, choices=RiskClass.choices, blank=True)
    sterile = models.BooleanField(_("sterile"), default=False)
    single_use = models.BooleanField(_("single use"), default=False)
    latex_free = models.BooleanField(_("latex free"), default=False)
    powder_free = models.BooleanField(_("powder free"), default=False)
    pvc_free = models.BooleanField(_("PVC free"), default=False)
    implantable = models.BooleanField(_("implantable"), default=False)
    reusable = models.BooleanField(_("reusable"), default=False)
    units_per_box = models.PositiveIntegerField(
        _("units per box"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    boxes_per_carton = models.PositiveIntegerField(
        _("boxes per carton"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    capacity_per_year = models.PositiveBigIntegerField(_("production capacity per year (units)"), null=True, blank=True)
    minimum_order = models.PositiveIntegerField(_("minimum order (units)"), null=True, blank=True)
    lead_time_days = models.PositiveIntegerField(_("lead time (days)"), null=True, blank=True)
    unit_price = models.DecimalField(
        _("indicative unit price (MAD)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    local_content_share = models.DecimalField(
        _("local content share (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    status = models.CharField(_("status"), max_length=12, choices=ProductStatus.choices, default=ProductStatus.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    search_text = models.TextField(editable=False, blank=True, default="")

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["manufacturer__name", "name_fr"]
        indexes = [models.Index(fields=["status", "manufacturer"], name="catalog_product_status_mfr")]
        constraints = [
            models.UniqueConstraint(fields=["manufacturer", "reference"], name="catalog_product_reference_unique"),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in ProductStatus]), name="catalog_product_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(risk_class="") | Q(risk_class__in=[r.value for r in RiskClass]),
                name="catalog_product_risk_class_valid",
            ),
            models.CheckConstraint(
                condition=Q(local_content_share__isnull=True)
                | (Q(local_content_share__gte=0) & Q(local_content_share__lte=100)),
                name="catalog_product_local_share_0_100",
            ),
            models.CheckConstraint(
                condition=Q(unit_price__isnull=True) | Q(unit_price__gte=0), name="catalog_product_price_positive"
            ),
            models.CheckConstraint(
                condition=Q(units_per_box__isnull=True) | Q(units_per_box__gte=1),
                name="catalog_product_units_per_box_positive",
            ),
            models.CheckConstraint(
                condition=Q(boxes_per_carton__isnull=True) | Q(boxes_per_carton__gte=1),
                name="catalog_product_boxes_per_carton_positive",
            ),
            models.CheckConstraint(condition=~Q(reference=""), name="catalog_product_reference_not_blank"),
        ]

    def __str__(self) -> str:
        return self.name_fr

    def get_additional_data(self) -> dict[str, int | None]:
        return {"organisation_id": self.manufacturer_id}

    def name_in(self, language: str) -> str:
        return {"ar": self.name_ar, "en": self.name_en}.get(language[:2], "") or self.name_fr

    def description_in(self, language: str) -> str:
        return {"ar": self.description_ar, "en": self.description_en}.get(language[:2], "") or self.description_fr


class Variant(TimeStampedModel):
    """One size or model of a product, as hospitals order it. Production identifiers (lot, serial number,
    expiry) belong to each unit made, never to the variant: only the UDI device identifier lives here."""

    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="variants")
    reference = models.CharField(_("variant reference"), max_length=64)
    label = models.CharField(_("label"), max_length=120, help_text=_("For example “G21 25 mm” or “Size M”."))
    udi_di = models.CharField(
        _("UDI device identifier (GTIN)"), max_length=14, blank=True, help_text=_("GS1 GTIN-14, check digit included.")
    )
    capacity_per_year = models.PositiveBigIntegerField(
        _("production capacity per year (units)"),
        null=True,
        blank=True,
        help_text=_("Leave empty to use the product's capacity."),
    )
    # A manufacturer's sizes, gauges and packs have their own prices; without one the product's price (its
    # "from" price) applies: read `effective_unit_price`, never one of the two fields alone.
    unit_price = models.DecimalField(
        _("indicative unit price (MAD)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Leave empty to use the product's price."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        ordering = ["product", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["product", "reference"], name="catalog_variant_reference_unique"),
            models.UniqueConstraint(fields=["udi_di"], condition=~Q(udi_di=""), name="catalog_variant_udi_unique"),
            models.CheckConstraint(condition=~Q(reference=""), name="catalog_variant_reference_not_blank"),
            models.CheckConstraint(
                condition=Q(unit_price__isnull=True) | Q(unit_price__gte=0), name="catalog_variant_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} — {self.label}"

    @property
    def effective_unit_price(self) -> Decimal | None:
        """What this variant costs: its own price when it has one, else its product's (None: no price)."""
        return self.unit_price if self.unit_price is not None else self.product.unit_price

    def get_additional_data(self) -> dict[str, int | None]:
        return {"organisation_id": self.product.manufacturer_id}


class VariantSpecification(models.Model):
    """One typed value of a variant (tawrid.specs.ATTRIBUTES): numbers are stored in the attribute's
    canonical unit, with the Recommendation 20 code of that unit and the value as it was typed."""

    variant = models.ForeignKey(
        Variant, verbose_name=_("variant"), on_delete=models.CASCADE, related_name="specifications"
    )
    attribute = models.CharField(_("attribute"), max_length=40)
    value_number = models.DecimalField(_("number"), max_digits=20, decimal_places=6, null=True, blank=True)
    value_text = models.CharField(_("text"), max_length=120, blank=True)
    value_bool = models.BooleanField(_("yes/no"), null=True, blank=True)
    unit = models.CharField(_("unit (UN/CEFACT Rec 20)"), max_length=3, blank=True)
    entered_unit = models.CharField(_("unit as entered"), max_length=3, blank=True)
    raw = models.CharField(_("value as entered"), max_length=120)

    class Meta:
        verbose_name = _("specification")
        verbose_name_plural = _("specifications")
        ordering = ["variant", "attribute"]
        constraints = [
            models.UniqueConstraint(fields=["variant", "attribute"], name="catalog_spec_unique_attribute"),
            models.CheckConstraint(
                condition=Q(value_number__isnull=False) | ~Q(value_text="") | Q(value_bool__isnull=False),
                name="catalog_spec_has_a_value",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.attribute}: {self.raw}"

    def as_spec_value(self) -> Any:
        """The value as tawrid.specs sees it (for comparison and display)."""
        from tawrid.specs import SpecValue

        if self.value_bool is not None:
            value: Any = self.value_bool
        elif self.value_number is not None:
            value = float(self.value_number)
        else:
            value = self.value_text
        return SpecValue(self.attribute, value, self.unit, self.raw, self.entered_unit)

    def display(self, language: str = "fr") -> str:
        from tawrid.specs import format_value

        try:
            return format_value(self.as_spec_value(), language)
        except Exception:  # noqa: BLE001 — an attribute retired from tawrid.specs still shows as typed
            return self.raw

    def get_additional_data(self) -> dict[str, int | None]:
        return {"organisation_id": self.variant.product.manufacturer_id}


class DocumentKind(models.TextChoices):
    DATA_SHEET = "data_sheet", _("Data sheet")
    IFU = "ifu", _("Instructions for use")
    PHOTO = "photo", _("Photo")
    CERTIFICATE = "certificate", _("Certificate evidence")
    DOSSIER = "dossier", _("Registration dossier")
    LABEL_EVIDENCE = "label_evidence", _("Label evidence")


class ProductDocument(TimeStampedModel):
    """A file about a product or an organisation's certificate (PDF, PNG or JPEG, checked by content)."""

    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="documents"
    )
    product = models.ForeignKey(
        Product,
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="documents",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="catalog/%Y/%m/")
    content_type = models.CharField(_("content type"), max_length=40)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        "accounts.User", verbose_name=_("uploaded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(content_type__in=["application/pdf", "image/png", "image/jpeg"]),
                name="catalog_document_content_type_allowed",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_additional_data(self) -> dict[str, int | None]:
        return {"organisation_id": self.organisation_id}

    @property
    def is_public(self) -> bool:
        """Data sheets, instructions and photos of a product may be shown publicly; evidence never."""
        return self.kind in (DocumentKind.DATA_SHEET, DocumentKind.IFU, DocumentKind.PHOTO)


class CertificateKind(models.TextChoices):
    ISO_13485 = "iso13485", _("ISO 13485")
    NM = "nm", _("NM conformity (IMANOR)")
    CE = "ce", _("CE marking")
    OTHER = "other", _("Other")


class CertificateStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")


class Certificate(TimeStampedModel):
    """A certificate held by an organisation. Without products in its scope it covers the whole organisation
    (or the sites given): the usual case for ISO 13485. It counts only once IMANOR has verified it."""

    holder = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("holder"), on_delete=models.CASCADE, related_name="certificates"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=CertificateKind.choices)
    number = models.CharField(_("number"), max_length=80)
    issuer = models.CharField(_("issuer"), max_length=200)
    issuer_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("issuing organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="issued_certificates",
    )
    notified_body = models.CharField(_("notified body"), max_length=200, blank=True, help_text=_("For CE marking."))
    products = models.ManyToManyField(
        Product,
        verbose_name=_("products covered"),
        blank=True,
        related_name="certificates",
        help_text=_("Leave empty when the certificate covers the whole organisation (ISO 13485)."),
    )
    sites = models.ManyToManyField(ProductionSite, verbose_name=_("sites"), blank=True, related_name="certificates")
    issued_on = models.DateField(_("issue date"))
    expires_on = models.DateField(_("expiry date"))
    status = models.CharField(
        _("status"), max_length=12, choices=CertificateStatus.choices, default=CertificateStatus.ACTIVE
    )
    verified = models.BooleanField(_("verified by IMANOR"), default=False)
    document = models.ForeignKey(
        ProductDocument,
        verbose_name=_("document"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="certificates",
    )

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["expires_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__gt=F("issued_on")), name="catalog_certificate_dates_ordered"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in CertificateKind]), name="catalog_certificate_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in CertificateStatus]), name="catalog_certificate_status_valid"
            ),
            models.UniqueConstraint(fields=["issuer", "kind", "number"], name="catalog_certificate_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    def get_additional_data(self) -> dict[str, int | None]:
        return {"organisation_id": self.holder_id}


class CertificateAction(models.TextChoices):
    VERIFY = "verify", _("Verified")
    SUSPEND = "suspend", _("Suspended")
    WITHDRAW = "withdraw", _("Withdrawn")
    REINSTATE = "reinstate", _("Reinstated")
    EXPIRE = "expire", _("Expired")


class AuthorityDecision(models.Model):
    """One decision of an authority on a certificate, a registration or a label: kept forever, as history."""

    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    authority = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("authority"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        abstract = True


class CertificateDecision(AuthorityDecision):
    certificate = models.ForeignKey(
        Certificate, verbose_name=_("certificate"), on_delete=models.CASCADE, related_name="decisions"
    )
    action = models.CharField(_("action"), max_length=12, choices=CertificateAction.choices)

    class Meta(AuthorityDecision.Meta):
        verbose_name = _("certificate decision")
        verbose_name_plural = _("certificate decisions")
        ordering = ["certificate", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.certificate} — {self.get_action_display()}"


class RegistrationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class RegistrationApplication(TimeStampedModel):
    """A DMP registration (homologation) of a product: applied for by its manufacturer, decided by the DMP."""

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="registrations"
    )
    status = models.CharField(
        _("status"), max_length=14, choices=RegistrationStatus.choices, default=RegistrationStatus.DRAFT
    )
    documents = models.ManyToManyField(ProductDocument, verbose_name=_("dossier"), blank=True, related_name="+")
    notes = models.TextField(_("notes for the DMP"), blank=True)
    number = models.CharField(_("registration number"), max_length=60, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    renewal_of = models.ForeignKey(
        "self", verbose_name=_("renewal of"), null=True, blank=True, on_delete=models.SET_NULL, related_name="renewals"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("DMP registration")
        verbose_name_plural = _("DMP registrations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in RegistrationStatus]), name="catalog_registration_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="approved")
                | (Q(valid_from__isnull=False) & Q(valid_until__isnull=False) & ~Q(number="")),
                name="catalog_registration_approved_complete",
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True) | Q(valid_until__isnull=True) | Q(valid_until__gt=F("valid_from")),
                name="catalog_registration_dates_ordered",
            ),
            models.UniqueConstraint(
                fields=["number"], condition=~Q(number=""), name="catalog_registration_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} — {self.number or self.get_status_display()}"

    def get_additional_data(self) -> dict[str, int | None]:
        return {"organisation_id": self.product.manufacturer_id}


class RegistrationAction(models.TextChoices):
    SUBMIT = "submit", _("Submitted")
    START_REVIEW = "start_review", _("Review started")
    APPROVE = "approve", _("Approved")
    REFUSE = "refuse", _("Refused")
    WITHDRAW = "withdraw", _("Withdrawn")


class RegistrationDecision(AuthorityDecision):
    registration = models.ForeignKey(
        RegistrationApplication, verbose_name=_("registration"), on_delete=models.CASCADE, related_name="decisions"
    )
    action = models.CharField(_("action"), max_length=14, choices=RegistrationAction.choices)

    class Meta(AuthorityDecision.Meta):
        verbose_name = _("registration decision")
        verbose_name_plural = _("registration decisions")
        ordering = ["registration", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.registration} — {self.get_action_display()}"


class LabelStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class LabelApplication(TimeStampedModel):
    """An application for the Made in Morocco label of a product, decided by IMANOR."""

    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="labels")
    local_content_share = models.DecimalField(
        _("declared local content share (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    documents = models.ManyToManyField(ProductDocument, verbose_name=_("evidence"), blank=True, related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=LabelStatus.choices, default=LabelStatus.SUBMITTED)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    refusal_reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("Made in Morocco label")
        verbose_name_plural = _("Made in Morocco labels")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(local_content_share__gte=0) & Q(local_content_share__lte=100),
                name="catalog_label_share_0_100",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in LabelStatus]), name="catalog_label_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(valid_until__isnull=False),
                name="catalog_label_approved_has_validity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} — {self.get_status_display()}"

    def get_additional_data(self) -> dict[str, int | None]:
        return {"organisation_id": self.product.manufacturer_id}


class LabelAction(models.TextChoices):
    APPROVE = "approve", _("Approved")
    REFUSE = "refuse", _("Refused")
    WITHDRAW = "withdraw", _("Withdrawn")


class LabelDecision(AuthorityDecision):
    label = models.ForeignKey(
        LabelApplication, verbose_name=_("label"), on_delete=models.CASCADE, related_name="decisions"
    )
    action = models.CharField(_("action"), max_length=12, choices=LabelAction.choices)

    class Meta(AuthorityDecision.Meta):
        verbose_name = _("label decision")
        verbose_name_plural = _("label decisions")
        ordering = ["label", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.label} — {self.get_action_display()}"


class ExpiryReminder(models.Model):
    """A reminder e-mail already sent (one per object, threshold and expiry date): sent once, never twice."""

    object_kind = models.CharField(_("kind"), max_length=20)  # certificate, registration, label
    object_id = models.PositiveBigIntegerField(_("object id"))
    days_before = models.PositiveSmallIntegerField(_("days before expiry"))
    expires_on = models.DateField(_("expiry date"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    recipients = models.TextField(_("recipients"), blank=True)

    class Meta:
        verbose_name = _("expiry reminder")
        verbose_name_plural = _("expiry reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["object_kind", "object_id", "days_before", "expires_on"], name="catalog_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.object_kind} {self.object_id} J-{self.days_before}"
