"""Admin site for people, organisations, memberships, invitations and tokens, under the same policies."""

from typing import Any

from auditlog.admin import LogEntryAdmin as AuditlogLogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tawrid.accounts import policies, services
from tawrid.accounts.models import ApiToken, ClusterMembership, Invitation, Membership, Organisation, User
from tawrid.core import permissions
from tawrid.core.admin import PolicyAdminMixin
from tawrid.core.text import fold


class EmailUserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name")


class EmailUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["organisation", "role", "job_title"]
    raw_id_fields = ["organisation"]


@admin.register(User)
class UserAdmin(PolicyAdminMixin, DjangoUserAdmin):
    form = EmailUserChangeForm
    add_form = EmailUserCreationForm
    ordering = ["full_name", "email"]
    list_display = ["email", "full_name", "is_active", "is_staff", "is_demo", "last_login"]
    list_filter = ["is_active", "is_staff", "is_superuser", "is_demo"]
    search_fields = ["email", "full_name"]
    readonly_fields = ["last_login", "date_joined"]
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Identity"), {"fields": ("full_name", "preferred_language", "is_demo")}),
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "usable_password", "password1", "password2")}),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Only the platform operator grants platform rights, never a staff member to themselves.
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["is_staff", "is_superuser", "groups", "user_permissions", "is_demo"]
        return fields


@admin.register(Organisation)
class OrganisationAdmin(PolicyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "city", "region", "is_public", "is_demo"]
    list_filter = ["kind", "is_public", "is_demo", "region"]
    search_fields = ["name", "slug", "city", "legal_id"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["parent"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A new organisation gets its kind here: the operator's alone (secretariats add theirs from the pages).
        return bool(request.user.is_superuser) and super().has_add_permission(request)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Operator-only fields change through services.organisation_set_powers (with a reason in the audit
        # trail), from the organisation's page: never here, not even for the operator.
        fields = list(super().get_readonly_fields(request, obj))
        return fields + list(policies.OPERATOR_ONLY_FIELDS) if obj is not None else fields

    def get_search_results(self, request: HttpRequest, queryset: QuerySet[Any], search_term: str) -> Any:
        # The accent-insensitive column as well, so that "fes" finds "Fès".
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term:
            results = results | queryset.filter(search_text__contains=fold(search_term))
        return results, may_have_duplicates

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.search_text = services.organisation_search_text(obj)
        super().save_model(request, obj, form, change)


@admin.register(Membership)
class MembershipAdmin(PolicyAdminMixin, admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "job_title"]
    list_filter = ["role", "organisation__kind"]
    search_fields = ["user__email", "user__full_name", "organisation__name"]
    raw_id_fields = ["user", "organisation"]
    list_select_related = ["user", "organisation"]


@admin.register(ClusterMembership)
class ClusterMembershipAdmin(PolicyAdminMixin, admin.ModelAdmin):
    list_display = ["member", "cluster", "status", "joined_on", "left_on"]
    list_filter = ["status", "cluster", "member__kind"]
    search_fields = ["member__name", "cluster__name"]
    raw_id_fields = ["member", "cluster"]
    list_select_related = ["member", "cluster"]
    readonly_fields = ["member_consented_at", "member_consented_by"]  # the member's consent: its services only


@admin.register(Invitation)
class InvitationAdmin(PolicyAdminMixin, admin.ModelAdmin):
    list_display = ["email", "organisation", "role", "status", "expires_at", "invited_by"]
    list_filter = ["status", "role"]
    search_fields = ["email", "organisation__name"]
    fields = ["organisation", "email", "role", "status", "invited_by", "accepted_by", "expires_at", "created_at"]
    readonly_fields = ["organisation", "email", "invited_by", "accepted_by", "expires_at", "created_at"]
    list_select_related = ["organisation", "invited_by"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # an invitation needs its e-mail: sent from the organisation's page or the API

    @admin.action(description=_("Revoke the selected pending invitations"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        actor = permissions.actor_for(request.user)
        done = 0
        for invitation in queryset.filter(status="pending"):
            if permissions.can_change(actor, invitation):
                services.invitation_revoke(actor=actor, invitation=invitation)
                done += 1
        self.message_user(
            request, ngettext("%(n)d invitation revoked.", "%(n)d invitations revoked.", done) % {"n": done}
        )


@admin.register(ApiToken)
class ApiTokenAdmin(PolicyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "prefix", "user__email"]
    fields = ["user", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
    readonly_fields = ["user", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_select_related = ["user"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a token's secret is shown once to its owner: created on the profile page or the API

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        actor = permissions.actor_for(request.user)
        done = 0
        for token in queryset.filter(revoked_at__isnull=True):
            if permissions.can_change(actor, token):
                services.api_token_revoke(actor=actor, token=token)
                done += 1
        self.message_user(request, ngettext("%(n)d token revoked.", "%(n)d tokens revoked.", done) % {"n": done})
        if not done:
            self.message_user(request, _("Nothing to revoke."), level=messages.WARNING)


# django-auditlog's own admin, under the audit-trail policy (and searchable by our users' fields).
if admin.site.is_registered(LogEntry):
    admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class LogEntryAdmin(PolicyAdminMixin, AuditlogLogEntryAdmin):
    search_fields = ["object_repr", "changes", "actor__full_name", "actor__email"]
