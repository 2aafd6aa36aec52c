from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "tawrid.imports"
    label = "imports"
    verbose_name = _("Spreadsheet imports")

    def ready(self) -> None:
        # Permission policies of the import models and the job kinds that validate and run imports.
        from tawrid.imports import jobs, policies  # noqa: F401

        policies.register()
