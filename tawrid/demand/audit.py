"""The purchase plans in the audit trail (see tawrid.accounts.audit)."""

from auditlog.registry import auditlog

from tawrid.accounts.audit import _columns


def register_models() -> None:
    from tawrid.demand.models import PlanLine, PurchasePlan

    auditlog.register(PurchasePlan, include_fields=_columns(PurchasePlan))
    auditlog.register(PlanLine, include_fields=_columns(PlanLine, "search_text"))
