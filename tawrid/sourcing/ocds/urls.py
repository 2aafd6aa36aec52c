from django.urls import path

from tawrid.sourcing.ocds import views

app_name = "ocds"

urlpatterns = [
    path(
        "ocds/consultations/<int:pk>.json",
        views.consultation_release_package,
        name="ocds_consultation_release_package",
    ),
    path(
        "ocds/consultations/<int:pk>/record.json",
        views.consultation_record_package,
        name="ocds_consultation_record_package",
    ),
]
