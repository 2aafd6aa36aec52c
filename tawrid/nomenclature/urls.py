from django.urls import path

from tawrid.nomenclature import views

app_name = "nomenclature"

urlpatterns = [
    path("", views.index, name="index"),
    path("search/", views.search, name="search"),
    path("reload/", views.reload, name="reload"),
    path("emdn/", views.emdn_tree, name="emdn_tree"),
    path("emdn/<str:code>/", views.emdn_detail, name="emdn_detail"),
    path("emdn/<str:code>/node/", views.emdn_node, name="emdn_node"),
    path("cpv/", views.cpv_tree, name="cpv_tree"),
    path("cpv/<str:code>/", views.cpv_detail, name="cpv_detail"),
    path("cpv/<str:code>/node/", views.cpv_node, name="cpv_node"),
    path("hs/", views.hs_tree, name="hs_tree"),
    path("hs/section/<str:roman>/", views.hs_section, name="hs_section"),
    path("hs/section/<str:roman>/node/", views.hs_section_node, name="hs_section_node"),
    path("hs/<str:code>/", views.hs_detail, name="hs_detail"),
    path("hs/<str:code>/node/", views.hs_node, name="hs_node"),
    path("fda/", views.fda_tree, name="fda_tree"),
    path("fda/panel/<str:panel>/", views.fda_panel, name="fda_panel"),
    path("fda/panel/<str:panel>/node/", views.fda_panel_node, name="fda_panel_node"),
    path("fda/<str:code>/", views.fda_detail, name="fda_detail"),
]
