from django.urls import path

from tawrid.core import views

app_name = "core"

urlpatterns = [
    path("", views.home_page, name="home"),
    path("jobs/", views.job_list, name="job_list"),
    path("jobs/<int:job_id>/", views.job_detail, name="job_detail"),
    path("jobs/<int:job_id>/retry/", views.job_retry, name="job_retry"),
]
