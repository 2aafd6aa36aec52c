from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "tawrid.accounts"
    label = "accounts"
    verbose_name = _("Accounts and organisations")

    def ready(self) -> None:
        # The accounts models: audit trail and permission policies.
        from tawrid.accounts import audit, policies

        audit.register_models()
        policies.register()
