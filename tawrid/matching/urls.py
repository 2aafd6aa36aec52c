from django.urls import path

from tawrid.matching import views

app_name = "matching"

urlpatterns = [
    path("", views.index, name="index"),
    path("plans/<int:plan_pk>/", views.plan_matching, name="plan"),
    path("plans/<int:plan_pk>/start/", views.plan_match_start, name="plan_start"),
    path("plans/<int:plan_pk>/lines/", views.plan_lines, name="plan_lines"),
    path("runs/<int:pk>/progress/", views.run_progress, name="run_progress"),
    path("runs/<int:pk>/resume/", views.run_resume, name="run_resume"),
    path("candidates/<int:pk>/decide/", views.decide, name="decide"),
    path("national/", views.national, name="national"),
    path("national/start/", views.national_start, name="national_start"),
    path("mine/", views.my_matches, name="mine"),
    path("suggest-codes/", views.code_suggestions, name="suggest_codes"),
]
