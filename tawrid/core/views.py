from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.http import require_POST

from tawrid.core import home, jobs, permissions, selectors
from tawrid.core.errors import DomainError
from tawrid.core.permissions import actor_for
from tawrid.sourcing import selectors as sourcing_selectors


def home_page(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    memberships = list(home.memberships_of(actor))
    context = {
        "groups": home.groups_for(actor),
        "sections": home.sections_for(actor),
        "memberships": memberships,
        "people_card": home.PEOPLE_CARD if actor.admin_org_ids else None,
        "common_cards": home.COMMON_CARDS,
        "cluster_figures": home.cluster_figures(actor=actor),
        "recent_jobs": selectors.job_list(actor=actor)[:5] if not actor.is_anonymous else [],
        "invitations": sourcing_selectors.open_invitations_for(actor),
        "panels": home.panels_for(actor),
    }
    return render(request, "core/home.html", context)


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    return render(request, "core/job_list.html", {"jobs": selectors.job_list(actor=actor)[:100]})


@login_required
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = selectors.job_get(actor=actor_for(request.user), job_id=job_id)
    template = "core/_job_progress.html" if request.headers.get("HX-Request") else "core/job_detail.html"
    return render(request, template, {"job": job})


@login_required
@require_POST
def job_retry(request: HttpRequest, job_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    job = selectors.job_get(actor=actor, job_id=job_id)
    permissions.require_change(actor, job)
    try:
        new_job = jobs.job_retry(job=job, created_by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("core:job_detail", job_id=job.pk)
    return redirect("core:job_detail", job_id=new_job.pk)


def favicon(request: HttpRequest) -> HttpResponse:
    # Resolved per request: the hashed static name exists only once collectstatic has run.
    return HttpResponseRedirect(static("tawrid/img/favicon.svg"))


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/error.html", {"status": 403}, status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    from config.api import fallback_error, is_api_request  # the API's error format; config.api imports the apps

    if is_api_request(request):
        return fallback_error(request, 404)
    return render(request, "core/error.html", {"status": 404}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    from config.api import fallback_error, is_api_request

    if is_api_request(request):
        return fallback_error(request, 500)
    return render(request, "core/error.html", {"status": 500}, status=500)
