"""Pages of matching: a plan's matching (each line with its best candidates and why, the buyer's confirm and
reject, coverage and gaps), the national run of a year for the secretariat, a manufacturer's matched lines,
and the EMDN code suggestions shown where a code is chosen. Thin: services write, selectors read."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tawrid.core.errors import DomainError, Forbidden
from tawrid.core.permissions import actor_for, get_visible_or_404
from tawrid.demand import selectors as demand_selectors
from tawrid.matching import line_services, policies, selectors, services
from tawrid.matching.models import DecisionKind, MatchCandidate, MatchRun, RunStatus

PAGE_SIZE = 25
SHOWS = ("", "gaps", "conflicts", "covered")
FIRST_CANDIDATES = 3  # shown at once; the others behind "see all N candidates"
MAX_SELECTED = 2000


def _selection(values: list[str]) -> list[int]:
    """Ticked line ids carried in the query string or the form (not lost when the filter or the page changes)."""
    ids = {int(value) for value in values[:MAX_SELECTED] if value.isdigit()}
    return sorted(ids)


def _plan_url(plan_pk: int, *, show: str = "", q: str = "", page: str = "", lines: list[int] | None = None) -> str:
    params: list[tuple[str, Any]] = [(k, v) for k, v in (("show", show), ("q", q), ("page", page)) if v]
    params += [("line", pk) for pk in lines or []]
    url = reverse("matching:plan", kwargs={"plan_pk": plan_pk})
    return f"{url}?{urlencode(params)}" if params else url


def _rows(results: list[Any]) -> list[dict[str, Any]]:
    """Each line with all its candidates (the first few, plus any holding volume or decided on, in `first`;
    the others in `more`), its share of allocation per candidate and the decision on the whole line."""
    candidates = selectors.candidates_by_result(results)
    decisions = selectors.decisions_for(r.line_id for r in results)
    line_decisions = selectors.line_decisions_for(r.line_id for r in results)
    rows = []
    for result in results:
        first: list[dict[str, Any]] = []
        more: list[dict[str, Any]] = []
        for c in candidates.get(result.pk, []):
            decision = decisions.get((result.line_id, c.product_id))
            item = {
                "candidate": c,
                "decision": decision,
                "percent": 100 * selectors.share_of(c.allocated_quantity, result.quantity),
            }
            # A candidate holding volume, or one the buyer decided on, is never hidden behind "see all".
            if len(first) < FIRST_CANDIDATES or c.allocated_quantity or decision is not None:
                first.append(item)
            else:
                more.append(item)
        rows.append(
            {
                "result": result,
                "first": first,
                "more": more,
                "count": len(first) + len(more),
                "line_decision": line_decisions.get(result.line_id),
                "share": selectors.share_of(result.covered_quantity, result.quantity),
            }
        )
    return rows


def _back(request: HttpRequest, default: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Where matching starts for each kind of user: a buyer's plans with their latest run, a manufacturer's
    matched lines, the secretariat's national run."""
    actor = actor_for(request.user)
    plans: list[dict[str, Any]] = []
    for plan in demand_selectors.own_plans(actor).select_related("buyer", "site")[:100]:
        if not policies.can_see_results(actor, plan):
            continue
        run = selectors.latest_run(actor, plan=plan)
        done = run is not None and run.status == RunStatus.DONE
        plans.append({"plan": plan, "run": run, "coverage": selectors.coverage(run) if done and run else None})
    context = {
        "plans": plans,
        "supplier": policies.is_supplier(actor),
        "national": policies.can_run_national(actor),
    }
    if not plans and not context["supplier"] and not context["national"]:
        raise Forbidden(_("Matching is for buyers, manufacturers and the cluster's secretariat."))
    return render(request, "matching/index.html", context)


@login_required
def plan_matching(request: HttpRequest, plan_pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    plan = demand_selectors.plan_detail(actor, plan_pk)
    if not policies.can_see_results(actor, plan):
        raise Forbidden(_("A plan's matching is for its buyer and the secretariat."))
    run = selectors.latest_run(actor, plan=plan)
    show = request.GET.get("show", "")
    show = show if show in SHOWS else ""
    q = request.GET.get("q", "").strip()
    selected = _selection(request.GET.getlist("line"))
    context: dict[str, Any] = {
        "plan": plan,
        "run": run,
        "show": show,
        "q": q,
        "shows": [("", _("All lines")), ("gaps", _("Gaps")), ("conflicts", _("Conflicts")), ("covered", _("Covered"))],
        "can_start": policies.can_match_plan(actor, plan),
        "can_decide": policies.can_decide_plan(actor, plan),
        "querystring": urlencode(
            [(k, v) for k, v in (("show", show), ("q", q)) if v] + [("line", pk) for pk in selected]
        ),
        "selected": selected,
        "page_number": request.GET.get("page", ""),
    }
    if run is not None:
        context.update(_run_context(actor, run))
        if run.status == RunStatus.DONE:
            results = selectors.line_results(actor, run, show=show, q=q)
            page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
            context["page"] = page
            context["rows"] = _rows(list(page))
            on_page = {r.line_id for r in page}
            context["selected_elsewhere"] = [pk for pk in selected if pk not in on_page]  # kept as hidden inputs
            context["gaps"] = selectors.gaps(actor, run, limit=15)
    return render(request, "matching/plan_matching.html", context)


def _run_context(actor: Any, run: MatchRun) -> dict[str, Any]:
    progress = selectors.run_progress(run)
    return {
        "progress": progress,
        "can_resume": policies.can_manage_run(actor, run) and selectors.is_stalled(run, progress),
        "coverage": selectors.coverage(run) if run.status == RunStatus.DONE else None,  # polled while running
    }


@login_required
@require_POST
def plan_match_start(request: HttpRequest, plan_pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    plan = demand_selectors.plan_detail(actor, plan_pk)
    try:
        services.match_run_start(actor=actor, plan=plan)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Matching started: the page follows its progress."))
    return redirect("matching:plan", plan_pk=plan.pk)


@login_required
def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment a running match's page polls; once the run is finished it asks for a reload."""
    actor = actor_for(request.user)
    run = get_visible_or_404(actor, MatchRun.objects.select_related("plan"), pk=pk)
    context = {"run": run, **_run_context(actor, run)}
    response = render(request, "matching/_progress.html", context)
    if run.status in (RunStatus.DONE, RunStatus.FAILED) and request.GET.get("was") != run.status:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def run_resume(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    run = get_visible_or_404(actor, MatchRun.objects.select_related("plan"), pk=pk)
    try:
        count = services.match_run_resume(actor=actor, run=run)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Matching resumed: %(count)s part(s) put back on the queue.") % {"count": count})
    if run.plan_id:
        return redirect("matching:plan", plan_pk=run.plan_id)
    return redirect(f"{reverse('matching:national')}?year={run.year}")


@login_required
@require_POST
def plan_lines(request: HttpRequest, plan_pk: int) -> HttpResponse:
    """The plan's matching form: filter (the ticks go along in the address), a bulk action on the ticked lines
    (no local source, reject all candidates, confirm the best, clear decisions), or a consultation of them."""
    actor = actor_for(request.user)
    plan = demand_selectors.plan_detail(actor, plan_pk)
    if not policies.can_see_results(actor, plan):
        raise Forbidden(_("A plan's matching is for its buyer and the secretariat."))
    show = request.POST.get("show", "")
    show = show if show in SHOWS else ""
    q = request.POST.get("q", "").strip()
    selected = _selection(request.POST.getlist("line"))
    action = request.POST.get("action", "filter")
    if action == "consultation":
        params = [("plan", plan.pk)] + [("lines", pk) for pk in selected]
        return redirect(f"{reverse('sourcing:consultation_create')}?{urlencode(params)}")
    page = ""
    if action in line_services.ACTIONS:
        page = request.POST.get("page", "")
        try:
            outcome = line_services.lines_decide(actor=actor, plan=plan, line_ids=selected, action=action)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _action_message(action, outcome))
    return redirect(_plan_url(plan.pk, show=show, q=q, page=page, lines=selected))


def _action_message(action: str, outcome: line_services.Outcome) -> str:
    counts = {"lines": outcome.lines, "skipped": outcome.skipped}
    if action == line_services.NO_LOCAL_SOURCE:
        text = _("%(lines)s line(s) marked as having no local source: coverage updated.") % counts
    elif action == line_services.REJECT_ALL:
        text = _("Every candidate of %(lines)s line(s) rejected: coverage updated.") % counts
    elif action == line_services.CONFIRM_BEST:
        text = _("Best candidate confirmed on %(lines)s line(s): coverage updated.") % {
            "lines": outcome.lines - outcome.skipped
        }
        if outcome.skipped:
            text += " " + _("%(skipped)s line(s) without a fitting proposal left as they were.") % counts
    else:
        text = _("Decisions on %(lines)s line(s) cleared: coverage updated.") % counts
    return text


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, reject, or withdraw the decision on a proposed product for a line."""
    actor = actor_for(request.user)
    candidate = get_visible_or_404(actor, MatchCandidate.objects.select_related("result__line__plan", "product"), pk=pk)
    line = candidate.result.line
    decision = request.POST.get("decision", "")
    try:
        if decision == "withdraw":
            services.decision_withdraw(actor=actor, line=line, product=candidate.product)
            messages.success(request, _("Decision withdrawn."))
        else:
            services.decision_record(
                actor=actor,
                line=line,
                product=candidate.product,
                decision=decision,
                variant_id=candidate.variant_id,
                reason=request.POST.get("reason", ""),
            )
            if decision == DecisionKind.CONFIRMED:
                messages.success(request, _("Match confirmed: coverage updated."))
            else:
                messages.success(request, _("Proposal rejected: coverage updated."))
    except DomainError as error:
        messages.error(request, error.message)
    if "selection" in request.POST:  # sent from the plan's matching form: back with its filter and ticks
        show = request.POST.get("show", "")
        return redirect(
            _plan_url(
                line.plan_id,
                show=show if show in SHOWS else "",
                q=request.POST.get("q", "").strip(),
                page=request.POST.get("page", ""),
                lines=_selection(request.POST.getlist("line")),
            )
        )
    return _back(request, reverse("matching:plan", kwargs={"plan_pk": line.plan_id}))


@login_required
def national(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    if not policies.can_run_national(actor):
        raise Forbidden(_("The national matching is the cluster secretariat's."))
    years = selectors.national_years()
    try:
        year = int(request.GET.get("year") or (years[0] if years else 0))
    except ValueError:
        year = years[0] if years else 0
    run = selectors.latest_run(actor, year=year) if year else None
    context: dict[str, Any] = {"years": years, "year": year, "run": run}
    if run is not None:
        context.update(_run_context(actor, run))
        if run.status == RunStatus.DONE:
            context["by_buyer"] = selectors.coverage_by_buyer(run)
            context["gaps"] = selectors.gaps(actor, run, limit=100)
    return render(request, "matching/national.html", context)


@login_required
@require_POST
def national_start(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    try:
        year = int(request.POST.get("year", ""))
        services.match_run_start(actor=actor, year=year)
    except ValueError:
        messages.error(request, _("Choose the year to match."))
        return redirect("matching:national")
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("National matching started: several workers share its parts."))
    return redirect(f"{reverse('matching:national')}?year={year}")


@login_required
def my_matches(request: HttpRequest) -> HttpResponse:
    """The published plan lines a manufacturer's products match (as suppliers see those lines)."""
    actor = actor_for(request.user)
    if not policies.is_supplier(actor):
        raise Forbidden(_("This page is for manufacturers and start-ups."))
    q = request.GET.get("q", "").strip()
    page = Paginator(selectors.supplier_matches(actor, q=q), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "candidate": c,
            "buyer": demand_selectors.buyer_label(actor, c.result.line.plan),
            "percent": 100 * selectors.share_of(c.allocated_quantity, c.result.quantity),
        }
        for c in page
    ]
    return render(
        request,
        "matching/my_matches.html",
        {"page": page, "rows": rows, "q": q, "querystring": urlencode({"q": q} if q else {})},
    )


@login_required
def code_suggestions(request: HttpRequest) -> HttpResponse:
    """EMDN codes suggested for a text (a designation, a product's name): an htmx fragment under the code field
    that fills it on click."""
    field = request.GET.get("field", "text")
    text = (request.GET.get(field) or request.GET.get("text") or "").strip()[:500]
    target = request.GET.get("target", "")
    target = target if target.replace("_", "").isalnum() else ""
    suggestions = services.suggest_codes(text, top=5) if len(text) >= 3 else []
    return render(
        request, "matching/_code_suggestions.html", {"suggestions": suggestions, "target": target, "text": text}
    )
