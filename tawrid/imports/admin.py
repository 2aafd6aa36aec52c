from django.contrib import admin
from django.http import HttpRequest

from tawrid.core.admin import PolicyAdminMixin
from tawrid.imports.models import ColumnMapping, ImportRowError, ImportRun


class ImportRowErrorInline(admin.TabularInline):
    model = ImportRowError
    fields = ["row_number", "column", "value", "message", "is_warning"]
    readonly_fields = ["row_number", "column", "value", "message", "is_warning"]
    extra = 0
    max_num = 0
    can_delete = False


@admin.register(ImportRun)
class ImportRunAdmin(PolicyAdminMixin, admin.ModelAdmin):
    list_display = [
        "pk",
        "original_filename",
        "kind",
        "organisation",
        "status",
        "total_rows",
        "invalid_rows",
        "created_at",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["original_filename", "sha256", "organisation__name"]
    date_hierarchy = "created_at"
    list_select_related = ["organisation"]
    raw_id_fields = ["organisation", "created_by", "job", "reimport_of"]
    readonly_fields = [
        "kind",
        "params",
        "file",
        "original_filename",
        "file_format",
        "sha256",
        "size",
        "status",
        "sheets",
        "sheet_name",
        "header_row",
        "headers",
        "mapping",
        "keep_valid_rows",
        "total_rows",
        "valid_rows",
        "invalid_rows",
        "created_count",
        "updated_count",
        "unchanged_count",
        "errors_summary",
        "message",
        "finished_at",
    ]
    inlines = [ImportRowErrorInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # imports are made through the import pages and API, which check the file


@admin.register(ColumnMapping)
class ColumnMappingAdmin(PolicyAdminMixin, admin.ModelAdmin):
    list_display = ["organisation", "kind", "sheet_name", "header_row", "updated_at"]
    list_filter = ["kind"]
    raw_id_fields = ["organisation"]
