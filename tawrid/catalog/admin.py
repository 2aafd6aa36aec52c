"""The catalogue in the admin site, under the same permission policies as pages and the API."""

from django.contrib import admin
from django.http import HttpRequest

from tawrid.catalog.models import (
    Certificate,
    CertificateDecision,
    ExpiryReminder,
    LabelApplication,
    LabelDecision,
    Product,
    ProductDocument,
    ProductionSite,
    RegistrationApplication,
    RegistrationDecision,
    Variant,
    VariantSpecification,
)
from tawrid.core.admin import PolicyAdminMixin


class VariantInline(admin.TabularInline):
    model = Variant
    extra = 0
    fields = ["reference", "label", "udi_di", "capacity_per_year", "unit_price", "position"]


class SpecificationInline(admin.TabularInline):
    model = VariantSpecification
    extra = 0


class ReadOnlyHistoryAdmin(PolicyAdminMixin, admin.ModelAdmin):
    """Decision history is written by the services only."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ProductionSite)
class ProductionSiteAdmin(PolicyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "organisation", "city", "region"]
    search_fields = ["name", "city", "organisation__name"]
    raw_id_fields = ["organisation"]


@admin.register(Product)
class ProductAdmin(PolicyAdminMixin, admin.ModelAdmin):
    list_display = ["reference", "name_fr", "manufacturer", "emdn", "status", "risk_class"]
    list_filter = ["status", "risk_class", "sterile", "single_use"]
    search_fields = ["reference", "name_fr", "search_text"]
    list_select_related = ["manufacturer", "emdn"]
    raw_id_fields = ["manufacturer", "site", "emdn", "cpv", "hs"]
    inlines = [VariantInline]


@admin.register(Variant)
class VariantAdmin(PolicyAdminMixin, admin.ModelAdmin):
    list_display = ["reference", "label", "product", "udi_di"]
    search_fields = ["reference", "label", "udi_di"]
    raw_id_fields = ["product"]
    inlines = [SpecificationInline]


@admin.register(ProductDocument)
class ProductDocumentAdmin(PolicyAdminMixin, admin.ModelAdmin):
    list_display = ["title", "kind", "organisation", "product", "content_type", "size", "created_at"]
    list_filter = ["kind", "content_type"]
    raw_id_fields = ["organisation", "product", "uploaded_by"]
    # Files come only through services.document_upload, which checks the content and names the stored file.
    readonly_fields = ["file", "content_type", "size"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Certificate)
class CertificateAdmin(PolicyAdminMixin, admin.ModelAdmin):
    list_display = ["number", "kind", "holder", "issuer", "expires_on", "status", "verified"]
    list_filter = ["kind", "status", "verified"]
    search_fields = ["number", "issuer", "holder__name"]
    raw_id_fields = ["holder", "issuer_organisation", "document"]
    filter_horizontal = ["products", "sites"]
    readonly_fields = ["status", "verified"]  # decided by IMANOR through the services


@admin.register(CertificateDecision)
class CertificateDecisionAdmin(ReadOnlyHistoryAdmin):
    list_display = ["certificate", "action", "decided_by", "authority", "at"]
    list_filter = ["action"]


@admin.register(RegistrationApplication)
class RegistrationAdmin(PolicyAdminMixin, admin.ModelAdmin):
    list_display = ["product", "status", "number", "valid_from", "valid_until"]
    list_filter = ["status"]
    search_fields = ["number", "product__name_fr"]
    raw_id_fields = ["product", "renewal_of"]
    readonly_fields = ["status", "number", "valid_from", "valid_until", "refusal_reason"]


@admin.register(RegistrationDecision)
class RegistrationDecisionAdmin(ReadOnlyHistoryAdmin):
    list_display = ["registration", "action", "decided_by", "authority", "at"]


@admin.register(LabelApplication)
class LabelAdmin(PolicyAdminMixin, admin.ModelAdmin):
    list_display = ["product", "status", "local_content_share", "valid_until"]
    list_filter = ["status"]
    raw_id_fields = ["product"]
    readonly_fields = ["status", "valid_until", "refusal_reason"]


@admin.register(LabelDecision)
class LabelDecisionAdmin(ReadOnlyHistoryAdmin):
    list_display = ["label", "action", "decided_by", "authority", "at"]


@admin.register(ExpiryReminder)
class ExpiryReminderAdmin(ReadOnlyHistoryAdmin):
    list_display = ["object_kind", "object_id", "days_before", "expires_on", "sent_at"]
