"""The audit trail: django-auditlog records every change to registered models (who, when, which object,
what changed, before and after). The actor comes from the request (AuditlogMiddleware) or, outside a
request, from `auditlog.context.set_actor` in the command or job that runs the service."""

from auditlog.registry import auditlog


def register_models() -> None:
    from tawrid.accounts.models import ApiToken, ClusterMembership, Invitation, Membership, Organisation, User

    auditlog.register(User, exclude_fields=["password", "last_login"])
    auditlog.register(Organisation, exclude_fields=["search_text", "updated_at"])
    auditlog.register(Membership, exclude_fields=["updated_at"])
    auditlog.register(ClusterMembership, exclude_fields=["updated_at"])
    auditlog.register(Invitation, exclude_fields=["token_hash", "updated_at"])
    auditlog.register(ApiToken, exclude_fields=["token_hash", "last_used_at", "updated_at"])
