from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SourcingConfig(AppConfig):
    name = "tawrid.sourcing"
    label = "sourcing"
    verbose_name = _("Consultations")

    def ready(self) -> None:
        # Audit trail (sealed columns left out) and permission policies of consultations and offers.
        from tawrid.sourcing import audit, checks, policies  # noqa: F401 (checks registers itself)

        audit.register_models()
        policies.register()
        from tawrid.sourcing import results_registry  # receipts, requests for review, home-page results

        results_registry.register()
