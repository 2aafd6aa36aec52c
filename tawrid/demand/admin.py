"""Purchase plans in the admin site: for reading, under the same policies as pages and the API. Plans and
lines are written only through the services (the lifecycle's rules: a published plan is read-only)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tawrid.core.admin import PolicyAdminMixin
from tawrid.demand.models import PlanLine, PurchasePlan


class ServicesOnlyAdmin(PolicyAdminMixin, admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PlanLineInline(admin.TabularInline):
    model = PlanLine
    extra = 0
    fields = ("line_number", "buyer_reference", "designation", "quantity", "unit", "base_quantity", "unit_price")
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PurchasePlan)
class PurchasePlanAdmin(ServicesOnlyAdmin):
    list_display = ["buyer", "year", "site", "version", "status", "disclose_buyer", "published_at"]
    list_filter = ["status", "year", "disclose_buyer"]
    search_fields = ["buyer__name", "site__name", "title"]
    list_select_related = ["buyer", "site"]
    raw_id_fields = ["buyer", "site", "previous_version", "created_by"]
    inlines = [PlanLineInline]


@admin.register(PlanLine)
class PlanLineAdmin(ServicesOnlyAdmin):
    list_display = ["plan", "line_number", "buyer_reference", "designation", "quantity", "unit", "base_quantity"]
    list_filter = ["plan__status", "plan__year", "packaging"]
    search_fields = ["designation", "buyer_reference"]
    list_select_related = ["plan", "plan__buyer", "plan__site"]
    raw_id_fields = ["plan", "emdn", "cpv", "delivery_site"]
