"""Who may see and change the catalogue (see tawrid.core.permissions for the common rules).

- Products: published products of listed (`is_public`) manufacturers are anyone's to read, by their public
  fields; drafts, archived products and private fields are read by the manufacturer's people and the
  secretariat of its cluster. IMANOR's and the DMP's people read every product (they decide on them).
  Commercial fields (indicative price, capacities, minimum order, lead time) are a field-visibility
  decision, `can_see_commercial`: the manufacturer's people, its cluster's secretariat and buyers (people of
  hospital groups and hospitals) for published products — never anonymous visitors nor other suppliers.
  Only the manufacturer's administrators and members change a product, its variants and documents.
- Documents: data sheets, instructions and photos of a readable published product are public; evidence
  (certificate, dossier, label) is read by the owner, its secretariat and the authority that decides on it.
- Certificates: the holder's people, its secretariat and IMANOR's people read them; IMANOR decides.
- DMP registrations: the manufacturer's people, its secretariat and the DMP's people; the DMP decides.
- Labels: the manufacturer's people, its secretariat and IMANOR's people; approved labels are public.
- Decisions (history rows) are read like what they decide on and never changed.
"""

from typing import Any

from django.db.models import Q, QuerySet

from tawrid.catalog.models import (
    Certificate,
    CertificateDecision,
    DocumentKind,
    ExpiryReminder,
    LabelApplication,
    LabelDecision,
    Product,
    ProductDocument,
    ProductionSite,
    ProductStatus,
    RegistrationApplication,
    RegistrationDecision,
    Variant,
    VariantSpecification,
)
from tawrid.core import permissions
from tawrid.core.permissions import Actor

BUYER_KINDS = ("hospital_group", "hospital")
IMANOR = "imanor"
DMP = "ministry_health"
PUBLIC_DOCUMENT_KINDS = (DocumentKind.DATA_SHEET, DocumentKind.IFU, DocumentKind.PHOTO)


def is_imanor(actor: Actor, *, writable: bool = False) -> bool:
    return actor.has_kind(IMANOR, writable=writable)


def is_dmp(actor: Actor, *, writable: bool = False) -> bool:
    return actor.has_kind(DMP, writable=writable)


def is_buyer(actor: Actor) -> bool:
    return actor.has_kind(*BUYER_KINDS)


def can_read_private(actor: Actor, manufacturer_id: int | None) -> bool:
    """Drafts, documents under review and every field of the manufacturer's products."""
    return actor.can_read_org(manufacturer_id)


def can_see_commercial(actor: Actor, product: Any) -> bool:
    """Prices and capacities: the owner, its secretariat, and buyers for published products."""
    if can_read_private(actor, product.manufacturer_id):
        return True
    return product.status == ProductStatus.PUBLISHED and is_buyer(actor)


def can_see_regulatory_reasons(actor: Actor, product: Any) -> bool:
    """Why a product is not eligible (which certificate is suspended, which registration expired): those
    who deal with it — its manufacturer's people, its secretariat, the authorities and buyers."""
    return (
        actor.is_superuser
        or can_read_private(actor, product.manufacturer_id)
        or is_imanor(actor)
        or is_dmp(actor)
        or is_buyer(actor)
    )


def can_edit_catalogue(actor: Actor, manufacturer_id: int | None) -> bool:
    return actor.is_superuser or actor.can_write_org(manufacturer_id)


def _public_products() -> Q:
    return Q(status=ProductStatus.PUBLISHED, manufacturer__is_public=True)


def product_scope(actor: Actor, queryset: QuerySet[Any], prefix: str = "") -> QuerySet[Any]:
    if actor.is_superuser or is_imanor(actor) or is_dmp(actor):
        return queryset
    public = Q(**{f"{prefix}status": ProductStatus.PUBLISHED, f"{prefix}manufacturer__is_public": True})
    return queryset.filter(public | Q(**{f"{prefix}manufacturer_id__in": actor.readable_org_ids}))


def _product_change(actor: Actor, product: Any) -> bool:
    return can_edit_catalogue(actor, product.manufacturer_id)


def _variant_scope(actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return product_scope(actor, queryset, "product__")


def _variant_change(actor: Actor, variant: Any) -> bool:
    return can_edit_catalogue(actor, variant.product.manufacturer_id)


def _spec_scope(actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return product_scope(actor, queryset, "variant__product__")


def _spec_change(actor: Actor, spec: Any) -> bool:
    return can_edit_catalogue(actor, spec.variant.product.manufacturer_id)


def _document_scope(actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
    if actor.is_superuser:
        return queryset
    condition = Q(organisation_id__in=actor.readable_org_ids) | Q(
        kind__in=PUBLIC_DOCUMENT_KINDS,
        product__status=ProductStatus.PUBLISHED,
        product__manufacturer__is_public=True,
    )
    if is_imanor(actor):
        condition |= Q(kind__in=[DocumentKind.CERTIFICATE, DocumentKind.LABEL_EVIDENCE])
    if is_dmp(actor):
        condition |= Q(kind=DocumentKind.DOSSIER)
    return queryset.filter(condition)


def _document_change(actor: Actor, document: Any) -> bool:
    return can_edit_catalogue(actor, document.organisation_id)


def certificate_scope(actor: Actor, queryset: QuerySet[Any], prefix: str = "") -> QuerySet[Any]:
    if actor.is_superuser or is_imanor(actor):
        return queryset
    return queryset.filter(**{f"{prefix}holder_id__in": actor.readable_org_ids})


def _certificate_change(actor: Actor, certificate: Any) -> bool:
    return can_edit_catalogue(actor, certificate.holder_id)


def registration_scope(actor: Actor, queryset: QuerySet[Any], prefix: str = "") -> QuerySet[Any]:
    if actor.is_superuser or is_dmp(actor):
        return queryset
    return queryset.filter(**{f"{prefix}product__manufacturer_id__in": actor.readable_org_ids})


def _registration_change(actor: Actor, registration: Any) -> bool:
    return can_edit_catalogue(actor, registration.product.manufacturer_id)


def label_scope(actor: Actor, queryset: QuerySet[Any], prefix: str = "") -> QuerySet[Any]:
    if actor.is_superuser or is_imanor(actor):
        return queryset
    return queryset.filter(
        Q(**{f"{prefix}product__manufacturer_id__in": actor.readable_org_ids})
        | Q(
            **{
                f"{prefix}status": "approved",
                f"{prefix}product__status": ProductStatus.PUBLISHED,
                f"{prefix}product__manufacturer__is_public": True,
            }
        )
    )


def _label_change(actor: Actor, label: Any) -> bool:
    return can_edit_catalogue(actor, label.product.manufacturer_id)


def _site_scope(actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
    if actor.is_superuser:
        return queryset
    return queryset.filter(Q(organisation__is_public=True) | Q(organisation_id__in=actor.readable_org_ids))


def _site_change(actor: Actor, site: Any) -> bool:
    return can_edit_catalogue(actor, site.organisation_id)


def _never(actor: Actor, obj: Any) -> bool:
    return False  # decision history is append-only


def _operator_only(actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset if actor.is_superuser else queryset.none()


def register() -> None:
    permissions.register(Product, permissions.Custom(product_scope, _product_change))
    permissions.register(Variant, permissions.Custom(_variant_scope, _variant_change))
    permissions.register(VariantSpecification, permissions.Custom(_spec_scope, _spec_change))
    permissions.register(ProductDocument, permissions.Custom(_document_scope, _document_change))
    permissions.register(ProductionSite, permissions.Custom(_site_scope, _site_change))
    permissions.register(Certificate, permissions.Custom(certificate_scope, _certificate_change))
    permissions.register(
        CertificateDecision,
        permissions.Custom(lambda a, qs: certificate_scope(a, qs, "certificate__"), _never),
    )
    permissions.register(RegistrationApplication, permissions.Custom(registration_scope, _registration_change))
    permissions.register(
        RegistrationDecision,
        permissions.Custom(lambda a, qs: registration_scope(a, qs, "registration__"), _never),
    )
    permissions.register(LabelApplication, permissions.Custom(label_scope, _label_change))
    permissions.register(LabelDecision, permissions.Custom(lambda a, qs: label_scope(a, qs, "label__"), _never))
    permissions.register(ExpiryReminder, permissions.Custom(_operator_only, _never))
