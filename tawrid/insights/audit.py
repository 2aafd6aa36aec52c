"""The crosswalk and the exchange rates in the audit trail: every edit made on screen is kept with its author."""

from auditlog.registry import auditlog

from tawrid.accounts.audit import _columns


def register_models() -> None:
    from tawrid.insights.models import ExchangeRate, HsEmdnLink

    auditlog.register(HsEmdnLink, include_fields=_columns(HsEmdnLink))
    auditlog.register(ExchangeRate, include_fields=_columns(ExchangeRate))
