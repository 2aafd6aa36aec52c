"""Every write on consultations, up to their opening: keyword-only functions, each in one transaction.

Lifecycle: a buyer makes a draft consultation from lines of its published plans (grouped into lots by EMDN
code), edits it while it is a draft, and publishes it: the consultation gets its sealing key and the
suppliers are invited (those matching proposed for its lines, and/or every manufacturer with an eligible
product under a lot's EMDN code) and notified by e-mail. Invited suppliers ask questions until the questions
deadline; the buyer's answers are published to every invited supplier. Suppliers submit, amend and withdraw
sealed offers until the submission deadline (server time). At or after the opening time a committee of two
of the buyer's people opens the consultation: every submitted offer is unsealed into offer lines. A
consultation can be cancelled with a reason until it is awarded.

Every refusal raises a DomainError (or Forbidden / NotFound) with a message for the user, and leaves the
database as it was. The audit trail records each change (tawrid.sourcing.audit).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from tawrid.accounts.models import Membership, Organisation, User
from tawrid.catalog.eligibility import DEFAULT_REQUIRED_CERTIFICATES, eligibility
from tawrid.catalog.models import CertificateKind, Product, ProductStatus, Variant
from tawrid.catalog.selectors import facts_for_products
from tawrid.core import permissions
from tawrid.core.errors import DomainError, Forbidden, NotFound
from tawrid.core.permissions import WRITER_ROLES, Actor
from tawrid.demand.models import PlanLine, PlanStatus
from tawrid.demand.policies import SUPPLIER_KIND_VALUES
from tawrid.sourcing import policies, sealing
from tawrid.sourcing.models import (
    MAX_NATIONAL_PREFERENCE,
    OPENED_STATUSES,
    Consultation,
    ConsultationStatus,
    EvaluationMethod,
    Invitation,
    InvitationSource,
    Lot,
    LotLine,
    Offer,
    OfferLine,
    OfferStatus,
    Question,
)

TERMS_FIELDS = (
    "reference",
    "title",
    "delivery_terms",
    "required_certificates",
    "evaluation_method",
    "price_weight",
    "national_preference_rate",
    "questions_deadline",
    "submission_deadline",
    "opening_at",
    "open_to_all",
)
# The plans' certificate keys (tawrid.demand) that have a catalogue counterpart; a DMP registration is
# required of every offered product anyway (the eligibility rule), so it needs no entry.
PLAN_TO_CATALOGUE_CERTIFICATES = {"iso13485": "iso13485", "nm_imanor": "nm", "ce": "ce"}
MAX_PRICE = Decimal("1000000000000")  # 12 digits before the decimal point (the column holds 14, 2 after it)
MAX_DELIVERY_DAYS = 3650
MAX_DOCUMENTS = 50
MAX_TEXT = 4000


# Helpers -------------------------------------------------------------------------------------------------------


def _when(moment: datetime) -> str:
    """A date and time as the user reads it: in Casablanca time, in the active language's format."""
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _lock(consultation: Consultation) -> Consultation:
    return Consultation.objects.select_for_update().get(pk=consultation.pk)


def _require_edit(actor: Actor, consultation: Consultation) -> None:
    if not policies.can_edit_consultation(actor, consultation):
        if not permissions.visible(actor, Consultation.objects.filter(pk=consultation.pk)).exists():
            raise NotFound()
        raise Forbidden(_("Only the buyer's administrators and members manage its consultations."))


def _require_draft(consultation: Consultation) -> None:
    if consultation.status != ConsultationStatus.DRAFT:
        raise DomainError(
            _("This consultation is %(status)s: it can no longer be changed.")
            % {"status": consultation.get_status_display().lower()},
            code="consultation_not_draft",
        )


def _aware(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def _decimal(value: Any) -> Decimal:
    """A decimal from what a person or a program typed: `12.50`, `12,50`, `1 234,50`; never a float's noise."""
    if value is None or isinstance(value, bool):
        raise InvalidOperation
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    else:
        text = str(value).strip().replace("\u202f", "").replace("\u00a0", "").replace(" ", "")
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        number = Decimal(text)
    if not number.is_finite():
        raise InvalidOperation
    return number


def _clean_terms(values: Mapping[str, Any]) -> dict[str, Any]:
    """The consultation's terms, checked; every problem is reported at once, under its field."""
    errors: dict[str, list[str]] = defaultdict(list)
    cleaned: dict[str, Any] = {}

    reference = str(values.get("reference") or "").strip()
    if not reference:
        errors["reference"].append(_("Give the consultation a reference."))
    elif len(reference) > 60:
        errors["reference"].append(_("At most 60 characters."))
    cleaned["reference"] = reference

    title = str(values.get("title") or "").strip()
    if not title:
        errors["title"].append(_("Say what the consultation is for."))
    elif len(title) > 300:
        errors["title"].append(_("At most 300 characters."))
    cleaned["title"] = title
    cleaned["delivery_terms"] = str(values.get("delivery_terms") or "").strip()

    certificates = list(dict.fromkeys(str(c) for c in values.get("required_certificates") or []))
    unknown = [c for c in certificates if c not in CertificateKind.values]
    if unknown:
        errors["required_certificates"].append(
            _("Unknown certificate kind: %(kinds)s.") % {"kinds": ", ".join(sorted(unknown))}
        )
    cleaned["required_certificates"] = certificates

    method = str(values.get("evaluation_method") or EvaluationMethod.LOWEST_PRICE)
    if method not in EvaluationMethod.values:
        errors["evaluation_method"].append(_("Choose the lowest compliant price or a weighted evaluation."))
    cleaned["evaluation_method"] = method
    if method == EvaluationMethod.LOWEST_PRICE:
        cleaned["price_weight"] = 100
    else:
        weight = values.get("price_weight")
        try:
            weight_value = _decimal(weight)
        except (InvalidOperation, ValueError):
            weight_value = Decimal(-1)
        if weight_value != weight_value.to_integral_value() or not 0 <= weight_value <= 100:
            errors["price_weight"].append(_("The price weight is a whole number from 0 to 100."))
            cleaned["price_weight"] = weight
        else:
            cleaned["price_weight"] = int(weight_value)

    rate_input = values.get("national_preference_rate", MAX_NATIONAL_PREFERENCE)
    try:
        rate = _decimal(rate_input)
    except (InvalidOperation, ValueError):
        errors["national_preference_rate"].append(_("The national preference rate must be a number."))
        rate = None
    if rate is not None:
        if not Decimal(0) <= rate <= MAX_NATIONAL_PREFERENCE:
            errors["national_preference_rate"].append(
                _("The national preference rate is between 0 and 0.15 (15 %), as the law allows.")
            )
        elif rate != rate.quantize(Decimal("0.001")):
            errors["national_preference_rate"].append(_("At most three decimals (0.125 is 12.5 %)."))
        else:
            rate = rate.quantize(Decimal("0.001"))
    cleaned["national_preference_rate"] = rate

    dates: dict[str, datetime | None] = {}
    for key in ("questions_deadline", "submission_deadline", "opening_at"):
        dates[key] = _aware(values.get(key))
        if dates[key] is None:
            errors[key].append(_("Give a date and a time."))
    questions, submission, opening = dates["questions_deadline"], dates["submission_deadline"], dates["opening_at"]
    if questions and submission and questions > submission:
        errors["questions_deadline"].append(_("The deadline for questions must come before the deadline for offers."))
    if submission and opening and submission > opening:
        errors["opening_at"].append(_("The opening cannot come before the deadline for offers."))
    cleaned.update(dates)
    cleaned["open_to_all"] = bool(values.get("open_to_all", False))

    if errors:
        raise DomainError(_("The consultation's terms need correcting."), code="invalid_terms", details=dict(errors))
    return cleaned


def _require_reference_free(buyer_id: int, reference: str, *, exclude_pk: int | None = None) -> None:
    taken = Consultation.objects.filter(buyer_id=buyer_id, reference=reference)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise DomainError(
            _("Another consultation of yours already has the reference %(reference)s.") % {"reference": reference},
            code="reference_taken",
            details={"reference": [_("Choose another reference.")]},
        )


def _certificates_from_lines(lines: Iterable[PlanLine]) -> list[str]:
    kinds: dict[str, None] = {}
    for line in lines:
        for key in line.required_certificates or []:
            kind = PLAN_TO_CATALOGUE_CERTIFICATES.get(str(key))
            if kind:
                kinds[kind] = None
    return list(kinds)


# E-mails -------------------------------------------------------------------------------------------------------


def _notify(organisation_ids: Iterable[int], compose: Callable[[], tuple[str, str]]) -> int:
    """One message to each active person of the organisations, in that person's language."""
    people = User.objects.filter(memberships__organisation__in=list(organisation_ids), is_active=True).distinct()
    messages = []
    for person in people.order_by("pk"):
        with translation.override(person.preferred_language or settings.LANGUAGE_CODE):
            subject, body = compose()
        messages.append(EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [person.email]))
    if messages:
        mailers.default.send_messages(messages)
    return len(messages)


def _invitation_message(consultation: Consultation) -> Callable[[], tuple[str, str]]:
    def compose() -> tuple[str, str]:
        subject = _("Consultation %(reference)s: you are invited to submit an offer") % {
            "reference": consultation.reference
        }
        body = "\n\n".join(
            [
                _("%(buyer)s invites you to submit an offer for: %(title)s (reference %(reference)s).")
                % {"buyer": consultation.buyer.name, "title": consultation.title, "reference": consultation.reference},
                _(
                    "Questions until %(questions)s. Offers until %(submission)s (Casablanca time); "
                    "late offers are refused."
                )
                % {
                    "questions": _when(consultation.questions_deadline),
                    "submission": _when(consultation.submission_deadline),
                },
                _("Offers stay sealed until the opening, on %(opening)s.")
                % {"opening": _when(consultation.opening_at)},
                _("Log in to Tawrid to read the consultation and submit your offer: %(site)s")
                % {"site": settings.SITE_URL},
            ]
        )
        return subject, body + "\n"

    return compose


# Consultations ---------------------------------------------------------------------------------------------------


@transaction.atomic
def consultation_create_from_lines(
    *,
    actor: Actor,
    buyer: Organisation,
    lines: Sequence[PlanLine | int],
    data: Mapping[str, Any],
    lots: Sequence[Mapping[str, Any]] | None = None,
    user: Any = None,
) -> Consultation:
    """A draft consultation of `buyer` from lines of its published plans.

    Without `lots`, the lines are grouped into one lot per EMDN code (lines without a code share one lot).
    `lots` gives them explicitly: each {"title": str, "emdn": EmdnCode | None, "lines": [plan line ids]}, every
    selected line in exactly one lot. `data` holds the terms (TERMS_FIELDS); when it gives no required
    certificates, those the lines ask for are used."""
    if not policies.can_create_consultation_for(actor, buyer.pk):
        raise Forbidden(_("Only a buyer's administrators and members make its consultations."))
    line_ids = list(dict.fromkeys(line.pk if isinstance(line, PlanLine) else int(line) for line in lines))
    if not line_ids:
        raise DomainError(_("Select at least one line of a published plan."), code="no_lines")
    found = {
        line.pk: line for line in PlanLine.objects.filter(pk__in=line_ids).select_related("plan", "emdn").order_by("pk")
    }
    missing = [pk for pk in line_ids if pk not in found]
    if missing:
        raise NotFound(_("Some of the selected lines do not exist."))
    foreign = [line for line in found.values() if line.plan.buyer_id != buyer.pk]
    if foreign:
        raise DomainError(
            _("Only lines of your own organisation's plans can be put in its consultation."), code="foreign_lines"
        )
    unpublished = [line for line in found.values() if line.plan.status != PlanStatus.PUBLISHED]
    if unpublished:
        raise DomainError(
            _("Line %(number)s belongs to a plan that is not published: only published plans' lines are consulted.")
            % {"number": unpublished[0].line_number},
            code="plan_not_published",
        )

    values = dict(data)
    if not values.get("required_certificates"):
        values["required_certificates"] = _certificates_from_lines(found.values())
    terms = _clean_terms(values)
    _require_reference_free(buyer.pk, terms["reference"])
    groups = _lot_groups(found, lots)

    plans = {line.plan_id for line in found.values()}
    consultation = Consultation.objects.create(
        buyer=buyer,
        plan_id=plans.pop() if len(plans) == 1 else None,
        created_by=user if getattr(user, "pk", None) else None,
        **terms,
    )
    for number, (title, emdn, group) in enumerate(groups, start=1):
        lot = Lot.objects.create(consultation=consultation, number=number, title=title[:300], emdn=emdn)
        for position, line in enumerate(group, start=1):
            LotLine.objects.create(
                lot=lot,
                position=position,
                plan_line=line,
                designation=line.designation,
                quantity=line.quantity,
                unit=line.unit,
                specification=line.specification,
            )
    return consultation


def _lot_groups(
    found: Mapping[int, PlanLine], lots: Sequence[Mapping[str, Any]] | None
) -> list[tuple[str, Any, list[PlanLine]]]:
    def in_plan_order(group: Iterable[PlanLine]) -> list[PlanLine]:
        return sorted(group, key=lambda line: (line.plan_id, line.line_number))

    if lots is None:
        by_code: dict[Any, list[PlanLine]] = defaultdict(list)
        for line in found.values():
            by_code[line.emdn].append(line)
        ordered = sorted(by_code.items(), key=lambda item: (item[0] is None, item[0].code if item[0] else ""))
        return [
            (f"{code.code} {code.term}" if code else _("Lines without an EMDN code"), code, in_plan_order(group))
            for code, group in ordered
        ]
    groups: list[tuple[str, Any, list[PlanLine]]] = []
    placed: set[int] = set()
    for index, spec in enumerate(lots, start=1):
        title = str(spec.get("title") or "").strip()
        ids = [int(pk) for pk in spec.get("lines") or []]
        if not title or not ids:
            raise DomainError(
                _("Lot %(number)s needs a title and at least one line.") % {"number": index}, code="bad_lot"
            )
        unknown = [pk for pk in ids if pk not in found]
        twice = [pk for pk in ids if pk in placed]
        if unknown or twice or len(set(ids)) != len(ids):
            raise DomainError(
                _("Each selected line goes in exactly one lot (lot %(number)s).") % {"number": index}, code="bad_lot"
            )
        placed.update(ids)
        groups.append((title, spec.get("emdn"), in_plan_order(found[pk] for pk in ids)))
    if placed != set(found):
        raise DomainError(_("Some selected lines are in no lot."), code="bad_lot")
    return groups


@transaction.atomic
def consultation_update(*, actor: Actor, consultation: Consultation, data: Mapping[str, Any]) -> Consultation:
    """Change a draft consultation's terms (any of TERMS_FIELDS)."""
    _require_edit(actor, consultation)
    consultation = _lock(consultation)
    _require_draft(consultation)
    unknown = set(data) - set(TERMS_FIELDS)
    if unknown:
        raise DomainError(
            _("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(sorted(unknown))},
            code="bad_fields",
        )
    merged = {field: getattr(consultation, field) for field in TERMS_FIELDS} | dict(data)
    terms = _clean_terms(merged)
    _require_reference_free(consultation.buyer_id, terms["reference"], exclude_pk=consultation.pk)
    for field, value in terms.items():
        setattr(consultation, field, value)
    consultation.save()
    return consultation


def _suppliers_from_matching(lots: Sequence[Lot]) -> dict[int, set[int]]:
    """Supplier id → lots, from the candidates the plans' latest finished match runs proposed for the lots'
    lines with an eligible verdict (the buyer's rejections left out)."""
    from tawrid.matching.models import DecisionKind, MatchCandidate, MatchDecision, MatchRun, RunStatus, Verdict
    from tawrid.matching.selectors import PROPOSAL_THRESHOLD

    lot_of_line = {line.plan_line_id: lot.pk for lot in lots for line in lot.lines.all() if line.plan_line_id}
    if not lot_of_line:
        return {}
    plan_ids = set(PlanLine.objects.filter(pk__in=list(lot_of_line)).values_list("plan_id", flat=True))
    runs = [
        run_id
        for plan_id in sorted(plan_ids)
        if (
            run_id := MatchRun.objects.filter(plan_id=plan_id, status=RunStatus.DONE)
            .order_by("-created_at", "-pk")
            .values_list("pk", flat=True)
            .first()
        )
    ]
    rejected = MatchDecision.objects.filter(
        line=OuterRef("result__line"), product=OuterRef("product"), decision=DecisionKind.REJECTED
    )
    rows = (
        MatchCandidate.objects.filter(
            result__run__in=runs,
            result__line__in=list(lot_of_line),
            verdict__in=[Verdict.GOOD, Verdict.CONFLICT],
            score__gte=PROPOSAL_THRESHOLD,
            product__manufacturer__kind__in=SUPPLIER_KIND_VALUES,
        )
        .exclude(Exists(rejected))
        .values_list("result__line_id", "product__manufacturer_id")
    )
    admitted: dict[int, set[int]] = defaultdict(set)
    for line_id, supplier_id in rows:
        admitted[supplier_id].add(lot_of_line[line_id])
    return dict(admitted)


def _suppliers_from_open_call(consultation: Consultation, lots: Sequence[Lot]) -> dict[int, set[int]]:
    """Supplier id → lots, for every manufacturer with a published product filed under a lot's EMDN code (or
    a code below it) that is eligible today with the certificates the consultation requires."""
    required = tuple(dict.fromkeys([*DEFAULT_REQUIRED_CERTIFICATES, *consultation.required_certificates]))
    today = timezone.localdate()
    admitted: dict[int, set[int]] = defaultdict(set)
    for lot in lots:
        if lot.emdn is None:
            continue
        pairs = list(
            Product.objects.filter(
                status=ProductStatus.PUBLISHED,
                emdn__code__startswith=lot.emdn.code,
                manufacturer__kind__in=SUPPLIER_KIND_VALUES,
            ).values_list("pk", "manufacturer_id")
        )
        facts = facts_for_products(pairs)
        for product_id, supplier_id in pairs:
            if eligibility(facts[product_id], today, required_certificates=required).eligible:
                admitted[supplier_id].add(lot.pk)
    return dict(admitted)


@transaction.atomic
def consultation_publish(*, actor: Actor, consultation: Consultation) -> Consultation:
    """Publish a draft: its sealing key is made, the suppliers are invited and notified by e-mail."""
    _require_edit(actor, consultation)
    consultation = _lock(consultation)
    _require_draft(consultation)
    now = timezone.now()
    if consultation.questions_deadline <= now:
        raise DomainError(
            _("The deadlines must be in the future: the deadline for questions (%(date)s) has passed.")
            % {"date": _when(consultation.questions_deadline)},
            code="deadline_past",
            details={"questions_deadline": [_("Choose a later date.")]},
        )
    lots = list(consultation.lots.select_related("emdn").prefetch_related("lines").order_by("number"))
    if not lots:
        raise DomainError(_("A consultation without lots cannot be published."), code="no_lots")

    from_matching = _suppliers_from_matching(lots)
    from_open_call = _suppliers_from_open_call(consultation, lots) if consultation.open_to_all else {}
    if not from_matching and not from_open_call:
        raise DomainError(
            _(
                "No supplier can be invited: no local product was proposed for these lines. Open the consultation "
                "to all eligible manufacturers, or run the matching of the plan first."
            ),
            code="no_suppliers",
        )

    consultation.sealing_key = sealing.new_wrapped_key(consultation_id=consultation.pk)
    consultation.status = ConsultationStatus.PUBLISHED
    consultation.published_at = now
    consultation.save(update_fields=["sealing_key", "status", "published_at", "updated_at"])

    for supplier_id in sorted(set(from_matching) | set(from_open_call)):
        invitation = Invitation.objects.create(
            consultation=consultation,
            supplier_id=supplier_id,
            source=InvitationSource.MATCHING if supplier_id in from_matching else InvitationSource.OPEN_CALL,
        )
        invitation.lots.set(sorted(from_matching.get(supplier_id, set()) | from_open_call.get(supplier_id, set())))
    # Sent inside the transaction: if the mail cannot be sent, nothing is published without its invitations.
    invited = list(consultation.invitations.values_list("supplier_id", flat=True))
    _notify(invited, _invitation_message(consultation))
    consultation.invitations.update(notified_at=timezone.now())
    return consultation


@transaction.atomic
def consultation_cancel(*, actor: Actor, consultation: Consultation, reason: str) -> Consultation:
    """Cancel a consultation that is not awarded yet; the invited suppliers are told why."""
    _require_edit(actor, consultation)
    consultation = _lock(consultation)
    if consultation.status == ConsultationStatus.CANCELLED:
        raise DomainError(_("This consultation is already cancelled."), code="already_cancelled")
    if consultation.status == ConsultationStatus.AWARDED:
        raise DomainError(
            _("This consultation is awarded: cancel the award instead, with its reason."), code="already_awarded"
        )
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            _("Give the reason for the cancellation: the suppliers are told."),
            code="reason_required",
            details={"reason": [_("This field is required.")]},
        )
    was_published = consultation.status != ConsultationStatus.DRAFT
    consultation.status = ConsultationStatus.CANCELLED
    consultation.cancelled_at = timezone.now()
    consultation.cancel_reason = reason[:MAX_TEXT]
    consultation.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
    if was_published:

        def compose() -> tuple[str, str]:
            subject = _("Consultation %(reference)s is cancelled") % {"reference": consultation.reference}
            body = _("%(buyer)s has cancelled the consultation %(title)s. Reason: %(reason)s") % {
                "buyer": consultation.buyer.name,
                "title": consultation.title,
                "reason": consultation.cancel_reason,
            }
            return subject, body + "\n"

        _notify(consultation.invitations.values_list("supplier_id", flat=True), compose)
    return consultation


# Questions -------------------------------------------------------------------------------------------------------


def _invitation_of(consultation: Consultation, supplier_id: int) -> Invitation | None:
    return Invitation.objects.filter(consultation=consultation, supplier_id=supplier_id).first()


@transaction.atomic
def question_ask(
    *, actor: Actor, consultation: Consultation, supplier: Organisation, text: str, user: Any = None
) -> Question:
    if not policies.can_act_for_supplier(actor, supplier.pk):
        raise Forbidden(_("Only the supplier's administrators and members ask questions on its behalf."))
    consultation = _lock(consultation)
    if consultation.status != ConsultationStatus.PUBLISHED or _invitation_of(consultation, supplier.pk) is None:
        raise DomainError(
            _("Only the suppliers invited to a published consultation ask questions about it."), code="not_invited"
        )
    if timezone.now() >= consultation.questions_deadline:
        raise DomainError(
            _("The deadline for questions passed on %(date)s.") % {"date": _when(consultation.questions_deadline)},
            code="questions_closed",
        )
    text = (text or "").strip()
    if not text or len(text) > MAX_TEXT:
        raise DomainError(
            _("Write your question (at most %(max)s characters).") % {"max": MAX_TEXT},
            code="bad_question",
            details={"text": [_("This field is required.")]},
        )
    return Question.objects.create(
        consultation=consultation,
        supplier=supplier,
        asked_by=user if getattr(user, "pk", None) else None,
        text=text,
    )


@transaction.atomic
def question_answer(*, actor: Actor, question: Question, answer: str, user: Any = None) -> Question:
    """The buyer answers; the answer is published to every invited supplier (who are told by e-mail)."""
    _require_edit(actor, question.consultation)
    consultation = _lock(question.consultation)
    question = Question.objects.select_for_update().get(pk=question.pk)
    if consultation.status != ConsultationStatus.PUBLISHED or timezone.now() >= consultation.submission_deadline:
        raise DomainError(_("Questions are answered while offers can still be submitted."), code="answers_closed")
    if question.answered_at is not None:
        raise DomainError(_("This question has already been answered."), code="already_answered")
    answer = (answer or "").strip()
    if not answer or len(answer) > MAX_TEXT:
        raise DomainError(
            _("Write the answer (at most %(max)s characters).") % {"max": MAX_TEXT},
            code="bad_answer",
            details={"answer": [_("This field is required.")]},
        )
    question.answer = answer
    question.answered_at = timezone.now()
    question.answered_by = user if getattr(user, "pk", None) else None
    question.save(update_fields=["answer", "answered_at", "answered_by", "updated_at"])

    def compose() -> tuple[str, str]:
        subject = _("Consultation %(reference)s: a question has been answered") % {"reference": consultation.reference}
        body = "\n\n".join(
            [_("Question: %(text)s") % {"text": question.text}, _("Answer: %(answer)s") % {"answer": question.answer}]
        )
        return subject, body + "\n"

    _notify(consultation.invitations.values_list("supplier_id", flat=True), compose)
    return question


# Offers ----------------------------------------------------------------------------------------------------------


def _require_accepting_offers(consultation: Consultation) -> None:
    if consultation.status != ConsultationStatus.PUBLISHED:
        raise DomainError(
            _("This consultation is %(status)s: it does not accept offers.")
            % {"status": consultation.get_status_display().lower()},
            code="not_accepting_offers",
        )
    if timezone.now() >= consultation.submission_deadline:
        raise DomainError(
            _("The deadline for offers passed on %(date)s (Casablanca time): late offers are refused.")
            % {"date": _when(consultation.submission_deadline)},
            code="deadline_passed",
        )


def _require_admitted(consultation: Consultation, lot: Lot, supplier_id: int) -> None:
    if lot.consultation_id != consultation.pk:
        raise NotFound()
    invitation = _invitation_of(consultation, supplier_id)
    if invitation is None or not invitation.lots.filter(pk=lot.pk).exists():
        raise DomainError(
            _("You are not admitted to lot %(number)s of this consultation: no offer can be made for it.")
            % {"number": lot.number},
            code="lot_not_admitted",
        )


def _price(value: Any) -> tuple[Decimal | None, str | None]:
    try:
        price = _decimal(value)
    except (InvalidOperation, ValueError, TypeError):
        return None, _("The unit price must be a number, such as 12.50.")
    if price <= 0:
        return None, _("The unit price must be more than zero.")
    if price != price.quantize(Decimal("0.01")):
        return None, _("The unit price has at most two decimals (centimes).")
    if price >= MAX_PRICE:
        return None, _("The unit price is too large.")
    return price.quantize(Decimal("0.01")), None


def _delivery_days(value: Any) -> tuple[int | None, str | None]:
    try:
        days = _decimal(value)
    except (InvalidOperation, ValueError, TypeError):
        days = Decimal(-1)
    if days != days.to_integral_value() or not 1 <= days <= MAX_DELIVERY_DAYS:
        return None, _("The delivery time is a whole number of days, from 1 to %(max)s.") % {"max": MAX_DELIVERY_DAYS}
    return int(days), None


def _clean_contents(
    *, lot: Lot, supplier_id: int, lines: Sequence[Mapping[str, Any]], documents: Sequence[str]
) -> dict[str, Any]:
    """An offer's contents, checked: one entry per line of the lot, with a positive price in MAD (two
    decimals at most), a delivery time and optionally the supplier's own variant; document names."""
    errors: dict[str, list[str]] = defaultdict(list)
    lot_lines = {line.pk: line for line in lot.lines.all()}
    items: list[dict[str, Any]] = []
    seen: set[int] = set()
    variant_ids: dict[int, int] = {}
    for index, entry in enumerate(lines):
        raw_line = entry.get("lot_line")
        try:
            line_id = int(getattr(raw_line, "pk", raw_line))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            line_id = 0
        if line_id not in lot_lines or line_id in seen:
            errors[f"lines.{index}.lot_line"].append(_("Not a line of this lot, or given twice."))
            continue
        seen.add(line_id)
        price, problem = _price(entry.get("unit_price"))
        if problem:
            errors[f"lines.{index}.unit_price"].append(problem)
        days, problem = _delivery_days(entry.get("delivery_days"))
        if problem:
            errors[f"lines.{index}.delivery_days"].append(problem)
        raw_variant = entry.get("variant")
        variant_id = getattr(raw_variant, "pk", raw_variant)
        if variant_id not in (None, ""):
            try:
                variant_ids[index] = int(variant_id)
            except (TypeError, ValueError):
                errors[f"lines.{index}.variant"].append(_("Choose one of your products' variants."))
        items.append(
            {"lot_line": line_id, "unit_price": str(price) if price else None, "delivery_days": days, "index": index}
        )
    if variant_ids:
        own = set(
            Variant.objects.filter(pk__in=set(variant_ids.values()), product__manufacturer_id=supplier_id).values_list(
                "pk", flat=True
            )
        )
        for index, variant_id in variant_ids.items():
            if variant_id not in own:
                errors[f"lines.{index}.variant"].append(_("Choose one of your products' variants."))
    missing = [lot_lines[pk] for pk in lot_lines if pk not in seen]
    if missing:
        errors["lines"].append(
            _("Price every line of the lot; missing: %(lines)s.")
            % {"lines": ", ".join(str(line.position) for line in sorted(missing, key=lambda line: line.position))}
        )
    names = [str(name).strip() for name in documents or []]
    if len(names) > MAX_DOCUMENTS or any(not name or len(name) > 200 for name in names):
        errors["documents"].append(
            _("At most %(max)s documents, each named in 1 to 200 characters.") % {"max": MAX_DOCUMENTS}
        )
    if errors:
        raise DomainError(_("The offer needs correcting."), code="invalid_offer", details=dict(errors))
    return {
        "lines": [
            {
                "lot_line": item["lot_line"],
                "unit_price": item["unit_price"],
                "delivery_days": item["delivery_days"],
                "variant": variant_ids.get(item["index"]),
            }
            for item in sorted(items, key=lambda item: lot_lines[item["lot_line"]].position)
        ],
        "documents": names,
    }


def _seal_into(offer: Offer, consultation: Consultation, contents: dict[str, Any]) -> None:
    sealed = sealing.seal(
        consultation=consultation,
        lot_id=offer.lot_id,
        supplier_id=offer.supplier_id,
        version=offer.version,
        contents=contents,
    )
    offer.sealed_payload = sealed.payload
    offer.nonce = sealed.nonce


@transaction.atomic
def offer_submit(
    *,
    actor: Actor,
    consultation: Consultation,
    lot: Lot,
    supplier: Organisation,
    lines: Sequence[Mapping[str, Any]],
    documents: Sequence[str] = (),
    user: Any = None,
) -> Offer:
    """A supplier's sealed offer for one lot it is admitted to, before the deadline (server time).

    `lines`: one {"lot_line": id, "unit_price": "12.50", "delivery_days": 15, "variant": id | None} per line
    of the lot."""
    if not policies.can_act_for_supplier(actor, supplier.pk):
        raise Forbidden(_("Only the supplier's administrators and members submit its offers."))
    consultation = _lock(consultation)
    _require_accepting_offers(consultation)
    _require_admitted(consultation, lot, supplier.pk)
    if Offer.objects.filter(lot=lot, supplier=supplier, status=OfferStatus.SUBMITTED).exists():
        raise DomainError(_("You already have an offer for this lot: amend it instead."), code="offer_exists")
    contents = _clean_contents(lot=lot, supplier_id=supplier.pk, lines=lines, documents=documents)
    offer = Offer(
        consultation=consultation,
        lot=lot,
        supplier=supplier,
        version=1,
        submitted_at=timezone.now(),
        submitted_by=user if getattr(user, "pk", None) else None,
        established_in_morocco=supplier.is_established_in_morocco,
    )
    _seal_into(offer, consultation, contents)
    try:
        with transaction.atomic():
            offer.save()
    except IntegrityError:
        # Two tabs (or two people) submitting at once: the database keeps one active offer per lot.
        raise DomainError(_("You already have an offer for this lot: amend it instead."), code="offer_exists") from None
    return offer


def _offer_for_change(actor: Actor, offer: Offer, expected_version: int) -> tuple[Consultation, Offer]:
    if not permissions.visible(actor, Offer.objects.filter(pk=offer.pk)).exists():
        raise NotFound()
    if not policies.can_act_for_supplier(actor, offer.supplier_id):
        raise Forbidden(_("Only the supplier's administrators and members change its offers."))
    consultation = _lock(offer.consultation)
    locked = Offer.objects.select_for_update().get(pk=offer.pk)
    _require_accepting_offers(consultation)
    if locked.status != OfferStatus.SUBMITTED:
        raise DomainError(_("This offer has been withdrawn: submit a new one."), code="offer_withdrawn")
    if locked.version != expected_version:
        raise DomainError(
            _(
                "The offer was changed in another window (it is now at version %(version)s): reload it and make "
                "your changes again."
            )
            % {"version": locked.version},
            code="stale_version",
        )
    return consultation, locked


@transaction.atomic
def offer_amend(
    *,
    actor: Actor,
    offer: Offer,
    expected_version: int,
    lines: Sequence[Mapping[str, Any]],
    documents: Sequence[str] = (),
    user: Any = None,
) -> Offer:
    """Replace an offer's contents, if nobody changed it since `expected_version` was read."""
    consultation, offer = _offer_for_change(actor, offer, expected_version)
    contents = _clean_contents(lot=offer.lot, supplier_id=offer.supplier_id, lines=lines, documents=documents)
    offer.version += 1
    offer.submitted_at = timezone.now()
    offer.submitted_by = user if getattr(user, "pk", None) else None
    _seal_into(offer, consultation, contents)
    offer.save(update_fields=["version", "submitted_at", "submitted_by", "sealed_payload", "nonce", "updated_at"])
    return offer


@transaction.atomic
def offer_withdraw(*, actor: Actor, offer: Offer, expected_version: int) -> Offer:
    """Withdraw an offer before the deadline. Its sealed contents are erased: a withdrawn offer is never opened."""
    _consultation, offer = _offer_for_change(actor, offer, expected_version)
    offer.status = OfferStatus.WITHDRAWN
    offer.withdrawn_at = timezone.now()
    offer.version += 1
    offer.sealed_payload = b""
    offer.nonce = b""
    offer.save(update_fields=["status", "withdrawn_at", "version", "sealed_payload", "nonce", "updated_at"])
    return offer


# Opening ---------------------------------------------------------------------------------------------------------


@transaction.atomic
def consultation_open(*, actor: Actor, consultation: Consultation, committee: Sequence[Any]) -> Consultation:
    """The committee — two different people of the buyer, administrators or members, one of them acting —
    opens the consultation at or after its opening time; every submitted offer is unsealed into offer lines."""
    _require_edit(actor, consultation)
    consultation = _lock(consultation)
    if consultation.opened_at is not None or consultation.status in OPENED_STATUSES:
        raise DomainError(
            _("This consultation was already opened on %(date)s.") % {"date": _when(consultation.opened_at)}
            if consultation.opened_at
            else _("This consultation was already opened."),
            code="already_opened",
        )
    if consultation.status != ConsultationStatus.PUBLISHED:
        raise DomainError(
            _("This consultation is %(status)s: it cannot be opened.")
            % {"status": consultation.get_status_display().lower()},
            code="not_published",
        )
    member_ids = [getattr(member, "pk", member) for member in committee]
    if len(member_ids) != 2 or None in member_ids:
        raise DomainError(_("The opening committee is exactly two people."), code="committee_size")
    if member_ids[0] == member_ids[1]:
        raise DomainError(_("The opening committee is two different people."), code="committee_same_person")
    if actor.user_id not in member_ids:
        raise DomainError(_("The opening is done by a member of the committee."), code="committee_actor")
    qualified = set(
        Membership.objects.filter(
            organisation_id=consultation.buyer_id, user_id__in=member_ids, role__in=WRITER_ROLES, user__is_active=True
        ).values_list("user_id", flat=True)
    )
    if qualified != set(member_ids):
        raise DomainError(
            _("Both members of the committee must be administrators or members of %(buyer)s.")
            % {"buyer": consultation.buyer.name},
            code="committee_not_members",
        )
    now = timezone.now()
    if now < consultation.opening_at:
        raise DomainError(
            _("The consultation opens on %(date)s (Casablanca time), not before.")
            % {"date": _when(consultation.opening_at)},
            code="too_early",
        )
    consultation.status = ConsultationStatus.OPENED
    consultation.opened_at = now
    consultation.opened_by_first_id, consultation.opened_by_second_id = member_ids
    consultation.save(update_fields=["status", "opened_at", "opened_by_first", "opened_by_second", "updated_at"])
    offers = Offer.objects.filter(consultation=consultation, status=OfferStatus.SUBMITTED).select_related("lot")
    for offer in offers.order_by("pk"):
        contents = sealing.unseal(consultation=consultation, offer=offer)
        lot_line_ids = set(offer.lot.lines.values_list("pk", flat=True))
        for item in contents["lines"]:
            if item["lot_line"] not in lot_line_ids:
                raise sealing.SealedError(_("An offer names a line of another lot."), code="tampered")
            OfferLine.objects.create(
                offer=offer,
                lot_line_id=item["lot_line"],
                unit_price=Decimal(item["unit_price"]),
                delivery_days=item["delivery_days"],
                variant_id=item.get("variant"),
            )
        offer.documents = contents.get("documents", [])
        offer.save(update_fields=["documents", "updated_at"])
    return consultation
