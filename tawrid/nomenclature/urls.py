from django.urls import path

from tawrid.nomenclature import views

app_name = "nomenclature"

urlpatterns = [path("", views.index, name="index")]
