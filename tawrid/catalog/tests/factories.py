"""Factories and a small regulated world for the catalogue's tests."""

from datetime import date, timedelta

import factory

from tawrid.accounts.models import OrganisationKind, Role
from tawrid.accounts.tests.factories import OrganisationFactory, World, person_in
from tawrid.catalog.models import (
    Certificate,
    CertificateKind,
    CertificateStatus,
    Product,
    ProductStatus,
    RegistrationApplication,
    RegistrationStatus,
    Variant,
)
from tawrid.core.text import fold
from tawrid.nomenclature.models import EmdnCode


def emdn(code: str = "T010101", term: str = "Nitrile examination gloves") -> EmdnCode:
    """An EMDN code with its ancestors (the real file is not needed for the catalogue's tests)."""
    parent = None
    for level in range(1, (len(code) + 1) // 2 + 1):
        part = code[: level * 2 - 1]
        parent, _created = EmdnCode.objects.get_or_create(
            code=part,
            defaults={
                "term": term if part == code else f"Group {part}",
                "category": code[0],
                "level": level,
                "parent": parent,
                "is_terminal": part == code,
                "search_text": fold(f"{part} {term}"),
            },
        )
    assert parent is not None
    return parent


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    manufacturer = factory.SubFactory(OrganisationFactory, kind=OrganisationKind.MANUFACTURER)
    reference = factory.Sequence(lambda n: f"REF-{n:04d}")
    name_fr = factory.Sequence(lambda n: f"Gant d'examen nitrile non poudré {n}")
    emdn = factory.LazyFunction(emdn)
    status = ProductStatus.PUBLISHED
    unit_price = "12.50"
    capacity_per_year = 1_000_000
    search_text = factory.LazyAttribute(lambda o: fold(f"{o.reference} {o.name_fr}"))


class VariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Variant

    product = factory.SubFactory(ProductFactory)
    reference = factory.Sequence(lambda n: f"V-{n:04d}")
    label = "Taille M"


class CertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certificate

    holder = factory.SubFactory(OrganisationFactory)
    kind = CertificateKind.ISO_13485
    number = factory.Sequence(lambda n: f"ISO-{n:05d}")
    issuer = "Bureau Veritas Maroc"
    issued_on = date(2024, 1, 1)
    expires_on = date(2029, 1, 1)  # as long as the registrations: tests must not expire with the calendar
    status = CertificateStatus.ACTIVE
    verified = True


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegistrationApplication

    product = factory.SubFactory(ProductFactory)
    status = RegistrationStatus.APPROVED
    number = factory.Sequence(lambda n: f"DMP-{n:05d}")
    valid_from = date(2024, 1, 1)
    valid_until = date(2029, 1, 1)


def make_eligible(product: Product, *, cert_expires: date = date(2029, 1, 1)) -> Product:
    CertificateFactory(holder=product.manufacturer, expires_on=cert_expires)
    RegistrationFactory(product=product)
    return product


class CatalogWorld(World):
    """The accounts' permission world plus IMANOR, the DMP, a hospital buyer, and a product of each of A and B."""

    def __init__(self) -> None:
        super().__init__()
        self.imanor = OrganisationFactory(name="IMANOR", kind=OrganisationKind.IMANOR)
        self.dmp = OrganisationFactory(name="DMP", kind=OrganisationKind.MINISTRY_HEALTH)
        self.hospital = OrganisationFactory(name="Groupe hospitalier", kind=OrganisationKind.HOSPITAL_GROUP)
        self.imanor_officer = person_in(self.imanor, Role.MEMBER, full_name="Ilham IMANOR")
        self.dmp_officer = person_in(self.dmp, Role.MEMBER, full_name="Driss DMP")
        self.buyer = person_in(self.hospital, Role.MEMBER, full_name="Hind Acheteuse")
        self.product_a = ProductFactory(manufacturer=self.org_a, reference="A-001", status=ProductStatus.PUBLISHED)
        self.draft_a = ProductFactory(manufacturer=self.org_a, reference="A-002", status=ProductStatus.DRAFT)
        self.product_b = ProductFactory(manufacturer=self.org_b, reference="B-001", status=ProductStatus.DRAFT)
        VariantFactory(product=self.product_a)

    @property
    def people(self):
        return {
            **super().people,
            "imanor": self.imanor_officer,
            "dmp": self.dmp_officer,
            "buyer": self.buyer,
        }


def today() -> date:
    from django.utils import timezone

    return timezone.localdate()


def days(n: int) -> timedelta:
    return timedelta(days=n)
