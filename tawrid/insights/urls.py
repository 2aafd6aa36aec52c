from django.urls import path

from tawrid.insights import views

app_name = "insights"

urlpatterns = [
    path("", views.index, name="index"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/organisation/<int:pk>/", views.dashboard_organisation, name="dashboard_organisation"),
    path("dashboard/cluster/", views.dashboard_cluster, name="dashboard_cluster"),
    path("dashboard/industry/", views.dashboard_industry, name="dashboard_industry"),
    path("dashboard/health/", views.dashboard_health, name="dashboard_health"),
    path("refresh/", views.snapshot_refresh, name="snapshot_refresh"),
    path("opportunities/", views.opportunity_list, name="opportunities"),
    path("opportunities/<str:group>/", views.opportunity_detail, name="opportunity_detail"),
    path("opportunities/<str:group>/report/", views.opportunity_report, name="opportunity_report"),
    path("reports/", views.report_list, name="reports"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/download/", views.report_download, name="report_download"),
    path("trade/", views.dataset_list, name="dataset_list"),
    path("trade/<int:pk>/", views.dataset_detail, name="dataset_detail"),
    path("crosswalk/", views.crosswalk_list, name="crosswalk_list"),
    path("crosswalk/<str:hs6>/", views.crosswalk_edit, name="crosswalk_edit"),
]
