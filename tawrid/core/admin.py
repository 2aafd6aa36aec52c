"""The admin site applies the same permission policies as pages and the API (tawrid.core.permissions).

`PolicyAdminMixin` restricts every admin list to what the staff member may see and every change or deletion
to what they may change; Django's model permissions still decide which admin screens they get at all.
"""

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tawrid.core import permissions
from tawrid.core.models import Job

admin.site.site_header = _("Tawrid administration")
admin.site.site_title = _("Tawrid administration")
admin.site.index_title = _("Platform administration")


class PolicyAdminMixin:
    """Mix into a ModelAdmin, before `admin.ModelAdmin`."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)  # type: ignore[misc]
        return permissions.visible(permissions.actor_for(request.user), queryset)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        allowed = super().has_change_permission(request, obj)  # type: ignore[misc]
        if obj is None or not allowed:
            return bool(allowed)
        return permissions.can_change(permissions.actor_for(request.user), obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        allowed = super().has_delete_permission(request, obj)  # type: ignore[misc]
        if obj is None or not allowed:
            return bool(allowed)
        return permissions.can_change(permissions.actor_for(request.user), obj)

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        # The object as it will be saved must be the staff member's to change too (e.g. a membership
        # moved to, or created in, another organisation by typing its id).
        if not permissions.can_change(permissions.actor_for(request.user), obj):
            raise PermissionDenied
        super().save_model(request, obj, form, change)  # type: ignore[misc]


@admin.register(Job)
class JobAdmin(PolicyAdminMixin, admin.ModelAdmin):
    list_display = ["title", "kind", "status", "organisation", "created_by", "created_at", "finished_at"]
    list_filter = ["status", "kind"]
    search_fields = ["title", "kind"]
    date_hierarchy = "created_at"
    list_select_related = ["organisation", "created_by"]
    readonly_fields = [
        "kind",
        "status",
        "params",
        "result",
        "progress_done",
        "progress_total",
        "step",
        "log",
        "error",
        "task_id",
        "worker",
        "retry_of",
        "started_at",
        "finished_at",
        "created_at",
        "updated_at",
    ]
    raw_id_fields = ["organisation", "created_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # jobs are started by the platform's features, never by hand
