"""The audit trail: django-auditlog records every change to registered models (who, when, which object,
what changed, before and after). The actor comes from the request (AuditlogMiddleware, and the API's token
authentication) or, outside a request, from `auditlog.context.set_actor` in the command or job that runs
the service.

Each model records only its own columns (not reverse relations, nor the bookkeeping `id`, `created_at`,
`updated_at`); secrets (password, token hashes) are never recorded. The models' `get_additional_data`
files each entry under an organisation (and a cluster), which is how the audit policy scopes the trail.
"""

from auditlog.registry import auditlog
from django.db.models import Model

BOOKKEEPING = ("id", "created_at", "updated_at")


def _columns(model: type[Model], *excluded: str) -> list[str]:
    skip = set(BOOKKEEPING) | set(excluded)
    return [f.name for f in model._meta.concrete_fields if f.name not in skip]


def register_models() -> None:
    from tawrid.accounts.models import ApiToken, ClusterMembership, Invitation, Membership, Organisation, User

    auditlog.register(User, include_fields=_columns(User, "password", "last_login"))
    auditlog.register(Organisation, include_fields=_columns(Organisation, "search_text"))
    auditlog.register(Membership, include_fields=_columns(Membership))
    auditlog.register(ClusterMembership, include_fields=_columns(ClusterMembership))
    auditlog.register(Invitation, include_fields=_columns(Invitation, "token_hash"))
    auditlog.register(ApiToken, include_fields=_columns(ApiToken, "token_hash", "last_used_at"))
