from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from tawrid.accounts import views
from tawrid.accounts.forms import QueuedPasswordResetForm

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", views.profile, name="profile"),
    path("profile/tokens/", views.token_create, name="token_create"),
    path("profile/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<int:organisation_id>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<int:organisation_id>/edit/", views.organisation_edit, name="organisation_edit"),
    path("organisations/<int:organisation_id>/powers/", views.organisation_powers, name="organisation_powers"),
    path("organisations/<int:organisation_id>/invite/", views.invitation_create, name="invitation_create"),
    path("memberships/<int:membership_id>/role/", views.membership_role, name="membership_role"),
    path("memberships/<int:membership_id>/remove/", views.membership_remove, name="membership_remove"),
    path("invitations/<int:invitation_id>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("cluster/", views.cluster_members, name="cluster_members"),
    path("cluster/add/", views.cluster_membership_add, name="cluster_membership_add"),
    path("cluster/<int:cluster_membership_id>/", views.cluster_membership_edit, name="cluster_membership_edit"),
    path(
        "cluster/<int:cluster_membership_id>/accept/",
        views.cluster_membership_answer,
        {"accept": True},
        name="cluster_membership_accept",
    ),
    path(
        "cluster/<int:cluster_membership_id>/decline/",
        views.cluster_membership_answer,
        {"accept": False},
        name="cluster_membership_decline",
    ),
    path(
        "organisations/<int:organisation_id>/cluster-applications/",
        views.cluster_application_create,
        name="cluster_application_create",
    ),
    path("audit/", views.audit_log, name="audit_log"),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset.html",
            form_class=QueuedPasswordResetForm,
            email_template_name="accounts/email/password_reset.txt",
            subject_template_name="accounts/email/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
]
