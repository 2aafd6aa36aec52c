from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from config.api import api
from tawrid.core import views as core_views

urlpatterns = [
    path("", include("tawrid.core.urls")),
    path("accounts/", include("tawrid.accounts.urls")),
    path("nomenclatures/", include("tawrid.nomenclature.urls")),
    path("catalogue/", include("tawrid.catalog.urls")),
    path("plans/", include("tawrid.demand.urls")),
    path("imports/", include("tawrid.imports.urls")),
    path("matching/", include("tawrid.matching.urls")),
    path("", include("tawrid.sourcing.urls")),
    path("", include("tawrid.sourcing.ocds.urls")),
    path("insights/", include("tawrid.insights.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico on pages that name none (the admin site's).
    path("favicon.ico", core_views.favicon),
    path("api/v1/", api.urls),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler403 = "tawrid.core.views.forbidden"
handler404 = "tawrid.core.views.not_found"
handler500 = "tawrid.core.views.server_error"
