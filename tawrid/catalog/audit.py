"""The catalogue's models in the audit trail (see tawrid.accounts.audit)."""

from auditlog.registry import auditlog

from tawrid.accounts.audit import _columns


def register_models() -> None:
    from tawrid.catalog.models import (
        Certificate,
        LabelApplication,
        Product,
        ProductDocument,
        ProductionSite,
        RegistrationApplication,
        Variant,
        VariantSpecification,
    )

    auditlog.register(Product, include_fields=_columns(Product, "search_text"))
    auditlog.register(Variant, include_fields=_columns(Variant))
    auditlog.register(VariantSpecification, include_fields=_columns(VariantSpecification))
    auditlog.register(ProductionSite, include_fields=_columns(ProductionSite))
    auditlog.register(ProductDocument, include_fields=_columns(ProductDocument))
    auditlog.register(Certificate, include_fields=_columns(Certificate), m2m_fields={"products", "sites"})
    auditlog.register(RegistrationApplication, include_fields=_columns(RegistrationApplication))
    auditlog.register(LabelApplication, include_fields=_columns(LabelApplication))
