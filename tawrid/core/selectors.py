from django.db.models import QuerySet

from tawrid.core import permissions
from tawrid.core.models import Job


def job_list(*, actor: permissions.Actor) -> QuerySet[Job]:
    return permissions.visible(actor, Job.objects.select_related("created_by", "organisation"))


def job_get(*, actor: permissions.Actor, job_id: int) -> Job:
    return permissions.get_visible_or_404(actor, Job.objects.all(), pk=job_id)
