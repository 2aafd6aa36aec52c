"""Pages of the catalogue: manufacturers' products, variants and specifications, certificates,
registrations and labels; IMANOR's and the DMP's review queues and decisions; the public directory.
Thin: forms validate, services write, selectors read."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.forms import BaseForm
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tawrid.accounts.models import Organisation
from tawrid.catalog import exports, policies, selectors, services
from tawrid.catalog import imports as catalogue_imports
from tawrid.catalog.forms import (
    CertificateDecisionForm,
    CertificateForm,
    DirectoryForm,
    DocumentForm,
    LabelApplyForm,
    LabelDecisionForm,
    ProductFilterForm,
    ProductForm,
    RegistrationApplyForm,
    RegistrationDecisionForm,
    SiteForm,
    SpecificationFormSet,
    VariantForm,
)
from tawrid.catalog.models import DocumentKind, Product, ProductDocument, ProductionSite, RegistrationStatus, Variant
from tawrid.core import permissions, storage
from tawrid.core.errors import DomainError, Forbidden, NotFound
from tawrid.core.permissions import Actor, actor_for

PAGE_SIZE = 50


def _show_error(form: BaseForm, error: DomainError) -> None:
    placed = False
    for field, field_messages in error.details.items():
        if field in form.fields:
            for message in field_messages:
                form.add_error(field, message)
            placed = True
    if not placed or not error.details:
        form.add_error(None, error.message)


def _writable_manufacturer(actor: Actor, organisation_id: Any = None) -> Organisation:
    manufacturers = selectors.my_manufacturers(actor=actor, writable=True)
    manufacturer = manufacturers.filter(pk=organisation_id).first() if organisation_id else manufacturers.first()
    if manufacturer is None:
        raise Forbidden(_("Only the people of a manufacturer or a start-up can add products."))
    return manufacturer


def _editable_product(actor: Actor, product_id: int) -> Product:
    product = selectors.product_get(actor=actor, product_id=product_id)
    if not permissions.can_change(actor, product):
        raise NotFound() if not policies.can_read_private(actor, product.manufacturer_id) else Forbidden()
    return product


# Manufacturers' products --------------------------------------------------------------------------------------------


@login_required
def product_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    form = ProductFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    products = selectors.product_list(
        actor=actor, q=filters.get("q"), status=filters.get("status"), emdn_category=filters.get("category")
    )
    if not actor.is_superuser:
        products = products.filter(manufacturer_id__in=actor.readable_org_ids)
    page = Paginator(products, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    eligible = selectors.eligibilities(page.object_list, today)
    rows = [(p, eligible[p.pk]) for p in page.object_list]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "can_create": selectors.my_manufacturers(actor=actor, writable=True).exists(),
        "manufacturers": selectors.my_manufacturers(actor=actor, writable=True),
        "import_kind": catalogue_imports.KIND,
        "query": request.GET.copy(),
    }
    template = "catalog/_product_rows.html" if request.headers.get("HX-Request") else "catalog/product_list.html"
    return render(request, template, context)


@login_required
def product_export(request: HttpRequest) -> HttpResponse:
    """The manufacturer's catalogue as xlsx, one row per variant: the columns of the import."""
    actor = actor_for(request.user)
    manufacturer = exports.readable_manufacturer(actor, request.GET.get("organisation") or None)
    content, filename = exports.export_catalogue(actor=actor, manufacturer=manufacturer)
    response = HttpResponse(content, content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def product_create(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    manufacturer = _writable_manufacturer(actor, request.GET.get("organisation") or request.POST.get("organisation"))
    sites = selectors.sites_of(actor=actor, organisation_id=manufacturer.pk)
    form = ProductForm(request.POST or None, sites=sites)
    if request.method == "POST" and form.is_valid():
        try:
            product = services.product_create(actor=actor, manufacturer=manufacturer, **form.service_fields())
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("The product has been created. Add its variants."))
            return redirect("catalog:variant_create", product_id=product.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "manufacturer": manufacturer, "creating": True}
    return render(request, "catalog/product_form.html", context, status=status)


@login_required
def product_edit(request: HttpRequest, product_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    product = _editable_product(actor, product_id)
    sites = selectors.sites_of(actor=actor, organisation_id=product.manufacturer_id)
    form = ProductForm(request.POST or None, instance=product, sites=sites)
    if request.method == "POST" and form.is_valid():
        try:
            services.product_update(actor=actor, product=product, **form.service_fields())
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("The product has been saved."))
            return redirect("catalog:product_detail", product_id=product.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "manufacturer": product.manufacturer, "product": product}
    return render(request, "catalog/product_form.html", context, status=status)


def product_detail(request: HttpRequest, product_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    product = selectors.product_get(actor=actor, product_id=product_id)
    private = policies.can_read_private(actor, product.manufacturer_id) or actor.is_superuser
    today = timezone.localdate()
    variants = list(selectors.variants_of(actor=actor, product=product))
    context = {
        "product": product,
        "name": product.name_in(get_language() or "fr"),
        "description": product.description_in(get_language() or "fr"),
        "variants": variants,
        "variant_priced": any(variant.unit_price is not None for variant in variants),
        "documents": selectors.documents_of(actor=actor, product=product),
        "certificates": selectors.certificates_of_product(actor=actor, product=product),
        "registrations": selectors.registrations_of(actor=actor, product=product),
        "labels": selectors.labels_of(actor=actor, product=product),
        "eligibility": selectors.product_eligibility(product, today),
        "today": today,
        "can_change": permissions.can_change(actor, product),
        "commercial": policies.can_see_commercial(actor, product),
        "private": private,
        "show_reasons": policies.can_see_regulatory_reasons(actor, product),
        "language": get_language() or "fr",
        "document_form": DocumentForm(),
    }
    return render(request, "catalog/product_detail.html", context)


@login_required
@require_POST
def product_publish(request: HttpRequest, product_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    product = _editable_product(actor, product_id)
    try:
        services.product_publish(actor=actor, product=product)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The product is published."))
    return redirect("catalog:product_detail", product_id=product.pk)


@login_required
@require_POST
def product_archive(request: HttpRequest, product_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    product = _editable_product(actor, product_id)
    services.product_archive(actor=actor, product=product)
    messages.success(request, _("The product is archived."))
    return redirect("catalog:product_detail", product_id=product.pk)


# Variants and specifications ----------------------------------------------------------------------------------------


def _variant_page(request: HttpRequest, product: Product, variant: Variant | None, actor: Actor) -> HttpResponse:
    initial_specs = (
        [{"attribute": s.attribute, "value": s.raw, "unit": s.entered_unit} for s in variant.specifications.all()]
        if variant
        else []
    )
    initial = (
        {
            "reference": variant.reference,
            "label": variant.label,
            "udi_di": variant.udi_di,
            "capacity_per_year": variant.capacity_per_year,
            "unit_price": variant.unit_price,
        }
        if variant
        else {}
    )
    form = VariantForm(request.POST or None, initial=initial)
    formset: Any = SpecificationFormSet(request.POST or None, initial=initial_specs, prefix="specs")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = dict(form.cleaned_data)
        data["udi_di"] = data.get("udi_di") or ""
        try:
            if variant is None:
                variant = services.variant_create(
                    actor=actor, product=product, specifications=formset.specifications(), **data
                )
            else:
                with transaction.atomic():
                    services.variant_update(actor=actor, variant=variant, **data)
                    services.variant_set_specifications(
                        actor=actor, variant=variant, specifications=formset.specifications()
                    )
        except DomainError as error:
            spec_errors = {k: v for k, v in error.details.items() if k not in form.fields}
            placed = False
            for spec_form in formset.forms:
                attribute = spec_form.cleaned_data.get("attribute")
                if attribute in spec_errors:
                    for message in spec_errors[attribute]:
                        spec_form.add_error("value", message)
                    placed = True
            if not placed:
                _show_error(form, error)
            elif error.message:
                form.add_error(None, error.message)
        else:
            messages.success(request, _("The variant “%(label)s” has been saved.") % {"label": data["label"]})
            if "add_another" in request.POST:
                return redirect("catalog:variant_create", product_id=product.pk)
            return redirect("catalog:product_detail", product_id=product.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "formset": formset, "product": product, "variant": variant}
    return render(request, "catalog/variant_form.html", context, status=status)


@login_required
def variant_create(request: HttpRequest, product_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    return _variant_page(request, _editable_product(actor, product_id), None, actor)


@login_required
def variant_edit(request: HttpRequest, variant_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    variant = permissions.get_visible_or_404(actor, Variant.objects.select_related("product"), pk=variant_id)
    product = _editable_product(actor, variant.product_id)
    return _variant_page(request, product, variant, actor)


@login_required
@require_POST
def variant_delete(request: HttpRequest, variant_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    variant = permissions.get_visible_or_404(actor, Variant.objects.select_related("product"), pk=variant_id)
    product = _editable_product(actor, variant.product_id)
    try:
        services.variant_delete(actor=actor, variant=variant)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The variant has been deleted."))
    return redirect("catalog:product_detail", product_id=product.pk)


# Documents ----------------------------------------------------------------------------------------------------------


@login_required
@require_POST
def document_upload(request: HttpRequest, product_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    product = _editable_product(actor, product_id)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.document_upload(
                actor=actor,
                organisation=product.manufacturer,
                product=product,
                file=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The document has been added."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("catalog:product_detail", product_id=product.pk)


def document_download(request: HttpRequest, document_id: int) -> FileResponse:
    document = permissions.get_visible_or_404(actor_for(request.user), ProductDocument.objects.all(), pk=document_id)
    kind = storage.FILE_TYPES[document.content_type]  # the type found in the content when it was uploaded
    # Django writes the header (quoted, or RFC 5987-encoded for a name in Arabic); inline: a PDF or an image
    # opens in the browser, with the type found, never guessed from a name.
    response = FileResponse(
        document.file.open("rb"),
        content_type=kind.mime,
        filename=storage.download_filename(document.title, kind, fallback=f"document-{document.pk}"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# Certificates -------------------------------------------------------------------------------------------------------


@login_required
def certificate_create(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    holder = _writable_manufacturer(actor, request.GET.get("organisation") or request.POST.get("organisation"))
    products = Product.objects.filter(manufacturer=holder).order_by("name_fr")
    form = CertificateForm(request.POST or None, request.FILES or None, products=products)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                document = None
                if data.get("file"):
                    document = services.document_upload(
                        actor=actor,
                        organisation=holder,
                        file=data["file"],
                        kind=DocumentKind.CERTIFICATE,
                        title=_("Certificate %(number)s") % {"number": data["number"]},
                    )
                certificate = services.certificate_create(
                    actor=actor,
                    holder=holder,
                    kind=data["kind"],
                    number=data["number"],
                    issuer=data["issuer"],
                    notified_body=data.get("notified_body") or "",
                    issued_on=data["issued_on"],
                    expires_on=data["expires_on"],
                    products=list(data.get("products") or []),
                    document=document,
                )
        except DomainError as error:
            if "file" in error.details:
                form.add_error("file", error.details["file"][0])
            else:
                _show_error(form, error)
        else:
            messages.success(
                request,
                _("The certificate %(number)s has been recorded; IMANOR will verify it.")
                % {"number": certificate.number},
            )
            return redirect("catalog:certificate_detail", certificate_id=certificate.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "catalog/certificate_form.html", {"form": form, "holder": holder}, status=status)


@login_required
def certificate_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    certificates = selectors.certificate_list(actor=actor)
    if not actor.is_superuser:
        certificates = certificates.filter(holder_id__in=actor.readable_org_ids)
    page = Paginator(certificates, PAGE_SIZE).get_page(request.GET.get("page"))
    can_create = selectors.my_manufacturers(actor=actor, writable=True).exists()
    return render(request, "catalog/certificate_list.html", {"page": page, "can_create": can_create})


@login_required
def certificate_detail(request: HttpRequest, certificate_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    certificate = selectors.certificate_get(actor=actor, certificate_id=certificate_id)
    can_decide = actor.is_superuser or policies.is_imanor(actor, writable=True)
    form = CertificateDecisionForm(request.POST or None)
    if request.method == "POST":
        if not can_decide:
            raise Forbidden()
        if form.is_valid():
            action = form.cleaned_data["action"]
            reason = form.cleaned_data["reason"]
            decisions: dict[str, Callable[..., Any]] = {
                "verify": services.certificate_verify,
                "suspend": services.certificate_suspend,
                "withdraw": services.certificate_withdraw,
                "reinstate": services.certificate_reinstate,
            }
            decide = decisions[action]
            try:
                decide(actor=actor, certificate=certificate, reason=reason)
            except DomainError as error:
                _show_error(form, error)
            else:
                messages.success(request, _("The decision has been recorded."))
                return redirect("catalog:certificate_detail", certificate_id=certificate.pk)
    context = {
        "certificate": certificate,
        "products": certificate.products.all(),
        "decisions": certificate.decisions.select_related("decided_by", "authority"),
        "can_decide": can_decide,
        "form": form,
    }
    return render(request, "catalog/certificate_detail.html", context, status=400 if form.errors else 200)


@login_required
def certificate_review(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    if not (actor.is_superuser or policies.is_imanor(actor)):
        raise Forbidden(_("This queue is IMANOR's."))
    show_all = request.GET.get("all") == "1"
    queue = selectors.certificate_review_queue(actor=actor, pending_only=not show_all)
    page = Paginator(queue, PAGE_SIZE).get_page(request.GET.get("page"))
    labels = selectors.label_review_queue(actor=actor)[:PAGE_SIZE]
    return render(request, "catalog/certificate_review.html", {"page": page, "labels": labels, "show_all": show_all})


# Registrations ------------------------------------------------------------------------------------------------------


@login_required
def registration_apply(request: HttpRequest, product_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    product = _editable_product(actor, product_id)
    form = RegistrationApplyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                documents = []
                if form.cleaned_data.get("file"):
                    documents.append(
                        services.document_upload(
                            actor=actor,
                            organisation=product.manufacturer,
                            product=product,
                            file=form.cleaned_data["file"],
                            kind=DocumentKind.DOSSIER,
                        )
                    )
                registration = services.registration_apply(
                    actor=actor, product=product, documents=documents, notes=form.cleaned_data["notes"]
                )
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("The application has been sent to the DMP."))
            return redirect("catalog:registration_detail", registration_id=registration.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "catalog/registration_form.html", {"form": form, "product": product}, status=status)


@login_required
def registration_detail(request: HttpRequest, registration_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    registration = selectors.registration_get(actor=actor, registration_id=registration_id)
    can_decide = actor.is_superuser or policies.is_dmp(actor, writable=True)
    form = RegistrationDecisionForm(request.POST or None)
    if request.method == "POST":
        if not can_decide:
            raise Forbidden()
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["action"] == "start_review":
                    services.registration_start_review(actor=actor, registration=registration)
                elif data["action"] == "approve":
                    services.registration_approve(
                        actor=actor,
                        registration=registration,
                        number=data["number"],
                        valid_from=data["valid_from"],
                        valid_until=data["valid_until"],
                    )
                else:
                    services.registration_refuse(actor=actor, registration=registration, reason=data["reason"])
            except DomainError as error:
                _show_error(form, error)
            else:
                messages.success(request, _("The decision has been recorded."))
                return redirect("catalog:registration_detail", registration_id=registration.pk)
    context = {
        "registration": registration,
        "decisions": registration.decisions.select_related("decided_by", "authority"),
        "documents": registration.documents.all(),
        "can_decide": can_decide,
        "can_withdraw": permissions.can_change(actor, registration)
        and registration.status
        in (RegistrationStatus.DRAFT, RegistrationStatus.SUBMITTED, RegistrationStatus.UNDER_REVIEW),
        "form": form,
    }
    return render(request, "catalog/registration_detail.html", context, status=400 if form.errors else 200)


@login_required
def registration_review(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    if not (actor.is_superuser or policies.is_dmp(actor)):
        raise Forbidden(_("This queue is the DMP's."))
    page = Paginator(selectors.registration_review_queue(actor=actor), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "catalog/registration_review.html", {"page": page})


# Labels -------------------------------------------------------------------------------------------------------------


@login_required
def label_apply(request: HttpRequest, product_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    product = _editable_product(actor, product_id)
    form = LabelApplyForm(
        request.POST or None, request.FILES or None, initial={"local_content_share": product.local_content_share}
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                documents = []
                if form.cleaned_data.get("file"):
                    documents.append(
                        services.document_upload(
                            actor=actor,
                            organisation=product.manufacturer,
                            product=product,
                            file=form.cleaned_data["file"],
                            kind=DocumentKind.LABEL_EVIDENCE,
                        )
                    )
                label = services.label_apply(
                    actor=actor,
                    product=product,
                    local_content_share=form.cleaned_data["local_content_share"],
                    documents=documents,
                )
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("The label application has been sent to IMANOR."))
            return redirect("catalog:label_detail", label_id=label.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "catalog/label_form.html", {"form": form, "product": product}, status=status)


@login_required
def label_detail(request: HttpRequest, label_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    label = selectors.label_get(actor=actor, label_id=label_id)
    can_decide = actor.is_superuser or policies.is_imanor(actor, writable=True)
    form = LabelDecisionForm(request.POST or None)
    if request.method == "POST":
        if not can_decide:
            raise Forbidden()
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["action"] == "approve":
                    services.label_approve(actor=actor, label=label, valid_until=data["valid_until"])
                elif data["action"] == "refuse":
                    services.label_refuse(actor=actor, label=label, reason=data["reason"])
                else:
                    services.label_withdraw(actor=actor, label=label, reason=data["reason"])
            except DomainError as error:
                _show_error(form, error)
            else:
                messages.success(request, _("The decision has been recorded."))
                return redirect("catalog:label_detail", label_id=label.pk)
    private = policies.can_read_private(actor, label.product.manufacturer_id) or can_decide or policies.is_imanor(actor)
    context = {
        "label": label,
        "decisions": label.decisions.select_related("decided_by", "authority") if private else [],
        "documents": label.documents.all() if private else [],
        "can_decide": can_decide,
        "form": form,
    }
    return render(request, "catalog/label_detail.html", context, status=400 if form.errors else 200)


# Public directory ---------------------------------------------------------------------------------------------------


def directory(request: HttpRequest) -> HttpResponse:
    """Anyone: eligible published products of listed manufacturers, by words and facets (GET: shareable)."""
    form = DirectoryForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    today = timezone.localdate()
    products = selectors.directory_products(
        on=today,
        q=filters.get("q"),
        emdn_category=filters.get("category"),
        certificate_kind=filters.get("certificate"),
        labelled=bool(filters.get("label")),
        region=filters.get("region"),
        city=filters.get("city"),
    )
    page = Paginator(products, PAGE_SIZE).get_page(request.GET.get("page"))
    ids = [p.pk for p in page.object_list]
    kinds = selectors.public_certificate_kinds(ids, {p.manufacturer_id for p in page.object_list}, today)
    labelled = selectors.labelled_product_ids(today, ids)
    language = get_language() or "fr"
    rows = [(p, p.name_in(language), sorted(kinds.get(p.pk, ())), p.pk in labelled) for p in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "facets": selectors.directory_facets(on=today),
        "manufacturers": selectors.directory_manufacturers(on=today, q=filters.get("q"))[:12],
        "querystring": query.urlencode(),
    }
    template = "catalog/_directory_results.html" if request.headers.get("HX-Request") else "catalog/directory.html"
    return render(request, template, context)


def directory_product(request: HttpRequest, product_id: int) -> HttpResponse:
    today = timezone.localdate()
    product = selectors.directory_product_get(product_id=product_id, on=today)
    language = get_language() or "fr"
    variants = (
        Variant.objects.filter(product=product)
        .select_related("product")
        .prefetch_related("specifications")
        .only("pk", "product_id", "reference", "label", "udi_di", "position", "unit_price", "product__unit_price")
    )
    documents = product.documents.filter(kind__in=policies.PUBLIC_DOCUMENT_KINDS).only(
        "pk", "title", "kind", "product_id"
    )
    context = {
        "product": product,
        "name": product.name_in(language),
        "description": product.description_in(language),
        "variants": variants,
        "documents": documents,
        "certificate_kinds": sorted(
            selectors.public_certificate_kinds([product.pk], [product.manufacturer_id], today)[product.pk]
        ),
        "labelled": product.pk in selectors.labelled_product_ids(today, [product.pk]),
        "language": language,
        # prices, as on the product's page: for buyers, the cluster's secretariat and the manufacturer only
        "commercial": policies.can_see_commercial(actor_for(request.user), product),
    }
    return render(request, "catalog/directory_product.html", context)


def directory_manufacturer(request: HttpRequest, slug: str) -> HttpResponse:
    today = timezone.localdate()
    manufacturer = selectors.directory_manufacturer_get(slug=slug)
    products = selectors.directory_products(on=today).filter(manufacturer=manufacturer)
    language = get_language() or "fr"
    context = {
        "manufacturer": manufacturer,
        "rows": [(p, p.name_in(language)) for p in products],
        "sites": selectors.sites_of(actor=permissions.ANONYMOUS, organisation_id=manufacturer.pk),
    }
    return render(request, "catalog/directory_manufacturer.html", context)


@login_required
def site_create(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    organisation = _writable_manufacturer(actor, request.GET.get("organisation") or request.POST.get("organisation"))
    form = SiteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.site_create(actor=actor, organisation=organisation, **form.cleaned_data)
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("The production site has been added."))
            return redirect("catalog:site_list")
    return render(request, "catalog/site_form.html", {"form": form, "organisation": organisation})


@login_required
def site_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    manufacturers = selectors.my_manufacturers(actor=actor, writable=True)
    sites = (
        ProductionSite.objects.filter(organisation__in=manufacturers)
        .select_related("organisation")
        .annotate(product_count=Count("products"))
        .order_by("organisation__name", "name")
    )
    return render(request, "catalog/site_list.html", {"sites": sites, "manufacturers": manufacturers})


def _editable_site(actor: Actor, site_id: int) -> ProductionSite:
    site = permissions.get_visible_or_404(actor, ProductionSite.objects.select_related("organisation"), pk=site_id)
    if not permissions.can_change(actor, site):
        raise Forbidden()
    return site


@login_required
def site_edit(request: HttpRequest, site_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    site = _editable_site(actor, site_id)
    initial = {"name": site.name, "city": site.city, "region": site.region}
    form = SiteForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.site_update(actor=actor, site=site, **form.cleaned_data)
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("The production site has been saved."))
            return redirect("catalog:site_list")
    context = {"form": form, "organisation": site.organisation, "site": site}
    return render(request, "catalog/site_form.html", context, status=400 if form.errors else 200)


@login_required
def site_delete(request: HttpRequest, site_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    site = _editable_site(actor, site_id)
    if request.method == "POST":
        try:
            services.site_delete(actor=actor, site=site)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The production site has been deleted."))
        return redirect("catalog:site_list")
    products = site.products.order_by("reference")
    return render(request, "catalog/site_confirm_delete.html", {"site": site, "products": products})


@login_required
@require_POST
def registration_withdraw(request: HttpRequest, registration_id: int) -> HttpResponse:
    """The manufacturer takes back its application while the DMP has not decided."""
    actor = actor_for(request.user)
    registration = selectors.registration_get(actor=actor, registration_id=registration_id)
    if not permissions.can_change(actor, registration):
        raise Forbidden(_("Only the manufacturer can withdraw its application."))
    try:
        services.registration_withdraw(actor=actor, registration=registration)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The application has been withdrawn."))
    return redirect("catalog:registration_detail", registration_id=registration.pk)
