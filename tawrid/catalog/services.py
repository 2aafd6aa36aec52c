"""Every write of the catalogue: products, variants and their specifications, documents, certificates and
their verification by IMANOR, DMP registrations and the Made in Morocco label, and expiry reminders.

Each service takes the acting person's `actor`, checks what it may do, runs in one transaction and raises
`DomainError` with a message for the user when it refuses. Every authority decision writes a history row.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tawrid.accounts.models import Organisation, OrganisationKind, User
from tawrid.catalog import policies
from tawrid.catalog.models import (
    Certificate,
    CertificateAction,
    CertificateDecision,
    CertificateKind,
    CertificateStatus,
    DocumentKind,
    LabelAction,
    LabelApplication,
    LabelDecision,
    LabelStatus,
    Product,
    ProductDocument,
    ProductionSite,
    ProductStatus,
    RegistrationAction,
    RegistrationApplication,
    RegistrationDecision,
    RegistrationStatus,
    Variant,
    VariantSpecification,
    gtin_is_valid,
)
from tawrid.core import permissions, storage, validators
from tawrid.core.errors import DomainError, Forbidden
from tawrid.core.permissions import Actor
from tawrid.core.text import fold

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
ALLOWED_CONTENT_TYPES = tuple(storage.FILE_TYPES)
# What each kind of document may be (found in the content): a photo is an image; the rest may also be a PDF.
DOCUMENT_TYPES: dict[str, tuple[storage.FileType, ...]] = {
    kind: (storage.PNG, storage.JPEG) if kind == DocumentKind.PHOTO else (storage.PDF, storage.PNG, storage.JPEG)
    for kind in DocumentKind.values
}
SUPPLIER_KINDS = (OrganisationKind.MANUFACTURER, OrganisationKind.STARTUP)

PRODUCT_FIELDS = (
    "reference",
    "name_fr",
    "name_ar",
    "name_en",
    "description_fr",
    "description_ar",
    "description_en",
    "emdn",
    "cpv",
    "hs",
    "site",
    "risk_class",
    "sterile",
    "single_use",
    "latex_free",
    "powder_free",
    "pvc_free",
    "implantable",
    "reusable",
    "units_per_box",
    "boxes_per_carton",
    "capacity_per_year",
    "minimum_order",
    "lead_time_days",
    "unit_price",
    "local_content_share",
)
VARIANT_FIELDS = ("reference", "label", "udi_di", "capacity_per_year", "unit_price", "position")


def _full_clean(obj: Any, message: str, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as error:
        raise DomainError(message, details=error.message_dict) from None


def _user(actor: Actor) -> User | None:
    return User.objects.filter(pk=actor.user_id).first() if actor.user_id else None


def _authority(actor: Actor, kind: str) -> Organisation | None:
    ids = sorted(actor.org_ids_of_kind(kind, writable=True))
    return Organisation.objects.filter(pk=ids[0]).first() if ids else None


# Products ---------------------------------------------------------------------------------------------------------


def product_search_text(product: Product) -> str:
    variants = " ".join(product.variants.values_list("label", flat=True)) if product.pk else ""
    emdn = f"{product.emdn.code} {product.emdn.term}" if product.emdn_id else ""
    return fold(
        " ".join(
            filter(
                None,
                [
                    product.reference,
                    product.name_fr,
                    product.name_ar,
                    product.name_en,
                    product.description_fr,
                    product.description_ar,
                    product.description_en,
                    emdn,
                    product.manufacturer.name if product.manufacturer_id else "",
                    variants,
                ],
            )
        )
    )


def _check_product(product: Product) -> None:
    if product.manufacturer.kind not in SUPPLIER_KINDS:
        raise DomainError(_("Only manufacturers and start-ups have a catalogue."), code="not_a_supplier")
    if product.site_id and product.site.organisation_id != product.manufacturer_id:
        raise DomainError(
            _("This production site belongs to another organisation."),
            details={"site": [_("Choose one of your own sites.")]},
        )
    duplicate = Product.objects.filter(manufacturer_id=product.manufacturer_id, reference=product.reference)
    if product.pk:
        duplicate = duplicate.exclude(pk=product.pk)
    if product.reference and duplicate.exists():
        raise DomainError(
            _("You already have a product with the reference “%(reference)s”.") % {"reference": product.reference},
            code="duplicate",
            details={"reference": [_("This reference is already used.")]},
        )
    _full_clean(product, _("The product could not be saved."), exclude=["manufacturer"])


def product_create(*, actor: Actor, manufacturer: Organisation, **fields: Any) -> Product:
    if not policies.can_edit_catalogue(actor, manufacturer.pk):
        raise Forbidden(_("Only the people of this manufacturer can add products to its catalogue."))
    unknown = set(fields) - set(PRODUCT_FIELDS)
    if unknown:
        raise ValueError(f"unknown product fields: {sorted(unknown)}")
    with transaction.atomic():
        product = Product(manufacturer=manufacturer, **fields)
        product.reference = (product.reference or "").strip()
        _check_product(product)
        product.search_text = product_search_text(product)
        product.save()
    return product


def product_update(*, actor: Actor, product: Product, **fields: Any) -> Product:
    permissions.require_change(actor, product)
    unknown = set(fields) - set(PRODUCT_FIELDS)
    if unknown:
        raise ValueError(f"unknown product fields: {sorted(unknown)}")
    with transaction.atomic():
        product = Product.objects.select_for_update().select_related("manufacturer").get(pk=product.pk)
        if product.status == ProductStatus.ARCHIVED:
            raise DomainError(_("An archived product cannot be changed."), code="archived")
        for name, value in fields.items():
            setattr(product, name, value)
        product.reference = (product.reference or "").strip()
        _check_product(product)
        product.search_text = product_search_text(product)
        product.save()
    return product


def product_publish(*, actor: Actor, product: Product) -> Product:
    permissions.require_change(actor, product)
    with transaction.atomic():
        product = Product.objects.select_for_update().get(pk=product.pk)
        if product.status == ProductStatus.PUBLISHED:
            return product
        if not product.variants.exists():
            raise DomainError(_("Add at least one variant before publishing the product."), code="no_variant")
        product.status = ProductStatus.PUBLISHED
        product.published_at = timezone.now()
        product.save(update_fields=["status", "published_at", "updated_at"])
    return product


def product_archive(*, actor: Actor, product: Product) -> Product:
    permissions.require_change(actor, product)
    with transaction.atomic():
        product = Product.objects.select_for_update().get(pk=product.pk)
        product.status = ProductStatus.ARCHIVED
        product.save(update_fields=["status", "updated_at"])
    return product


def site_create(
    *, actor: Actor, organisation: Organisation, name: str, city: str = "", region: str = ""
) -> ProductionSite:
    if not policies.can_edit_catalogue(actor, organisation.pk):
        raise Forbidden()
    with transaction.atomic():
        site = ProductionSite(organisation=organisation, name=" ".join(name.split()), city=city, region=region)
        _full_clean(site, _("The production site could not be saved."))
        site.save()
    return site


def site_update(*, actor: Actor, site: ProductionSite, name: str, city: str = "", region: str = "") -> ProductionSite:
    permissions.require_change(actor, site)
    with transaction.atomic():
        site = ProductionSite.objects.select_for_update().get(pk=site.pk)
        site.name, site.city, site.region = " ".join(name.split()), city, region
        _full_clean(site, _("The production site could not be saved."))
        site.save()
    return site


def site_delete(*, actor: Actor, site: ProductionSite) -> None:
    """Delete a production site no product and no certificate refers to."""
    permissions.require_change(actor, site)
    with transaction.atomic():
        site = ProductionSite.objects.select_for_update().get(pk=site.pk)
        used_by = site.products.count()
        if used_by:
            raise DomainError(
                ngettext(
                    "The site “%(name)s” cannot be deleted: %(count)s product is made there. "
                    "Choose another site for it first.",
                    "The site “%(name)s” cannot be deleted: %(count)s products are made there. "
                    "Choose another site for them first.",
                    used_by,
                )
                % {"name": site.name, "count": used_by},
                code="site_in_use",
            )
        if site.certificates.exists():
            raise DomainError(
                _("The site “%(name)s” cannot be deleted: certificates cover it.") % {"name": site.name},
                code="site_in_use",
            )
        site.delete()


# Variants and specifications ----------------------------------------------------------------------------------------


def _check_variant(variant: Variant) -> None:
    variant.udi_di = (variant.udi_di or "").strip()
    if variant.udi_di:
        if not gtin_is_valid(variant.udi_di):
            raise DomainError(
                _("The UDI device identifier is not a valid GTIN (14 digits with a correct check digit)."),
                code="bad_gtin",
                details={"udi_di": [_("Not a valid GTIN: check the digits and the check digit.")]},
            )
        variant.udi_di = variant.udi_di.zfill(14)
        taken = Variant.objects.filter(udi_di=variant.udi_di)
        if variant.pk:
            taken = taken.exclude(pk=variant.pk)
        if taken.exists():
            raise DomainError(
                _("This UDI device identifier is already used by another variant."),
                code="duplicate",
                details={"udi_di": [_("This GTIN is already used.")]},
            )
    duplicate = Variant.objects.filter(product_id=variant.product_id, reference=variant.reference)
    if variant.pk:
        duplicate = duplicate.exclude(pk=variant.pk)
    if variant.reference and duplicate.exists():
        raise DomainError(
            _("This product already has a variant with the reference “%(reference)s”.")
            % {"reference": variant.reference},
            code="duplicate",
            details={"reference": [_("This reference is already used.")]},
        )
    _full_clean(variant, _("The variant could not be saved."), exclude=["product"])


def _refresh_search_text(product: Product) -> None:
    product = Product.objects.select_related("manufacturer", "emdn").get(pk=product.pk)
    Product.objects.filter(pk=product.pk).update(search_text=product_search_text(product))


def variant_create(
    *, actor: Actor, product: Product, specifications: dict[str, Any] | None = None, **fields: Any
) -> Variant:
    permissions.require_change(actor, product)
    unknown = set(fields) - set(VARIANT_FIELDS)
    if unknown:
        raise ValueError(f"unknown variant fields: {sorted(unknown)}")
    with transaction.atomic():
        variant = Variant(product=product, **fields)
        variant.reference = (variant.reference or "").strip()
        _check_variant(variant)
        variant.save()
        if specifications:
            variant_set_specifications(actor=actor, variant=variant, specifications=specifications)
        _refresh_search_text(product)
    return variant


def variant_update(*, actor: Actor, variant: Variant, **fields: Any) -> Variant:
    permissions.require_change(actor, variant)
    unknown = set(fields) - set(VARIANT_FIELDS)
    if unknown:
        raise ValueError(f"unknown variant fields: {sorted(unknown)}")
    with transaction.atomic():
        variant = Variant.objects.select_for_update().select_related("product").get(pk=variant.pk)
        for name, value in fields.items():
            setattr(variant, name, value)
        _check_variant(variant)
        variant.save()
        _refresh_search_text(variant.product)
    return variant


def variant_delete(*, actor: Actor, variant: Variant) -> None:
    permissions.require_change(actor, variant)
    with transaction.atomic():
        product = variant.product
        if product.status == ProductStatus.PUBLISHED and product.variants.count() <= 1:
            raise DomainError(_("A published product keeps at least one variant."), code="last_variant")
        variant.delete()
        _refresh_search_text(product)


def _parse_specification(attribute: str, raw: str, unit: str | None) -> dict[str, Any]:
    """One value through tawrid.specs: its canonical number, text or yes/no, and its Rec 20 units."""
    from tawrid.specs import SpecError, parse_value

    try:
        value = parse_value(attribute, raw, unit or None)
    except SpecError as error:
        raise DomainError(error.message, code=error.code, details={attribute: [error.message]}) from None
    parsed: dict[str, Any] = {"value_number": None, "value_text": "", "value_bool": None}
    if isinstance(value.value, bool):
        parsed["value_bool"] = value.value
    elif isinstance(value.value, int | float):
        parsed["value_number"] = Decimal(str(round(float(value.value), 6)))
    else:
        parsed["value_text"] = str(value.value)[:120]
    parsed["unit"] = value.unit or ""
    parsed["entered_unit"] = value.entered_unit or ""
    return parsed


def variant_set_specifications(
    *, actor: Actor, variant: Variant, specifications: dict[str, Any]
) -> list[VariantSpecification]:
    """Replace a variant's specifications. `specifications`: attribute → raw text, or (raw, unit code).

    Every value is checked first; one bad value or unit refuses the whole set (field errors by attribute)."""
    permissions.require_change(actor, variant)
    parsed: dict[str, dict[str, Any]] = {}
    errors: dict[str, list[str]] = {}
    for attribute, given in specifications.items():
        raw, unit = given if isinstance(given, (tuple, list)) else (given, None)
        raw = str(raw).strip()
        if not raw:
            continue
        try:
            parsed[attribute] = {**_parse_specification(attribute, raw, unit or None), "raw": raw[:120]}
        except DomainError as error:
            errors.update(error.details or {attribute: [error.message]})
    if errors:
        raise DomainError(_("Some specifications are not valid."), code="bad_specification", details=errors)
    with transaction.atomic():
        VariantSpecification.objects.filter(variant=variant).exclude(attribute__in=list(parsed)).delete()
        rows = []
        for attribute, values in parsed.items():
            row, _created = VariantSpecification.objects.update_or_create(
                variant=variant, attribute=attribute, defaults=values
            )
            rows.append(row)
    return rows


# Documents ------------------------------------------------------------------------------------------------------------


def document_upload(
    *,
    actor: Actor,
    organisation: Organisation,
    file: UploadedFile,
    kind: str,
    title: str = "",
    product: Product | None = None,
) -> ProductDocument:
    """Store a PDF, PNG or JPEG file (checked by its content, not its name) for an organisation's product, under a
    generated name with the extension of the type found; the client's name, sanitised, is the default title."""
    if not policies.can_edit_catalogue(actor, organisation.pk):
        raise Forbidden()
    if product is not None and product.manufacturer_id != organisation.pk:
        raise Forbidden()
    if kind not in DocumentKind.values:
        raise DomainError(_("Unknown kind of document."), details={"kind": [_("Unknown kind of document.")]})
    if file.size is None or file.size == 0:
        raise DomainError(_("The file is empty."), code="empty_file", details={"file": [_("The file is empty.")]})
    if file.size > MAX_DOCUMENT_BYTES:
        message = _("The file is too large (%(size)s MB at most).") % {"size": MAX_DOCUMENT_BYTES // (1024 * 1024)}
        raise DomainError(message, code="file_too_large", details={"file": [message]})
    found = storage.detect_upload(file, DOCUMENT_TYPES[kind])
    with transaction.atomic():
        document = ProductDocument(
            organisation=organisation,
            product=product,
            kind=kind,
            title=" ".join(title.split())[:200] or storage.client_filename(file.name) or str(DocumentKind(kind).label),
            content_type=found.mime,
            size=file.size,
            uploaded_by_id=actor.user_id,
        )
        document.file.save(storage.generated_name(found), file, save=False)
        document.save()
    return document


# Certificates ---------------------------------------------------------------------------------------------------------


def certificate_create(
    *,
    actor: Actor,
    holder: Organisation,
    kind: str,
    number: str,
    issuer: str,
    issued_on: date,
    expires_on: date,
    issuer_organisation: Organisation | None = None,
    notified_body: str = "",
    products: list[Product] | None = None,
    sites: list[ProductionSite] | None = None,
    document: ProductDocument | None = None,
) -> Certificate:
    """A manufacturer records one of its certificates; it counts once IMANOR has verified it."""
    if not policies.can_edit_catalogue(actor, holder.pk):
        raise Forbidden(_("Only the holder's people can record its certificates."))
    products = products or []
    sites = sites or []
    if any(p.manufacturer_id != holder.pk for p in products) or any(s.organisation_id != holder.pk for s in sites):
        raise Forbidden()
    if document is not None and document.organisation_id != holder.pk:
        raise Forbidden()
    if kind == CertificateKind.CE and not notified_body.strip():
        raise DomainError(
            _("Give the notified body of the CE marking."),
            details={"notified_body": [_("Required for CE marking.")]},
        )
    validators.require_plausible_dates({"issued_on": issued_on, "expires_on": expires_on}, not_future=("issued_on",))
    if issued_on and expires_on and expires_on <= issued_on:
        raise DomainError(
            _("The expiry date must come after the issue date."),
            details={"expires_on": [_("Must come after the issue date.")]},
        )
    with transaction.atomic():
        certificate = Certificate(
            holder=holder,
            kind=kind,
            number=" ".join(number.split()),
            issuer=" ".join(issuer.split()),
            issuer_organisation=issuer_organisation,
            notified_body=notified_body.strip(),
            issued_on=issued_on,
            expires_on=expires_on,
            document=document,
            status=CertificateStatus.ACTIVE,
            verified=False,
        )
        try:
            certificate.validate_constraints()
        except ValidationError:
            raise DomainError(
                _("This issuer already has a certificate of this kind with this number."),
                code="duplicate",
                details={"number": [_("This number is already recorded for this issuer.")]},
            ) from None
        _full_clean(certificate, _("The certificate could not be saved."))
        certificate.save()
        certificate.products.set(products)
        certificate.sites.set(sites)
    return certificate


def _require_imanor(actor: Actor) -> Organisation | None:
    if not (policies.is_imanor(actor, writable=True) or actor.is_superuser):
        raise Forbidden(_("Only IMANOR's people can decide on certificates and labels."))
    return _authority(actor, policies.IMANOR)


def _certificate_decide(
    *, actor: Actor, certificate: Certificate, action: str, reason: str, allowed_from: tuple[str, ...], to: str
) -> Certificate:
    authority = _require_imanor(actor)
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if certificate.status not in allowed_from:
            raise DomainError(
                _("This certificate is %(status)s: this decision is not possible.")
                % {"status": certificate.get_status_display().lower()},
                code="bad_state",
            )
        certificate.status = to
        if action == CertificateAction.VERIFY:
            if certificate.expires_on < timezone.localdate():
                raise DomainError(_("An expired certificate cannot be verified."), code="expired")
            certificate.verified = True
        certificate.save(update_fields=["status", "verified", "updated_at"])
        CertificateDecision.objects.create(
            certificate=certificate,
            action=action,
            reason=reason.strip(),
            decided_by_id=actor.user_id,
            authority=authority,
        )
    return certificate


def _require_reason(reason: str) -> None:
    if not reason or not reason.strip():
        raise DomainError(_("Give the reason for this decision."), details={"reason": [_("This field is required.")]})


def certificate_verify(*, actor: Actor, certificate: Certificate, reason: str = "") -> Certificate:
    return _certificate_decide(
        actor=actor,
        certificate=certificate,
        action=CertificateAction.VERIFY,
        reason=reason,
        allowed_from=(CertificateStatus.ACTIVE,),
        to=CertificateStatus.ACTIVE,
    )


def certificate_suspend(*, actor: Actor, certificate: Certificate, reason: str) -> Certificate:
    _require_imanor(actor)
    _require_reason(reason)
    return _certificate_decide(
        actor=actor,
        certificate=certificate,
        action=CertificateAction.SUSPEND,
        reason=reason,
        allowed_from=(CertificateStatus.ACTIVE,),
        to=CertificateStatus.SUSPENDED,
    )


def certificate_withdraw(*, actor: Actor, certificate: Certificate, reason: str) -> Certificate:
    _require_imanor(actor)
    _require_reason(reason)
    return _certificate_decide(
        actor=actor,
        certificate=certificate,
        action=CertificateAction.WITHDRAW,
        reason=reason,
        allowed_from=(CertificateStatus.ACTIVE, CertificateStatus.SUSPENDED),
        to=CertificateStatus.WITHDRAWN,
    )


def certificate_reinstate(*, actor: Actor, certificate: Certificate, reason: str = "") -> Certificate:
    certificate = _certificate_decide(
        actor=actor,
        certificate=certificate,
        action=CertificateAction.REINSTATE,
        reason=reason,
        allowed_from=(CertificateStatus.SUSPENDED,),
        to=CertificateStatus.ACTIVE,
    )
    if certificate.expires_on < timezone.localdate():
        raise DomainError(_("An expired certificate cannot be reinstated."), code="expired")
    return certificate


def certificates_expire(*, on: date) -> int:
    """Mark active or suspended certificates whose expiry date has passed as expired (a system decision)."""
    with transaction.atomic():
        due = list(
            Certificate.objects.select_for_update().filter(
                expires_on__lt=on, status__in=[CertificateStatus.ACTIVE, CertificateStatus.SUSPENDED]
            )
        )
        for certificate in due:
            certificate.status = CertificateStatus.EXPIRED
            certificate.save(update_fields=["status", "updated_at"])
            CertificateDecision.objects.create(
                certificate=certificate,
                action=CertificateAction.EXPIRE,
                reason=_("Expired on %(date)s.") % {"date": certificate.expires_on.isoformat()},
            )
    return len(due)


# DMP registrations ----------------------------------------------------------------------------------------------------


def _require_dmp(actor: Actor) -> Organisation | None:
    if not (policies.is_dmp(actor, writable=True) or actor.is_superuser):
        raise Forbidden(_("Only the DMP's people can decide on registrations."))
    return _authority(actor, policies.DMP)


def _registration_history(
    registration: RegistrationApplication, actor: Actor, action: str, reason: str = "", authority: Any = None
) -> None:
    RegistrationDecision.objects.create(
        registration=registration, action=action, reason=reason, decided_by_id=actor.user_id, authority=authority
    )


def registration_apply(
    *,
    actor: Actor,
    product: Product,
    documents: list[ProductDocument] | None = None,
    notes: str = "",
    submit: bool = True,
    renewal_of: RegistrationApplication | None = None,
) -> RegistrationApplication:
    """A manufacturer files a registration for its product (submitted at once unless `submit=False`)."""
    if not policies.can_edit_catalogue(actor, product.manufacturer_id):
        raise Forbidden(_("Only the manufacturer's people can apply for the registration of its products."))
    documents = documents or []
    if any(d.organisation_id != product.manufacturer_id for d in documents):
        raise Forbidden()
    with transaction.atomic():
        open_ones = RegistrationApplication.objects.filter(
            product=product,
            status__in=[RegistrationStatus.DRAFT, RegistrationStatus.SUBMITTED, RegistrationStatus.UNDER_REVIEW],
        )
        if open_ones.exists():
            raise DomainError(_("An application for this product is already in progress."), code="in_progress")
        registration = RegistrationApplication.objects.create(product=product, notes=notes, renewal_of=renewal_of)
        registration.documents.set(documents)
        if submit:
            registration = registration_submit(actor=actor, registration=registration)
    return registration


def registration_submit(*, actor: Actor, registration: RegistrationApplication) -> RegistrationApplication:
    permissions.require_change(actor, registration)
    with transaction.atomic():
        registration = RegistrationApplication.objects.select_for_update().get(pk=registration.pk)
        if registration.status != RegistrationStatus.DRAFT:
            raise DomainError(_("Only a draft application can be submitted."), code="bad_state")
        registration.status = RegistrationStatus.SUBMITTED
        registration.submitted_at = timezone.now()
        registration.save(update_fields=["status", "submitted_at", "updated_at"])
        _registration_history(registration, actor, RegistrationAction.SUBMIT)
    return registration


def registration_start_review(*, actor: Actor, registration: RegistrationApplication) -> RegistrationApplication:
    authority = _require_dmp(actor)
    with transaction.atomic():
        registration = RegistrationApplication.objects.select_for_update().get(pk=registration.pk)
        if registration.status != RegistrationStatus.SUBMITTED:
            raise DomainError(_("Only a submitted application can be taken into review."), code="bad_state")
        registration.status = RegistrationStatus.UNDER_REVIEW
        registration.save(update_fields=["status", "updated_at"])
        _registration_history(registration, actor, RegistrationAction.START_REVIEW, authority=authority)
    return registration


def registration_approve(
    *, actor: Actor, registration: RegistrationApplication, number: str, valid_from: date, valid_until: date
) -> RegistrationApplication:
    authority = _require_dmp(actor)
    number = " ".join((number or "").split())
    errors: dict[str, list[str]] = {}
    if not number:
        errors["number"] = [_("This field is required.")]
    if not valid_from:
        errors["valid_from"] = [_("This field is required.")]
    if not valid_until:
        errors["valid_until"] = [_("This field is required.")]
    elif valid_from and valid_until <= valid_from:
        errors["valid_until"] = [_("Must come after the start of validity.")]
    errors = validators.date_errors({"valid_from": valid_from, "valid_until": valid_until}) | errors
    if errors:
        raise DomainError(_("Give the registration number and its validity."), details=errors)
    with transaction.atomic():
        registration = RegistrationApplication.objects.select_for_update().get(pk=registration.pk)
        if registration.status not in (RegistrationStatus.SUBMITTED, RegistrationStatus.UNDER_REVIEW):
            raise DomainError(_("Only an application under review can be approved."), code="bad_state")
        if RegistrationApplication.objects.filter(number=number).exclude(pk=registration.pk).exists():
            raise DomainError(
                _("This registration number is already used."),
                code="duplicate",
                details={"number": [_("This registration number is already used.")]},
            )
        registration.status = RegistrationStatus.APPROVED
        registration.number = number
        registration.valid_from = valid_from
        registration.valid_until = valid_until
        registration.save(update_fields=["status", "number", "valid_from", "valid_until", "updated_at"])
        _registration_history(registration, actor, RegistrationAction.APPROVE, authority=authority)
    return registration


def registration_refuse(*, actor: Actor, registration: RegistrationApplication, reason: str) -> RegistrationApplication:
    authority = _require_dmp(actor)
    _require_reason(reason)
    with transaction.atomic():
        registration = RegistrationApplication.objects.select_for_update().get(pk=registration.pk)
        if registration.status not in (RegistrationStatus.SUBMITTED, RegistrationStatus.UNDER_REVIEW):
            raise DomainError(_("Only an application under review can be refused."), code="bad_state")
        registration.status = RegistrationStatus.REFUSED
        registration.refusal_reason = reason.strip()
        registration.save(update_fields=["status", "refusal_reason", "updated_at"])
        _registration_history(registration, actor, RegistrationAction.REFUSE, reason.strip(), authority)
    return registration


def registration_withdraw(*, actor: Actor, registration: RegistrationApplication) -> RegistrationApplication:
    permissions.require_change(actor, registration)
    with transaction.atomic():
        registration = RegistrationApplication.objects.select_for_update().get(pk=registration.pk)
        if registration.status not in (
            RegistrationStatus.DRAFT,
            RegistrationStatus.SUBMITTED,
            RegistrationStatus.UNDER_REVIEW,
        ):
            raise DomainError(_("Only an application in progress can be withdrawn."), code="bad_state")
        registration.status = RegistrationStatus.WITHDRAWN
        registration.save(update_fields=["status", "updated_at"])
        _registration_history(registration, actor, RegistrationAction.WITHDRAW)
    return registration


def registration_renew(
    *, actor: Actor, registration: RegistrationApplication, documents: list[ProductDocument] | None = None
) -> RegistrationApplication:
    """A new application renewing an approved registration (the old one stays valid until its end)."""
    if registration.status != RegistrationStatus.APPROVED:
        raise DomainError(_("Only an approved registration can be renewed."), code="bad_state")
    return registration_apply(actor=actor, product=registration.product, documents=documents, renewal_of=registration)


# Made in Morocco label ------------------------------------------------------------------------------------------------


def label_apply(
    *,
    actor: Actor,
    product: Product,
    local_content_share: Decimal,
    documents: list[ProductDocument] | None = None,
) -> LabelApplication:
    if not policies.can_edit_catalogue(actor, product.manufacturer_id):
        raise Forbidden(_("Only the manufacturer's people can apply for the label of its products."))
    documents = documents or []
    if any(d.organisation_id != product.manufacturer_id for d in documents):
        raise Forbidden()
    share = Decimal(local_content_share)
    if not Decimal(0) <= share <= Decimal(100):
        raise DomainError(
            _("The local content share is a percentage between 0 and 100."),
            details={"local_content_share": [_("Between 0 and 100.")]},
        )
    with transaction.atomic():
        if LabelApplication.objects.filter(product=product, status=LabelStatus.SUBMITTED).exists():
            raise DomainError(_("An application for this product is already in progress."), code="in_progress")
        label = LabelApplication.objects.create(product=product, local_content_share=share)
        label.documents.set(documents)
    return label


def _label_decide(
    *,
    actor: Actor,
    label: LabelApplication,
    action: str,
    to: str,
    allowed_from: tuple[str, ...],
    reason: str = "",
    **fields: Any,
) -> LabelApplication:
    authority = _require_imanor(actor)
    with transaction.atomic():
        label = LabelApplication.objects.select_for_update().get(pk=label.pk)
        if label.status not in allowed_from:
            raise DomainError(_("This decision is not possible in the label's current state."), code="bad_state")
        label.status = to
        for name, value in fields.items():
            setattr(label, name, value)
        label.save()
        LabelDecision.objects.create(
            label=label, action=action, reason=reason.strip(), decided_by_id=actor.user_id, authority=authority
        )
    return label


def label_approve(*, actor: Actor, label: LabelApplication, valid_until: date) -> LabelApplication:
    _require_imanor(actor)
    if not valid_until or valid_until <= timezone.localdate():
        raise DomainError(
            _("Give a validity end date in the future."), details={"valid_until": [_("Must be in the future.")]}
        )
    validators.require_plausible_dates({"valid_until": valid_until})
    return _label_decide(
        actor=actor,
        label=label,
        action=LabelAction.APPROVE,
        to=LabelStatus.APPROVED,
        allowed_from=(LabelStatus.SUBMITTED,),
        valid_until=valid_until,
    )


def label_refuse(*, actor: Actor, label: LabelApplication, reason: str) -> LabelApplication:
    _require_imanor(actor)
    _require_reason(reason)
    return _label_decide(
        actor=actor,
        label=label,
        action=LabelAction.REFUSE,
        to=LabelStatus.REFUSED,
        allowed_from=(LabelStatus.SUBMITTED,),
        reason=reason,
        refusal_reason=reason.strip(),
    )


def label_withdraw(*, actor: Actor, label: LabelApplication, reason: str) -> LabelApplication:
    _require_imanor(actor)
    _require_reason(reason)
    return _label_decide(
        actor=actor,
        label=label,
        action=LabelAction.WITHDRAW,
        to=LabelStatus.WITHDRAWN,
        allowed_from=(LabelStatus.APPROVED,),
        reason=reason,
    )
