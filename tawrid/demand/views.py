"""Pages of the purchase plans: a buyer's plans, a plan and its lines (attributes read from each designation
and their correction), line editing, publish / close / amend, differences between versions, xlsx export,
and the published lines that manufacturers see (without prices, buyer hidden unless disclosed).
Thin: forms validate, services write, selectors read."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tawrid.accounts.models import BUYER_KINDS, Organisation
from tawrid.core.errors import DomainError, Forbidden
from tawrid.core.permissions import Actor, actor_for
from tawrid.demand import drafts, policies, selectors, services
from tawrid.demand.forms import (
    BuyerChangeForm,
    CorrectAttributesForm,
    LineEditForm,
    PlanForm,
    PlanSettingsForm,
    format_schedule,
)
from tawrid.demand.imports import KIND
from tawrid.demand.models import CertificateKind, PlanLine, PlanStatus, PurchasePlan
from tawrid.demand.units import plain_quantity
from tawrid.sourcing import policies as sourcing_policies

PAGE_SIZE = 50


def _show_error(form: BaseForm, error: DomainError) -> None:
    placed = False
    for field, field_messages in error.details.items():
        if field in form.fields:
            for message in field_messages:
                form.add_error(field, message)
            placed = True
    if not placed:
        form.add_error(None, error.message)


def _buyers(actor: Actor) -> Any:
    return Organisation.objects.filter(pk__in=policies.buyer_orgs(actor)).order_by("name")


def _editable_plan(actor: Actor, pk: int) -> PurchasePlan:
    plan = selectors.plan_detail(actor, pk)
    if not policies.can_edit_plan(actor, plan):
        raise Forbidden()
    return plan


def _editable_line(actor: Actor, pk: int) -> PlanLine:
    line = selectors.line_detail(actor, pk)
    if not policies.can_edit_plan(actor, line.plan):
        raise Forbidden()
    return line


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    plans = selectors.own_plans(actor)
    buyers = _buyers(actor)
    if not buyers.exists() and not plans.exists():
        return redirect("demand:published_lines")
    return render(
        request,
        "demand/plan_list.html",
        {"plans": plans, "buyers": buyers, "import_kind": KIND},
    )


@login_required
def plan_create(request: HttpRequest) -> HttpResponse:
    """The buyer is a field of the form (a select when the person makes plans for several buyers): the plan is
    made for the buyer chosen there, which must be one of theirs. `?buyer=<id>` only preselects it."""
    actor = actor_for(request.user)
    buyers = _buyers(actor)
    if not buyers.exists():
        raise Forbidden(_("Only the people of a hospital group or a hospital make purchase plans."))
    asked = request.GET.get("buyer", "")
    preselected = buyers.filter(pk=int(asked)).first() if asked.isdigit() else None
    form = PlanForm(request.POST or None, buyers=buyers, initial={"buyer": preselected or buyers.first()})
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(
                actor=actor,
                buyer=form.cleaned_data["buyer"],
                year=form.cleaned_data["year"],
                site=form.cleaned_data["site"],
                title=form.cleaned_data["title"],
                disclose_buyer=form.cleaned_data["disclose_buyer"],
                user=request.user,
            )
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("Plan created. Add its lines or import your file."))
            return redirect("demand:plan_detail", pk=plan.pk)
    only = buyers.first() if buyers.count() == 1 else None
    return render(request, "demand/plan_form.html", {"form": form, "buyer": only})


@login_required
def plan_buyer(request: HttpRequest, pk: int) -> HttpResponse:
    """Give a draft to another buyer the person makes plans for."""
    actor = actor_for(request.user)
    plan = _editable_plan(actor, pk)
    if not plan.is_draft:
        messages.error(request, _("A published plan keeps its buyer."))
        return redirect("demand:plan_detail", pk=plan.pk)
    form = BuyerChangeForm(request.POST or None, buyers=_buyers(actor).exclude(pk=plan.buyer_id))
    if request.method == "POST" and form.is_valid():
        try:
            drafts.plan_change_buyer(actor=actor, plan=plan, buyer=form.cleaned_data["buyer"])
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(
                request, _("The draft is now the plan of %(buyer)s.") % {"buyer": form.cleaned_data["buyer"].name}
            )
            return redirect("demand:plan_detail", pk=plan.pk)
    return render(
        request, "demand/plan_buyer.html", {"form": form, "plan": plan, "dependants": drafts.dependants(plan)}
    )


@login_required
def plan_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a draft: a confirmation page (GET), then the deletion (POST)."""
    actor = actor_for(request.user)
    plan = _editable_plan(actor, pk)
    if not plan.is_draft:
        messages.error(request, _("A published plan cannot be deleted: amend it or close it."))
        return redirect("demand:plan_detail", pk=plan.pk)
    if request.method == "POST":
        try:
            drafts.plan_delete(actor=actor, plan=plan)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("demand:plan_detail", pk=plan.pk)
        messages.success(request, _("The draft plan of %(year)s was deleted.") % {"year": plan.year})
        return redirect("demand:plan_list")
    return render(
        request,
        "demand/plan_delete.html",
        {"plan": plan, "line_count": plan.lines.count(), "dependants": drafts.dependants(plan)},
    )


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    plan = selectors.plan_detail(actor, pk)
    private = policies.can_see_private(actor, plan)
    editable = plan.is_draft and policies.can_edit_plan(actor, plan)
    q = request.GET.get("q", "").strip()
    certificate = request.GET.get("certificate", "")
    lines = selectors.plan_lines(plan, q=q, certificate=certificate)
    totals = selectors.plan_totals(lines)
    page = Paginator(lines, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "line": line,
            "schedule": format_schedule(line.delivery_schedule),
            "attributes_text": services.format_attributes(line.attributes),
        }
        for line in page
    ]
    return render(
        request,
        "demand/plan_detail.html",
        {
            "plan": plan,
            "buyer_label": selectors.buyer_label(actor, plan),
            "private": private,
            "editable": editable,
            "can_manage": policies.can_edit_plan(actor, plan),
            "other_buyers": editable and _buyers(actor).exclude(pk=plan.buyer_id).exists(),
            "rows": rows,
            "page": page,
            "totals": totals,
            "q": q,
            "certificate": certificate,
            "certificates": CertificateKind.choices,
            "querystring": urlencode({k: v for k, v in (("q", q), ("certificate", certificate)) if v}),
            "import_kind": KIND,
            "amendment": plan.amendments.order_by("-version").first() if private else None,
            "can_order": _can_order_against(actor, plan),
        },
    )


def _can_order_against(actor: Actor, plan: PurchasePlan) -> bool:
    """A direct order can be placed against the plan's lines: published (or closed), and the person places its
    buyer's orders — the rule of tawrid.sourcing's service, so the button never leads to a refusal."""
    return plan.status in (PlanStatus.PUBLISHED, PlanStatus.CLOSED) and sourcing_policies.can_create_consultation_for(
        actor, plan.buyer_id
    )


@login_required
def plan_settings(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    plan = _editable_plan(actor, pk)
    form = PlanSettingsForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_update(
                actor=actor,
                plan=plan,
                title=form.cleaned_data["title"],
                disclose_buyer=form.cleaned_data["disclose_buyer"],
            )
        except DomainError as error:
            _show_error(form, error)
        else:
            return redirect("demand:plan_detail", pk=plan.pk)
    return render(request, "demand/plan_form.html", {"form": form, "plan": plan})


def _line_page(request: HttpRequest, plan: PurchasePlan, line: PlanLine | None, actor: Actor) -> HttpResponse:
    initial: dict[str, Any] = {}
    if line is not None:
        initial = {
            "buyer_reference": line.buyer_reference,
            "designation": line.designation,
            "quantity": plain_quantity(line.quantity),
            "unit": line.unit,
            "unit_price": line.unit_price,
            "required_certificates": line.required_certificates,
            "specification": line.specification,
            "delivery_place": line.delivery_place,
            "delivery_schedule": format_schedule(line.delivery_schedule),
            "emdn_code": line.emdn.code if line.emdn else "",
            "cpv_code": line.cpv.code if line.cpv else "",
        }
    form = LineEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if line is None:
                services.line_create(actor=actor, plan=plan, data=form.cleaned_data)
                messages.success(request, _("Line added."))
            else:
                services.line_update(actor=actor, line=line, data=form.cleaned_data)
                messages.success(request, _("Line saved."))
        except DomainError as error:
            _show_error(form, error)
        else:
            return redirect("demand:plan_detail", pk=plan.pk)
    return render(request, "demand/line_form.html", {"form": form, "plan": plan, "line": line})


@login_required
def line_create(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    plan = _editable_plan(actor, pk)
    if not plan.is_draft:
        messages.error(request, _("This plan is published: amend it to change its lines."))
        return redirect("demand:plan_detail", pk=plan.pk)
    return _line_page(request, plan, None, actor)


@login_required
def line_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    line = _editable_line(actor, pk)
    if not line.plan.is_draft:
        messages.error(request, _("This plan is published: amend it to change its lines."))
        return redirect("demand:plan_detail", pk=line.plan_id)
    return _line_page(request, line.plan, line, actor)


def _act(request: HttpRequest, action: Any, success: str, target: int) -> HttpResponse:
    try:
        result = action()
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("demand:plan_detail", pk=target)
    messages.success(request, success)
    return redirect("demand:plan_detail", pk=getattr(result, "pk", None) or target)


@login_required
@require_POST
def line_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    line = _editable_line(actor, pk)
    return _act(request, lambda: services.line_delete(actor=actor, line=line), _("Line deleted."), line.plan_id)


@login_required
@require_POST
def line_attributes(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    line = _editable_line(actor, pk)
    form = CorrectAttributesForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    return _act(
        request,
        lambda: (
            services.line_correct_attributes(
                actor=actor, line=line, text=data.get("attributes", ""), reset=bool(data.get("reset"))
            )
            and line.plan
        ),
        _("Attributes of line %(number)s saved.") % {"number": line.line_number},
        line.plan_id,
    )


@login_required
@require_POST
def plan_publish(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    plan = _editable_plan(actor, pk)
    return _act(request, lambda: services.plan_publish(actor=actor, plan=plan), _("Plan published."), plan.pk)


@login_required
@require_POST
def plan_close(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    plan = _editable_plan(actor, pk)
    return _act(request, lambda: services.plan_close(actor=actor, plan=plan), _("Plan closed."), plan.pk)


@login_required
@require_POST
def plan_amend(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    plan = _editable_plan(actor, pk)
    return _act(
        request,
        lambda: services.plan_amend(actor=actor, plan=plan, user=request.user),
        _("A new version was made as a draft: change it, then publish it."),
        plan.pk,
    )


@login_required
def plan_diff(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    plan = selectors.plan_detail(actor, pk)
    if not policies.can_see_private(actor, plan):
        raise Forbidden()
    against = request.GET.get("against")
    old = selectors.plan_detail(actor, against) if against else plan.previous_version
    if old is None or (old.buyer_id, old.year, old.site_id) != (plan.buyer_id, plan.year, plan.site_id):
        messages.info(request, _("This plan has no earlier version to compare with."))
        return redirect("demand:plan_detail", pk=plan.pk)
    diff = selectors.plan_diff(old, plan)
    return render(request, "demand/plan_diff.html", {"plan": plan, "old": old, "diff": diff})


@login_required
def plan_export(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    plan = selectors.plan_detail(actor, pk)
    content = selectors.plan_export_xlsx(actor, plan)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="plan-{plan.year}-v{plan.version}-{plan.pk}.xlsx"'
    return response


@login_required
def plan_import(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    plan = _editable_plan(actor, pk)
    if not plan.is_draft:
        messages.error(request, _("This plan is published: amend it to import a new version."))
        return redirect("demand:plan_detail", pk=plan.pk)
    url = reverse("imports:new", args=[KIND])
    return redirect(f"{url}?{urlencode({'plan': plan.pk, 'organisation': plan.buyer_id})}")


@login_required
def published_lines(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    q = request.GET.get("q", "").strip()
    emdn = request.GET.get("emdn", "").strip()
    year = request.GET.get("year", "")
    lines = selectors.published_lines(actor, q=q, emdn=emdn, year=int(year) if year.isdigit() else None)
    page = Paginator(lines, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "line": line,
            "buyer": selectors.buyer_label(actor, line.plan),
            "private": policies.can_see_private(actor, line.plan),
            "attributes": line.attributes,
        }
        for line in page
    ]
    querystring = urlencode({k: v for k, v in (("q", q), ("emdn", emdn), ("year", year)) if v})
    return render(
        request,
        "demand/published_lines.html",
        {"rows": rows, "page": page, "q": q, "emdn": emdn, "year": year, "querystring": querystring},
    )


# National demand -----------------------------------------------------------------------------------------------


def _national_actor(request: HttpRequest) -> Actor:
    actor = actor_for(request.user)
    if not policies.can_see_national_demand(actor):
        raise Forbidden(_("National demand is shown to the people of an organisation."))
    return actor


@login_required
def national(request: HttpRequest) -> HttpResponse:
    """National demand by nomenclature code, read from the aggregates the refresh job writes (never computed
    here); estimated values only for those allowed to see prices."""
    actor = _national_actor(request)
    years = selectors.national_years()
    filters = selectors.national_filters(request.GET, years=years)
    with_value = policies.can_see_national_values(actor)
    page = Paginator(selectors.national_rows(filters), selectors.NATIONAL_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page)
    chart = selectors.national_chart(rows, by_value=with_value)
    params = filters.params()
    return render(
        request,
        "demand/national.html",
        {
            "filters": filters,
            "years": years or [filters.year],
            "levels": range(1, 8),
            "regions": selectors.national_regions(filters.year),
            "buyer_kinds": [(k.value, k.label) for k in sorted(BUYER_KINDS, key=str)],
            "categories": "ABCDFGHJKLMNPQRSTUVWYZ",
            "rows": rows,
            "page": page,
            "chart": chart,
            "chart_height": max(1, len(chart) * 24),
            "with_value": with_value,
            "refreshed_at": selectors.national_refreshed_at(filters.year),
            "can_refresh": policies.can_refresh_national_demand(actor),
            "querystring": urlencode(params),
        },
    )


@login_required
def national_code(request: HttpRequest, scheme: str, code: str) -> HttpResponse:
    """One code: its figures, its children codes and the plan lines behind it that the person may see."""
    actor = _national_actor(request)
    filters = selectors.national_filters(request.GET)
    if scheme not in ("emdn", "cpv"):
        raise Http404()
    row, children = selectors.national_code(
        year=filters.year, scheme=scheme, code=code, region=filters.region, buyer_kind=filters.buyer_kind
    )
    lines = selectors.national_lines(actor, year=filters.year, scheme=scheme, code=code)
    page = Paginator(lines, PAGE_SIZE).get_page(request.GET.get("page"))
    line_rows = [
        {
            "line": line,
            "buyer": selectors.buyer_label(actor, line.plan),
            "private": policies.can_see_private(actor, line.plan),
        }
        for line in page
    ]
    return render(
        request,
        "demand/national_code.html",
        {
            "row": row,
            "children": children,
            "line_rows": line_rows,
            "page": page,
            "filters": filters,
            "with_value": policies.can_see_national_values(actor),
            "querystring": urlencode(
                {k: v for k, v in filters.params().items() if k in ("year", "region", "buyer_kind")}
            ),
        },
    )


@login_required
def national_export(request: HttpRequest) -> HttpResponse:
    actor = _national_actor(request)
    filters = selectors.national_filters(request.GET)
    content = selectors.national_export_xlsx(filters, with_value=policies.can_see_national_values(actor))
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="national-demand-{filters.year}-{filters.scheme}.xlsx"'
    return response


@login_required
@require_POST
def national_refresh(request: HttpRequest) -> HttpResponse:
    actor = _national_actor(request)
    if not policies.can_refresh_national_demand(actor):
        raise Forbidden()
    filters = selectors.national_filters(request.POST)
    job = services.demand_refresh_enqueue(year=filters.year, user=request.user)
    messages.success(request, _("The national demand of %(year)s is being refreshed.") % {"year": filters.year})
    return redirect("core:job_detail", job_id=job.pk)
