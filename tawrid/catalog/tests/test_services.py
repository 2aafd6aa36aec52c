"""The catalogue's services: what they write, and what they refuse (changing nothing)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tawrid.catalog import services
from tawrid.catalog.models import (
    Certificate,
    CertificateAction,
    CertificateKind,
    CertificateStatus,
    LabelStatus,
    Product,
    ProductDocument,
    ProductStatus,
    RegistrationStatus,
    Variant,
    VariantSpecification,
    gtin_is_valid,
)
from tawrid.catalog.tests.factories import CertificateFactory, VariantFactory, emdn
from tawrid.core.errors import DomainError, Forbidden
from tawrid.core.permissions import actor_for

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def pdf(name="certificat.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


# Products -------------------------------------------------------------------------------------------------------


def test_product_create_fills_search_text_and_checks_the_reference(world):
    actor = actor_for(world.member_a)
    product = services.product_create(
        actor=actor,
        manufacturer=world.org_a,
        reference="GN-M",
        name_fr="Gant d'examen en nitrile non poudré",
        name_ar="قفاز فحص",
        emdn=emdn(),
        sterile=False,
        unit_price=Decimal("0.45"),
    )
    assert product.status == ProductStatus.DRAFT
    assert "gant d'examen en nitrile non poudre" in product.search_text
    assert "قفاز" in product.search_text
    with pytest.raises(DomainError) as refused:
        services.product_create(actor=actor, manufacturer=world.org_a, reference="GN-M", name_fr="Autre", emdn=emdn())
    assert "reference" in refused.value.details
    assert Product.objects.filter(manufacturer=world.org_a, reference="GN-M").count() == 1


def test_the_same_reference_is_allowed_at_another_manufacturer(world):
    services.product_create(
        actor=actor_for(world.admin_b), manufacturer=world.org_b, reference="A-001", name_fr="Seringue", emdn=emdn()
    )
    assert Product.objects.filter(reference="A-001").count() == 2


@pytest.mark.parametrize("who", ["reader_a", "admin_b", "secretariat", "buyer", "imanor", "anonymous"])
def test_only_the_manufacturers_writers_create_or_change_products(world, who):
    actor = actor_for(world.people[who])
    with pytest.raises(Forbidden):
        services.product_create(actor=actor, manufacturer=world.org_a, reference="X", name_fr="X", emdn=emdn())
    with pytest.raises(Forbidden):
        services.product_update(actor=actor, product=world.product_a, name_fr="Changé")
    world.product_a.refresh_from_db()
    assert world.product_a.name_fr != "Changé"
    assert not Product.objects.filter(reference="X").exists()


def test_bad_values_are_refused_with_field_errors(world):
    with pytest.raises(DomainError) as refused:
        services.product_update(
            actor=actor_for(world.admin_a), product=world.product_a, local_content_share=Decimal("120")
        )
    assert "local_content_share" in refused.value.details


def test_a_hospital_has_no_catalogue(world):
    with pytest.raises(DomainError):
        services.product_create(
            actor=actor_for(world.buyer), manufacturer=world.hospital, reference="H", name_fr="H", emdn=emdn()
        )


def test_publish_needs_a_variant_and_archive(world):
    actor = actor_for(world.admin_a)
    with pytest.raises(DomainError):
        services.product_publish(actor=actor, product=world.draft_a)
    VariantFactory(product=world.draft_a)
    assert services.product_publish(actor=actor, product=world.draft_a).status == ProductStatus.PUBLISHED
    assert services.product_archive(actor=actor, product=world.draft_a).status == ProductStatus.ARCHIVED
    with pytest.raises(DomainError):
        services.product_update(actor=actor, product=world.draft_a, name_fr="x")


# Variants, GTIN and specifications ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("gtin", "valid"),
    [
        ("03700123456785", False),
        ("03700123456784", False),
        ("05901234123457", True),
        ("5901234123457", True),
        ("0590123412345", False),
        ("ABCDEFGHIJKLMN", False),
        ("96385074", True),
    ],
)
def test_gtin_check_digit(gtin, valid):
    assert gtin_is_valid(gtin) is valid


def test_variant_with_bad_gtin_is_refused(world):
    with pytest.raises(DomainError) as refused:
        services.variant_create(
            actor=actor_for(world.admin_a), product=world.draft_a, reference="V1", label="G21", udi_di="05901234123458"
        )
    assert "udi_di" in refused.value.details
    assert not Variant.objects.filter(product=world.draft_a).exists()


def test_variant_gtin_is_padded_and_unique(world):
    actor = actor_for(world.admin_a)
    variant = services.variant_create(
        actor=actor, product=world.draft_a, reference="V1", label="G21", udi_di="5901234123457"
    )
    assert variant.udi_di == "05901234123457"
    with pytest.raises(DomainError):
        services.variant_create(
            actor=actor, product=world.draft_a, reference="V2", label="G22", udi_di="05901234123457"
        )


def test_specifications_are_converted_to_canonical_units(world):
    actor = actor_for(world.admin_a)
    variant = services.variant_create(
        actor=actor,
        product=world.draft_a,
        reference="AIG-21-25",
        label="G21 25 mm",
        specifications={"gauge": "21", "needle_length": ("2,5", "CMT"), "sterile": "oui"},
    )
    specs = {s.attribute: s for s in variant.specifications.all()}
    assert specs["needle_length"].value_number == Decimal("25")
    assert specs["needle_length"].unit == "MMT"
    assert specs["needle_length"].raw == "2,5"
    assert specs["gauge"].value_number == Decimal("21")
    assert specs["sterile"].value_bool is True
    assert specs["needle_length"].display("fr") == "2,5 cm"


def test_a_bad_unit_refuses_the_whole_set(world):
    actor = actor_for(world.admin_a)
    variant = VariantFactory(product=world.draft_a)
    services.variant_set_specifications(actor=actor, variant=variant, specifications={"volume": ("5", "MLT")})
    with pytest.raises(DomainError) as refused:
        services.variant_set_specifications(
            actor=actor, variant=variant, specifications={"volume": ("10", "MLT"), "needle_length": ("3", "KGM")}
        )
    assert "needle_length" in refused.value.details
    assert VariantSpecification.objects.get(variant=variant, attribute="volume").value_number == Decimal("5")


def test_an_unknown_attribute_is_refused(world):
    variant = VariantFactory(product=world.draft_a)
    with pytest.raises(DomainError) as refused:
        services.variant_set_specifications(
            actor=actor_for(world.admin_a), variant=variant, specifications={"couleur_magique": "bleu"}
        )
    assert "couleur_magique" in refused.value.details


def test_the_last_variant_of_a_published_product_stays(world):
    variant = world.product_a.variants.get()
    with pytest.raises(DomainError):
        services.variant_delete(actor=actor_for(world.admin_a), variant=variant)
    assert Variant.objects.filter(pk=variant.pk).exists()


# Documents ----------------------------------------------------------------------------------------------------------


def test_document_upload_checks_the_content_not_the_name(world):
    actor = actor_for(world.admin_a)
    document = services.document_upload(
        actor=actor, organisation=world.org_a, product=world.product_a, file=pdf(), kind="data_sheet"
    )
    assert document.content_type == "application/pdf"
    with pytest.raises(DomainError) as refused:
        services.document_upload(
            actor=actor,
            organisation=world.org_a,
            file=pdf("faux.pdf", b"MZ\x90\x00 not a pdf at all"),
            kind="certificate",
        )
    assert refused.value.code == "bad_file_type"
    png = services.document_upload(
        actor=actor, organisation=world.org_a, file=SimpleUploadedFile("photo", PNG), kind="photo"
    )
    assert png.content_type == "image/png" and png.file.name.endswith(".png")
    assert ProductDocument.objects.count() == 2


def test_document_upload_refuses_large_files(world, monkeypatch):
    monkeypatch.setattr(services, "MAX_DOCUMENT_BYTES", 10)
    with pytest.raises(DomainError) as refused:
        services.document_upload(actor=actor_for(world.admin_a), organisation=world.org_a, file=pdf(), kind="ifu")
    assert refused.value.code == "file_too_large"
    assert not ProductDocument.objects.exists()


def test_document_upload_for_another_organisation_is_forbidden(world):
    with pytest.raises(Forbidden):
        services.document_upload(actor=actor_for(world.admin_b), organisation=world.org_a, file=pdf(), kind="ifu")


# Certificates ---------------------------------------------------------------------------------------------------------


def _certificate(world, **extra) -> Certificate:
    values = {
        "actor": actor_for(world.admin_a),
        "holder": world.org_a,
        "kind": CertificateKind.ISO_13485,
        "number": "MA-13485-0042",
        "issuer": "IMANOR",
        "issued_on": date(2025, 1, 1),
        "expires_on": timezone.localdate() + timedelta(days=400),
    }
    values.update(extra)
    return services.certificate_create(**values)


def test_certificate_is_created_unverified_and_verified_by_imanor_only(world):
    certificate = _certificate(world)
    assert not certificate.verified
    for who in ["admin_a", "secretariat", "dmp", "buyer", "admin_b"]:
        with pytest.raises(Forbidden):
            services.certificate_verify(actor=actor_for(world.people[who]), certificate=certificate)
    certificate.refresh_from_db()
    assert not certificate.verified and not certificate.decisions.exists()
    services.certificate_verify(actor=actor_for(world.imanor_officer), certificate=certificate)
    certificate.refresh_from_db()
    assert certificate.verified
    decision = certificate.decisions.get()
    assert decision.action == CertificateAction.VERIFY
    assert decision.authority == world.imanor
    assert decision.decided_by == world.imanor_officer


def test_read_only_imanor_people_cannot_decide(world):
    from tawrid.accounts.models import Role
    from tawrid.accounts.tests.factories import person_in

    watcher = person_in(world.imanor, Role.READ_ONLY)
    with pytest.raises(Forbidden):
        services.certificate_verify(actor=actor_for(watcher), certificate=_certificate(world))


def test_an_expired_certificate_cannot_be_verified(world):
    certificate = CertificateFactory(
        holder=world.org_a, verified=False, expires_on=timezone.localdate() - timedelta(days=1)
    )
    with pytest.raises(DomainError) as refused:
        services.certificate_verify(actor=actor_for(world.imanor_officer), certificate=certificate)
    assert refused.value.code == "expired"
    certificate.refresh_from_db()
    assert not certificate.verified


def test_suspend_and_withdraw_need_a_reason_and_keep_history(world):
    imanor = actor_for(world.imanor_officer)
    certificate = _certificate(world)
    with pytest.raises(DomainError):
        services.certificate_suspend(actor=imanor, certificate=certificate, reason="  ")
    services.certificate_suspend(actor=imanor, certificate=certificate, reason="Audit de surveillance non réalisé")
    services.certificate_reinstate(actor=imanor, certificate=certificate, reason="Audit réalisé")
    services.certificate_withdraw(actor=imanor, certificate=certificate, reason="Non-conformité majeure")
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.WITHDRAWN
    assert list(certificate.decisions.values_list("action", flat=True)) == ["suspend", "reinstate", "withdraw"]
    with pytest.raises(DomainError):
        services.certificate_reinstate(actor=imanor, certificate=certificate)


def test_certificate_dates_and_duplicates(world):
    with pytest.raises(DomainError) as refused:
        _certificate(world, expires_on=date(2024, 1, 1))
    assert "expires_on" in refused.value.details
    _certificate(world)
    with pytest.raises(DomainError) as refused:
        _certificate(world)
    assert refused.value.code == "duplicate"
    with pytest.raises(DomainError) as refused:
        _certificate(world, kind=CertificateKind.CE, number="CE-1")
    assert "notified_body" in refused.value.details


def test_a_certificate_cannot_cover_another_manufacturers_product(world):
    with pytest.raises(Forbidden):
        _certificate(world, products=[world.product_b])


# Registrations --------------------------------------------------------------------------------------------------------


def test_registration_journey_with_history(world):
    registration = services.registration_apply(actor=actor_for(world.admin_a), product=world.product_a)
    assert registration.status == RegistrationStatus.SUBMITTED
    with pytest.raises(DomainError):
        services.registration_apply(actor=actor_for(world.admin_a), product=world.product_a)
    dmp = actor_for(world.dmp_officer)
    with pytest.raises(Forbidden):
        services.registration_start_review(actor=actor_for(world.imanor_officer), registration=registration)
    services.registration_start_review(actor=dmp, registration=registration)
    with pytest.raises(DomainError) as refused:
        services.registration_approve(
            actor=dmp, registration=registration, number="", valid_from=date(2026, 1, 1), valid_until=date(2025, 1, 1)
        )
    assert {"number", "valid_until"} <= set(refused.value.details)
    services.registration_approve(
        actor=dmp,
        registration=registration,
        number="DMP/DM/2026/0001",
        valid_from=date(2026, 1, 1),
        valid_until=date(2031, 1, 1),
    )
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.APPROVED
    assert list(registration.decisions.values_list("action", flat=True)) == ["submit", "start_review", "approve"]
    renewal = services.registration_renew(actor=actor_for(world.member_a), registration=registration)
    assert renewal.renewal_of == registration and renewal.status == RegistrationStatus.SUBMITTED


def test_registration_refusal_needs_a_reason(world):
    registration = services.registration_apply(actor=actor_for(world.admin_a), product=world.product_a)
    dmp = actor_for(world.dmp_officer)
    with pytest.raises(DomainError):
        services.registration_refuse(actor=dmp, registration=registration, reason="")
    services.registration_refuse(actor=dmp, registration=registration, reason="Dossier clinique incomplet")
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.REFUSED
    assert registration.refusal_reason == "Dossier clinique incomplet"


def test_a_registration_number_is_unique(world):
    dmp = actor_for(world.dmp_officer)
    first = services.registration_apply(actor=actor_for(world.admin_a), product=world.product_a)
    services.registration_approve(
        actor=dmp, registration=first, number="N-1", valid_from=date(2026, 1, 1), valid_until=date(2027, 1, 1)
    )
    second = services.registration_apply(actor=actor_for(world.admin_a), product=world.draft_a)
    with pytest.raises(DomainError) as refused:
        services.registration_approve(
            actor=dmp, registration=second, number="N-1", valid_from=date(2026, 1, 1), valid_until=date(2027, 1, 1)
        )
    assert refused.value.code == "duplicate"


# Label ----------------------------------------------------------------------------------------------------------------


def test_label_decided_by_imanor(world):
    label = services.label_apply(
        actor=actor_for(world.admin_a), product=world.product_a, local_content_share=Decimal("62.5")
    )
    with pytest.raises(Forbidden):
        services.label_approve(actor=actor_for(world.dmp_officer), label=label, valid_until=date(2030, 1, 1))
    services.label_approve(
        actor=actor_for(world.imanor_officer), label=label, valid_until=timezone.localdate() + timedelta(days=365)
    )
    label.refresh_from_db()
    assert label.status == LabelStatus.APPROVED
    with pytest.raises(DomainError):
        services.label_withdraw(actor=actor_for(world.imanor_officer), label=label, reason="")
    services.label_withdraw(
        actor=actor_for(world.imanor_officer), label=label, reason="Contenu local inférieur au seuil"
    )
    label.refresh_from_db()
    assert label.status == LabelStatus.WITHDRAWN
    assert list(label.decisions.values_list("action", flat=True)) == ["approve", "withdraw"]


def test_label_share_is_a_percentage(world):
    with pytest.raises(DomainError):
        services.label_apply(
            actor=actor_for(world.admin_a), product=world.product_a, local_content_share=Decimal("101")
        )


def test_certificates_expire(world):
    old = CertificateFactory(holder=world.org_a, expires_on=date(2026, 1, 1))
    current = CertificateFactory(holder=world.org_a, expires_on=date(2026, 1, 2))
    assert services.certificates_expire(on=date(2026, 1, 2)) == 1
    old.refresh_from_db()
    current.refresh_from_db()
    assert old.status == CertificateStatus.EXPIRED and current.status == CertificateStatus.ACTIVE
    assert old.decisions.get().action == CertificateAction.EXPIRE
