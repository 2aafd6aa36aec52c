from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemandConfig(AppConfig):
    name = "tawrid.demand"
    label = "demand"
    verbose_name = _("Purchase plans")

    def ready(self) -> None:
        # Audit trail, permission policies and the "demand.plan_lines" spreadsheet import.
        from tawrid.demand import audit, imports, policies

        audit.register_models()
        policies.register()
        imports.register_kind()
