from django.urls import path

from tawrid.catalog import views

app_name = "catalog"

urlpatterns = [
    # Manufacturers
    path("products/", views.product_list, name="product_list"),
    path("products/new/", views.product_create, name="product_create"),
    path("products/export.xlsx", views.product_export, name="product_export"),
    path("products/<int:product_id>/", views.product_detail, name="product_detail"),
    path("products/<int:product_id>/edit/", views.product_edit, name="product_edit"),
    path("products/<int:product_id>/publish/", views.product_publish, name="product_publish"),
    path("products/<int:product_id>/archive/", views.product_archive, name="product_archive"),
    path("products/<int:product_id>/variants/new/", views.variant_create, name="variant_create"),
    path("products/<int:product_id>/documents/", views.document_upload, name="document_upload"),
    path("products/<int:product_id>/registration/", views.registration_apply, name="registration_apply"),
    path("products/<int:product_id>/label/", views.label_apply, name="label_apply"),
    path("variants/<int:variant_id>/", views.variant_edit, name="variant_edit"),
    path("variants/<int:variant_id>/delete/", views.variant_delete, name="variant_delete"),
    path("documents/<int:document_id>/", views.document_download, name="document_download"),
    path("sites/", views.site_list, name="site_list"),
    path("sites/new/", views.site_create, name="site_create"),
    path("sites/<int:site_id>/edit/", views.site_edit, name="site_edit"),
    path("sites/<int:site_id>/delete/", views.site_delete, name="site_delete"),
    path("certificates/", views.certificate_list, name="certificate_list"),
    path("certificates/new/", views.certificate_create, name="certificate_create"),
    path("certificates/<int:certificate_id>/", views.certificate_detail, name="certificate_detail"),
    path("registrations/<int:registration_id>/", views.registration_detail, name="registration_detail"),
    path("registrations/<int:registration_id>/withdraw/", views.registration_withdraw, name="registration_withdraw"),
    path("labels/<int:label_id>/", views.label_detail, name="label_detail"),
    # Authorities
    path("certification/", views.certificate_review, name="certificate_review"),
    path("homologation/", views.registration_review, name="registration_review"),
    # Public directory
    path("", views.directory, name="directory"),
    path("p/<int:product_id>/", views.directory_product, name="directory_product"),
    path("m/<slug:slug>/", views.directory_manufacturer, name="directory_manufacturer"),
]
