"""The catalogue's permission matrix: products, variants, specifications, documents, production sites,
certificates, registrations, labels, their decisions and the expiry reminders (see tawrid/catalog/policies.py)."""

import pytest
from django.urls import reverse

from tawrid.catalog import models as catalog
from tests.permission_matrix.framework import Scene, Table, api_change, api_read, page_read
from tests.permission_matrix.world import A_READERS, A_WRITERS, ALL, NOBODY

pytestmark = pytest.mark.django_db

EDITORS = A_WRITERS | {"superuser"}  # the manufacturer's administrators and members, the operator
IMANOR_TOO = A_READERS | {"imanor"}
DMP_TOO = A_READERS | {"ministry_health"}
AUTHORITIES_TOO = A_READERS | {"imanor", "ministry_health"}


def product_read_api(s: Scene) -> bool:
    return api_read(s, f"/catalog/products/{s.w.product_a.pk}", lambda body: body["id"] == s.w.product_a.pk)


def product_read_page(s: Scene) -> bool:
    return page_read(s, reverse("catalog:directory_product", args=[s.w.product_a.pk]), s.w.product_a.name_fr)


def product_change_api(s: Scene) -> bool:
    pk = s.w.product_a.pk
    return api_change(
        s,
        "patch",
        f"/catalog/products/{pk}",
        {"name_en": "Changed by the matrix"},
        lambda: catalog.Product.objects.get(pk=pk).name_en == "Changed by the matrix",
    )


def draft_read_api(s: Scene) -> bool:
    return api_read(s, f"/catalog/products/{s.w.draft_product.pk}")


def draft_read_page(s: Scene) -> bool:
    return page_read(s, reverse("catalog:product_detail", args=[s.w.draft_product.pk]), "A-DRAFT")


def certificate_read_api(s: Scene) -> bool:
    return api_read(s, f"/catalog/certificates/{s.w.certificate.pk}")


def certificate_read_page(s: Scene) -> bool:
    return page_read(s, reverse("catalog:certificate_detail", args=[s.w.certificate.pk]), s.w.certificate.number)


def certificate_decision_read_api(s: Scene) -> bool:
    return api_read(s, f"/catalog/certificates/{s.w.certificate.pk}/decisions", lambda body: len(body) >= 1)


def registration_read_api(s: Scene) -> bool:
    return api_read(s, f"/catalog/registrations/{s.w.registration.pk}")


def registration_read_page(s: Scene) -> bool:
    url = reverse("catalog:registration_detail", args=[s.w.registration.pk])
    return page_read(s, url, s.w.registration.number)


def registration_decision_read_api(s: Scene) -> bool:
    return api_read(s, f"/catalog/registrations/{s.w.registration.pk}/decisions", lambda body: len(body) >= 1)


def label_read_api(s: Scene) -> bool:
    return api_read(s, f"/catalog/labels/{s.w.label.pk}")


def label_read_page(s: Scene) -> bool:
    return page_read(s, reverse("catalog:label_detail", args=[s.w.label.pk]), s.w.product_a.name_fr)


def evidence_read_page(s: Scene) -> bool:
    return _download(s, s.w.evidence)


def data_sheet_read_page(s: Scene) -> bool:
    return _download(s, s.w.data_sheet)


def _download(s: Scene, document: catalog.ProductDocument) -> bool:
    response = s.page("get", reverse("catalog:document_download", args=[document.pk]))
    if response.status_code == 200:
        return True
    s.denied_page(response)
    return False


TABLE = Table(
    models={
        catalog.Product: "product",
        catalog.Variant: "variant",
        catalog.VariantSpecification: "specification",
        catalog.ProductDocument: "evidence_document",
        catalog.ProductionSite: "production_site",
        catalog.Certificate: "certificate",
        catalog.CertificateDecision: "certificate_decision",
        catalog.RegistrationApplication: "registration",
        catalog.RegistrationDecision: "registration_decision",
        catalog.LabelApplication: "label",
        catalog.LabelDecision: "label_decision",
        catalog.ExpiryReminder: "expiry_reminder",
    },
    objects={
        "product": lambda w: w.product_a,
        "draft_product": lambda w: w.draft_product,
        "variant": lambda w: w.variant,
        "specification": lambda w: w.spec,
        "evidence_document": lambda w: w.evidence,
        "public_document": lambda w: w.data_sheet,
        "production_site": lambda w: w.site,
        "certificate": lambda w: w.certificate,
        "certificate_decision": lambda w: w.certificate_decision,
        "registration": lambda w: w.registration,
        "registration_decision": lambda w: w.registration_decision,
        "label": lambda w: w.label,
        "label_decision": lambda w: w.label_decision,
        "expiry_reminder": lambda w: w.reminder,
    },
    matrix={
        # A published product of a listed manufacturer: anyone reads it; its manufacturer's writers change it.
        "product": {"read": ALL, "read_api": ALL, "read_page": ALL, "change": EDITORS, "change_api": EDITORS},
        # A draft: the manufacturer's side and the authorities who decide on products.
        "draft_product": {
            "read": AUTHORITIES_TOO,
            "read_api": AUTHORITIES_TOO,
            "read_page": AUTHORITIES_TOO,
            "change": EDITORS,
        },
        "variant": {"read": ALL, "change": EDITORS},
        "specification": {"read": ALL, "change": EDITORS},
        # Evidence (a certificate file): the owner's side and IMANOR; a data sheet of a published product: anyone.
        "evidence_document": {"read": IMANOR_TOO, "read_page": IMANOR_TOO, "change": EDITORS},
        "public_document": {"read": ALL, "read_page": ALL, "change": EDITORS},
        "production_site": {"read": ALL, "change": EDITORS},
        "certificate": {"read": IMANOR_TOO, "read_api": IMANOR_TOO, "read_page": IMANOR_TOO, "change": EDITORS},
        "certificate_decision": {"read": IMANOR_TOO, "read_api": IMANOR_TOO, "change": NOBODY},
        "registration": {"read": DMP_TOO, "read_api": DMP_TOO, "read_page": DMP_TOO, "change": EDITORS},
        "registration_decision": {"read": DMP_TOO, "read_api": DMP_TOO, "change": NOBODY},
        # A label application under review (not approved, so not public).
        "label": {"read": IMANOR_TOO, "read_api": IMANOR_TOO, "read_page": IMANOR_TOO, "change": EDITORS},
        "label_decision": {"read": IMANOR_TOO, "change": NOBODY},
        "expiry_reminder": {"read": frozenset({"superuser"}), "change": NOBODY},
    },
    checks={
        ("product", "read_api"): product_read_api,
        ("product", "read_page"): product_read_page,
        ("product", "change_api"): product_change_api,
        ("draft_product", "read_api"): draft_read_api,
        ("draft_product", "read_page"): draft_read_page,
        ("evidence_document", "read_page"): evidence_read_page,
        ("public_document", "read_page"): data_sheet_read_page,
        ("certificate", "read_api"): certificate_read_api,
        ("certificate", "read_page"): certificate_read_page,
        ("certificate_decision", "read_api"): certificate_decision_read_api,
        ("registration", "read_api"): registration_read_api,
        ("registration", "read_page"): registration_read_page,
        ("registration_decision", "read_api"): registration_decision_read_api,
        ("label", "read_api"): label_read_api,
        ("label", "read_page"): label_read_page,
    },
)


@pytest.mark.parametrize(("role", "kind", "op"), TABLE.cases(), ids=TABLE.ids())
def test_catalog_permission_matrix(scene_for, role: str, kind: str, op: str) -> None:
    TABLE.check(scene_for(role), kind, op)
