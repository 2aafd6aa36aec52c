from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "tawrid.catalog"
    label = "catalog"
    verbose_name = _("Product catalogue")

    def ready(self) -> None:
        # The catalogue models: audit trail, permission policies and job kinds.
        from tawrid.catalog import audit, jobs, policies  # noqa: F401

        audit.register_models()
        policies.register()

        from tawrid.catalog import imports

        imports.register_kind()  # the "catalog.products" spreadsheet import
