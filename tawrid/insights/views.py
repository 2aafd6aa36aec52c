"""Insights pages: indicators, opportunities, trade data sets and the crosswalk. Thin: selectors read, services
write; every table exports to xlsx with `?format=xlsx` (the same rows as on screen)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tawrid.accounts.models import BUYER_KINDS
from tawrid.core import permissions, storage
from tawrid.core.errors import DomainError, Forbidden, NotFound
from tawrid.core.permissions import actor_for
from tawrid.imports.export import PERCENT_FORMAT, write_xlsx
from tawrid.insights import (
    dashboards,
    definitions,
    opportunities,
    policies,
    selectors,
    services,
    tables,
    visuals,
)
from tawrid.insights.forms import CrosswalkAddForm, CrosswalkLinkFormSet, OpportunityForm, TradeUploadForm
from tawrid.insights.models import IndicatorSnapshot, Report, ReportKind, ReportStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TOP_GROUPS = 12


def _xlsx(
    name: str, headers: Sequence[Any], rows: Sequence[Sequence[Any]], sheet: str, *, ratios: Sequence[int] = ()
) -> HttpResponse:
    """The xlsx download; the columns at the positions `ratios` hold ratios (0.236), shown as percentages."""
    formats = [PERCENT_FORMAT if index in ratios else None for index in range(len(headers))]
    content = write_xlsx([str(h) for h in headers], rows, sheet_title=sheet, number_formats=formats)
    response = HttpResponse(content, content_type=XLSX)
    stamp = timezone.localdate().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.xlsx"'
    return response


def _wants_xlsx(request: HttpRequest) -> bool:
    return request.GET.get("format") == "xlsx"


def _query(request: HttpRequest, **changes: Any) -> str:
    params = {k: v for k, v in request.GET.items() if k != "format"}
    params.update({k: v for k, v in changes.items() if v is not None})
    return urlencode(params)


def _base_context(request: HttpRequest) -> dict[str, Any]:
    actor = actor_for(request.user)
    snapshot = selectors.latest_snapshot()
    return {
        "actor": actor,
        "snapshot": snapshot,
        "pending": selectors.snapshot_pending(),
        "can_manage": policies.can_manage(actor),
        "illustrative": bool(snapshot and snapshot.illustrative),
        "definitions": definitions.INDICATORS,
    }


def _int_param(request: HttpRequest, name: str, allowed: Sequence[int]) -> int | None:
    text = request.GET.get(name, "")
    return int(text) if text.isdigit() and int(text) in allowed else None


def _category_param(request: HttpRequest) -> str:
    category = request.GET.get("category", "").strip().upper()
    return category if len(category) == 1 and category.isalpha() else ""


def _svg(markup: str) -> str:
    return mark_safe(markup)  # noqa: S308 — charts.py escapes every label and refuses scripts and outside links


def _rtl() -> bool:
    return (get_language() or "fr").startswith("ar")


# ------------------------------------------------------------------------------------------------ indicators


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The indicators: national figures per year, per EMDN group for a year, market context, definitions."""
    context = _base_context(request)
    snapshot: IndicatorSnapshot | None = context["snapshot"]
    context["market"] = definitions.MARKET_CONTEXT
    context["categories"] = selectors.emdn_categories()
    if snapshot is None:
        return render(request, "insights/index.html", context)
    category = _category_param(request)
    years = sorted(set(snapshot.trade_years) | set(snapshot.demand_years), reverse=True)
    year = _int_param(request, "year", years) or (max(snapshot.trade_years) if snapshot.trade_years else None)
    totals = selectors.year_totals(snapshot, category=category)
    rows = list(selectors.group_year_rows(snapshot, year=year, category=category)) if year else []
    supply = {row.group: row for row in selectors.group_rows(snapshot, category=category)}
    terms = {group: figure.label for group, figure in supply.items()}
    table: list[dict[str, Any]] = [
        {"row": row, "supply": supply.get(row.group), "label": terms.get(row.group, ""),
         "coverage": row.covered_mad / row.demand_mad if row.demand_mad else None,
         "local_rate": row.ordered_local_mad / row.ordered_mad if row.ordered_mad else None}
        for row in sorted(rows, key=lambda r: (-(r.imports_usd or 0), -(r.demand_mad or 0), r.group))
    ]  # fmt: skip
    if _wants_xlsx(request):
        headers = [
            _("EMDN group"), _("Term"), _("Year"), _("Imports (USD)"), _("Imports (MAD)"), _("Countries of origin"),
            _("Declared demand (MAD)"), _("Buyers"), _("Covered locally (MAD)"), _("Ordered (MAD)"),
            _("Ordered locally (MAD)"), _("Local manufacturers"), _("Eligible products"),
        ]  # fmt: skip
        data = [
            [
                item["row"].group, item["label"], item["row"].year, item["row"].imports_usd, item["row"].imports_mad,
                item["row"].import_origins, item["row"].demand_mad, item["row"].demand_buyers, item["row"].covered_mad,
                item["row"].ordered_mad, item["row"].ordered_local_mad,
                item["supply"].manufacturers if item["supply"] else 0,
                item["supply"].eligible_products if item["supply"] else 0,
            ]
            for item in table
        ]  # fmt: skip
        return _xlsx("indicateurs", headers, data, "Indicateurs")
    context.update(
        category=category,
        year=year,
        years=years,
        totals=totals,
        table=table,
        export_query=_query(request, format="xlsx"),
        chart_years=_svg(visuals.years_chart(totals, rtl=_rtl())),
        chart_groups=_svg(
            visuals.largest_groups_chart(
                [(i["row"], i["label"]) for i in table[:TOP_GROUPS]],
                year=year,
                rtl=_rtl(),
                links=[reverse("insights:opportunity_detail", args=[i["row"].group]) for i in table[:TOP_GROUPS]],
            )
        ),
    )
    return render(request, "insights/index.html", context)


@login_required
@require_POST
def snapshot_refresh(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    try:
        services.snapshot_request(actor=actor, user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The indicators are being computed; the pages show the new figures when done."))
    return redirect("insights:index")


# --------------------------------------------------------------------------------------------- opportunities


def _opportunity_form(request: HttpRequest, snapshot: IndicatorSnapshot) -> OpportunityForm:
    form = OpportunityForm(
        request.GET or None,
        categories=selectors.emdn_categories(),
        trade_years=list(snapshot.trade_years),
        demand_years=list(snapshot.demand_years),
    )
    return form


def _weights(form: OpportunityForm) -> tuple[opportunities.Weights, str | None]:
    if not form.is_bound:
        return opportunities.Weights(), None
    if not form.is_valid():
        return opportunities.Weights(), _("Some weights or filters were not understood: the defaults are used.")
    try:
        return form.weights(), None
    except DomainError as error:
        return opportunities.Weights(), error.message


@login_required
@require_GET
def opportunity_list(request: HttpRequest) -> HttpResponse:
    """The ranked opportunities with the score's weights, which the person may change."""
    context = _base_context(request)
    snapshot = context["snapshot"]
    if snapshot is None:
        return render(request, "insights/opportunity_list.html", context)
    form = _opportunity_form(request, snapshot)
    weights, weight_error = _weights(form)
    cleaned = form.cleaned_data if form.is_bound and form.is_valid() else {}
    trade_year, demand_year = cleaned.get("trade_year"), cleaned.get("demand_year")
    ranked = selectors.opportunity_list(
        snapshot, weights=weights, trade_year=trade_year, demand_year=demand_year, category=cleaned.get("category", "")
    )
    years = selectors.default_years(snapshot)
    if _wants_xlsx(request):
        headers = [
            _("Rank"), _("EMDN group"), _("Term"), _("Score"), pgettext("international trade", "Imports"),
            _("Declared demand (MAD)"), _("Buyers"), _("Local coverage"), _("Eligible products"), _("Risk class"),
        ] + [str(opportunities.COMPONENT_LABELS[name]) for name in opportunities.COMPONENTS]  # fmt: skip
        data = [
            [o.rank, o.group, o.inputs.label, o.score, o.inputs.imports, o.inputs.demand, o.inputs.buyers,
             o.coverage, o.inputs.eligible_products, o.inputs.risk_class]
            + [round(o.components[name], 4) for name in opportunities.COMPONENTS]
            for o in ranked
        ]  # fmt: skip
        return _xlsx("opportunites", headers, data, "Opportunités", ratios=[7])
    context.update(
        form=form,
        weights=weights,
        weight_error=weight_error,
        ranked=[(o, [o.components[name] for name in opportunities.COMPONENTS]) for o in ranked],
        components=[
            (name, opportunities.COMPONENT_LABELS[name], weights.as_dict()[name]) for name in opportunities.COMPONENTS
        ],
        trade_year=trade_year or years.trade_year,
        demand_year=demand_year or years.demand_year,
        detail_query=_query(request),
        export_query=_query(request, format="xlsx"),
        score_doc=opportunities.__doc__,
    )
    return render(request, "insights/opportunity_list.html", context)


def _group_or_404(group: str) -> str:
    group = group.upper()
    if not selectors.group_terms([group]):
        raise NotFound(_("No such EMDN group."))
    return group


@login_required
@require_GET
def opportunity_detail(request: HttpRequest, group: str) -> HttpResponse:
    """One EMDN group: its score and figures, imports per year, origin and HS code, the buyers' demand (as the
    buyers allow), local suppliers and what keeps their products from being eligible."""
    group = _group_or_404(group)
    context = _base_context(request)
    snapshot = context["snapshot"]
    actor = context["actor"]
    label = selectors.group_terms([group])[group]
    context.update(group=group, label=label)
    if snapshot is None:
        return render(request, "insights/opportunity_detail.html", context)
    form = _opportunity_form(request, snapshot)
    weights, _error = _weights(form)
    try:
        opportunity: opportunities.Opportunity | None = selectors.opportunity_get(
            snapshot, group=group, weights=weights
        )
    except NotFound:
        opportunity = None
    years = selectors.default_years(snapshot)
    per_year = list(selectors.group_year_rows(snapshot, group=group))
    figures = selectors.group_rows(snapshot).filter(group=group).first()
    trade_year = _int_param(request, "trade_year", snapshot.trade_years) or years.trade_year
    demand_year = _int_param(request, "demand_year", snapshot.demand_years) or years.demand_year
    origins = selectors.imports_by_origin(group, trade_year, language=get_language() or "fr") if trade_year else []
    by_hs = selectors.imports_by_hs(group, trade_year) if trade_year else []
    demand = selectors.group_demand(actor, group, demand_year) if demand_year else []
    suppliers = selectors.group_suppliers(actor, group)
    table = request.GET.get("table", "")
    if _wants_xlsx(request) and table in {"origins", "hs", "demand", "years"}:
        return _group_xlsx(group, table, origins=origins, by_hs=by_hs, demand=demand, per_year=per_year)
    context.update(
        opportunity=opportunity,
        components=[
            (
                name,
                opportunities.COMPONENT_LABELS[name],
                opportunity.components[name] if opportunity else None,
                weights.as_dict()[name],
            )
            for name in opportunities.COMPONENTS
        ],  # fmt: skip
        figures=figures,
        per_year=sorted(per_year, key=lambda r: -r.year),
        trade_year=trade_year,
        demand_year=demand_year,
        origins=origins,
        by_hs=by_hs,
        demand=demand,
        suppliers=suppliers,
        query=_query(request),
        chart_years=_svg(visuals.group_years_chart(per_year, rtl=_rtl())),
        chart_origins=_svg(visuals.origins_chart(origins, year=trade_year, rtl=_rtl())),
    )
    return render(request, "insights/opportunity_detail.html", context)


def _group_xlsx(group: str, table: str, **data: Any) -> HttpResponse:
    if table == "origins":
        headers = [_("Country"), _("Code"), _("Imports (USD)"), _("Share")]
        rows = [[o["name"], o["country"], o["value_usd"], o["share"]] for o in data["origins"]]
        return _xlsx(f"{group}-{table}", headers, rows, group, ratios=[3])
    elif table == "hs":
        headers = [_("HS code"), _("Description"), _("Share in the group (%)"), _("Imports of the code (USD)"),
                   _("Imports counted for the group (USD)")]  # fmt: skip
        rows = [
            [r["hs6"], r["description"], r["share_percent"], r["value_usd"], r["group_value_usd"]]
            for r in data["by_hs"]
        ]
    elif table == "demand":
        headers = [_("Buyer"), _("Kind"), _("Region"), _("Plan lines"), _("Quantity (base units)"),
                   _("Declared demand (MAD)")]  # fmt: skip
        rows = [[d["name"] if d["named"] else _("Unnamed buyer"), d["kind"], d["region"], d["lines"], d["quantity"],
                 d["value"]] for d in data["demand"]]  # fmt: skip
    else:
        headers = [_("Year"), _("Imports (USD)"), _("Imports (MAD)"), _("Declared demand (MAD)"), _("Buyers"),
                   _("Covered locally (MAD)"), _("Ordered (MAD)"), _("Ordered locally (MAD)")]  # fmt: skip
        rows = [[r.year, r.imports_usd, r.imports_mad, r.demand_mad, r.demand_buyers, r.covered_mad, r.ordered_mad,
                 r.ordered_local_mad] for r in data["per_year"]]  # fmt: skip
    return _xlsx(f"{group}-{table}", headers, rows, group)


# ------------------------------------------------------------------------------------------ trade data sets


@login_required
def dataset_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    can_manage = policies.can_manage(actor)
    form = TradeUploadForm()
    if request.method == "POST":
        if not can_manage:
            raise Forbidden(_("Only the cluster secretariat may do this."))
        form = TradeUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                dataset = services.trade_dataset_upload(
                    actor=actor,
                    user=request.user,
                    upload=form.cleaned_data["file"],
                    name=form.cleaned_data["name"],
                    hs_revision=form.cleaned_data["hs_revision"],
                    illustrative=form.cleaned_data["illustrative"],
                    replace_existing=form.cleaned_data["replace_existing"],
                )
            except DomainError as error:
                form.add_error("file", error.message)
            else:
                messages.success(request, _("File received: it is being checked, then loaded."))
                return redirect("insights:dataset_detail", dataset.pk)
    datasets = selectors.trade_datasets(actor)
    return render(
        request,
        "insights/dataset_list.html",
        {"datasets": datasets, "form": form, "can_manage": can_manage, "rates": selectors.rates_by_year()},
    )


@login_required
def dataset_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    dataset = selectors.trade_dataset_get(actor, pk)
    if request.method == "POST":
        if not policies.can_manage(actor):
            raise Forbidden(_("Only the cluster secretariat may do this."))
        try:
            services.trade_dataset_delete(actor=actor, dataset=dataset)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The data set and its flows were removed."))
            return redirect("insights:dataset_list")
    return render(
        request, "insights/dataset_detail.html", {"dataset": dataset, "can_manage": policies.can_manage(actor)}
    )


# ------------------------------------------------------------------------------------------------ crosswalk


@login_required
@require_GET
def crosswalk_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    q = request.GET.get("q", "").strip()[:100]
    chapter = request.GET.get("chapter", "").strip()[:2]
    chapter = chapter if chapter.isdigit() else ""
    rows = selectors.crosswalk(q=q, chapter=chapter)
    if _wants_xlsx(request):
        headers = [_("HS 2022 code"), _("Description"), _("EMDN group"), _("Term"), _("Share (%)"), _("Note")]
        data = [
            [row["hs6"], row["description"], link.emdn_group.code, link.emdn_group.term, link.share_percent, link.note]
            for row in rows
            for link in row["links"]
        ]
        return _xlsx("correspondance-sh-emdn", headers, data, "SH-EMDN")
    return render(
        request,
        "insights/crosswalk_list.html",
        {
            "rows": rows,
            "q": q,
            "chapter": chapter,
            "can_manage": policies.can_manage(actor),
            "add_form": CrosswalkAddForm(),
            "export_query": _query(request, format="xlsx"),
        },
    )


@login_required
def crosswalk_edit(request: HttpRequest, hs6: str) -> HttpResponse:
    """One HS code's EMDN groups and shares; its history below. Saving replaces the code's links at once."""
    actor = actor_for(request.user)
    if request.method == "GET" and request.GET.get("hs6"):
        add = CrosswalkAddForm(request.GET)
        if add.is_valid():
            return redirect("insights:crosswalk_edit", add.cleaned_data["hs6"])
        messages.error(request, _("An HS 2022 code has six digits, e.g. 901831."))
        return redirect("insights:crosswalk_list")
    code, links = selectors.crosswalk_code(hs6)
    choices = selectors.emdn_group_choices()
    initial = [
        {"group": link.emdn_group.code, "share_percent": link.share_percent, "note": link.note} for link in links
    ]
    formset = CrosswalkLinkFormSet(initial=initial, form_kwargs={"group_choices": choices})
    error = None
    if request.method == "POST":
        if not policies.can_manage(actor):
            raise Forbidden(_("Only the cluster secretariat may do this."))
        formset = CrosswalkLinkFormSet(request.POST, initial=initial, form_kwargs={"group_choices": choices})
        if formset.is_valid():
            entries = [
                services.LinkInput(f["group"], f["share_percent"] or Decimal(0), f.get("note", ""))
                for f in formset.cleaned_data
                if f and f.get("group")
            ]
            try:
                services.crosswalk_set_links(actor=actor, hs6=code.code, links=entries)
            except DomainError as exc:
                error = exc.message
            else:
                messages.success(request, _("The crosswalk of %(code)s was saved.") % {"code": code.code})
                return redirect("insights:crosswalk_edit", code.code)
        else:
            error = _("Some rows are not valid: see below.")
    return render(
        request,
        "insights/crosswalk_edit.html",
        {
            "code": code,
            "links": links,
            "formset": formset,
            "error": error,
            "can_manage": policies.can_manage(actor),
            "history": selectors.crosswalk_history(code.code),
        },
    )


# -------------------------------------------------------------------------------------------------- reports


def _report_language(request: HttpRequest) -> str:
    language = request.POST.get("language", "") or (get_language() or "fr")[:2]
    return language if language in services.REPORT_LANGUAGES else "fr"


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    """The archive of reports the person may read; the secretariat requests the quarterly report here."""
    actor = actor_for(request.user)
    if request.method == "POST":
        try:
            report = services.report_request(
                actor=actor,
                user=request.user,
                kind=ReportKind.QUARTERLY,
                language=_report_language(request),
                period=request.POST.get("period", "").strip(),
            )
        except DomainError as error:
            if isinstance(error, Forbidden):
                raise
            messages.error(request, error.message)
        else:
            messages.success(request, _("The report is being generated."))
            return redirect("insights:report_detail", report.pk)
    reports = permissions.visible(actor, Report.objects.select_related("requested_by", "job"))
    return render(
        request,
        "insights/report_list.html",
        {
            "reports": reports[:200],
            "can_manage": policies.can_manage(actor),
            "period": services.current_quarter(),
            "languages": services.REPORT_LANGUAGES,
        },
    )


@login_required
@require_POST
def opportunity_report(request: HttpRequest, group: str) -> HttpResponse:
    """Ask for an opportunity's PDF report (generated by the task worker, then downloadable and archived)."""
    group = _group_or_404(group)
    actor = actor_for(request.user)
    try:
        report = services.report_request(
            actor=actor, user=request.user, kind=ReportKind.OPPORTUNITY, language=_report_language(request), group=group
        )
    except DomainError as error:
        if isinstance(error, Forbidden):
            raise
        messages.error(request, error.message)
        return redirect("insights:opportunity_detail", group)
    return redirect("insights:report_detail", report.pk)


@login_required
@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    report = permissions.get_visible_or_404(actor, Report.objects.select_related("job", "requested_by"), pk=pk)
    return render(request, "insights/report_detail.html", {"report": report})


@login_required
@require_GET
def report_download(request: HttpRequest, pk: int) -> FileResponse:
    actor = actor_for(request.user)
    report = permissions.get_visible_or_404(actor, Report.objects.all(), pk=pk)
    if report.status != ReportStatus.READY or not report.file:
        raise NotFound(_("This report is not ready."))
    # Sent under its title ("Rapport du cluster 2026-T4.pdf"), not the generated name it is stored under.
    return FileResponse(
        report.file.open("rb"),
        as_attachment=True,
        filename=storage.download_filename(report.title, storage.PDF, fallback=f"report-{report.pk}"),
        content_type="application/pdf",
    )


# ----------------------------------------------------------------------------------------------- dashboards


def _table_export(request: HttpRequest, filename: str, *tables: tables.Table) -> HttpResponse | None:
    """The xlsx of the table named by `?table=` (the first by default) when `?format=xlsx` asks for it."""
    if not _wants_xlsx(request):
        return None
    wanted = request.GET.get("table") or tables[0].name
    for table in tables:
        if table.name == wanted:
            ratios = [index for index, column in enumerate(table.columns) if column.kind == "ratio"]
            rows = table.export_rows()
            return _xlsx(f"{filename}-{table.name}", table.headers, rows, table.title[:31], ratios=ratios)
    raise NotFound(_("No such table."))


def _exported(request: HttpRequest, *items: tables.Table) -> list[tables.Table]:
    params = {k: str(v) for k, v in request.GET.items() if k not in ("format", "table")}
    return [tables.with_export(table, params) for table in items]


def _dashboard_context(request: HttpRequest, current: str, organisation_id: int | None = None) -> dict[str, Any]:
    context = _base_context(request)
    actor = context["actor"]
    context.update(
        current=current,
        current_organisation=organisation_id,
        national=dashboards.national_dashboards(actor),
        own_organisations=dashboards.own_organisations(actor),
    )
    return context


def _money_chart(title: str, rows: Sequence[dict[str, Any]], label: Any, links: Sequence[str], no_data: str) -> str:
    shown = rows[:TOP_GROUPS]
    return _svg(
        visuals.demand_coverage_chart(
            shown, title=title, labels=[label(r) for r in shown], links=list(links[:TOP_GROUPS]), no_data=no_data,
            rtl=_rtl(),
        )
    )  # fmt: skip


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The person's first dashboard: their own buyer's or manufacturer's, else the national one of their
    organisation (secretariat, Ministry of Industry and IMANOR, Ministry of Health), else the indicators."""
    actor = actor_for(request.user)
    own = dashboards.own_organisations(actor)
    if own:
        first = min(own, key=lambda o: ({"admin": 0, "member": 1}.get(actor.roles.get(o.pk, ""), 2), o.name))
        return redirect("insights:dashboard_organisation", pk=first.pk)
    national = dashboards.national_dashboards(actor)
    if national:
        return redirect(f"insights:dashboard_{national[0]}")
    return redirect("insights:index")


@login_required
@require_GET
def dashboard_organisation(request: HttpRequest, pk: int) -> HttpResponse:
    """A buyer's dashboard (its plans of a year per EMDN group, coverage, orders) or a manufacturer's (its EMDN
    groups, the national demand there, what its products miss, nearby opportunities): for the people who may
    read the organisation."""
    context = _dashboard_context(request, "organisation", pk)
    actor = context["actor"]
    organisation = dashboards.dashboard_organisation(actor, pk)
    is_buyer = organisation.kind in BUYER_KINDS
    context.update(organisation=organisation, is_buyer=is_buyer)
    filename = f"tableau-de-bord-{organisation.slug}"
    if is_buyer:
        years = dashboards.buyer_years(organisation)
        year = _int_param(request, "year", years) or (years[0] if years else timezone.localdate().year)
        data = dashboards.buyer_dashboard(organisation, year)
        (table,) = _exported(request, tables.buyer_groups(data["rows"]))
        if (export := _table_export(request, f"{filename}-{year}", table)) is not None:
            return export
        context.update(
            year=year,
            years=years,
            totals=data["totals"],
            tables=[table],
            chart=_money_chart(
                _("Declared demand and local coverage per EMDN group (MAD)"),
                data["rows"],
                lambda r: f"{r['group']} {r['label'][:40]}",
                [tables.group_link(r) for r in data["rows"]],
                _("No plan in force for this year."),
            ),
        )
    else:
        data = dashboards.manufacturer_dashboard(actor, organisation, context["snapshot"])
        groups, nearby = _exported(
            request,
            tables.manufacturer_groups(data["rows"], data["demand_year"]),
            tables.nearby_opportunities(data["opportunities"]),
        )
        if (export := _table_export(request, filename, groups, nearby)) is not None:
            return export
        context.update(
            missing=data["missing"],
            tables=[groups, nearby],
            chart=_money_chart(
                _("National declared demand in your EMDN groups (MAD)"),
                largest := sorted(data["rows"], key=lambda r: (-r["demand"], r["group"])),
                lambda r: f"{r['group']} {r['label'][:40]}",
                [reverse("insights:opportunity_detail", args=[r["group"]]) for r in largest],
                _("No published product yet."),
            ),
        )
    return render(request, "insights/dashboard.html", context)


@login_required
@require_GET
def dashboard_cluster(request: HttpRequest) -> HttpResponse:
    """The secretariat's dashboard of a year: every member buyer and local manufacturer, with drill-down to
    their own dashboards."""
    context = _dashboard_context(request, "cluster")
    actor, snapshot = context["actor"], context["snapshot"]
    if not policies.can_open_dashboard(actor, "cluster"):
        raise Forbidden(_("This dashboard is for the cluster secretariat."))
    if snapshot is None:
        return render(request, "insights/dashboard_national.html", context)
    years = dashboards.figure_years(snapshot)
    default_year = max(snapshot.demand_years) if snapshot.demand_years else (years[0] if years else None)
    year = _int_param(request, "year", years) or default_year
    data = dashboards.cluster_dashboard(actor, snapshot, year)
    buyers, suppliers = _exported(
        request, tables.cluster_buyers(data["buyers"]), tables.cluster_suppliers(data["suppliers"])
    )
    if (export := _table_export(request, f"tableau-de-bord-cluster-{year}", buyers, suppliers)) is not None:
        return export
    context.update(
        year=year,
        years=years,
        totals=data["totals"],
        listed=data["listed"],
        tables=[buyers, suppliers],
        chart=_money_chart(
            _("Declared demand and local coverage per buyer (MAD)"),
            data["buyers"],
            lambda r: r["organisation"].name[:44],
            [reverse("insights:dashboard_organisation", args=[r["organisation"].pk]) for r in data["buyers"]],
            _("No buyer has a plan in force this year."),
        ),
    )
    return render(request, "insights/dashboard_national.html", context)


def _dashboard_regulatory(request: HttpRequest, focus: str) -> HttpResponse:
    context = _dashboard_context(request, focus)
    actor, snapshot = context["actor"], context["snapshot"]
    if not policies.can_open_dashboard(actor, focus):
        raise Forbidden(_("This dashboard is for the ministries and the cluster secretariat."))
    context.update(focus=focus, categories=selectors.emdn_categories())
    if snapshot is None:
        return render(request, "insights/dashboard_national.html", context)
    category = _category_param(request)
    data = dashboards.regulatory_dashboard(actor, snapshot, category=category)
    (table,) = _exported(
        request,
        tables.regulatory(
            data["rows"],
            focus=focus,
            category=category,
            trade_year=data["trade_year"],
            demand_year=data["demand_year"],
        ),
    )
    if export := _table_export(request, f"tableau-de-bord-{focus}{'-' + category if category else ''}", table):
        return export
    rows = data["rows"]
    here = reverse(f"insights:dashboard_{focus}")
    links = [
        reverse("insights:opportunity_detail", args=[r["code"]]) if category else f"{here}?category={r['code']}"
        for r in rows
    ]
    context.update(
        category=category,
        totals=data["totals"],
        queues=data["queues"],
        trade_year=data["trade_year"],
        demand_year=data["demand_year"],
        tables=[table],
        chart=_svg(visuals.regulatory_chart(rows, per_group=bool(category), rtl=_rtl(), links=links)),
    )
    return render(request, "insights/dashboard_national.html", context)


@login_required
@require_GET
def dashboard_industry(request: HttpRequest) -> HttpResponse:
    """The Ministry of Industry's and IMANOR's dashboard: imports, demand and local production per EMDN category,
    the products' certification and label, capacities."""
    return _dashboard_regulatory(request, "industry")


@login_required
@require_GET
def dashboard_health(request: HttpRequest) -> HttpResponse:
    """The Ministry of Health's (DMP) dashboard: local products per EMDN category and their registrations."""
    return _dashboard_regulatory(request, "health")
