from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NomenclatureConfig(AppConfig):
    name = "tawrid.nomenclature"
    label = "nomenclature"
    verbose_name = _("Nomenclatures")

    def ready(self) -> None:
        from tawrid.nomenclature import policies  # noqa: F401 — registers the permission policies (public)
