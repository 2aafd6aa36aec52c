"""The "EMDN codes" page of a plan: every line with its code and where it came from (given by the buyer, suggested
by the engine with its confidence, confirmed), the latest run's suggestions to choose from in one click, bulk
confirmations (chosen lines, or every suggestion of a group) and a search among EMDN codes. Thin: the services
and reads are in `tawrid.demand.coding`."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from tawrid.core.errors import DomainError, Forbidden
from tawrid.core.permissions import Actor, actor_for
from tawrid.demand import coding, policies, selectors
from tawrid.demand.models import PurchasePlan

PAGE_SIZE = 100


def _readable_plan(actor: Actor, pk: int) -> PurchasePlan:
    """The plan for its buyer's people and the secretariat overseeing it; 404 for other organisations (a supplier
    sees the published lines elsewhere, without their codes' history)."""
    plan = selectors.plan_detail(actor, pk)
    if not policies.can_see_private(actor, plan):
        raise Forbidden()
    return plan


def _back(request: HttpRequest, plan: PurchasePlan) -> HttpResponse:
    query = {k: v for k in ("show", "group", "page") if (v := request.POST.get(k, "").strip())}
    url = reverse("demand:plan_codes", args=[plan.pk])
    return redirect(f"{url}?{urlencode(query)}" if query else url)


@login_required
@require_GET
def plan_codes(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    plan = _readable_plan(actor, pk)
    show = request.GET.get("show", "")
    show = show if show in coding.FILTERS else ""
    group = request.GET.get("group", "").strip().upper()[: coding.GROUP_LENGTH]
    page = Paginator(coding.plan_code_lines(plan, show=show, group=group), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.get("q", "").strip()
    return render(
        request,
        "demand/plan_codes.html",
        {
            "plan": plan,
            "rows": coding.code_rows(plan, page.object_list),
            "page": page,
            "summary": coding.code_summary(plan),
            "show": show,
            "group": group,
            "filters": [
                ("", _("All lines")),
                ("uncoded", _("Without a code")),
                ("suggested", _("Suggested codes")),
                ("confirmed", _("Confirmed codes")),
                ("buyer", _("Given by the buyer")),
            ],  # fmt: skip
            "querystring": urlencode({k: v for k, v in (("show", show), ("group", group)) if v}),
            "can_code": coding.can_code_plan(actor, plan),
            "threshold": coding.threshold_percent(),
            "line_id": request.GET.get("line", ""),
            "q": query,
            "found": coding.code_search(query) if query else [],
        },
    )


@login_required
@require_POST
def plan_codes_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm the chosen lines' suggested codes, or every suggestion of one EMDN group (`confirm_group`)."""
    actor = actor_for(request.user)
    plan = _readable_plan(actor, pk)
    group = request.POST.get("confirm_group", "").strip()
    ids = [int(i) for i in request.POST.getlist("line") if i.isdigit()]
    try:
        if group:
            count = coding.codes_confirm(actor=actor, plan=plan, group=group)
        else:
            count = coding.codes_confirm(actor=actor, plan=plan, line_ids=ids)
    except DomainError as error:
        if isinstance(error, Forbidden):
            raise
        messages.error(request, error.message)
        return _back(request, plan)
    messages.success(
        request, ngettext("%(count)s code confirmed.", "%(count)s codes confirmed.", count) % {"count": count}
    )
    return _back(request, plan)


@login_required
@require_POST
def line_code_choose(request: HttpRequest, pk: int) -> HttpResponse:
    """Give a line the code chosen among the suggestions or found by the search."""
    actor = actor_for(request.user)
    line = selectors.line_detail(actor, pk)
    plan = _readable_plan(actor, line.plan_id)
    try:
        line = coding.code_choose(actor=actor, line=line, code=request.POST.get("code", ""))
    except DomainError as error:
        if isinstance(error, Forbidden):
            raise
        messages.error(request, error.message)
        return _back(request, plan)
    messages.success(
        request,
        _("Line %(number)s: code %(code)s.")
        % {"number": line.line_number, "code": line.emdn.code if line.emdn else ""},
    )
    return _back(request, plan)
