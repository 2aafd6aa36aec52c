from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpecsConfig(AppConfig):
    name = "tawrid.specs"
    label = "specs"
    verbose_name = _("Specifications and units")
