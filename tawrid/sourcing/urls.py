from django.urls import path

from tawrid.sourcing import views

app_name = "sourcing"

urlpatterns = [
    path("ocds/plans/<int:pk>.json", views.plan_release_package, name="ocds_plan_release_package"),
    path("ocds/plans/<int:pk>/record.json", views.plan_record_package, name="ocds_plan_record_package"),
]
