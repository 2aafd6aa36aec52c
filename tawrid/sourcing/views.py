"""Pages of sourcing: the consultations (a buyer's drafts, publication, cancellation, questions and answers;
a supplier's sealed offers) and the OCDS export of a purchase plan as a downloadable file.

Thin: forms shape the input, tawrid.sourcing.services write, tawrid.sourcing.selectors read. The OCDS
package comes from tawrid.sourcing.ocds.export, the same function the API answers with, under the plans'
rules (a plan the person may not see is a 404)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tawrid.accounts.models import Organisation
from tawrid.core import permissions
from tawrid.core.errors import DomainError, Forbidden
from tawrid.core.idempotency import FormOutcome, form_once, form_token_issue, form_token_of
from tawrid.core.permissions import Actor, actor_for
from tawrid.demand.models import PlanLine, PlanStatus
from tawrid.sourcing import policies, purchase_rate, results, results_views, reviews, selectors, services
from tawrid.sourcing.forms import (
    AnswerForm,
    CancelForm,
    ConsultationCreateForm,
    ConsultationForm,
    DirectOrderForm,
    OfferForm,
    QuantitiesForm,
    QuestionForm,
    VersionForm,
)
from tawrid.sourcing.models import (
    Consultation,
    ConsultationStatus,
    EvaluationMethod,
    LotEvaluation,
    OfferStatus,
    Question,
)
from tawrid.sourcing.ocds import export

PAGE_SIZE = 30


def _download(package: dict[str, Any], filename: str) -> HttpResponse:
    response = HttpResponse(export.dumps(package), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _plan_file(build: Callable[[Any, int], dict[str, Any]], request: HttpRequest, pk: int, suffix: str) -> HttpResponse:
    package = build(actor_for(request.user), pk)
    return _download(package, f"ocds-plan-{pk}{suffix}.json")


@login_required
@require_GET
def plan_release_package(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_file(export.plan_release_package, request, pk, "")


@login_required
@require_GET
def plan_record_package(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_file(export.plan_record_package, request, pk, "-record")


# Consultations ----------------------------------------------------------------------------------------------------
# A buyer makes a draft from its published plans' lines, edits it, publishes or cancels it and answers the
# questions; an invited supplier reads it, asks questions and submits, amends or withdraws a sealed offer per
# lot. Every object comes through the selectors (404 for what one may not see); every write goes through
# tawrid.sourcing.services, whose refusals are shown in the person's language.


def _show_error(form: BaseForm, error: DomainError, field_for: Callable[[str], str | None] | None = None) -> None:
    placed = False
    for key, field_messages in error.details.items():
        field = field_for(key) if field_for else (key if key in form.fields else None)
        for message in field_messages:
            form.add_error(field if field in form.fields else None, message)
        placed = True
    if not placed or error.code not in ("invalid_terms", "invalid_offer"):
        form.add_error(None, error.message)


def _suppliers_of(actor: Actor, consultation: Consultation) -> list[Organisation]:
    """The actor's supplier organisations invited to the consultation (usually one)."""
    invited = selectors.invitations_of(actor, consultation).filter(supplier__in=policies.supplier_orgs(actor))
    return [invitation.supplier for invitation in invited]


def _supplier_of(actor: Actor, consultation: Consultation, wanted: Any = None) -> Organisation:
    suppliers = _suppliers_of(actor, consultation)
    if wanted not in (None, ""):
        suppliers = [supplier for supplier in suppliers if str(supplier.pk) == str(wanted)]
    if not suppliers:
        raise Forbidden(_("Only the suppliers invited to this consultation take part in it."))
    return suppliers[0]


def _candidate_lines(actor: Actor, *, plan_id: Any = None, line_ids: list[str] | None = None) -> Any:
    """Lines of published plans of the buyers the actor makes consultations for."""
    lines = permissions.visible(
        actor,
        PlanLine.objects.filter(plan__buyer__in=policies.buyers_acted_for(actor), plan__status=PlanStatus.PUBLISHED),
    ).select_related("plan", "plan__buyer", "emdn")
    ids = [int(pk) for pk in line_ids or [] if str(pk).isdigit()]
    if plan_id and str(plan_id).isdigit():
        lines = lines.filter(plan_id=int(plan_id))
    elif ids:
        lines = lines.filter(pk__in=ids)
    else:
        return lines.none()
    return lines.order_by("plan__year", "plan_id", "line_number")


def _detail(pk: int) -> HttpResponse:
    return redirect("sourcing:consultation_detail", pk=pk)


# The create forms (consultation, offer, orders, deliveries) carry a one-time token: the same form posted twice (a
# double click, the back button) creates one object, and the second post is sent to it (tawrid.core.idempotency).


def _form_token(request: HttpRequest) -> str:
    """The token for the form about to be shown: a new one, or the posted one while the form is corrected."""
    return (form_token_of(request) if request.method == "POST" else "") or form_token_issue()


def _once_done(request: HttpRequest, outcome: FormOutcome, success: str) -> HttpResponse:
    if outcome.replayed:
        messages.info(request, _("This form had already been sent: here is what it created."))
    else:
        messages.success(request, success)
    return redirect(outcome.url)


def _run(
    request: HttpRequest,
    action: Callable[[], Any],
    success: str,
    done: HttpResponse,
    failed: HttpResponse | None = None,
) -> HttpResponse:
    """Do a one-button step: its refusal (not a 403/404) or its success as a message, then `done` (or `failed`)."""
    try:
        action()
    except DomainError as error:
        if error.status in (403, 404):
            raise
        messages.error(request, error.message)
        return failed or done
    messages.success(request, success)
    return done


@login_required
@require_GET
def consultation_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    status = request.GET.get("status", "")
    status = status if status in ConsultationStatus.values else ""
    consultations = selectors.consultations_for(actor, status=status or None)
    page = Paginator(consultations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "sourcing/consultation_list.html",
        {
            "page": page,
            "consultations": page,
            "status": status,
            "statuses": ConsultationStatus.choices,
            "querystring": urlencode({"status": status} if status else {}),
            "can_create": bool(policies.buyers_acted_for(actor)),
        },
    )


@login_required
def consultation_create(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    source = request.POST if request.method == "POST" else request.GET
    plan_id = source.get("plan")
    lines = list(_candidate_lines(actor, plan_id=plan_id, line_ids=source.getlist("lines")))
    if request.method == "GET" and not request.GET.getlist("lines") and plan_id:
        selected = [line.pk for line in lines]
    else:
        selected = [line.pk for line in lines if str(line.pk) in source.getlist("lines")]
    choices = [(line.pk, f"{line.plan.year} · {line.line_number}. {line.designation}") for line in lines]
    if request.method == "POST":
        form = ConsultationCreateForm(request.POST, line_choices=choices)
    else:
        form = ConsultationCreateForm(initial={"lines": selected}, line_choices=choices)
    if request.method == "POST" and form.is_valid():
        chosen = [line for line in lines if line.pk in form.cleaned_data["lines"]]
        try:
            if not chosen:
                raise DomainError(_("Select at least one line of a published plan."), code="no_lines")

            def create() -> str:
                consultation = services.consultation_create_from_lines(
                    actor=actor,
                    buyer=chosen[0].plan.buyer,
                    lines=chosen,
                    data=form.terms(),
                    user=request.user,
                    grouping=form.cleaned_data.get("grouping") or "emdn_group",
                )
                return reverse("sourcing:consultation_detail", args=[consultation.pk])

            outcome = form_once(request, create)
        except DomainError as error:
            if error.status in (403, 404):
                raise
            _show_error(form, error)
        else:
            return _once_done(request, outcome, _("Consultation created as a draft: check its lots, then publish it."))
    return render(
        request,
        "sourcing/consultation_form.html",
        {"form": form, "plan_id": plan_id, "lines": lines, "form_token": _form_token(request)},
    )


@login_required
@require_GET
def consultation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    consultation = selectors.consultation_detail(actor, pk)
    editable = policies.can_edit_consultation(actor, consultation)
    suppliers = _suppliers_of(actor, consultation)
    supplier = suppliers[0] if suppliers else None
    admitted = (
        set(selectors.admitted_lots(actor, consultation, supplier.pk).values_list("pk", flat=True))
        if supplier
        else set()
    )
    offers = (
        {
            offer.lot_id: offer
            for offer in selectors.offers_of(
                actor, consultation=consultation, supplier_id=supplier.pk if supplier else None
            ).filter(status=OfferStatus.SUBMITTED)
        }
        if supplier
        else {}
    )
    lots = [
        {
            "lot": lot,
            "admitted": lot.pk in admitted,
            "offer": offers.get(lot.pk),
            # from the opening on, the offer's place in the lifecycle (opened, evaluated, awarded, not retained…)
            "result": results.offer_result(actor, offers[lot.pk])
            if lot.pk in offers and consultation.opened_at
            else None,
        }
        for lot in selectors.lots_of(actor, consultation)
    ]
    now = timezone.now()
    return render(
        request,
        "sourcing/consultation_detail.html",
        {
            "consultation": consultation,
            "editable": editable,
            "is_draft": consultation.status == ConsultationStatus.DRAFT,
            "is_published": consultation.status == ConsultationStatus.PUBLISHED,
            "can_cancel": editable
            and consultation.status not in (ConsultationStatus.CANCELLED, ConsultationStatus.AWARDED),
            "supplier": supplier,
            "can_ask": supplier is not None
            and policies.can_act_for_supplier(actor, supplier.pk)
            and consultation.status == ConsultationStatus.PUBLISHED
            and now < consultation.questions_deadline,
            "can_answer": editable
            and consultation.status == ConsultationStatus.PUBLISHED
            and now < consultation.submission_deadline,
            "lots": lots,
            "draft_lots": [row["lot"] for row in lots],  # the targets of a draft's regrouping
            "invitations": selectors.invitations_of(actor, consultation) if editable or actor.is_superuser else [],
            "questions": selectors.questions_of(actor, consultation).select_related("supplier"),
            "question_form": QuestionForm(),
            "answer_form": AnswerForm(),
            "cancel_form": CancelForm(),
            "opening": _opening_state(actor, consultation, editable, now),
        },
    )


@login_required
def consultation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    consultation = selectors.consultation_detail(actor, pk)
    if not policies.can_edit_consultation(actor, consultation):
        raise Forbidden(_("Only the buyer's administrators and members manage its consultations."))
    if consultation.status != ConsultationStatus.DRAFT:
        messages.error(request, _("Only a draft consultation can be changed."))
        return _detail(consultation.pk)
    form = ConsultationForm(request.POST or None, initial=ConsultationForm.initial_from(consultation))
    if request.method == "POST" and form.is_valid():
        try:
            services.consultation_update(actor=actor, consultation=consultation, data=form.terms())
        except DomainError as error:
            if error.status in (403, 404):
                raise
            _show_error(form, error)
        else:
            messages.success(request, _("Consultation saved."))
            return _detail(consultation.pk)
    return render(request, "sourcing/consultation_form.html", {"form": form, "consultation": consultation})


@login_required
@require_POST
def consultation_publish(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    consultation = selectors.consultation_detail(actor, pk)
    return _run(
        request,
        lambda: services.consultation_publish(actor=actor, consultation=consultation),
        _("Consultation published: the suppliers are invited."),
        _detail(consultation.pk),
    )


@login_required
@require_POST
def consultation_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    consultation = selectors.consultation_detail(actor, pk)
    reason = request.POST.get("reason", "")
    return _run(
        request,
        lambda: services.consultation_cancel(actor=actor, consultation=consultation, reason=reason),
        _("Consultation cancelled."),
        _detail(consultation.pk),
    )


@login_required
@require_POST
def question_ask(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    consultation = selectors.consultation_detail(actor, pk)

    def ask() -> Any:
        supplier = _supplier_of(actor, consultation, request.POST.get("supplier"))
        return services.question_ask(
            actor=actor,
            consultation=consultation,
            supplier=supplier,
            text=request.POST.get("text", ""),
            user=request.user,
        )

    return _run(request, ask, _("Question sent to the buyer."), _detail(consultation.pk))


@login_required
@require_POST
def question_answer(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    question = permissions.get_visible_or_404(actor, Question.objects.select_related("consultation"), pk=pk)
    return _run(
        request,
        lambda: services.question_answer(
            actor=actor, question=question, answer=request.POST.get("answer", ""), user=request.user
        ),
        _("Answer published to every invited supplier."),
        _detail(question.consultation_id),
    )


@login_required
def offer_page(request: HttpRequest, pk: int, lot_pk: int) -> HttpResponse:
    """A supplier's offer for one lot: the form to submit it or, once submitted, its status, version and time
    (its amounts stay sealed, even for its author), the form to amend it and the button to withdraw it."""
    actor = actor_for(request.user)
    consultation = selectors.consultation_detail(actor, pk)
    lot = get_object_or_404(selectors.lots_of(actor, consultation), pk=lot_pk)
    supplier = _supplier_of(actor, consultation, request.GET.get("supplier") or request.POST.get("supplier"))
    offer = (
        selectors.offers_of(actor, consultation=consultation, supplier_id=supplier.pk)
        .filter(lot=lot, status=OfferStatus.SUBMITTED)
        .first()
    )
    initial = {"expected_version": offer.version} if offer else {}
    variants = selectors.offer_variant_choices(supplier.pk, lot)
    form = OfferForm(
        request.POST or None, lot=lot, variants=variants, initial=initial, partial=consultation.partial_offers
    )
    if request.method == "POST" and form.is_valid():
        page = reverse("sourcing:offer_page", args=[consultation.pk, lot.pk])

        def send() -> str:
            if offer is None:
                services.offer_submit(
                    actor=actor,
                    consultation=consultation,
                    lot=lot,
                    supplier=supplier,
                    lines=form.offer_lines(),
                    documents=form.document_names(),
                    user=request.user,
                )
            else:
                services.offer_amend(
                    actor=actor,
                    offer=offer,
                    expected_version=form.cleaned_data.get("expected_version") or 0,
                    lines=form.offer_lines(),
                    documents=form.document_names(),
                    user=request.user,
                )
            return page

        try:
            outcome = form_once(request, send)
        except DomainError as error:
            if error.status in (403, 404):
                raise
            _show_error(form, error, form.field_for)
        else:
            done = (
                _("Offer submitted and sealed until the opening.")
                if offer is None
                else _("Offer amended and sealed again.")
            )
            return _once_done(request, outcome, done)
    withdrawn = (
        selectors.offers_of(actor, consultation=consultation, supplier_id=supplier.pk)
        .filter(lot=lot, status=OfferStatus.WITHDRAWN)
        .order_by("-withdrawn_at")
        .first()
    )
    return render(
        request,
        "sourcing/offer.html",
        {
            "consultation": consultation,
            "lot": lot,
            "supplier": supplier,
            "offer": offer,
            "withdrawn": withdrawn if offer is None else None,
            "form": form,
            "form_token": _form_token(request),
            "can_act": policies.can_act_for_supplier(actor, supplier.pk)
            and selectors.admitted_lots(actor, consultation, supplier.pk).filter(pk=lot.pk).exists(),
            "accepting": consultation.status == ConsultationStatus.PUBLISHED
            and timezone.now() < consultation.submission_deadline,
            **results_views.offer_page_context(actor, offer or withdrawn),
        },
    )


@login_required
@require_POST
def offer_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    offer = selectors.offer_detail(actor, pk)
    form = VersionForm(request.POST)
    expected_version = form.cleaned_data["expected_version"] if form.is_valid() else 0
    return _run(
        request,
        lambda: services.offer_withdraw(actor=actor, offer=offer, expected_version=expected_version),
        _("Offer withdrawn: it will not be opened."),
        redirect("sourcing:offer_page", pk=offer.consultation_id, lot_pk=offer.lot_id),
    )


# Opening, evaluation and awards ---------------------------------------------------------------------------------
# Two different members of the buyer's committee open the offers (one requests, another confirms), at or after
# the opening time; the buyer then evaluates every lot and awards each to the offer the award gate allows. The
# evaluation report (amounts included) exists only after the opening and only for the buyer's side.


def _opening_state(actor: Actor, consultation: Consultation, editable: bool, now: Any) -> dict[str, Any]:
    due = (
        editable
        and consultation.status == ConsultationStatus.PUBLISHED
        and consultation.opened_at is None
        and now >= consultation.opening_at
    )
    requested_by = consultation.opening_requested_by_id
    return {
        "due": due,
        "can_request": due and requested_by is None,
        "can_confirm": due and requested_by is not None and requested_by != actor.user_id,
        "requested_by": consultation.opening_requested_by if requested_by else None,
        "opened": consultation.opened_at is not None,
        "can_evaluate": editable and consultation.status in (ConsultationStatus.OPENED, ConsultationStatus.EVALUATED),
    }


@login_required
@require_POST
def opening_request(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    consultation = selectors.consultation_detail(actor, pk)
    return _run(
        request,
        lambda: services.consultation_request_opening(actor=actor, consultation=consultation, user=request.user),
        _("Opening requested: a different member of the committee confirms it."),
        _detail(consultation.pk),
    )


@login_required
@require_POST
def opening_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    consultation = selectors.consultation_detail(actor, pk)
    return _run(
        request,
        lambda: services.consultation_confirm_opening(actor=actor, consultation=consultation, user=request.user),
        _("Offers opened."),
        _detail(consultation.pk),
    )


def _report(target: int) -> HttpResponse:
    return redirect("sourcing:evaluation_report", pk=target)


@login_required
@require_POST
def consultation_evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    consultation = selectors.consultation_detail(actor, pk)
    # A weighted consultation's technical scores come as `score_<offer id>` fields, checked by the service.
    scores = {
        name.removeprefix("score_"): value
        for name, value in request.POST.items()
        if name.startswith("score_") and value.strip()
    }
    return _run(
        request,
        lambda: services.consultation_evaluate(actor=actor, consultation=consultation, technical_scores=scores),
        _("Consultation evaluated."),
        _report(consultation.pk),
        failed=_detail(consultation.pk),
    )


@login_required
@require_GET
def evaluation_report(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    consultation = selectors.consultation_detail(actor, pk)
    editable = policies.can_edit_consultation(actor, consultation)
    if not selectors.evaluation_report_visible(actor, consultation):
        raise Http404()
    lots = [
        selectors.lot_report(actor, lot_evaluation, editable)
        for lot_evaluation in selectors.evaluations_of(actor, consultation)
    ]
    can_evaluate = (
        editable
        and consultation.status in (ConsultationStatus.OPENED, ConsultationStatus.EVALUATED)
        and not any(lot["current"] or lot["cancelled"] for lot in lots)
    )
    return render(
        request,
        "sourcing/evaluation_report.html",
        {
            "consultation": consultation,
            "lots": lots,
            "editable": editable,
            "can_evaluate": can_evaluate,
            "scoring": selectors.technical_scoring(actor, consultation)
            if can_evaluate and consultation.evaluation_method == EvaluationMethod.WEIGHTED
            else [],
            "cancel_form": CancelForm(),
            "reviews": reviews.reviews_of(actor, consultation),
            "review_answer_form": results_views.ReviewAnswerForm(),
        },
    )


@login_required
@require_POST
def award_make(request: HttpRequest, pk: int) -> HttpResponse:
    """Award a lot (`pk`) to the offer posted, after the confirmation asked on the report."""
    actor = actor_for(request.user)
    lot_evaluation = permissions.get_visible_or_404(
        actor, LotEvaluation.objects.select_related("lot", "lot__consultation"), lot_id=pk
    )
    lot = lot_evaluation.lot
    offer_id = request.POST.get("offer", "")
    row = get_object_or_404(
        selectors.evaluated_offers_of(actor, lot_evaluation), offer_id=int(offer_id) if offer_id.isdigit() else 0
    )

    def award() -> Any:
        if request.POST.get("confirm") != "yes":
            raise DomainError(_("Confirm the award before it is made."), code="award_unconfirmed")
        return services.award_make(actor=actor, lot=lot, offer=row.offer)

    return _run(request, award, _("Lot awarded: every bidder is notified."), _report(lot.consultation_id))


@login_required
@require_POST
def award_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    award = selectors.award_detail(actor, pk)
    return _run(
        request,
        lambda: services.award_cancel(actor=actor, award=award, reason=request.POST.get("reason", "")),
        _("Award cancelled."),
        _report(award.lot.consultation_id),
    )


# Orders and deliveries -------------------------------------------------------------------------------------------


@login_required
def order_create(request: HttpRequest, pk: int) -> HttpResponse:
    """An order under a final award (`pk`): a quantity per line of the awarded lot, at the offer's prices."""
    actor = actor_for(request.user)
    award = selectors.award_detail(actor, pk)
    if not policies.can_edit_consultation(actor, award.lot.consultation):
        raise Forbidden(_("Only the buyer's administrators and members place its orders."))
    ordered = {
        line.lot_line_id: line.quantity
        for order in selectors.orders_for(actor).filter(award=award)
        for line in order.lines.all()
    }
    lot_lines = list(award.lot.lines.order_by("position"))
    choices = [
        (line.pk, f"{line.position}. {line.designation}", line.quantity - ordered.get(line.pk, 0)) for line in lot_lines
    ]
    form = QuantitiesForm(request.POST or None, lines=choices)
    if request.method == "POST" and form.is_valid():
        wanted = [{"lot_line": pk, "quantity": quantity} for pk, quantity in form.quantities().items()]
        try:
            outcome = form_once(
                request,
                lambda: reverse(
                    "sourcing:order_detail",
                    args=[services.order_create_from_award(actor=actor, award=award, lines=wanted).pk],
                ),
            )
        except DomainError as error:
            if error.status in (403, 404):
                raise
            _show_error(form, error, lambda _key: None)
        else:
            return _once_done(request, outcome, _("Order placed."))
    return render(
        request,
        "sourcing/order_form.html",
        {"award": award, "form": form, "final": selectors.award_is_final(award), "form_token": _form_token(request)},
    )


@login_required
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An order (the buyer's and the supplier's people) with what was received; the buyer records deliveries."""
    actor = actor_for(request.user)
    order = selectors.order_detail(actor, pk)
    lines = list(selectors.order_lines_of(actor, order))
    can_record = actor.can_write_org(order.buyer_id)
    form = QuantitiesForm(
        request.POST or None,
        lines=[
            (line.pk, f"{line.position}. {line.designation}", line.quantity - line.received)  # type: ignore[attr-defined]
            for line in lines
        ],
    )
    if request.method == "POST":
        if not can_record:
            raise Forbidden(_("Only the buyer's administrators and members record its deliveries."))
        if form.is_valid():
            page = reverse("sourcing:order_detail", args=[order.pk])

            def record() -> str:
                services.delivery_record(actor=actor, order=order, received=form.quantities())
                return page

            try:
                outcome = form_once(request, record)
            except DomainError as error:
                if error.status in (403, 404):
                    raise
                _show_error(form, error, lambda _key: None)
            else:
                return _once_done(request, outcome, _("Delivery recorded."))
    return render(
        request,
        "sourcing/order_detail.html",
        {
            "order": order,
            "lines": lines,
            "deliveries": selectors.deliveries_of(actor, order),
            "form": form,
            "form_token": _form_token(request),
            "can_record": can_record,
        },
    )


def _percent(rate: Decimal | None) -> Decimal | None:
    """A rate (kept to 4 decimals: 0.01 percentage point) as a percentage with its 2 decimals, so that the page
    shows the rate as computed rather than rounded to a whole percent; None (nothing to measure) stays None."""
    return None if rate is None else (rate * 100).quantize(Decimal("0.01"))


def _rate_row(rate: purchase_rate.PurchaseRate, **extra: Any) -> dict[str, Any]:
    return {"rate": rate, "of_purchases": _percent(rate.of_purchases), "of_plan": _percent(rate.of_plan), **extra}


@login_required
@require_GET
def purchase_rates(request: HttpRequest) -> HttpResponse:
    """The local-purchase rates: per buyer (those the person belongs to or oversees), each overall and per
    year; and, for those who may see aggregates over every buyer (`policies.can_see_all_purchase_rates`),
    nationally, per year and per EMDN category, as the rate is followed. `?year=` keeps one year (one of
    those with data: another value shows every year)."""
    actor = actor_for(request.user)
    years = selectors.purchase_rate_years(actor)
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() and int(year_text) in years else None
    rates = selectors.local_purchase_rates(actor, year)
    names: dict[Any, str] = dict(Organisation.objects.filter(pk__in=list(rates.by_buyer)).values_list("pk", "name"))
    rows = [
        _rate_row(
            rate,
            buyer_id=buyer_id,
            buyer=names.get(buyer_id, ""),
            years=[
                _rate_row(per_year, year=at)
                for (owner, at), per_year in sorted(rates.by_buyer_year.items(), key=lambda item: item[0][1])
                if owner == buyer_id
            ],
        )
        for buyer_id, rate in sorted(rates.by_buyer.items(), key=lambda item: names.get(item[0], ""))
    ]
    context: dict[str, Any] = {"rows": rows, "year": year, "years": years, "national": None}
    if actor.is_superuser or policies.can_see_all_purchase_rates(actor):
        emdn_names = selectors.emdn_category_names(rates.by_category)
        categories = sorted(rates.by_category, key=lambda category: (category == "", category))
        context.update(
            national=_rate_row(rates.national),
            by_year=[_rate_row(rates.by_year[at], year=at) for at in sorted(rates.by_year)],
            by_category=[
                _rate_row(
                    rates.by_category[category],
                    category=category,
                    name=emdn_names.get(category, "") if category else _("Unclassified"),
                )
                for category in categories
            ],
        )
    return render(request, "sourcing/purchase_rates.html", context)


# Orders: the list and the direct order ---------------------------------------------------------------------------
# The list shows what `selectors.orders_for` gives (the buyer's people and the secretariat overseeing it; the
# supplier's people). A direct order is placed against one of the buyer's published plans, with the supplier
# chosen first: its published variants are offered per line. The service decides everything else, and its
# refusals are put back under the fields they are about.


@login_required
@require_GET
def order_list(request: HttpRequest) -> HttpResponse:
    """The orders the person may see, newest first: each with its value, origin and the share delivered."""
    actor = actor_for(request.user)
    page = Paginator(selectors.orders_for(actor), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "sourcing/order_list.html",
        {
            "page": page,
            "rows": selectors.order_rows(actor, page),
            "querystring": "",
            "can_order": bool(policies.buyers_acted_for(actor)),
        },
    )


def _picked(candidates: list[Any], wanted: str | None) -> Any:
    """The candidate whose id was asked for; None when nothing was asked, 404 for an id that is not offered (a
    forged plan of another buyer, say), so that ids cannot be probed."""
    if not wanted:
        return None
    for candidate in candidates:
        if str(candidate.pk) == wanted:
            return candidate
    raise Http404()


@login_required
def order_direct(request: HttpRequest) -> HttpResponse:
    """A direct order (without consultation): the plan and the supplier are picked first (GET ?plan=&supplier=),
    then a quantity, a unit price and optionally a variant per line; only the lines given a quantity are
    ordered, and nothing is written unless the whole order is right."""
    actor = actor_for(request.user)
    if not policies.buyers_acted_for(actor):
        raise Forbidden(_("Only a buyer's administrators and members place its orders."))
    plans = list(selectors.orderable_plans(actor))
    suppliers = list(selectors.order_suppliers())
    plan = _picked(plans, request.GET.get("plan"))
    supplier = _picked(suppliers, request.GET.get("supplier"))
    form = None
    if plan is not None and supplier is not None:
        lines = list(selectors.plan_lines_to_order(actor, plan))
        form = DirectOrderForm(
            request.POST if request.method == "POST" else None,
            lines=lines,
            variants=selectors.direct_order_variant_choices(supplier.pk, lines),
        )
        if request.method == "POST" and form.is_valid():
            lines_wanted = form.order_lines()

            def place() -> str:
                order = services.order_create_direct(
                    actor=actor,
                    buyer=plan.buyer,
                    supplier=supplier,
                    plan_lines_with_quantities_and_prices=lines_wanted,
                )
                return reverse("sourcing:order_detail", args=[order.pk])

            try:
                outcome = form_once(request, place)
            except DomainError as error:
                if error.status in (403, 404):
                    raise
                _show_error(form, error, form.field_for)
            else:
                return _once_done(request, outcome, _("Order placed."))
    elif request.method == "POST":
        messages.error(request, _("Choose a plan and a supplier first."))
    return render(
        request,
        "sourcing/order_direct.html",
        {
            "plans": plans,
            "suppliers": suppliers,
            "plan": plan,
            "supplier": supplier,
            "form": form,
            "form_token": _form_token(request),
            "querystring": urlencode({"plan": plan.pk, "supplier": supplier.pk}) if form is not None else "",
        },
    )
