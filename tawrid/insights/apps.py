from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "tawrid.insights"
    label = "insights"
    verbose_name = _("Insights")

    def ready(self) -> None:
        # Audit trail of the crosswalk and rates, and the permission policies of the insights.
        from tawrid.insights import audit, policies

        audit.register_models()
        policies.register()
