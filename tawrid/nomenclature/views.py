"""Pages of the reference nomenclatures: index, tree browsers (expanded in place with htmx), code pages, search."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_POST

from tawrid.core.errors import DomainError, Forbidden
from tawrid.core.jobs import job_enqueue
from tawrid.core.permissions import actor_for
from tawrid.nomenclature import selectors
from tawrid.nomenclature.models import CpvCode, EmdnCode, FdaProductCode, HsCode
from tawrid.nomenclature.selectors import Node

SEARCH_PAGE_SIZE = 50
CPV_LEVELS = {1: _lazy("Division"), 2: _lazy("Group"), 3: _lazy("Class"), 4: _lazy("Category")}


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "nomenclature/index.html",
        {"summaries": selectors.nomenclature_summaries(), "can_reload": actor_for(request.user).is_superuser},
    )


@login_required
@require_POST
def reload(request: HttpRequest) -> HttpResponse:
    """Platform staff reload the reference data as a job, then follow its progress."""
    if not actor_for(request.user).is_superuser:
        raise Forbidden()
    force = request.POST.get("force") == "1"
    try:
        job = job_enqueue(
            kind="nomenclature.load_reference",
            title=_("Reload the reference nomenclatures"),
            params={"force": force},
            created_by=request.user,
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("nomenclature:index")
    return redirect("core:job_detail", job_id=job.pk)


# ----------------------------------------------------------------------------------------------- trees


def _tree(request: HttpRequest, key: str) -> HttpResponse:
    return render(
        request,
        "nomenclature/tree.html",
        {"nomenclature": selectors.nomenclature(key), "nodes": selectors.tree_roots(key)},
    )


def _node(request: HttpRequest, node: Node, children: Any) -> HttpResponse:
    """One tree line, open (with its children) when asked with ?open=1, closed otherwise."""
    is_open = request.GET.get("open") == "1"
    return render(
        request,
        "nomenclature/_node.html",
        {"node": node, "open": is_open, "children": children() if is_open else []},
    )


@require_GET
def emdn_tree(request: HttpRequest) -> HttpResponse:
    return _tree(request, "emdn")


@require_GET
def cpv_tree(request: HttpRequest) -> HttpResponse:
    return _tree(request, "cpv")


@require_GET
def hs_tree(request: HttpRequest) -> HttpResponse:
    return _tree(request, "hs")


@require_GET
def fda_tree(request: HttpRequest) -> HttpResponse:
    return _tree(request, "fda")


@require_GET
def emdn_node(request: HttpRequest, code: str) -> HttpResponse:
    item = selectors.emdn_get(code=code)
    return _node(request, selectors.code_node("emdn", item), lambda: selectors.code_children_nodes("emdn", item))


@require_GET
def cpv_node(request: HttpRequest, code: str) -> HttpResponse:
    item = selectors.cpv_get(code=code)
    return _node(request, selectors.code_node("cpv", item), lambda: selectors.code_children_nodes("cpv", item))


@require_GET
def hs_node(request: HttpRequest, code: str) -> HttpResponse:
    item = selectors.hs_get(code=code)
    return _node(request, selectors.code_node("hs", item), lambda: selectors.code_children_nodes("hs", item))


@require_GET
def hs_section_node(request: HttpRequest, roman: str) -> HttpResponse:
    section = selectors.hs_section_get(roman=roman)
    return _node(request, selectors.hs_section_node(section), lambda: selectors.hs_section_children_nodes(section))


@require_GET
def fda_panel_node(request: HttpRequest, panel: str) -> HttpResponse:
    code = selectors.fda_panel_code(panel)
    return _node(request, selectors.fda_panel_node(code), lambda: selectors.fda_panel_children_nodes(code))


# ----------------------------------------------------------------------------------------------- code pages


def _crumb(key: str, item: Any) -> dict[str, str]:
    node = selectors.node_for(key, item)
    return {"code": node.code, "label": node.label, "url": node.url, "lang": node.lang}


def _detail(
    request: HttpRequest,
    key: str,
    *,
    code: str,
    label: str,
    lang: str,
    ancestors: list[dict[str, str]],
    facts: list[tuple[str, Any]],
    children: list[Node],
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    context = {
        "nomenclature": selectors.nomenclature(key),
        "code": code,
        "label": label,
        "lang": lang,
        "ancestors": ancestors,
        "facts": facts,
        "children": children,
        **(extra or {}),
    }
    return render(request, "nomenclature/detail.html", context)


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


@require_GET
def emdn_detail(request: HttpRequest, code: str) -> HttpResponse:
    item: EmdnCode = selectors.emdn_get(code=code)
    ancestors = selectors.emdn_ancestors(item=item)
    category = ancestors[0] if ancestors else item
    facts: list[tuple[str, Any]] = [
        (_("Category"), f"{category.code} — {category.term}"),
        (_("Level"), item.level),
        (_("Terminal code"), _yes_no(item.is_terminal)),
    ]
    return _detail(
        request,
        "emdn",
        code=item.code,
        label=item.term,
        lang="en",
        ancestors=[_crumb("emdn", a) for a in ancestors],
        facts=facts,
        children=selectors.code_children_nodes("emdn", item),
    )


@require_GET
def cpv_detail(request: HttpRequest, code: str) -> HttpResponse:
    item: CpvCode = selectors.cpv_get(code=code)
    level_name = CPV_LEVELS.get(item.level) or _("Subdivision")
    facts: list[tuple[str, Any]] = [
        (_("English label"), item.label_en),
        (_("Italian label"), item.label_it),
        (_("Kind"), item.get_kind_display()),
        (_("Level"), _("%(level)s — %(name)s") % {"level": item.level, "name": level_name}),
    ]
    return _detail(
        request,
        "cpv",
        code=item.code,
        label=item.label_fr,
        lang="fr",
        ancestors=[_crumb("cpv", a) for a in selectors.cpv_ancestors(item=item)],
        facts=facts,
        children=selectors.code_children_nodes("cpv", item),
        extra={"fact_langs": {_("English label"): "en", _("Italian label"): "it"}},
    )


@require_GET
def hs_detail(request: HttpRequest, code: str) -> HttpResponse:
    item: HsCode = selectors.hs_get(code=code)
    levels = {2: _("Chapter"), 4: _("Heading"), 6: _("Subheading")}
    ancestors: list[dict[str, str]] = []
    if item.section is not None:
        ancestors.append(
            {
                "code": item.section.roman,
                "label": item.section.name,
                "url": reverse("nomenclature:hs_section", args=[item.section.roman]),
                "lang": "en",
            }
        )
    ancestors += [_crumb("hs", a) for a in selectors.hs_ancestors(item=item)]
    facts: list[tuple[str, Any]] = [
        (_("Section"), f"{item.section.roman} — {item.section.name}" if item.section else _("none")),
        (_("Level"), _("%(level)s (%(digits)s digits)") % {"level": levels[item.level], "digits": item.level}),
    ]
    return _detail(
        request,
        "hs",
        code=item.code,
        label=item.description,
        lang="en",
        ancestors=ancestors,
        facts=facts,
        children=selectors.code_children_nodes("hs", item),
        extra={"concordance_steps": selectors.hs_concordance_steps(code=item.code), "is_hs": True},
    )


@require_GET
def hs_section(request: HttpRequest, roman: str) -> HttpResponse:
    section = selectors.hs_section_get(roman=roman)
    return _detail(
        request,
        "hs",
        code=section.roman,
        label=section.name,
        lang="en",
        ancestors=[],
        facts=[(_("Section"), section.roman)],
        children=selectors.hs_section_children_nodes(section),
    )


@require_GET
def fda_detail(request: HttpRequest, code: str) -> HttpResponse:
    item: FdaProductCode = selectors.fda_get(code=code)
    panel = selectors.FDA_PANELS.get(item.review_panel, item.review_panel)
    facts: list[tuple[str, Any]] = [
        (_("Device class"), item.get_device_class_display()),
        (_("Review panel"), f"{item.review_panel or '—'} — {panel}"),
        (
            _("Medical specialty"),
            f"{item.medical_specialty} — {selectors.FDA_PANELS.get(item.medical_specialty, '')}"
            if item.medical_specialty
            else "—",
        ),
        (_("Regulation number"), f"21 CFR {item.regulation_number}" if item.regulation_number else "—"),
        (_("Submission type"), selectors.FDA_SUBMISSION_TYPES.get(item.submission_type, item.submission_type or "—")),
        (_("Exempt from good manufacturing practice"), _yes_no(item.gmp_exempt)),
        (
            _("Third-party review"),
            {"Y": _("eligible"), "N": _("not eligible"), "P": _("partly eligible")}.get(item.third_party_review, "—"),
        ),
        (_("Implant"), _yes_no(item.implant)),
        (_("Life-sustaining or life-supporting"), _yes_no(item.life_sustaining)),
    ]
    slug = selectors.fda_panel_slug(item.review_panel)
    ancestors = [
        {
            "code": item.review_panel or "—",
            "label": str(panel),
            "url": reverse("nomenclature:fda_panel", args=[slug]),
            "lang": "",
        }
    ]
    return _detail(
        request,
        "fda",
        code=item.product_code,
        label=item.device_name,
        lang="en",
        ancestors=ancestors,
        facts=facts,
        children=[],
        extra={"definition": item.definition},
    )


@require_GET
def fda_panel(request: HttpRequest, panel: str) -> HttpResponse:
    code = selectors.fda_panel_code(panel)
    return _detail(
        request,
        "fda",
        code=code or "—",
        label=str(selectors.FDA_PANELS[code]),
        lang="",
        ancestors=[],
        facts=[(_("Product codes"), selectors.fda_panel_codes(code).count())],
        children=selectors.fda_panel_children_nodes(code),
    )


# ----------------------------------------------------------------------------------------------- search


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    key = request.GET.get("n", "emdn")
    if key not in selectors.NOMENCLATURES:
        key = "emdn"
    query = request.GET.get("q", "").strip()[:200]
    page = None
    results: list[dict[str, Any]] = []
    if query:
        paginator = Paginator(selectors.search(key=key, query=query), SEARCH_PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        for item in page.object_list:
            node = selectors.node_for(key, item)
            results.append({"code": node.code, "url": node.url, "labels": selectors.search_labels(key, item)})
    return render(
        request,
        "nomenclature/search.html",
        {
            "nomenclature": selectors.nomenclature(key),
            "nomenclatures": selectors.NOMENCLATURES.values(),
            "query": query,
            "page": page,
            "results": results,
        },
    )
