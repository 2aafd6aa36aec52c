from django.urls import path

from tawrid.demand import coding_views, views

app_name = "demand"

urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("new/", views.plan_create, name="plan_create"),
    path("published/", views.published_lines, name="published_lines"),
    path("national/", views.national, name="national"),
    path("national/export.xlsx", views.national_export, name="national_export"),
    path("national/refresh/", views.national_refresh, name="national_refresh"),
    path("national/<str:scheme>/<str:code>/", views.national_code, name="national_code"),
    path("<int:pk>/", views.plan_detail, name="plan_detail"),
    path("<int:pk>/settings/", views.plan_settings, name="plan_settings"),
    path("<int:pk>/buyer/", views.plan_buyer, name="plan_buyer"),
    path("<int:pk>/delete/", views.plan_delete, name="plan_delete"),
    path("<int:pk>/lines/new/", views.line_create, name="line_create"),
    path("<int:pk>/publish/", views.plan_publish, name="plan_publish"),
    path("<int:pk>/close/", views.plan_close, name="plan_close"),
    path("<int:pk>/amend/", views.plan_amend, name="plan_amend"),
    path("<int:pk>/diff/", views.plan_diff, name="plan_diff"),
    path("<int:pk>/export.xlsx", views.plan_export, name="plan_export"),
    path("<int:pk>/import/", views.plan_import, name="plan_import"),
    path("<int:pk>/codes/", coding_views.plan_codes, name="plan_codes"),
    path("<int:pk>/codes/confirm/", coding_views.plan_codes_confirm, name="plan_codes_confirm"),
    path("lines/<int:pk>/code/", coding_views.line_code_choose, name="line_code_choose"),
    path("lines/<int:pk>/edit/", views.line_edit, name="line_edit"),
    path("lines/<int:pk>/delete/", views.line_delete, name="line_delete"),
    path("lines/<int:pk>/attributes/", views.line_attributes, name="line_attributes"),
]
