"""Pages of the imports app, the same for every registered import kind: upload, column mapping, preview,
import as a job with its progress, result with the error report, and the list of past imports.

The calling app links to `imports:new` with its kind (e.g. `/imports/new/catalog.products/`), and to
`imports:template` for an empty workbook with the right columns."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import HiddenInput
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tawrid.accounts.models import Organisation
from tawrid.core.errors import DomainError
from tawrid.core.permissions import Actor, actor_for
from tawrid.imports import pending, selectors, services
from tawrid.imports.forms import MappingForm, UploadForm
from tawrid.imports.models import ImportRun, ImportStatus
from tawrid.imports.registry import ImportContext, ImportKind, get_kind, registered_kinds


def _organisations_for(actor: Actor, kind: ImportKind) -> Any:
    organisations = Organisation.objects.filter(pk__in=actor.writable_org_ids).order_by("name")
    allowed = [org.pk for org in organisations if kind.permission(actor, org)]
    return Organisation.objects.filter(pk__in=allowed).order_by("name")


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    kinds = [k for k in registered_kinds() if _organisations_for(actor, k).exists()]
    runs = selectors.import_run_list(actor=actor, kind=request.GET.get("kind") or None)[:100]
    return render(request, "imports/import_list.html", {"runs": runs, "kinds": kinds})


def _chosen_organisation(request: HttpRequest, organisations: Any) -> tuple[Any, bool]:
    """The organisation a link chose (`?organisation=<id>`, e.g. the buyer of the plan to import into):
    (the organisations the form offers, refused). An id that is not one the person may import for is refused."""
    given = request.GET.get("organisation", "")
    if not given:
        return organisations, False
    chosen = organisations.filter(pk=int(given)) if given.isdigit() else organisations.none()
    return (chosen, False) if chosen.exists() else (organisations.none(), True)


@login_required
def import_new(request: HttpRequest, kind: str) -> HttpResponse:
    actor = actor_for(request.user)
    import_kind = get_kind(kind)
    organisations = _organisations_for(actor, import_kind)
    if not organisations.exists():
        messages.error(request, _("None of your organisations may import this."))
        return redirect("imports:list")
    organisations, refused = _chosen_organisation(request, organisations)
    params = {name: request.GET.get(name) or request.POST.get(name) for name in import_kind.params}
    context: dict[str, Any] = {"kind": import_kind, "params": {k: v for k, v in params.items() if v}}
    if refused:
        message = _("You may not import for this organisation: open the import from one of your organisations.")
        return render(request, "imports/import_new.html", {**context, "refusal": message}, status=403)
    kept = pending.find(request.session, request.POST.get("pending"), kind=import_kind.name)
    form = UploadForm(
        request.POST or None, request.FILES or None, organisations=organisations, file_kept=kept is not None
    )
    if organisations.count() == 1:
        form.fields["organisation"].widget = HiddenInput()
    already_imported = False
    if request.method == "POST":
        run, kept, already_imported = _upload(request, actor, import_kind, form, params, kept)
        if run is not None:
            return redirect("imports:detail", run_id=run.pk)
    return render(
        request,
        "imports/import_new.html",
        {
            **context,
            "form": form,
            "organisation": organisations.first() if organisations.count() == 1 else None,
            "kept": kept,
            "already_imported": already_imported,
        },
    )


def _upload(
    request: HttpRequest,
    actor: Actor,
    import_kind: ImportKind,
    form: UploadForm,
    params: dict[str, Any],
    kept: pending.KeptFile | None,
) -> tuple[ImportRun | None, pending.KeptFile | None, bool]:
    """Send the upload form: (the import made or None, the file kept on the server for another try, whether
    the file was already imported). A refused file stays on the server so the person need not choose it again."""
    valid = form.is_valid()
    uploaded = form.cleaned_data.get("file") if "file" not in form.errors else None
    if uploaded:
        name, data = uploaded.name, uploaded.read()
        pending.drop(request.session, kept.token if kept else None)
        kept = None
    elif kept is not None and (stored := kept.read(request.session)) is not None:
        name, data = kept.name, stored
    else:
        if kept is not None:
            form.add_error("file", _("The file sent before is no longer kept: choose it again."))
        return None, None, False
    if valid:
        try:
            run = services.import_upload(
                actor=actor,
                user=request.user,
                kind_name=import_kind.name,
                organisation=form.cleaned_data["organisation"],
                filename=name,
                data=data,
                params=params,
                sheet=form.cleaned_data["sheet"] or None,
                header_row=form.cleaned_data["header_row"],
                confirm_reimport=form.cleaned_data["confirm_reimport"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
            already = error.code == "already_imported"
        else:
            pending.drop(request.session, kept.token if kept else None)
            return run, None, False
    else:
        already = False
    if kept is None and data:
        kept = pending.keep(request.session, name=name, data=data, kind=import_kind.name)
    return None, kept, already


def _result_url(run: ImportRun, kind: ImportKind, actor: Actor) -> str | None:
    if kind.result_url is None:
        return None
    return kind.result_url(ImportContext(actor=actor, organisation=run.organisation, params=run.params, run_id=run.pk))


def _detail_context(request: HttpRequest, run: ImportRun, form: MappingForm | None = None) -> dict[str, Any]:
    actor = actor_for(request.user)
    kind = get_kind(run.kind)
    can_change = run.organisation_id in actor.writable_org_ids
    if run.is_open and can_change and form is None:
        form = MappingForm(run=run, kind=kind)
    return {
        "run": run,
        "kind": kind,
        "form": form if run.is_open and can_change else None,
        "can_change": can_change,
        "errors": selectors.import_run_errors(actor=actor, run=run, limit=200) if run.total_rows else [],
        "result_url": _result_url(run, kind, actor) if run.status == ImportStatus.IMPORTED else None,
    }


@login_required
def import_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    run = selectors.import_run_get(actor=actor_for(request.user), run_id=run_id)
    return render(request, "imports/import_detail.html", _detail_context(request, run))


@login_required
def import_status(request: HttpRequest, run_id: int) -> HttpResponse:
    """The run's state, polled by the page while a job checks or imports the file."""
    run = selectors.import_run_get(actor=actor_for(request.user), run_id=run_id)
    if request.headers.get("HX-Request"):
        response = render(request, "imports/_run_status.html", _detail_context(request, run))
        if run.status not in (ImportStatus.VALIDATING, ImportStatus.IMPORTING):
            response["HX-Refresh"] = "true"  # finished: show the whole result page
        return response
    return redirect("imports:detail", run_id=run.pk)


@login_required
@require_POST
def import_mapping(request: HttpRequest, run_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    run = selectors.import_run_get(actor=actor, run_id=run_id)
    kind = get_kind(run.kind)
    form = MappingForm(request.POST, run=run, kind=kind)
    if form.is_valid():
        structure_changed = (
            form.cleaned_data["sheet"] != run.sheet_name or form.cleaned_data["header_row"] != run.header_row
        )
        try:
            services.import_set_mapping(
                actor=actor,
                run=run,
                mapping=None if structure_changed else form.mapping(),
                sheet=form.cleaned_data["sheet"],
                header_row=form.cleaned_data["header_row"],
                remember=form.cleaned_data["remember"],
                keep_valid_rows=form.cleaned_data["keep_valid_rows"],
            )
        except DomainError as error:
            for message_list in error.details.values():
                for message in message_list:
                    form.add_error(None, message)
            if not error.details:
                form.add_error(None, error.message)
        else:
            if structure_changed:
                messages.info(request, _("The headers were read again: check the mapping."))
            else:
                messages.success(request, _("Columns mapped. Check the preview, then import."))
            return redirect("imports:detail", run_id=run.pk)
    return render(request, "imports/import_detail.html", _detail_context(request, run, form), status=422)


@login_required
def import_preview(request: HttpRequest, run_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    run = selectors.import_run_get(actor=actor, run_id=run_id)
    try:
        preview = services.import_preview(actor=actor, run=run)
        error = None
    except DomainError as exc:
        preview, error = None, exc.message
    template = "imports/_preview.html" if request.headers.get("HX-Request") else "imports/import_preview.html"
    return render(request, template, {"run": run, "preview": preview, "error": error})


@login_required
@require_POST
def import_validate(request: HttpRequest, run_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    run = selectors.import_run_get(actor=actor, run_id=run_id)
    try:
        run = services.import_validate(actor=actor, run=run, user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if run.status == ImportStatus.VALIDATED:
            messages.info(
                request,
                _("%(total)s rows checked: %(valid)s valid, %(invalid)s in error.")
                % {"total": run.total_rows, "valid": run.valid_rows, "invalid": run.invalid_rows},
            )
    return redirect("imports:detail", run_id=run.pk)


@login_required
@require_POST
def import_execute(request: HttpRequest, run_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    run = selectors.import_run_get(actor=actor, run_id=run_id)
    keep = request.POST.get("keep_valid_rows")
    try:
        services.import_execute(
            actor=actor,
            run=run,
            user=request.user,
            keep_valid_rows=None if keep is None else keep in ("on", "true", "1"),
        )
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("imports:detail", run_id=run.pk)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def import_cancel(request: HttpRequest, run_id: int) -> HttpResponse:
    """GET asks first (a page, since inline scripts are not allowed: one click never cancels); POST cancels."""
    actor = actor_for(request.user)
    run = selectors.import_run_get(actor=actor, run_id=run_id)
    if request.method != "POST":
        if run.organisation_id not in actor.writable_org_ids or run.is_final:
            return redirect("imports:detail", run_id=run.pk)
        return render(request, "imports/import_cancel.html", {"run": run})
    try:
        services.import_cancel(actor=actor, run=run)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Import cancelled."))
    return redirect("imports:detail", run_id=run.pk)


@login_required
@require_POST
def import_retry(request: HttpRequest, run_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    run = selectors.import_run_get(actor=actor, run_id=run_id)
    try:
        services.import_retry(actor=actor, run=run, user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The import starts again."))
    return redirect("imports:detail", run_id=run.pk)


@login_required
def import_errors(request: HttpRequest, run_id: int, fmt: str) -> HttpResponse:
    actor = actor_for(request.user)
    run = selectors.import_run_get(actor=actor, run_id=run_id)
    content, content_type, filename = services.error_report(actor=actor, run=run, fmt=fmt)
    return _attachment(content, content_type, filename)


@login_required
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    import_kind = get_kind(kind)
    content = services.import_template(kind_name=import_kind.name)
    return _attachment(
        content,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"{import_kind.name.replace('.', '-')}.xlsx",
    )
