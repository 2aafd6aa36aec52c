from django.db.models import Q

from tawrid.core import permissions
from tawrid.core.models import Job


def _jobs_scope(actor, queryset):
    if actor.is_superuser:
        return queryset
    if actor.is_anonymous:
        return queryset.none()
    return queryset.filter(Q(created_by_id=actor.user_id) | Q(organisation_id__in=actor.readable_org_ids))


def _job_change(actor, job):
    return actor.is_superuser or job.created_by_id == actor.user_id or actor.can_write_org(job.organisation_id)


permissions.register(Job, permissions.Custom(_jobs_scope, _job_change))
