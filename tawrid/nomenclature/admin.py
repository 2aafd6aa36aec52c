"""Read-only admin pages of the reference nomenclatures: rows come only from `tawrid load_reference`."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tawrid.core.admin import PolicyAdminMixin
from tawrid.nomenclature.models import (
    CpvCode,
    EmdnCode,
    FdaProductCode,
    HsCode,
    HsConcordance,
    HsSection,
    ReferenceDataset,
)


class ReadOnlyAdmin(PolicyAdminMixin, admin.ModelAdmin):
    """Browse and search only: reference data is changed by reloading its files, never by hand."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(EmdnCode)
class EmdnCodeAdmin(ReadOnlyAdmin):
    list_display = ["code", "term", "level", "is_terminal"]
    list_filter = ["category", "level", "is_terminal"]
    search_fields = ["code", "term"]
    raw_id_fields = ["parent"]


@admin.register(CpvCode)
class CpvCodeAdmin(ReadOnlyAdmin):
    list_display = ["code", "label_fr", "label_en", "kind", "level"]
    list_filter = ["kind", "level"]
    search_fields = ["code", "label_fr", "label_en"]
    raw_id_fields = ["parent"]


@admin.register(HsSection)
class HsSectionAdmin(ReadOnlyAdmin):
    list_display = ["roman", "name"]


@admin.register(HsCode)
class HsCodeAdmin(ReadOnlyAdmin):
    list_display = ["code", "description", "level", "section"]
    list_filter = ["level", "section"]
    search_fields = ["code", "description"]
    raw_id_fields = ["parent"]


@admin.register(HsConcordance)
class HsConcordanceAdmin(ReadOnlyAdmin):
    list_display = ["code_after", "code_before", "relationship", "adjustment"]
    list_filter = ["adjustment", "relationship"]
    search_fields = ["code_after", "code_before"]


@admin.register(FdaProductCode)
class FdaProductCodeAdmin(ReadOnlyAdmin):
    list_display = ["product_code", "device_name", "device_class", "review_panel", "regulation_number"]
    list_filter = ["device_class", "review_panel", "implant", "life_sustaining"]
    search_fields = ["product_code", "device_name", "regulation_number"]


@admin.register(ReferenceDataset)
class ReferenceDatasetAdmin(ReadOnlyAdmin):
    list_display = ["name", "row_count", "loaded_at", "sha256"]
