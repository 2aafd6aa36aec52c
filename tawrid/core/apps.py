from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "tawrid.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from tawrid.core import policies  # noqa: F401 — registers the core models' permission policies

        # Each app's `jobs` module registers its job kinds with @job_kind.
        autodiscover_modules("jobs")
