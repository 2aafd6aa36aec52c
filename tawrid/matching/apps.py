from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "tawrid.matching"
    label = "matching"
    verbose_name = _("Matching")

    def ready(self) -> None:
        # Permission policies of match runs, results and decisions (job kinds are autodiscovered by core).
        from tawrid.matching import policies

        policies.register()
