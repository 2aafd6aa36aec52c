"""API of the catalogue (/api/v1/catalog/): products, variants and specifications, documents, certificates,
registrations, labels, eligibility on a date and the public directory. Same forms, services and policies as
the pages; commercial fields are null for those who may not see them."""

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from tawrid.accounts.api_auth import OptionalAuth
from tawrid.accounts.forms import validated
from tawrid.catalog import exports, policies, selectors, services
from tawrid.catalog.api_inputs import ProductIn, ProductPatch
from tawrid.catalog.forms import CertificateForm, ProductForm, VariantForm
from tawrid.catalog.models import (
    Certificate,
    CertificateKind,
    DocumentKind,
    LabelApplication,
    Product,
    ProductDocument,
    RegistrationApplication,
    Variant,
)
from tawrid.core import permissions
from tawrid.core.api_schemas import (
    FILLED_TEXT,
    Amount,
    Day,
    Id,
    Limit200,
    Limit500,
    Offset,
)
from tawrid.core.errors import DomainError, Forbidden, NotFound
from tawrid.core.permissions import Actor, actor_for

router = Router(tags=["catalog"])

COMMERCIAL_FIELDS = ("unit_price", "capacity_per_year", "minimum_order", "lead_time_days")


# Schemas ---------------------------------------------------------------------------------------------------------


class SpecificationOut(Schema):
    attribute: str
    value_number: float | None
    value_text: str
    value_bool: bool | None
    unit: str = Field(..., description="UN/CEFACT Recommendation 20 code of the canonical unit.")
    raw: str
    display: str


class VariantOut(Schema):
    id: int
    reference: str
    label: str
    udi_di: str
    capacity_per_year: int | None = Field(None, description="Commercial: null for those who may not see it.")
    unit_price: Decimal | None = Field(
        None, description="The variant's own price (MAD); null: the product's applies. Commercial, as the product's."
    )
    effective_unit_price: Decimal | None = Field(
        None, description="What the variant costs: its own price, else the product's. Commercial."
    )
    specifications: list[SpecificationOut]


class ProductOut(Schema):
    id: int
    manufacturer_id: int
    manufacturer_name: str
    reference: str
    name_fr: str
    name_ar: str
    name_en: str
    description_fr: str
    emdn: str
    cpv: str | None
    hs: str | None
    risk_class: str
    sterile: bool
    single_use: bool
    latex_free: bool
    status: str
    local_content_share: Decimal | None
    units_per_box: int | None
    boxes_per_carton: int | None
    unit_price: Decimal | None = Field(None, description="Only for buyers, the secretariat and the manufacturer.")
    capacity_per_year: int | None = None
    minimum_order: int | None = None
    lead_time_days: int | None = None


class ProductDetailOut(ProductOut):
    variants: list[VariantOut]


class SpecIn(Schema):
    value: str
    unit: str = ""


class VariantIn(Schema):
    reference: str = Field(..., max_length=64, pattern=FILLED_TEXT, description="Not blank.")
    label: str = Field(..., max_length=120, pattern=FILLED_TEXT, description="Not blank.")
    udi_di: str = Field("", pattern=r"^(\d{14})?$", description="GS1 GTIN-14, check digit included.")
    capacity_per_year: int | None = Field(None, ge=0, le=2_147_483_647)
    unit_price: Amount | None = Field(None, description="MAD; null: the product's price applies.")
    specifications: dict[str, SpecIn] = Field(default_factory=dict, description="attribute key → value and unit")


class DocumentOut(Schema):
    id: int
    kind: str
    title: str
    content_type: str
    size: int
    product_id: int | None


class CertificateOut(Schema):
    id: int
    holder_id: int
    kind: CertificateKind
    number: str
    issuer: str
    notified_body: str
    issued_on: date
    expires_on: date
    status: str
    verified: bool
    product_ids: list[int]
    document_id: int | None


class CertificateIn(Schema):
    holder_id: Id
    kind: CertificateKind
    number: str
    issuer: str
    notified_body: str = ""
    issued_on: Day
    expires_on: Day
    product_ids: list[Id] = Field(default_factory=list)
    document_id: Id | None = None


class AuthorityDecisionIn(Schema):
    action: str = Field(
        ...,
        description="verify, suspend, withdraw, reinstate (certificates); start_review, "
        "approve, refuse, renew, withdraw (registrations); approve, refuse, withdraw (labels)",
    )
    reason: str = ""
    number: str = ""
    valid_from: Day | None = None
    valid_until: Day | None = None


class AuthorityDecisionOut(Schema):
    action: str
    reason: str
    decided_by_id: int | None
    authority_id: int | None
    at: Any


class RegistrationOut(Schema):
    id: int
    product_id: int
    status: str
    number: str
    valid_from: date | None
    valid_until: date | None
    refusal_reason: str
    renewal_of_id: int | None


class RegistrationIn(Schema):
    notes: str = ""
    document_ids: list[Id] = Field(default_factory=list)


class LabelOut(Schema):
    id: int
    product_id: int
    status: str
    local_content_share: Decimal
    valid_until: date | None


class LabelIn(Schema):
    local_content_share: Decimal = Field(..., ge=0, le=100)
    document_ids: list[Id] = Field(default_factory=list)


class EligibilityOut(Schema):
    product_id: int
    on: date
    eligible: bool
    reasons: list[str]
    certificate_ids: list[int]
    registration_id: int | None


class DirectoryProductOut(Schema):
    id: int
    name: str
    manufacturer_id: int
    manufacturer_name: str
    city: str
    region: str
    emdn: str
    certificates: list[str]
    made_in_morocco: bool


# Helpers ---------------------------------------------------------------------------------------------------------


def _spec(spec: Any) -> dict[str, Any]:
    return {
        "attribute": spec.attribute,
        "value_number": float(spec.value_number) if spec.value_number is not None else None,
        "value_text": spec.value_text,
        "value_bool": spec.value_bool,
        "unit": spec.unit,
        "raw": spec.raw,
        "display": spec.display("fr"),
    }


def _variant(variant: Variant, commercial: bool) -> dict[str, Any]:
    return {
        "id": variant.pk,
        "reference": variant.reference,
        "label": variant.label,
        "udi_di": variant.udi_di,
        "capacity_per_year": variant.capacity_per_year if commercial else None,
        "unit_price": variant.unit_price if commercial else None,
        "effective_unit_price": variant.effective_unit_price if commercial else None,
        "specifications": [_spec(s) for s in variant.specifications.all()],
    }


def _product(actor: Actor, product: Product, *, detail: bool = False) -> dict[str, Any]:
    commercial = policies.can_see_commercial(actor, product)
    data = {
        field: getattr(product, field)
        for field in ProductOut.model_fields
        if field not in ("manufacturer_name", "emdn", "cpv", "hs", "id") and hasattr(product, field)
    }
    data.update(
        id=product.pk,
        manufacturer_name=product.manufacturer.name,
        emdn=product.emdn.code,
        cpv=product.cpv.code if product.cpv_id else None,
        hs=product.hs.code if product.hs_id else None,
    )
    for field in COMMERCIAL_FIELDS:
        data[field] = getattr(product, field) if commercial else None
    if detail:
        data["variants"] = [_variant(v, commercial) for v in selectors.variants_of(actor=actor, product=product)]
    return data


def _certificate(certificate: Certificate) -> dict[str, Any]:
    return {
        **{f: getattr(certificate, f) for f in CertificateOut.model_fields if hasattr(certificate, f)},
        "product_ids": [p.pk for p in certificate.products.all()],
    }


def _documents(actor: Actor, organisation_id: int, ids: list[int]) -> list[ProductDocument]:
    documents = list(permissions.visible(actor, ProductDocument.objects.filter(pk__in=ids)))
    if len(documents) != len(set(ids)) or any(d.organisation_id != organisation_id for d in documents):
        raise NotFound()
    return documents


def _product_form(actor: Actor, data: dict[str, Any], instance: Product | None, manufacturer_id: int) -> ProductForm:
    sites = selectors.sites_of(actor=actor, organisation_id=manufacturer_id)
    return ProductForm(data=data, instance=instance, sites=sites)


def _editable(actor: Actor, product_id: int) -> Product:
    product = selectors.product_get(actor=actor, product_id=product_id)
    if not permissions.can_change(actor, product):
        if not policies.can_read_private(actor, product.manufacturer_id):
            raise NotFound()
        raise Forbidden()
    return product


# Products ----------------------------------------------------------------------------------------------------------


@router.get("/products", response=list[ProductOut], auth=OptionalAuth(), summary="Products I can see")
def list_products(
    request: HttpRequest,
    q: str | None = None,
    manufacturer_id: Id | None = None,
    status: str | None = None,
    emdn_category: str | None = None,
    limit: Limit500 = 100,
    offset: Offset = 0,
) -> list:
    """Published products of listed manufacturers, and my organisations' own. `q` ignores accents and case."""
    actor = actor_for(request.user)
    products = selectors.product_list(
        actor=actor, manufacturer_id=manufacturer_id, q=q, status=status, emdn_category=emdn_category
    ).select_related("cpv", "hs")
    offset = max(0, offset)
    return [_product(actor, p) for p in products[offset : offset + max(1, min(limit, 500))]]


@router.get(
    "/products/export.xlsx",
    summary="A manufacturer's catalogue as xlsx (one row per variant, the columns of the catalog.products import)",
)
def export_products(request: HttpRequest, organisation_id: Id | None = None) -> HttpResponse:
    """The manufacturer's people only (it holds prices and capacities). Without `organisation_id`: my first
    manufacturer. Edit the file and import it again through /api/v1/imports/ with the kind "catalog.products"."""
    actor = actor_for(request.user)
    manufacturer = exports.readable_manufacturer(actor, organisation_id)
    content, filename = exports.export_catalogue(actor=actor, manufacturer=manufacturer)
    response = HttpResponse(content, content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.get("/products/{product_id}", response=ProductDetailOut, auth=OptionalAuth(), summary="One product")
def get_product(request: HttpRequest, product_id: Id) -> dict:
    actor = actor_for(request.user)
    return _product(actor, selectors.product_get(actor=actor, product_id=product_id), detail=True)


@router.post("/products", response={201: ProductDetailOut}, summary="Create a product (draft)")
def create_product(request: HttpRequest, payload: ProductIn) -> Status[dict]:
    actor = actor_for(request.user)
    manufacturers = selectors.my_manufacturers(actor=actor, writable=True)
    manufacturer = (
        manufacturers.filter(pk=payload.manufacturer_id).first() if payload.manufacturer_id else manufacturers.first()
    )
    if manufacturer is None:
        raise NotFound() if payload.manufacturer_id else Forbidden()
    data = payload.dict(exclude={"manufacturer_id"})
    form = _product_form(
        actor, {k: v for k, v in data.items() if v is not None and v is not False}, None, manufacturer.pk
    )
    validated(form)
    product = services.product_create(actor=actor, manufacturer=manufacturer, **form.service_fields())
    return Status(201, _product(actor, product, detail=True))


@router.patch("/products/{product_id}", response=ProductDetailOut, summary="Change a product")
def patch_product(request: HttpRequest, product_id: Id, payload: ProductPatch) -> dict:
    actor = actor_for(request.user)
    product = _editable(actor, product_id)
    changes = payload.dict(exclude_unset=True)
    current = {f: getattr(product, f) for f in ProductForm.Meta.fields}
    current["site"] = product.site_id
    current.update(
        emdn_code=product.emdn.code,
        cpv_code=product.cpv.code if product.cpv_id else "",
        hs_code=product.hs.code if product.hs_id else "",
    )
    merged = {**current, **changes}
    form = _product_form(
        actor, {k: v for k, v in merged.items() if v is not None and v is not False}, product, product.manufacturer_id
    )
    validated(form)
    product = services.product_update(actor=actor, product=product, **form.service_fields())
    return _product(actor, selectors.product_get(actor=actor, product_id=product.pk), detail=True)


@router.post("/products/{product_id}/publish", response=ProductDetailOut, summary="Publish a product")
def publish_product(request: HttpRequest, product_id: Id) -> dict:
    actor = actor_for(request.user)
    product = services.product_publish(actor=actor, product=_editable(actor, product_id))
    return _product(actor, selectors.product_get(actor=actor, product_id=product.pk), detail=True)


@router.post("/products/{product_id}/archive", response=ProductDetailOut, summary="Archive a product")
def archive_product(request: HttpRequest, product_id: Id) -> dict:
    actor = actor_for(request.user)
    product = services.product_archive(actor=actor, product=_editable(actor, product_id))
    return _product(actor, selectors.product_get(actor=actor, product_id=product.pk), detail=True)


@router.get(
    "/products/{product_id}/eligibility", response=EligibilityOut, auth=OptionalAuth(), summary="Eligible on a date?"
)
def product_eligibility(request: HttpRequest, product_id: Id, on: Day | None = None) -> dict:
    """Whether the product may be sold to a hospital on `on` (default today), with the reasons if not (for the
    manufacturer's people, its secretariat, the authorities and buyers; an empty list for others)."""
    actor = actor_for(request.user)
    product = selectors.product_get(actor=actor, product_id=product_id)
    day = on or timezone.localdate()
    result = selectors.product_eligibility(product, day)
    return {
        "product_id": product.pk,
        "on": day,
        "eligible": result.eligible,
        "reasons": result.reasons if policies.can_see_regulatory_reasons(actor, product) else [],
        "certificate_ids": [c.id for c in result.valid_certificates],
        "registration_id": result.registration.id if result.registration else None,
    }


# Variants and specifications -----------------------------------------------------------------------------------------


def _specifications(payload: dict[str, SpecIn]) -> dict[str, tuple[str, str]]:
    return {key: (spec.value, spec.unit) for key, spec in payload.items()}


@router.post("/products/{product_id}/variants", response={201: VariantOut}, summary="Add a variant")
def create_variant(request: HttpRequest, product_id: Id, payload: VariantIn) -> Status[dict]:
    actor = actor_for(request.user)
    product = _editable(actor, product_id)
    data = validated(VariantForm(data=payload.dict(exclude={"specifications"})))
    data["udi_di"] = data.get("udi_di") or ""
    variant = services.variant_create(
        actor=actor, product=product, specifications=_specifications(payload.specifications), **data
    )
    return Status(201, _variant(variant, True))


@router.put("/variants/{variant_id}", response=VariantOut, summary="Replace a variant and its specifications")
def put_variant(request: HttpRequest, variant_id: Id, payload: VariantIn) -> dict:
    actor = actor_for(request.user)
    variant = permissions.get_visible_or_404(actor, Variant.objects.select_related("product"), pk=variant_id)
    _editable(actor, variant.product_id)
    data = validated(VariantForm(data=payload.dict(exclude={"specifications"})))
    data["udi_di"] = data.get("udi_di") or ""
    from django.db import transaction

    with transaction.atomic():
        variant = services.variant_update(actor=actor, variant=variant, **data)
        services.variant_set_specifications(
            actor=actor, variant=variant, specifications=_specifications(payload.specifications)
        )
    return _variant(variant, True)


@router.delete("/variants/{variant_id}", response={204: None}, summary="Delete a variant")
def delete_variant(request: HttpRequest, variant_id: Id) -> Status[None]:
    actor = actor_for(request.user)
    variant = permissions.get_visible_or_404(actor, Variant.objects.select_related("product"), pk=variant_id)
    _editable(actor, variant.product_id)
    services.variant_delete(actor=actor, variant=variant)
    return Status(204, None)


# Documents ---------------------------------------------------------------------------------------------------------


@router.post("/documents", response={201: DocumentOut}, summary="Upload a document (multipart)")
def upload_document(
    request: HttpRequest,
    file: File[UploadedFile],
    kind: Form[DocumentKind],
    organisation_id: Form[Id],
    product_id: Form[Id | None] = None,
    title: Form[str] = "",
) -> Status[Any]:
    """PDF, PNG or JPEG, checked by content; 10 MB at most."""
    actor = actor_for(request.user)
    manufacturer = selectors.my_manufacturers(actor=actor, writable=True).filter(pk=organisation_id).first()
    if manufacturer is None:
        raise NotFound()
    product = _editable(actor, product_id) if product_id else None
    document = services.document_upload(
        actor=actor, organisation=manufacturer, product=product, file=file, kind=kind, title=title
    )
    return Status(201, document)


# Certificates ------------------------------------------------------------------------------------------------------


@router.get("/certificates", response=list[CertificateOut], summary="Certificates I can see")
def list_certificates(request: HttpRequest, holder_id: Id | None = None, status: str | None = None) -> list:
    actor = actor_for(request.user)
    certificates = selectors.certificate_list(actor=actor, holder_id=holder_id, status=status).prefetch_related(
        "products"
    )
    return [_certificate(c) for c in certificates[:500]]


@router.get("/certificates/{certificate_id}", response=CertificateOut, summary="One certificate")
def get_certificate(request: HttpRequest, certificate_id: Id) -> dict:
    return _certificate(selectors.certificate_get(actor=actor_for(request.user), certificate_id=certificate_id))


@router.post("/certificates", response={201: CertificateOut}, summary="Record a certificate (holder)")
def create_certificate(request: HttpRequest, payload: CertificateIn) -> Status[dict]:
    actor = actor_for(request.user)
    holder = selectors.my_manufacturers(actor=actor, writable=True).filter(pk=payload.holder_id).first()
    if holder is None:
        raise NotFound()
    products = list(Product.objects.filter(manufacturer=holder, pk__in=payload.product_ids))
    if len(products) != len(set(payload.product_ids)):
        raise NotFound()
    validated(
        CertificateForm(
            data={**payload.dict(exclude={"product_ids", "document_id"}), "products": [p.pk for p in products]},
            products=Product.objects.filter(manufacturer=holder),
        )
    )
    document = _documents(actor, holder.pk, [payload.document_id])[0] if payload.document_id else None
    certificate = services.certificate_create(
        actor=actor,
        holder=holder,
        kind=payload.kind,
        number=payload.number,
        issuer=payload.issuer,
        notified_body=payload.notified_body,
        issued_on=payload.issued_on,
        expires_on=payload.expires_on,
        products=products,
        document=document,
    )
    return Status(201, _certificate(certificate))


@router.post("/certificates/{certificate_id}/decisions", response=CertificateOut, summary="IMANOR's decision")
def decide_certificate(request: HttpRequest, certificate_id: Id, payload: AuthorityDecisionIn) -> dict:
    actor = actor_for(request.user)
    certificate = selectors.certificate_get(actor=actor, certificate_id=certificate_id)
    actions: dict[str, Callable[..., Certificate]] = {
        "verify": services.certificate_verify,
        "suspend": services.certificate_suspend,
        "withdraw": services.certificate_withdraw,
        "reinstate": services.certificate_reinstate,
    }
    if payload.action not in actions:
        raise DomainError(_("Unknown decision."), details={"action": [_("Unknown decision.")]})
    certificate = actions[payload.action](actor=actor, certificate=certificate, reason=payload.reason)
    return _certificate(certificate)


@router.get("/certificates/{certificate_id}/decisions", response=list[AuthorityDecisionOut], summary="Decision history")
def certificate_decisions(request: HttpRequest, certificate_id: Id) -> list:
    certificate = selectors.certificate_get(actor=actor_for(request.user), certificate_id=certificate_id)
    return list(certificate.decisions.all())


# Registrations -----------------------------------------------------------------------------------------------------


@router.post(
    "/products/{product_id}/registrations", response={201: RegistrationOut}, summary="Apply for DMP registration"
)
def apply_registration(request: HttpRequest, product_id: Id, payload: RegistrationIn) -> Status[Any]:
    actor = actor_for(request.user)
    product = _editable(actor, product_id)
    documents = _documents(actor, product.manufacturer_id, payload.document_ids)
    registration = services.registration_apply(actor=actor, product=product, documents=documents, notes=payload.notes)
    return Status(201, registration)


@router.get("/registrations", response=list[RegistrationOut], summary="Registrations I can see")
def list_registrations(request: HttpRequest, status: str | None = None) -> list:
    return list(selectors.registration_list(actor=actor_for(request.user), status=status)[:500])


@router.get("/registrations/{registration_id}", response=RegistrationOut, summary="One registration")
def get_registration(request: HttpRequest, registration_id: Id) -> RegistrationApplication:
    return selectors.registration_get(actor=actor_for(request.user), registration_id=registration_id)


@router.post("/registrations/{registration_id}/decisions", response=RegistrationOut, summary="The DMP's decision")
def decide_registration(
    request: HttpRequest, registration_id: Id, payload: AuthorityDecisionIn
) -> RegistrationApplication:
    actor = actor_for(request.user)
    registration = selectors.registration_get(actor=actor, registration_id=registration_id)
    if payload.action == "start_review":
        return services.registration_start_review(actor=actor, registration=registration)
    if payload.action == "approve":
        return services.registration_approve(
            actor=actor,
            registration=registration,
            number=payload.number,
            valid_from=payload.valid_from,  # type: ignore[arg-type]
            valid_until=payload.valid_until,  # type: ignore[arg-type]
        )
    if payload.action == "refuse":
        return services.registration_refuse(actor=actor, registration=registration, reason=payload.reason)
    if payload.action == "renew":
        return services.registration_renew(actor=actor, registration=registration)
    if payload.action == "withdraw":
        return services.registration_withdraw(actor=actor, registration=registration)
    raise DomainError(_("Unknown decision."), details={"action": [_("Unknown decision.")]})


@router.get(
    "/registrations/{registration_id}/decisions", response=list[AuthorityDecisionOut], summary="Decision history"
)
def registration_decisions(request: HttpRequest, registration_id: Id) -> list:
    registration = selectors.registration_get(actor=actor_for(request.user), registration_id=registration_id)
    return list(registration.decisions.all())


# Labels ------------------------------------------------------------------------------------------------------------


@router.post("/products/{product_id}/labels", response={201: LabelOut}, summary="Apply for the Made in Morocco label")
def apply_label(request: HttpRequest, product_id: Id, payload: LabelIn) -> Status[Any]:
    actor = actor_for(request.user)
    product = _editable(actor, product_id)
    documents = _documents(actor, product.manufacturer_id, payload.document_ids)
    label = services.label_apply(
        actor=actor, product=product, local_content_share=payload.local_content_share, documents=documents
    )
    return Status(201, label)


@router.get("/labels/{label_id}", response=LabelOut, auth=OptionalAuth(), summary="One label application")
def get_label(request: HttpRequest, label_id: Id) -> LabelApplication:
    return selectors.label_get(actor=actor_for(request.user), label_id=label_id)


@router.post("/labels/{label_id}/decisions", response=LabelOut, summary="IMANOR's label decision")
def decide_label(request: HttpRequest, label_id: Id, payload: AuthorityDecisionIn) -> LabelApplication:
    actor = actor_for(request.user)
    label = selectors.label_get(actor=actor, label_id=label_id)
    if payload.action == "approve":
        return services.label_approve(actor=actor, label=label, valid_until=payload.valid_until)  # type: ignore[arg-type]
    if payload.action == "refuse":
        return services.label_refuse(actor=actor, label=label, reason=payload.reason)
    if payload.action == "withdraw":
        return services.label_withdraw(actor=actor, label=label, reason=payload.reason)
    raise DomainError(_("Unknown decision."), details={"action": [_("Unknown decision.")]})


# Public directory ----------------------------------------------------------------------------------------------------


@router.get("/directory", response=list[DirectoryProductOut], auth=OptionalAuth(), summary="Public directory search")
def directory(
    request: HttpRequest,
    q: str | None = None,
    category: str | None = None,
    certificate: str | None = None,
    label: bool = False,
    region: str | None = None,
    city: str | None = None,
    limit: Limit200 = 50,
    offset: Offset = 0,
) -> list:
    """Eligible published products of listed manufacturers today; public fields only (no price, no capacity)."""
    today = timezone.localdate()
    products = list(
        selectors.directory_products(
            on=today,
            q=q,
            emdn_category=(category or "").upper()[:1] or None,
            certificate_kind=certificate,
            labelled=label,
            region=region,
            city=city,
        )[max(0, offset) : max(0, offset) + max(1, min(limit, 200))]
    )
    ids = [p.pk for p in products]
    kinds = selectors.public_certificate_kinds(ids, {p.manufacturer_id for p in products}, today)
    labelled = selectors.labelled_product_ids(today, ids)
    language = request.LANGUAGE_CODE if hasattr(request, "LANGUAGE_CODE") else "fr"
    return [
        {
            "id": p.pk,
            "name": p.name_in(language),
            "manufacturer_id": p.manufacturer_id,
            "manufacturer_name": p.manufacturer.name,
            "city": (p.site.city if p.site else "") or p.manufacturer.city,
            "region": (p.site.region if p.site else "") or p.manufacturer.region,
            "emdn": p.emdn.code,
            "certificates": sorted(kinds.get(p.pk, ())),
            "made_in_morocco": p.pk in labelled,
        }
        for p in products
    ]
