"""Reads of the catalogue, always scoped by the permission policies (tawrid.catalog.policies).

`facts_for_products` loads what the eligibility rule needs for any number of products in a constant number
of queries; `eligible_product_ids_on` and the directory selectors build on it.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from tawrid.accounts.models import Organisation, OrganisationKind
from tawrid.catalog.eligibility import (
    DEFAULT_REQUIRED_CERTIFICATES,
    CertificateFacts,
    Eligibility,
    ProductFacts,
    RegistrationFacts,
    eligibility,
)
from tawrid.catalog.models import (
    Certificate,
    CertificateStatus,
    LabelApplication,
    LabelStatus,
    Product,
    ProductDocument,
    ProductionSite,
    ProductStatus,
    RegistrationApplication,
    RegistrationStatus,
    Variant,
    VariantSpecification,
)
from tawrid.catalog.policies import is_dmp, is_imanor
from tawrid.core import permissions
from tawrid.core.permissions import Actor
from tawrid.core.text import search_terms

SUPPLIER_KINDS = (OrganisationKind.MANUFACTURER, OrganisationKind.STARTUP)


# Eligibility facts ---------------------------------------------------------------------------------------------


def facts_for_products(product_rows: Iterable[tuple[int, int]]) -> dict[int, ProductFacts]:
    """Eligibility facts of (product id, manufacturer id) pairs, in three queries whatever their number."""
    pairs = dict(product_rows)
    if not pairs:
        return {}
    manufacturer_ids = set(pairs.values())
    certificates = (
        Certificate.objects.filter(holder_id__in=manufacturer_ids)
        .filter(Q(products__isnull=True) | Q(products__in=list(pairs)))
        .distinct()
        .prefetch_related(Prefetch("products", queryset=Product.objects.only("pk")))
    )
    by_holder: dict[int, list[CertificateFacts]] = defaultdict(list)
    for c in certificates:
        by_holder[c.holder_id].append(
            CertificateFacts(
                id=c.pk,
                kind=c.kind,
                number=c.number,
                holder_id=c.holder_id,
                product_ids=frozenset(p.pk for p in c.products.all()),
                status=c.status,
                verified=c.verified,
                issued_on=c.issued_on,
                expires_on=c.expires_on,
            )
        )
    registrations: dict[int, list[RegistrationFacts]] = defaultdict(list)
    for r in RegistrationApplication.objects.filter(product_id__in=list(pairs)).values(
        "pk", "product_id", "status", "number", "valid_from", "valid_until"
    ):
        registrations[r["product_id"]].append(
            RegistrationFacts(
                id=r["pk"],
                product_id=r["product_id"],
                status=r["status"],
                number=r["number"],
                valid_from=r["valid_from"],
                valid_until=r["valid_until"],
            )
        )
    return {
        pid: ProductFacts(
            id=pid,
            manufacturer_id=mid,
            certificates=tuple(c for c in by_holder.get(mid, ()) if not c.product_ids or pid in c.product_ids),
            registrations=tuple(registrations.get(pid, ())),
        )
        for pid, mid in pairs.items()
    }


def product_eligibility(
    product: Product, on: date, *, required_certificates: Iterable[str] = DEFAULT_REQUIRED_CERTIFICATES
) -> Eligibility:
    facts = facts_for_products([(product.pk, product.manufacturer_id)])[product.pk]
    return eligibility(facts, on, required_certificates=tuple(required_certificates))


def eligibilities(products: Iterable[Product], on: date) -> dict[int, Eligibility]:
    facts = facts_for_products((p.pk, p.manufacturer_id) for p in products)
    return {pid: eligibility(f, on) for pid, f in facts.items()}


def _valid_certificate(on: date) -> QuerySet[Certificate]:
    return Certificate.objects.filter(
        holder_id=OuterRef("manufacturer_id"),
        kind__in=DEFAULT_REQUIRED_CERTIFICATES,
        status=CertificateStatus.ACTIVE,
        verified=True,
        issued_on__lte=on,
        expires_on__gte=on,
    ).filter(Q(products__isnull=True) | Q(products=OuterRef("pk")))


def _valid_registration(on: date) -> QuerySet[RegistrationApplication]:
    return RegistrationApplication.objects.filter(
        product_id=OuterRef("pk"),
        status=RegistrationStatus.APPROVED,
        valid_from__lte=on,
        valid_until__gte=on,
    )


def certified_products_on(on: date, queryset: QuerySet[Product] | None = None) -> QuerySet[Product]:
    """Products covered on `on` by an active ISO 13485 certificate verified by IMANOR (the certificate half of
    the eligibility rule)."""
    queryset = queryset if queryset is not None else Product.objects.all()
    return queryset.filter(Exists(_valid_certificate(on)))


def registered_products_on(on: date, queryset: QuerySet[Product] | None = None) -> QuerySet[Product]:
    """Products with an approved DMP registration valid on `on` (the registration half of the rule)."""
    queryset = queryset if queryset is not None else Product.objects.all()
    return queryset.filter(Exists(_valid_registration(on)))


def eligible_products_on(on: date, queryset: QuerySet[Product] | None = None) -> QuerySet[Product]:
    """Products eligible on `on` under the default rule, as a queryset (for the directory and filters).

    The SQL conditions mirror `eligibility.eligibility` exactly; tests check both agree.
    """
    queryset = queryset if queryset is not None else Product.objects.all()
    return queryset.filter(Exists(_valid_certificate(on)), Exists(_valid_registration(on)))


# Products ----------------------------------------------------------------------------------------------------------


def product_list(
    *,
    actor: Actor,
    manufacturer_id: int | None = None,
    q: str | None = None,
    status: str | None = None,
    emdn_category: str | None = None,
) -> QuerySet[Product]:
    products = permissions.visible(actor, Product.objects.all()).select_related("manufacturer", "emdn", "site")
    if manufacturer_id:
        products = products.filter(manufacturer_id=manufacturer_id)
    if status:
        products = products.filter(status=status)
    if emdn_category:
        products = products.filter(emdn__category=emdn_category)
    for term in search_terms(q):
        products = products.filter(search_text__contains=term)
    return products.order_by("manufacturer__name", "name_fr", "pk")


def product_get(*, actor: Actor, product_id: Any) -> Product:
    return permissions.get_visible_or_404(
        actor,
        Product.objects.select_related("manufacturer", "emdn", "cpv", "hs", "site"),
        pk=product_id,
    )


def variants_of(*, actor: Actor, product: Product) -> QuerySet[Variant]:
    # with its product: a variant without a price of its own shows the product's (Variant.effective_unit_price)
    return (
        permissions.visible(actor, Variant.objects.filter(product=product))
        .select_related("product")
        .prefetch_related(Prefetch("specifications", queryset=VariantSpecification.objects.order_by("attribute")))
    )


def documents_of(*, actor: Actor, product: Product) -> QuerySet[ProductDocument]:
    return permissions.visible(actor, ProductDocument.objects.filter(product=product))


def certificates_of_product(*, actor: Actor, product: Product) -> QuerySet[Certificate]:
    return (
        permissions.visible(actor, Certificate.objects.filter(holder_id=product.manufacturer_id))
        .filter(Q(products__isnull=True) | Q(products=product))
        .distinct()
        .order_by("-expires_on")
    )


def registrations_of(*, actor: Actor, product: Product) -> QuerySet[RegistrationApplication]:
    return permissions.visible(actor, RegistrationApplication.objects.filter(product=product)).prefetch_related(
        "decisions"
    )


def labels_of(*, actor: Actor, product: Product) -> QuerySet[LabelApplication]:
    return permissions.visible(actor, LabelApplication.objects.filter(product=product)).prefetch_related("decisions")


def sites_of(*, actor: Actor, organisation_id: int) -> QuerySet[ProductionSite]:
    return permissions.visible(actor, ProductionSite.objects.filter(organisation_id=organisation_id))


def my_manufacturers(*, actor: Actor, writable: bool = False) -> QuerySet[Organisation]:
    """The supplier organisations whose catalogue the actor reads (or edits, with `writable`)."""
    ids = actor.writable_org_ids if writable else actor.readable_org_ids
    return Organisation.objects.filter(pk__in=ids, kind__in=SUPPLIER_KINDS).order_by("name")


# Certificates, registrations, labels --------------------------------------------------------------------------------


def certificate_list(*, actor: Actor, holder_id: int | None = None, status: str | None = None) -> QuerySet[Certificate]:
    certificates = permissions.visible(actor, Certificate.objects.all()).select_related("holder")
    if holder_id:
        certificates = certificates.filter(holder_id=holder_id)
    if status:
        certificates = certificates.filter(status=status)
    return certificates.order_by("expires_on", "pk")


def certificate_get(*, actor: Actor, certificate_id: Any) -> Certificate:
    return permissions.get_visible_or_404(
        actor, Certificate.objects.select_related("holder", "document", "issuer_organisation"), pk=certificate_id
    )


def certificate_review_queue(*, actor: Actor, pending_only: bool = True) -> QuerySet[Certificate]:
    """IMANOR's queue: certificates not verified yet first (the superuser sees it too)."""
    if not (actor.is_superuser or is_imanor(actor)):
        return Certificate.objects.none()
    certificates = Certificate.objects.select_related("holder").prefetch_related("products")
    if pending_only:
        certificates = certificates.filter(verified=False, status=CertificateStatus.ACTIVE)
    return certificates.order_by("verified", "created_at", "pk")


def registration_list(*, actor: Actor, status: str | None = None) -> QuerySet[RegistrationApplication]:
    registrations = permissions.visible(actor, RegistrationApplication.objects.all()).select_related(
        "product", "product__manufacturer"
    )
    if status:
        registrations = registrations.filter(status=status)
    return registrations


def registration_get(*, actor: Actor, registration_id: Any) -> RegistrationApplication:
    return permissions.get_visible_or_404(
        actor,
        RegistrationApplication.objects.select_related("product", "product__manufacturer"),
        pk=registration_id,
    )


def registration_review_queue(*, actor: Actor) -> QuerySet[RegistrationApplication]:
    if not (actor.is_superuser or is_dmp(actor)):
        return RegistrationApplication.objects.none()
    return (
        RegistrationApplication.objects.filter(
            status__in=[RegistrationStatus.SUBMITTED, RegistrationStatus.UNDER_REVIEW]
        )
        .select_related("product", "product__manufacturer")
        .order_by("submitted_at", "pk")
    )


def label_get(*, actor: Actor, label_id: Any) -> LabelApplication:
    return permissions.get_visible_or_404(
        actor, LabelApplication.objects.select_related("product", "product__manufacturer"), pk=label_id
    )


def label_review_queue(*, actor: Actor) -> QuerySet[LabelApplication]:
    if not (actor.is_superuser or is_imanor(actor)):
        return LabelApplication.objects.none()
    return (
        LabelApplication.objects.filter(status=LabelStatus.SUBMITTED)
        .select_related("product", "product__manufacturer")
        .order_by("created_at", "pk")
    )


def labelled_product_ids(on: date, product_ids: Iterable[int] | None = None) -> set[int]:
    labels = LabelApplication.objects.filter(status=LabelStatus.APPROVED, valid_until__gte=on)
    if product_ids is not None:
        labels = labels.filter(product_id__in=list(product_ids))
    return set(labels.values_list("product_id", flat=True))


# Public directory -----------------------------------------------------------------------------------------------------


def directory_products(
    *,
    on: date,
    q: str | None = None,
    emdn_category: str | None = None,
    certificate_kind: str | None = None,
    labelled: bool = False,
    region: str | None = None,
    city: str | None = None,
) -> QuerySet[Product]:
    """Published products of listed manufacturers that are eligible on `on`: what anyone may find.

    Only public columns are loaded (never prices, capacities or documents under review)."""
    products = Product.objects.filter(status=ProductStatus.PUBLISHED, manufacturer__is_public=True)
    products = eligible_products_on(on, products)
    for term in search_terms(q):
        products = products.filter(search_text__contains=term)
    if emdn_category:
        products = products.filter(emdn__category=emdn_category)
    if certificate_kind:
        products = products.filter(
            Exists(
                Certificate.objects.filter(
                    holder_id=OuterRef("manufacturer_id"),
                    kind=certificate_kind,
                    status=CertificateStatus.ACTIVE,
                    verified=True,
                    expires_on__gte=on,
                ).filter(Q(products__isnull=True) | Q(products=OuterRef("pk")))
            )
        )
    if labelled:
        products = products.filter(
            Exists(
                LabelApplication.objects.filter(
                    product_id=OuterRef("pk"), status=LabelStatus.APPROVED, valid_until__gte=on
                )
            )
        )
    if region:
        products = products.filter(Q(site__region=region) | Q(site__isnull=True, manufacturer__region=region))
    if city:
        products = products.filter(Q(site__city=city) | Q(site__isnull=True, manufacturer__city=city))
    return (
        products.select_related("manufacturer", "emdn", "site")
        .only(*DIRECTORY_PRODUCT_FIELDS)
        .order_by("name_fr", "pk")
    )


DIRECTORY_PRODUCT_FIELDS = (
    "id",
    "reference",
    "name_fr",
    "name_ar",
    "name_en",
    "description_fr",
    "description_ar",
    "description_en",
    "risk_class",
    "sterile",
    "single_use",
    "latex_free",
    "status",
    "manufacturer__id",
    "manufacturer__name",
    "manufacturer__city",
    "manufacturer__region",
    "manufacturer__slug",
    "emdn__code",
    "emdn__term",
    "emdn__category",
    "site__id",
    "site__city",
    "site__region",
    "site__name",
)


def directory_manufacturers(*, on: date, q: str | None = None) -> QuerySet[Organisation]:
    """Listed suppliers with at least one eligible product today, or matching the words."""
    eligible = directory_products(on=on).values("manufacturer_id")
    manufacturers = Organisation.objects.filter(kind__in=SUPPLIER_KINDS, is_public=True, pk__in=eligible)
    for term in search_terms(q):
        manufacturers = manufacturers.filter(search_text__contains=term)
    return manufacturers.order_by("name")


def directory_product_get(*, product_id: Any, on: date) -> Product:
    from tawrid.core.errors import NotFound

    try:
        return directory_products(on=on).get(pk=product_id)
    except (Product.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def directory_manufacturer_get(*, slug: str) -> Organisation:
    from tawrid.core.errors import NotFound

    try:
        return Organisation.objects.get(slug=slug, kind__in=SUPPLIER_KINDS, is_public=True)
    except Organisation.DoesNotExist:
        raise NotFound() from None


def directory_facets(*, on: date) -> dict[str, list[Any]]:
    """The values offered by the directory's filters (from the eligible products only)."""
    eligible = directory_products(on=on)
    categories = sorted(set(eligible.values_list("emdn__category", flat=True)))
    regions = sorted({r for pair in eligible.values_list("site__region", "manufacturer__region") for r in pair if r})
    cities = sorted({c for pair in eligible.values_list("site__city", "manufacturer__city") for c in pair if c})
    return {"categories": categories, "regions": regions, "cities": cities}


def public_certificate_kinds(
    product_ids: Iterable[int], manufacturer_ids: Iterable[int], on: date
) -> dict[int, set[str]]:
    """Valid certificate kinds per product (public facts: kind only) for the directory's badges."""
    ids = list(product_ids)
    result: dict[int, set[str]] = {pid: set() for pid in ids}
    rows = (
        Certificate.objects.filter(
            holder_id__in=list(manufacturer_ids),
            status=CertificateStatus.ACTIVE,
            verified=True,
            issued_on__lte=on,
            expires_on__gte=on,
        )
        .values_list("kind", "holder_id", "products")
        .distinct()
    )
    products = Product.objects.filter(pk__in=ids).values_list("pk", "manufacturer_id")
    by_holder: dict[int, list[tuple[str, int | None]]] = defaultdict(list)
    for kind, holder_id, covered_id in rows:
        by_holder[holder_id].append((kind, covered_id))
    for pid, mid in products:
        for kind, scoped_id in by_holder.get(mid, ()):
            if scoped_id is None or scoped_id == pid:
                result[pid].add(kind)
    return result
