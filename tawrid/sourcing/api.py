"""API of sourcing. `router` (/api/v1/ocds/): the OCDS export, purchase plans as OCDS 1.1 release and record
packages. `consultations_router` (/api/v1/sourcing/): consultations, questions and sealed offers (below).

Same rules as the plans' pages and API: a plan the caller may not see is a 404; prices and the buyer's identity
appear only for those who may see them. The JSON is the same as the files downloaded from /ocds/plans/."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from tawrid.accounts.models import Organisation
from tawrid.core import permissions
from tawrid.core.api_schemas import Id, Limit500, Offset, Year
from tawrid.core.errors import DomainError, Forbidden, NotFound
from tawrid.core.idempotency import idempotent
from tawrid.core.permissions import Actor, actor_for, get_visible_or_404
from tawrid.demand.models import PlanLine
from tawrid.sourcing import api_lots, api_results, policies, selectors, services
from tawrid.sourcing.api_results import ReceiptOut
from tawrid.sourcing.models import Consultation, LotEvaluation, Offer, Question
from tawrid.sourcing.ocds import export

router = Router(tags=["ocds"])


@router.get(
    "/plans/{plan_id}/release-package",
    response=dict[str, Any],
    url_name="ocds_plan_release_package",
    summary="A plan as an OCDS 1.1 release package (planning release)",
)
def plan_release_package(request: HttpRequest, plan_id: Id) -> dict[str, Any]:
    return export.plan_release_package(actor_for(request.user), plan_id)


@router.get(
    "/plans/{plan_id}/record-package",
    response=dict[str, Any],
    url_name="ocds_plan_record_package",
    summary="A plan as an OCDS 1.1 record package (releases and compiled release)",
)
def plan_record_package(request: HttpRequest, plan_id: Id) -> dict[str, Any]:
    return export.plan_record_package(actor_for(request.user), plan_id)


# Consultations (/api/v1/sourcing/) --------------------------------------------------------------------------------
# The same selectors, policies and services as the pages: a consultation, question or offer the caller may not
# see is a 404; refusals come back as {"message", "code", "details"}. No answer carries an amount before the
# opening: an offer is given as its status, version and times only.

consultations_router = Router(tags=["sourcing"])
consultations_router.add_router("", api_results.router)  # receipts, results, requests for review
consultations_router.add_router("", api_lots.router)  # regrouping a draft's lots, evaluation and award per line


class LotLineOut(Schema):
    id: int
    position: int
    designation: str
    quantity: Decimal
    unit: str
    specification: str
    plan_line_id: int | None


class LotOut(Schema):
    id: int
    number: int
    title: str
    emdn: str | None
    lines: list[LotLineOut]


class ConsultationOut(Schema):
    id: int
    reference: str
    title: str
    status: str
    buyer_id: int
    buyer_name: str
    plan_id: int | None
    delivery_terms: str
    required_certificates: list[str]
    evaluation_method: str
    price_weight: int
    national_preference_rate: Decimal = Field(..., description="A fraction: 0.15 is 15 %.")
    questions_deadline: datetime
    submission_deadline: datetime
    opening_at: datetime
    open_to_all: bool
    partial_offers: bool = Field(..., description="Suppliers may price only some lines of a lot (at least one).")
    evaluation_basis: str = Field(..., description='"lot" (one supplier per lot) or "line" (each line ranked alone).')
    published_at: datetime | None
    opened_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str


class ConsultationDetailOut(ConsultationOut):
    lots: list[LotOut]
    admitted_lot_ids: list[int] = Field(..., description="For an invited supplier: the lots it may make offers for.")


class TermsPatch(Schema):
    reference: str | None = None
    title: str | None = None
    delivery_terms: str | None = None
    required_certificates: list[str] | None = None
    evaluation_method: str | None = None
    price_weight: int | None = None
    national_preference_rate: Decimal | None = Field(None, description="A fraction: 0.15 is 15 % (0 to 0.15).")
    questions_deadline: datetime | None = None
    submission_deadline: datetime | None = None
    opening_at: datetime | None = None
    open_to_all: bool | None = None
    partial_offers: bool | None = None
    evaluation_basis: str | None = Field(None, description='"lot" or "line".')


class LotIn(Schema):
    title: str
    lines: list[int]


class ConsultationIn(Schema):
    line_ids: list[Id] = Field(..., description="Lines of the buyer's published plans.")
    lots: list[LotIn] | None = Field(
        None, description="Default: one lot per EMDN group (first 3 characters), lines without a code in their own."
    )
    grouping: str = Field("emdn_group", description='Default lotting: "emdn_group" or "emdn_code" (one per code).')
    reference: str
    title: str
    delivery_terms: str = ""
    required_certificates: list[str] = Field([], description="Default: those the lines ask for.")
    evaluation_method: str = "lowest_price"
    price_weight: int | None = None
    national_preference_rate: Decimal = Field(
        Decimal("0.15"), description="A fraction, not a percentage: 0.15 is 15 % (from 0 to 0.15)."
    )
    questions_deadline: datetime
    submission_deadline: datetime
    opening_at: datetime
    open_to_all: bool = False
    partial_offers: bool = False
    evaluation_basis: str = Field("lot", description='"lot" or "line".')


class CancelIn(Schema):
    reason: str


class QuestionOut(Schema):
    id: int
    consultation_id: int
    supplier_id: int | None = Field(None, description="Only for the buyer's side and the supplier who asked.")
    text: str
    answer: str
    created_at: datetime
    answered_at: datetime | None


class QuestionIn(Schema):
    text: str
    supplier_id: Id | None = Field(None, description="Default: the caller's invited supplier organisation.")


class AnswerIn(Schema):
    answer: str


class OfferLineIn(Schema):
    lot_line: int
    unit_price: Decimal | str = Field(..., description="In MAD, at most two decimals: `12.50`.")
    delivery_days: int
    variant: int | None = None


class OfferIn(Schema):
    supplier_id: Id | None = Field(None, description="Default: the caller's invited supplier organisation.")
    lines: list[OfferLineIn]
    documents: list[str] = []


class OfferAmendIn(Schema):
    expected_version: int = Field(..., description="The version read: a change made meanwhile is refused.")
    lines: list[OfferLineIn]
    documents: list[str] = []


class VersionIn(Schema):
    expected_version: int


class OfferOut(Schema):
    id: int
    consultation_id: int
    lot_id: int
    supplier_id: int
    status: str
    version: int
    submitted_at: datetime
    withdrawn_at: datetime | None
    receipt: ReceiptOut | None = None  # of the current version: time received and SHA-256 of the sealed bytes

    @staticmethod
    def resolve_receipt(obj: Offer, context: Any) -> Any:
        return api_results.current_receipt(actor_for(context["request"].user), obj)


def _consultation(consultation: Consultation) -> dict[str, Any]:
    fields = [name for name in ConsultationOut.model_fields if name != "buyer_name"]
    return {field: getattr(consultation, field) for field in fields} | {"buyer_name": consultation.buyer.name}


def _detail(actor: Actor, consultation: Consultation) -> dict[str, Any]:
    supplier_ids = set(
        selectors.invitations_of(actor, consultation)
        .filter(supplier__in=policies.supplier_orgs(actor))
        .values_list("supplier_id", flat=True)
    )
    admitted: set[int] = set()
    for supplier_id in supplier_ids:
        admitted |= set(selectors.admitted_lots(actor, consultation, supplier_id).values_list("pk", flat=True))
    lots = [
        {
            "id": lot.pk,
            "number": lot.number,
            "title": lot.title,
            "emdn": lot.emdn.code if lot.emdn else None,
            "lines": list(lot.lines.all()),
        }
        for lot in selectors.lots_of(actor, consultation)
    ]
    return _consultation(consultation) | {"lots": lots, "admitted_lot_ids": sorted(admitted)}


def _question(actor: Actor, question: Question) -> dict[str, Any]:
    own = policies.can_edit_consultation(actor, question.consultation) or question.supplier_id in actor.org_ids
    return {
        "id": question.pk,
        "consultation_id": question.consultation_id,
        "supplier_id": question.supplier_id if own or actor.is_superuser else None,
        "text": question.text,
        "answer": question.answer,
        "created_at": question.created_at,
        "answered_at": question.answered_at,
    }


def _supplier(actor: Actor, consultation: Consultation, supplier_id: int | None) -> Organisation:
    invited = selectors.invitations_of(actor, consultation).filter(supplier__in=policies.supplier_orgs(actor))
    if supplier_id is not None:
        invited = invited.filter(supplier_id=supplier_id)
    invitation = invited.first()
    if invitation is None:
        if supplier_id is not None:
            raise NotFound()
        raise Forbidden(_("Only the suppliers invited to this consultation take part in it."))
    return invitation.supplier


def _lines(lines: list[OfferLineIn]) -> list[dict[str, Any]]:
    return [line.dict() for line in lines]


@consultations_router.get(
    "/consultations", response=list[ConsultationOut], summary="Consultations I can see (my buyers', my invitations)"
)
def list_consultations(request: HttpRequest, status: str = "", offset: Offset = 0, limit: Limit500 = 100) -> list:
    actor = actor_for(request.user)
    offset, limit = max(0, offset), max(1, min(limit, 500))
    consultations = selectors.consultations_for(actor, status=status or None)[offset : offset + limit]
    return [_consultation(consultation) for consultation in consultations]


@consultations_router.post(
    "/consultations", response={201: ConsultationDetailOut}, summary="Create a draft consultation from plan lines"
)
@idempotent
def create_consultation(request: HttpRequest, payload: ConsultationIn) -> Status[dict]:
    actor = actor_for(request.user)
    line_ids = list(dict.fromkeys(payload.line_ids))
    lines = list(permissions.visible(actor, PlanLine.objects.filter(pk__in=line_ids)).select_related("plan__buyer"))
    if len(lines) != len(line_ids):
        raise NotFound(_("Some of the selected lines do not exist."))
    if not lines:
        raise DomainError(_("Select at least one line of a published plan."), code="no_lines")
    data = payload.dict(exclude={"line_ids", "lots", "grouping"})
    if data["price_weight"] is None:
        data.pop("price_weight")
    consultation = services.consultation_create_from_lines(
        actor=actor,
        buyer=lines[0].plan.buyer,
        lines=line_ids,
        data=data,
        lots=[lot.dict() for lot in payload.lots] if payload.lots is not None else None,
        user=request.user,
        grouping=payload.grouping,
    )
    return Status(201, _detail(actor, selectors.consultation_detail(actor, consultation.pk)))


@consultations_router.get("/consultations/{consultation_id}", response=ConsultationDetailOut, summary="A consultation")
def get_consultation(request: HttpRequest, consultation_id: Id) -> dict:
    actor = actor_for(request.user)
    return _detail(actor, selectors.consultation_detail(actor, consultation_id))


@consultations_router.patch(
    "/consultations/{consultation_id}", response=ConsultationDetailOut, summary="Change a draft consultation's terms"
)
def update_consultation(request: HttpRequest, consultation_id: Id, payload: TermsPatch) -> dict:
    actor = actor_for(request.user)
    consultation = selectors.consultation_detail(actor, consultation_id)
    services.consultation_update(actor=actor, consultation=consultation, data=payload.dict(exclude_unset=True))
    return _detail(actor, selectors.consultation_detail(actor, consultation_id))


@consultations_router.post(
    "/consultations/{consultation_id}/publish",
    response=ConsultationDetailOut,
    summary="Publish a draft: the suppliers are invited and notified",
)
def publish_consultation(request: HttpRequest, consultation_id: Id) -> dict:
    actor = actor_for(request.user)
    consultation = selectors.consultation_detail(actor, consultation_id)
    services.consultation_publish(actor=actor, consultation=consultation)
    return _detail(actor, selectors.consultation_detail(actor, consultation_id))


@consultations_router.post(
    "/consultations/{consultation_id}/cancel", response=ConsultationDetailOut, summary="Cancel a consultation"
)
def cancel_consultation(request: HttpRequest, consultation_id: Id, payload: CancelIn) -> dict:
    actor = actor_for(request.user)
    consultation = selectors.consultation_detail(actor, consultation_id)
    services.consultation_cancel(actor=actor, consultation=consultation, reason=payload.reason)
    return _detail(actor, selectors.consultation_detail(actor, consultation_id))


@consultations_router.get(
    "/consultations/{consultation_id}/questions",
    response=list[QuestionOut],
    summary="Questions I can see (the buyer's side: all; a supplier: its own and every answer)",
)
def list_questions(request: HttpRequest, consultation_id: Id) -> list:
    actor = actor_for(request.user)
    consultation = selectors.consultation_detail(actor, consultation_id)
    return [_question(actor, question) for question in selectors.questions_of(actor, consultation)]


@consultations_router.post(
    "/consultations/{consultation_id}/questions", response={201: QuestionOut}, summary="Ask the buyer a question"
)
def ask_question(request: HttpRequest, consultation_id: Id, payload: QuestionIn) -> Status[dict]:
    actor = actor_for(request.user)
    consultation = selectors.consultation_detail(actor, consultation_id)
    supplier = _supplier(actor, consultation, payload.supplier_id)
    question = services.question_ask(
        actor=actor, consultation=consultation, supplier=supplier, text=payload.text, user=request.user
    )
    return Status(201, _question(actor, question))


@consultations_router.post(
    "/questions/{question_id}/answer",
    response=QuestionOut,
    summary="Answer a question (published to every invited supplier)",
)
def answer_question(request: HttpRequest, question_id: Id, payload: AnswerIn) -> dict:
    actor = actor_for(request.user)
    question = get_visible_or_404(actor, Question.objects.select_related("consultation"), pk=question_id)
    return _question(
        actor, services.question_answer(actor=actor, question=question, answer=payload.answer, user=request.user)
    )


@consultations_router.get(
    "/consultations/{consultation_id}/offers",
    response=list[OfferOut],
    summary="My organisation's offers (status and version; the amounts stay sealed until the opening)",
)
def list_offers(request: HttpRequest, consultation_id: Id) -> list:
    actor = actor_for(request.user)
    consultation = selectors.consultation_detail(actor, consultation_id)
    return list(selectors.offers_of(actor, consultation=consultation))


@consultations_router.post(
    "/consultations/{consultation_id}/lots/{lot_id}/offers",
    response={201: OfferOut},
    summary="Submit a sealed offer for a lot, before the deadline",
)
@idempotent
def submit_offer(request: HttpRequest, consultation_id: Id, lot_id: Id, payload: OfferIn) -> Status[Any]:
    actor = actor_for(request.user)
    consultation = selectors.consultation_detail(actor, consultation_id)
    lot = get_object_or_404(selectors.lots_of(actor, consultation), pk=lot_id)
    supplier = _supplier(actor, consultation, payload.supplier_id)
    offer = services.offer_submit(
        actor=actor,
        consultation=consultation,
        lot=lot,
        supplier=supplier,
        lines=_lines(payload.lines),
        documents=payload.documents,
        user=request.user,
    )
    return Status(201, offer)


@consultations_router.get("/offers/{offer_id}", response=OfferOut, summary="One of my organisation's offers")
def get_offer(request: HttpRequest, offer_id: Id) -> Offer:
    return selectors.offer_detail(actor_for(request.user), offer_id)


@consultations_router.post(
    "/offers/{offer_id}/amend",
    response=OfferOut,
    summary="Replace an offer's contents, if it is still at the expected version",
)
def amend_offer(request: HttpRequest, offer_id: Id, payload: OfferAmendIn) -> Offer:
    actor = actor_for(request.user)
    return services.offer_amend(
        actor=actor,
        offer=selectors.offer_detail(actor, offer_id),
        expected_version=payload.expected_version,
        lines=_lines(payload.lines),
        documents=payload.documents,
        user=request.user,
    )


@consultations_router.post(
    "/offers/{offer_id}/withdraw", response=OfferOut, summary="Withdraw an offer before the deadline"
)
def withdraw_offer(request: HttpRequest, offer_id: Id, payload: VersionIn) -> Offer:
    actor = actor_for(request.user)
    return services.offer_withdraw(
        actor=actor, offer=selectors.offer_detail(actor, offer_id), expected_version=payload.expected_version
    )


# Opening, evaluation, awards, orders, deliveries, local-purchase rates --------------------------------------------
# The same rules as the pages: two different members of the buyer open the offers; the evaluation (amounts
# included) is given only after the opening and only to the buyer's side; an award goes only to the offer the
# award gate allows; orders follow a final award.


class EvaluateIn(Schema):
    technical_scores: dict[int, Decimal] | None = Field(
        None, description="Weighted consultations: {offer id: technical score from 0 to 100} per compliant offer."
    )


class EvaluatedOfferOut(Schema):
    offer_id: int
    supplier_id: int
    supplier_name: str
    compliant: bool
    rank: int | None
    amount: Decimal
    compared_amount: Decimal = Field(..., description="The amount compared, national preference applied.")
    preference_rate_applied: Decimal
    price_score: Decimal | None
    technical_score: Decimal | None
    score: Decimal | None
    reasons: list[str] = Field(..., description="Why an offer is not compliant, in the caller's language.")


class AwardOut(Schema):
    id: int
    lot_id: int
    offer_id: int
    supplier_id: int
    supplier_name: str
    amount: Decimal
    decided_at: datetime
    standstill_until: datetime
    final: bool
    cancelled_at: datetime | None
    cancel_reason: str


class LotEvaluationOut(Schema):
    lot_id: int
    lot_number: int
    lot_title: str
    method: str
    price_weight: int
    preference_rate: Decimal
    evaluated_at: datetime
    offers: list[EvaluatedOfferOut]
    awardable_offer_id: int | None = Field(..., description="The offer the award gate allows, if the lot is free.")
    award: AwardOut | None
    cancelled_awards: list[AwardOut]


class AwardIn(Schema):
    offer_id: Id


class OrderLineIn(Schema):
    lot_line: int
    quantity: Decimal | str


class OrderIn(Schema):
    lines: list[OrderLineIn]


class OrderLineOut(Schema):
    id: int
    position: int
    designation: str
    quantity: Decimal
    unit_price: Decimal
    value: Decimal
    received: Decimal
    emdn_code: str
    local_supplier: bool


class OrderOut(Schema):
    id: int
    buyer_id: int
    supplier_id: int
    award_id: int | None
    ordered_at: datetime
    lines: list[OrderLineOut]


class DeliveryLineIn(Schema):
    order_line: int
    quantity: Decimal | str


class DeliveryIn(Schema):
    lines: list[DeliveryLineIn]


class DeliveryOut(Schema):
    id: int
    order_id: int
    received_at: datetime


class PurchaseRateOut(Schema):
    buyer_id: int
    buyer_name: str
    year: int | None = Field(..., description="None: every year together.")
    local_value: Decimal
    total_value: Decimal
    plan_value: Decimal
    of_purchases: Decimal | None = Field(..., description="Value bought locally ÷ value bought.")
    of_plan: Decimal | None = Field(..., description="Value bought locally ÷ value planned.")


def _award(award: Any) -> dict[str, Any]:
    return {
        "id": award.pk,
        "lot_id": award.lot_id,
        "offer_id": award.offer_id,
        "supplier_id": award.supplier_id,
        "supplier_name": award.supplier.name,
        "amount": award.amount,
        "decided_at": award.decided_at,
        "standstill_until": award.standstill_until,
        "final": selectors.award_is_final(award),
        "cancelled_at": award.cancelled_at,
        "cancel_reason": award.cancel_reason,
    }


def _evaluation(actor: Actor, consultation: Consultation) -> list[dict[str, Any]]:
    if not selectors.evaluation_report_visible(actor, consultation):
        raise NotFound()
    editable = policies.can_edit_consultation(actor, consultation)
    result = []
    for lot_evaluation in selectors.evaluations_of(actor, consultation):
        report = selectors.lot_report(actor, lot_evaluation, editable)
        allowed = [item["row"].offer_id for item in report["rows"] if item["awardable"]]
        result.append(
            {
                "lot_id": lot_evaluation.lot_id,
                "lot_number": lot_evaluation.lot.number,
                "lot_title": lot_evaluation.lot.title,
                "method": lot_evaluation.method,
                "price_weight": lot_evaluation.price_weight,
                "preference_rate": lot_evaluation.preference_rate,
                "evaluated_at": lot_evaluation.evaluated_at,
                "offers": [
                    {
                        "offer_id": item["row"].offer_id,
                        "supplier_id": item["row"].offer.supplier_id,
                        "supplier_name": item["row"].offer.supplier.name,
                        "compliant": item["row"].compliant,
                        "rank": item["row"].rank,
                        "amount": item["row"].amount,
                        "compared_amount": item["row"].compared_amount,
                        "preference_rate_applied": item["row"].preference_rate_applied,
                        "price_score": item["row"].price_score,
                        "technical_score": item["row"].technical_score,
                        "score": item["row"].score,
                        "reasons": item["reasons"],
                    }
                    for item in report["rows"]
                ],
                "awardable_offer_id": allowed[0] if allowed else None,
                "award": _award(report["current"]) if report["current"] else None,
                "cancelled_awards": [_award(award) for award in report["cancelled"]],
            }
        )
    return result


def _order(actor: Actor, order: Any) -> dict[str, Any]:
    return {
        "id": order.pk,
        "buyer_id": order.buyer_id,
        "supplier_id": order.supplier_id,
        "award_id": order.award_id,
        "ordered_at": order.ordered_at,
        "lines": list(selectors.order_lines_of(actor, order)),
    }


@consultations_router.post(
    "/consultations/{consultation_id}/opening/request",
    response=ConsultationDetailOut,
    summary="Request the opening (a first member of the buyer's committee, at or after the opening time)",
)
def request_opening(request: HttpRequest, consultation_id: Id) -> dict:
    actor = actor_for(request.user)
    consultation = selectors.consultation_detail(actor, consultation_id)
    services.consultation_request_opening(actor=actor, consultation=consultation, user=request.user)
    return _detail(actor, selectors.consultation_detail(actor, consultation_id))


@consultations_router.post(
    "/consultations/{consultation_id}/opening/confirm",
    response=ConsultationDetailOut,
    summary="Confirm the opening (a different member of the committee): the offers are unsealed",
)
def confirm_opening(request: HttpRequest, consultation_id: Id) -> dict:
    actor = actor_for(request.user)
    consultation = selectors.consultation_detail(actor, consultation_id)
    services.consultation_confirm_opening(actor=actor, consultation=consultation, user=request.user)
    return _detail(actor, selectors.consultation_detail(actor, consultation_id))


@consultations_router.post(
    "/consultations/{consultation_id}/evaluate",
    response=list[LotEvaluationOut],
    summary="Evaluate every lot of an opened consultation (again, as long as nothing is awarded)",
)
def evaluate_consultation(request: HttpRequest, consultation_id: Id, payload: EvaluateIn) -> list:
    actor = actor_for(request.user)
    consultation = selectors.consultation_detail(actor, consultation_id)
    services.consultation_evaluate(actor=actor, consultation=consultation, technical_scores=payload.technical_scores)
    return _evaluation(actor, selectors.consultation_detail(actor, consultation_id))


@consultations_router.get(
    "/consultations/{consultation_id}/evaluation",
    response=list[LotEvaluationOut],
    summary="The evaluation report per lot (the buyer's side, after the opening)",
)
def get_evaluation(request: HttpRequest, consultation_id: Id) -> list:
    actor = actor_for(request.user)
    return _evaluation(actor, selectors.consultation_detail(actor, consultation_id))


@consultations_router.post(
    "/lots/{lot_id}/award", response={201: AwardOut}, summary="Award a lot to the offer the award gate allows"
)
@idempotent
def award_lot(request: HttpRequest, lot_id: Id, payload: AwardIn) -> Status[dict]:
    actor = actor_for(request.user)
    lot_evaluation = get_visible_or_404(
        actor, LotEvaluation.objects.select_related("lot", "lot__consultation"), lot_id=lot_id
    )
    row = get_object_or_404(selectors.evaluated_offers_of(actor, lot_evaluation), offer_id=payload.offer_id)
    award = services.award_make(actor=actor, lot=lot_evaluation.lot, offer=row.offer)
    return Status(201, _award(selectors.award_detail(actor, award.pk)))


@consultations_router.post(
    "/awards/{award_id}/cancel", response=AwardOut, summary="Cancel an award during its standstill period"
)
def cancel_award(request: HttpRequest, award_id: Id, payload: CancelIn) -> dict:
    actor = actor_for(request.user)
    award = services.award_cancel(actor=actor, award=selectors.award_detail(actor, award_id), reason=payload.reason)
    return _award(selectors.award_detail(actor, award.pk))


@consultations_router.post(
    "/awards/{award_id}/orders",
    response={201: OrderOut},
    summary="Order under a final award (after its standstill period), at the offer's unit prices",
)
@idempotent
def create_order(request: HttpRequest, award_id: Id, payload: OrderIn) -> Status[dict]:
    actor = actor_for(request.user)
    award = selectors.award_detail(actor, award_id)
    order = services.order_create_from_award(actor=actor, award=award, lines=[line.dict() for line in payload.lines])
    return Status(201, _order(actor, selectors.order_detail(actor, order.pk)))


@consultations_router.post(
    "/orders/{order_id}/deliveries", response={201: DeliveryOut}, summary="Record what was received of an order"
)
@idempotent
def record_delivery(request: HttpRequest, order_id: Id, payload: DeliveryIn) -> Status[Any]:
    actor = actor_for(request.user)
    order = selectors.order_detail(actor, order_id)
    received = {line.order_line: line.quantity for line in payload.lines}
    return Status(201, services.delivery_record(actor=actor, order=order, received=received))


@consultations_router.get(
    "/purchase-rates",
    response=list[PurchaseRateOut],
    summary="Local-purchase rates of the buyers I belong to (or oversee), all years and per year",
)
def purchase_rates(request: HttpRequest, year: Year | None = None) -> list:
    actor = actor_for(request.user)
    rates = selectors.local_purchase_rates(actor, year)
    names: dict[Any, str] = dict(Organisation.objects.filter(pk__in=list(rates.by_buyer)).values_list("pk", "name"))
    rows: list[tuple[Any, int | None, Any]] = [(buyer_id, None, rate) for buyer_id, rate in rates.by_buyer.items()]
    rows += [(buyer_id, at, rate) for (buyer_id, at), rate in rates.by_buyer_year.items()]
    return [
        {
            "buyer_id": buyer_id,
            "buyer_name": names.get(buyer_id, ""),
            "year": at,
            "local_value": rate.local_value,
            "total_value": rate.total_value,
            "plan_value": rate.plan_value,
            "of_purchases": rate.of_purchases,
            "of_plan": rate.of_plan,
        }
        for buyer_id, at, rate in sorted(rows, key=lambda row: (names.get(row[0], ""), row[1] or 0))
    ]


# Orders: the list, one order, a direct order ----------------------------------------------------------------------
# The same selectors and service as the pages (`/orders/`, `/orders/direct/`): an order the caller may not see is a
# 404; a direct order is refused (403) to anyone but the buyer's administrators and members, and nothing is written
# when a line is wrong (400, details keyed `lines.<index>.<field>`).


class OrderSummaryOut(Schema):
    id: int
    buyer_id: int
    buyer_name: str
    supplier_id: int
    supplier_name: str
    award_id: int | None
    consultation_id: int | None = Field(..., description="For an order under an award: the consultation.")
    lot_number: int | None = Field(..., description="For an order under an award: the lot awarded.")
    ordered_at: datetime
    total_value: Decimal = Field(..., description="In MAD.")
    local_supplier: bool = Field(..., description="Bought from a manufacturer established in Morocco.")
    delivered_share: Decimal | None = Field(
        ..., description="From 0 to 1: the value received over the value ordered (None: nothing to deliver)."
    )


class OrderLineDetailOut(OrderLineOut):
    plan_line_id: int | None
    lot_line_id: int | None
    variant_id: int | None


class DeliveryLineOut(Schema):
    order_line_id: int
    quantity: Decimal


class DeliveryDetailOut(DeliveryOut):
    lines: list[DeliveryLineOut]


class OrderDetailOut(Schema):
    """OrderOut's fields, with the parties' names, each line's plan line, lot line and variant, and the
    deliveries."""

    id: int
    buyer_id: int
    buyer_name: str
    supplier_id: int
    supplier_name: str
    award_id: int | None
    ordered_at: datetime
    lines: list[OrderLineDetailOut]
    deliveries: list[DeliveryDetailOut]


class DirectOrderLineIn(Schema):
    plan_line: int = Field(..., description="A line of one of the buyer's published plans.")
    quantity: Decimal | str
    unit_price: Decimal | str = Field(..., description="In MAD, at most two decimals: `12.50` (or `12,50`).")
    variant: int | None = Field(None, description="One of the supplier's products' variants.")


class DirectOrderIn(Schema):
    buyer_id: Id
    supplier_id: Id = Field(..., description="A manufacturer or a start-up.")
    lines: list[DirectOrderLineIn]


def _order_summary(row: dict[str, Any]) -> dict[str, Any]:
    order = row["order"]
    return {
        "id": order.pk,
        "buyer_id": order.buyer_id,
        "buyer_name": order.buyer.name,
        "supplier_id": order.supplier_id,
        "supplier_name": order.supplier.name,
        "award_id": order.award_id,
        "consultation_id": row["consultation_id"],
        "lot_number": row["lot_number"],
        "ordered_at": order.ordered_at,
        "total_value": row["total_value"],
        "local_supplier": row["local_supplier"],
        "delivered_share": row["delivered_share"],
    }


@consultations_router.get(
    "/orders",
    response=list[OrderSummaryOut],
    summary="Orders I can see (my buyers' orders, the orders placed with my organisations), newest first",
)
def list_orders(request: HttpRequest, offset: Offset = 0, limit: Limit500 = 100) -> list:
    actor = actor_for(request.user)
    offset, limit = max(0, offset), max(1, min(limit, 500))
    orders = selectors.orders_for(actor)[offset : offset + limit]
    return [_order_summary(row) for row in selectors.order_rows(actor, orders)]


# Before `/orders/{order_id}`: its URL pattern would otherwise take `direct` as an order id (and answer 405).
@consultations_router.post(
    "/orders/direct",
    response={201: OrderOut},
    summary="Order directly (without consultation) against lines of the buyer's published plans",
)
@idempotent
def create_direct_order(request: HttpRequest, payload: DirectOrderIn) -> Status[dict]:
    actor = actor_for(request.user)
    buyer = Organisation.objects.filter(pk=payload.buyer_id).first()
    supplier = Organisation.objects.filter(pk=payload.supplier_id).first()
    if buyer is None or supplier is None:
        raise NotFound()
    order = services.order_create_direct(
        actor=actor,
        buyer=buyer,
        supplier=supplier,
        plan_lines_with_quantities_and_prices=[line.dict() for line in payload.lines],
    )
    return Status(201, _order(actor, selectors.order_detail(actor, order.pk)))


@consultations_router.get(
    "/orders/{order_id}", response=OrderDetailOut, summary="An order, with its lines and what was received"
)
def get_order(request: HttpRequest, order_id: Id) -> dict:
    actor = actor_for(request.user)
    order = selectors.order_detail(actor, order_id)
    deliveries = [
        {
            "id": delivery.pk,
            "order_id": delivery.order_id,
            "received_at": delivery.received_at,
            "lines": [
                {"order_line_id": line.order_line_id, "quantity": line.quantity} for line in delivery.lines.all()
            ],
        }
        for delivery in selectors.deliveries_of(actor, order)
    ]
    return _order(actor, order) | {
        "buyer_name": order.buyer.name,
        "supplier_name": order.supplier.name,
        "deliveries": deliveries,
    }
