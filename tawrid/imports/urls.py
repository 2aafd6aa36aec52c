from django.urls import path, re_path

from tawrid.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.import_list, name="list"),
    path("new/<str:kind>/", views.import_new, name="new"),
    path("template/<str:kind>/", views.import_template, name="template"),
    path("<int:run_id>/", views.import_detail, name="detail"),
    path("<int:run_id>/status/", views.import_status, name="status"),
    path("<int:run_id>/mapping/", views.import_mapping, name="mapping"),
    path("<int:run_id>/preview/", views.import_preview, name="preview"),
    path("<int:run_id>/validate/", views.import_validate, name="validate"),
    path("<int:run_id>/execute/", views.import_execute, name="execute"),
    path("<int:run_id>/cancel/", views.import_cancel, name="cancel"),
    path("<int:run_id>/retry/", views.import_retry, name="retry"),
    re_path(r"^(?P<run_id>[0-9]+)/errors\.(?P<fmt>xlsx|csv)$", views.import_errors, name="errors"),
]
