"""Every write on consultations, their evaluation and awards, and on orders and deliveries: keyword-only
functions, each in one transaction.

Lifecycle: a buyer makes a draft consultation from lines of its published plans (grouped into lots by EMDN
code), edits it while it is a draft, and publishes it: the consultation gets its sealing key and the
suppliers are invited (those matching proposed for its lines, and/or every manufacturer with an eligible
product under a lot's EMDN code) and notified by e-mail. Invited suppliers ask questions until the questions
deadline; the buyer's answers are published to every invited supplier. Suppliers submit, amend and withdraw
sealed offers until the submission deadline (server time). At or after the opening time a committee of two
of the buyer's people opens the consultation, in two steps (one requests, another confirms): every submitted
offer is unsealed into offer lines. The buyer evaluates each lot (compliance at the delivery date, national
preference, ranking: `tawrid.sourcing.evaluation`) and stores the result; it awards each lot to the best
compliant offer not set aside, every bidder being told its rank, amounts and reasons; an award can be cancelled
with a reason during its standstill period, after which it is final and can be ordered. Orders are placed
against final awards or directly against plan lines; deliveries never exceed what was ordered. A consultation
can be cancelled with a reason until a lot is awarded.

Every refusal raises a DomainError (or Forbidden / NotFound) with a message for the user, and leaves the
database as it was. The audit trail records each change (tawrid.sourcing.audit).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from tawrid.accounts.models import Membership, Organisation, User
from tawrid.catalog.eligibility import DEFAULT_REQUIRED_CERTIFICATES, eligibility
from tawrid.catalog.models import CertificateKind, Product, ProductStatus, Variant
from tawrid.catalog.selectors import facts_for_products
from tawrid.core import permissions, validators
from tawrid.core.errors import DomainError, Forbidden, NotFound
from tawrid.core.mail import mail_queue
from tawrid.core.permissions import WRITER_ROLES, Actor
from tawrid.demand.models import PlanLine, PlanStatus
from tawrid.demand.policies import SUPPLIER_KIND_VALUES
from tawrid.imports.parsing import number_from_text
from tawrid.matching.engine.specfit import variant_fit
from tawrid.matching.engine.types import ProductDoc, VariantDoc
from tawrid.matching.selectors import line_attributes, product_flag_values, spec_values
from tawrid.sourcing import evaluation as ev
from tawrid.sourcing import evaluation_lines, lotting, policies, receipts, results, sealing
from tawrid.sourcing.models import (
    MAX_NATIONAL_PREFERENCE,
    OPENED_STATUSES,
    Award,
    Consultation,
    ConsultationStatus,
    Delivery,
    DeliveryLine,
    EvaluatedOffer,
    EvaluationBasis,
    EvaluationMethod,
    Invitation,
    InvitationSource,
    Lot,
    LotEvaluation,
    LotLine,
    Offer,
    OfferLine,
    OfferStatus,
    Order,
    OrderLine,
    Question,
)
from tawrid.sourcing.selectors import award_is_final as award_is_final  # also a service name
from tawrid.sourcing.selectors import evaluation_method, stored_result
from tawrid.sourcing.selectors import reasons_from_json as reasons_from_json  # stored reasons, read back
from tawrid.specs import ATTRIBUTES, Fit, SpecValue, format_value, parse_designation

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
    "partial_offers",
    "evaluation_basis",
)
# The plans' certificate keys (tawrid.demand) that have a catalogue counterpart; a DMP registration is
# required of every offered product anyway (the eligibility rule), so it needs no entry.
PLAN_TO_CATALOGUE_CERTIFICATES = {"iso13485": "iso13485", "nm_imanor": "nm", "ce": "ce"}
MAX_PRICE = Decimal("1000000000000")  # 12 digits before the decimal point (the column holds 14, 2 after it)
MAX_DELIVERY_DAYS = 3650
MAX_DOCUMENTS = 50
MAX_TEXT = 4000
DEFAULT_STANDSTILL_DAYS = 10  # when settings.SOURCING_STANDSTILL_DAYS is not set


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


def _same_minute(given: Any, stored: datetime) -> bool:
    """Whether a deadline sent back is the stored one (the page's fields drop the seconds)."""
    moment = _aware(given)
    return moment is not None and moment.replace(second=0, microsecond=0) == stored.replace(second=0, microsecond=0)


def _decimal(value: Any) -> Decimal:
    """A decimal from what a person or a program typed (`12.50`, `12,50`, `1 234,50`), read as the spreadsheet
    imports read numbers; never a float's noise; a percentage is not a number here."""
    if value is None or isinstance(value, bool):
        raise InvalidOperation
    if isinstance(value, Decimal | int):
        number = Decimal(value)
    else:
        number, percent = number_from_text(str(value))
        if percent:
            raise InvalidOperation
    if not number.is_finite():
        raise InvalidOperation
    return number


DEADLINE_FIELDS = ("questions_deadline", "submission_deadline", "opening_at")


def _clean_terms(values: Mapping[str, Any], *, set_now: Iterable[str] = DEADLINE_FIELDS) -> dict[str, Any]:
    """The consultation's terms, checked; every problem is reported at once, under its field. The deadlines in
    `set_now` (all of them for a new draft; those changed for a draft being edited) must be to come and within
    validators.DEADLINE_HORIZON: a deadline kept unchanged may have passed while the draft waited."""
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
    for key in DEADLINE_FIELDS:
        moment = dates[key] = _aware(values.get(key))
        if moment is None:
            errors[key].append(_("Give a date and a time."))
        elif key in set_now and (problem := validators.deadline_problem(moment)):
            errors[key].append(problem)
    questions, submission, opening = dates["questions_deadline"], dates["submission_deadline"], dates["opening_at"]
    if questions and submission and questions > submission:
        errors["questions_deadline"].append(_("The deadline for questions must come before the deadline for offers."))
    if submission and opening and submission > opening:
        errors["opening_at"].append(_("The opening cannot come before the deadline for offers."))
    cleaned.update(dates)
    cleaned["open_to_all"] = bool(values.get("open_to_all", False))
    cleaned["partial_offers"] = bool(values.get("partial_offers", False))
    basis = str(values.get("evaluation_basis") or EvaluationBasis.LOT)
    if basis not in EvaluationBasis.values:
        errors["evaluation_basis"].append(_("Evaluate per lot or per line."))
    cleaned["evaluation_basis"] = basis

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
    """One message to each active person of the organisations, in that person's language. Queued: sent once the
    transaction commits, and retried if the mail server fails (tawrid.core.mail), never failing the action."""
    people = User.objects.filter(memberships__organisation__in=list(organisation_ids), is_active=True).distinct()
    count = 0
    for person in people.order_by("pk"):
        with translation.override(person.preferred_language or settings.LANGUAGE_CODE):
            subject, body = compose()
        mail_queue(to=[person.email], subject=subject, body=body)
        count += 1
    return count


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
    grouping: str = "emdn_group",
) -> Consultation:
    """A draft consultation of `buyer` from lines of its published plans.

    Without `lots`, the lines are grouped into one lot per EMDN group (`tawrid.sourcing.lotting`; or per full
    EMDN code with grouping="emdn_code"), the lines without a code in a lot of their own.
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
    groups = _lot_groups(found, lots, grouping)

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
    found: Mapping[int, PlanLine], lots: Sequence[Mapping[str, Any]] | None, grouping: str = lotting.BY_EMDN_GROUP
) -> list[tuple[str, Any, list[PlanLine]]]:
    def in_plan_order(group: Iterable[PlanLine]) -> list[PlanLine]:
        return sorted(group, key=lambda line: (line.plan_id, line.line_number))

    if lots is None:
        return lotting.default_groups(found.values(), grouping=grouping)
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
    changed = [
        key for key in DEADLINE_FIELDS if key in data and not _same_minute(data[key], getattr(consultation, key))
    ]
    terms = _clean_terms(merged, set_now=changed)
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
        # A lot regrouped across EMDN groups has no code of its own: its lines' groups then say who makes them.
        prefixes = (
            {lot.emdn.code}
            if lot.emdn is not None
            else {
                lotting.group_of(code)
                for code in lot.lines.exclude(plan_line__emdn=None).values_list("plan_line__emdn__code", flat=True)
            }
        )
        if not prefixes:
            continue
        under = Q()
        for prefix in prefixes:
            under |= Q(emdn__code__startswith=prefix)
        pairs = list(
            Product.objects.filter(
                under,
                status=ProductStatus.PUBLISHED,
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
    # Queued with the publication: sent once it commits, retried if the mail server fails.
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
    if Award.objects.filter(lot__consultation=consultation, cancelled_at__isnull=True).exists():
        raise DomainError(
            _("A lot of this consultation is awarded: cancel its award first, with its reason."),
            code="lot_awarded",
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
    *,
    lot: Lot,
    supplier_id: int,
    lines: Sequence[Mapping[str, Any]],
    documents: Sequence[str],
    partial: bool = False,
) -> dict[str, Any]:
    """An offer's contents, checked: one entry per line of the lot (or, when the consultation allows partial
    offers, per line the supplier prices, at least one), with a positive price in MAD (two decimals at most), a
    delivery time and optionally the supplier's own variant; document names."""
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
    if partial and not seen:
        errors["lines"].append(_("Price at least one line of the lot."))
    elif missing and not partial:
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
    contents = _clean_contents(
        lot=lot, supplier_id=supplier.pk, lines=lines, documents=documents, partial=consultation.partial_offers
    )
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
    receipts.receipt_issue(offer=offer, user=user)
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
    contents = _clean_contents(
        lot=offer.lot,
        supplier_id=offer.supplier_id,
        lines=lines,
        documents=documents,
        partial=consultation.partial_offers,
    )
    offer.version += 1
    offer.submitted_at = timezone.now()
    offer.submitted_by = user if getattr(user, "pk", None) else None
    _seal_into(offer, consultation, contents)
    offer.save(update_fields=["version", "submitted_at", "submitted_by", "sealed_payload", "nonce", "updated_at"])
    receipts.receipt_issue(offer=offer, user=user)
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
    _require_openable(consultation)
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
    offers = Offer.objects.filter(consultation=consultation, status=OfferStatus.SUBMITTED)
    lines_of_lot: dict[int, set[int]] = defaultdict(set)
    for lot_id, line_id in LotLine.objects.filter(lot__consultation=consultation).values_list("lot_id", "pk"):
        lines_of_lot[lot_id].add(line_id)
    for offer in offers.order_by("pk"):
        contents = sealing.unseal(consultation=consultation, offer=offer)
        lot_line_ids = lines_of_lot[offer.lot_id]
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


# Two-step opening ------------------------------------------------------------------------------------------------


def _require_openable(consultation: Consultation) -> None:
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


def _require_committee_member(actor: Actor, consultation: Consultation, user: Any) -> int:
    user_id = getattr(user, "pk", None)
    if user_id is None or actor.user_id != user_id:
        raise DomainError(_("The opening is done by a member of the committee."), code="committee_actor")
    if not Membership.objects.filter(
        organisation_id=consultation.buyer_id, user_id=user_id, role__in=WRITER_ROLES, user__is_active=True
    ).exists():
        raise DomainError(
            _("Only administrators and members of %(buyer)s sit on the opening committee.")
            % {"buyer": consultation.buyer.name},
            code="committee_not_members",
        )
    return int(user_id)


def _require_opening_time(consultation: Consultation) -> None:
    if timezone.now() < consultation.opening_at:
        raise DomainError(
            _("The consultation opens on %(date)s (Casablanca time), not before.")
            % {"date": _when(consultation.opening_at)},
            code="too_early",
        )


@transaction.atomic
def consultation_request_opening(*, actor: Actor, consultation: Consultation, user: Any) -> Consultation:
    """The first member of the committee asks for the opening, at or after the opening time; a different member
    confirms it (`consultation_confirm_opening`), which opens the offers."""
    _require_edit(actor, consultation)
    consultation = _lock(consultation)
    _require_openable(consultation)
    user_id = _require_committee_member(actor, consultation, user)
    _require_opening_time(consultation)
    if consultation.opening_requested_by_id is not None:
        if consultation.opening_requested_by_id == user_id:
            raise DomainError(
                _("You already requested the opening: another member of the committee confirms it."),
                code="opening_already_requested_by_you",
            )
        raise DomainError(
            _("The opening was already requested by %(name)s: confirm it instead.")
            % {"name": consultation.opening_requested_by.get_full_name()},  # type: ignore[union-attr]
            code="opening_already_requested",
        )
    consultation.opening_requested_by_id = user_id
    consultation.opening_requested_at = timezone.now()
    consultation.save(update_fields=["opening_requested_by", "opening_requested_at", "updated_at"])
    return consultation


@transaction.atomic
def consultation_confirm_opening(*, actor: Actor, consultation: Consultation, user: Any) -> Consultation:
    """A second, different member of the committee confirms the requested opening: the offers are unsealed."""
    _require_edit(actor, consultation)
    consultation = _lock(consultation)
    _require_openable(consultation)
    user_id = _require_committee_member(actor, consultation, user)
    if consultation.opening_requested_by_id is None:
        raise DomainError(
            _("Nobody has requested the opening yet: a first member of the committee requests it."),
            code="opening_not_requested",
        )
    if consultation.opening_requested_by_id == user_id:
        raise DomainError(
            _("The opening is confirmed by a different member of the committee than the one who requested it."),
            code="committee_same_person",
        )
    _require_opening_time(consultation)
    return consultation_open(
        actor=actor, consultation=consultation, committee=[consultation.opening_requested_by_id, user_id]
    )


# Evaluation ------------------------------------------------------------------------------------------------------


def _spec_label(value: SpecValue | None) -> str:
    if value is None:
        return ""
    try:
        return format_value(value, (translation.get_language() or "fr").split("-")[0])
    except (KeyError, TypeError, ValueError):
        return value.raw or str(value.value)


def _asked_attributes(line: LotLine) -> tuple[SpecValue, ...]:
    """What a lot line asks for: the plan line's attributes (as read or corrected by the buyer), else the
    attributes read from the designation and specification."""
    if line.plan_line is not None and line.plan_line.attributes:
        return line_attributes(line.plan_line)
    return tuple(parse_designation(" ".join(part for part in (line.designation, line.specification) if part)))


def _variant_conflicts(line: LotLine, variant: Variant) -> list[ev.SpecificationConflict]:
    asked = _asked_attributes(line)
    if not asked:
        return []
    product = variant.product
    document = ProductDoc(
        id=product.pk,
        texts=(),
        specifications=product_flag_values(product),
        variants=(VariantDoc(id=variant.pk, specifications=tuple(spec_values(variant.specifications.all()))),),
    )
    return [
        ev.SpecificationConflict(
            line_id=line.pk,
            attribute=str(fit.asked.definition.label) if fit.asked.attribute in ATTRIBUTES else fit.asked.attribute,
            required=_spec_label(fit.asked),
            offered=_spec_label(fit.offered),
        )
        for fit in variant_fit(asked, document).fits
        if fit.fit is Fit.CONFLICT
    ]


def _compliance(
    consultation: Consultation,
    lot_lines: Mapping[int, LotLine],
    lines: Sequence[OfferLine],
    facts: Mapping[int, Any],
    organisation_facts: Any = None,
) -> ev.ComplianceFacts:
    """The facts an offer's compliance is decided on, at its delivery date (the opening date plus its longest
    delivery time), read from the platform's own records: the certificates (verified by IMANOR, active, valid
    that day) of the supplier's organisation or of the offered variant's product, the products' DMP
    registrations, specifications and capacities.

    A required kind counts when every offered line is covered: a line with a variant by a certificate of its
    product or of the whole organisation, a line without a variant by an organisation-wide certificate
    (`organisation_facts`: the supplier's certificates with no product scope). A line without a variant has no
    product, so no DMP registration can be checked for it: it is reported as such, never as a missing
    certificate."""
    opened = consultation.opened_at or timezone.now()
    evaluated_on = timezone.localdate(opened)
    delivery = evaluated_on + timedelta(days=max((line.delivery_days for line in lines), default=0))
    required = tuple(consultation.required_certificates or ())
    valid_kinds: set[str] | None = None
    valid_now: set[str] | None = None
    expiries: dict[str, date] = {}
    registered = bool(lines)
    unnamed: list[int] = []
    conflicts: list[ev.SpecificationConflict] = []
    capacities: list[ev.LineCapacity] = []
    for line in lines:
        variant = line.variant
        product_facts = facts[variant.product_id] if variant is not None else organisation_facts
        if product_facts is None:
            kinds: set[str] = set()
            kinds_now: set[str] = set()
        else:
            status = eligibility(product_facts, delivery, required_certificates=required, require_registration=False)
            kinds = {certificate.kind for certificate in status.valid_certificates}
            today = eligibility(product_facts, evaluated_on, required_certificates=required, require_registration=False)
            kinds_now = {certificate.kind for certificate in today.valid_certificates}
            for certificate in today.valid_certificates:
                if certificate.kind not in kinds:
                    expiries[certificate.kind] = max(
                        expiries.get(certificate.kind, certificate.expires_on), certificate.expires_on
                    )
        valid_kinds = kinds if valid_kinds is None else valid_kinds & kinds
        valid_now = kinds_now if valid_now is None else valid_now & kinds_now
        if variant is None:
            unnamed.append(line.lot_line_id)
            continue
        registration = eligibility(facts[variant.product_id], delivery, required_certificates=()).registration
        registered = registered and registration is not None
        conflicts.extend(_variant_conflicts(lot_lines[line.lot_line_id], variant))
        capacity = variant.capacity_per_year or variant.product.capacity_per_year
        capacities.append(ev.LineCapacity(line.lot_line_id, Decimal(capacity) if capacity else None))
    valid = valid_kinds or set()
    return ev.ComplianceFacts(
        delivery_date=delivery,
        required_certificates=required,
        certificates_valid_at_delivery=frozenset(valid),
        registration_required=True,
        registration_valid_at_delivery=registered,
        specification_conflicts=tuple(conflicts),
        capacities=tuple(capacities),
        unnamed_lines=tuple(unnamed),
        expiring_certificates=tuple(
            (kind, expiries[kind])
            for kind in required
            if kind not in valid and kind in (valid_now or set()) and kind in expiries
        ),
    )


def organisation_facts(supplier_ids: Iterable[int]) -> dict[int, Any]:
    """Per supplier, its organisation-wide certificates as eligibility facts (no product: no registration)."""
    return {supplier_id: facts_for_products([(0, supplier_id)])[0] for supplier_id in set(supplier_ids)}


def _technical_scores(technical_scores: Mapping[Any, Any] | None) -> dict[int, Decimal]:
    scores: dict[int, Decimal] = {}
    for key, value in (technical_scores or {}).items():
        try:
            offer_id = int(getattr(key, "pk", key))
            score = _decimal(value)
        except (InvalidOperation, ValueError, TypeError):
            raise DomainError(
                _("A technical score must be a number between 0 and 100."),
                code="invalid_technical_score",
                details={"technical_scores": [_("Between 0 and 100.")]},
            ) from None
        scores[offer_id] = score
    return scores


def _param_json(value: Any) -> list[str]:
    if isinstance(value, Decimal):
        return ["decimal", str(value)]
    if isinstance(value, datetime):
        return ["date", value.date().isoformat()]
    if isinstance(value, date):
        return ["date", value.isoformat()]
    if isinstance(value, int):
        return ["int", str(value)]
    return ["str", str(value)]


def reasons_to_json(reasons: Iterable[ev.Reason]) -> list[dict[str, Any]]:
    """Reasons as stored: [{"key": …, "params": [[name, type, value], …]}] (types: decimal, date, int, str)."""
    return [
        {"key": reason.key.value, "params": [[name, *_param_json(value)] for name, value in reason.params]}
        for reason in reasons
    ]


@transaction.atomic
def consultation_evaluate(
    *, actor: Actor, consultation: Consultation, technical_scores: Mapping[Any, Any] | None = None
) -> Consultation:
    """Evaluate every lot of an opened consultation (compliance, national preference, ranking) and store the
    result; a re-evaluation before any award replaces the stored result as a whole.

    `technical_scores`: {offer id: score from 0 to 100}, needed for every compliant offer of a weighted
    consultation."""
    _require_edit(actor, consultation)
    consultation = _lock(consultation)
    if Award.objects.filter(lot__consultation=consultation).exists():
        raise DomainError(
            _("A lot of this consultation has been awarded: the evaluation can no longer be changed."),
            code="evaluation_after_award",
        )
    if consultation.status not in (ConsultationStatus.OPENED, ConsultationStatus.EVALUATED):
        raise DomainError(
            _("This consultation is %(status)s: only an opened consultation is evaluated.")
            % {"status": consultation.get_status_display().lower()},
            code="not_opened",
        )
    method = evaluation_method(consultation.evaluation_method, consultation.price_weight)
    rate = Decimal(consultation.national_preference_rate)
    scores = _technical_scores(technical_scores)
    now = timezone.now()
    lots = list(
        consultation.lots.order_by("number").prefetch_related(
            Prefetch("lines", queryset=LotLine.objects.select_related("plan_line").order_by("position"))
        )
    )
    offers = list(
        Offer.objects.filter(consultation=consultation, status=OfferStatus.SUBMITTED)
        .defer("sealed_payload", "nonce")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=OfferLine.objects.select_related("variant", "variant__product").prefetch_related(
                    "variant__specifications"
                ),
            )
        )
        .order_by("pk")
    )
    unknown = set(scores) - {offer.pk for offer in offers}
    if unknown:
        raise DomainError(
            _("A technical score is given for an offer that is not in this consultation."),
            code="invalid_technical_score",
        )
    products = {
        line.variant.product_id: line.variant.product.manufacturer_id
        for offer in offers
        for line in offer.lines.all()
        if line.variant is not None
    }
    facts = facts_for_products(products.items())
    whole = organisation_facts(offer.supplier_id for offer in offers)
    LotEvaluation.objects.filter(lot__consultation=consultation).delete()
    for lot in lots:
        lot_lines = {line.pk: line for line in lot.lines.all()}
        if consultation.evaluation_basis == EvaluationBasis.LINE:

            def compliance(
                lines: Sequence[OfferLine], supplier_id: int, lot_lines: Mapping[int, LotLine] = lot_lines
            ) -> ev.ComplianceFacts:
                return _compliance(consultation, lot_lines, lines, facts, whole.get(supplier_id))

            evaluation_lines.evaluate_lot_lines(
                actor=actor,
                consultation=consultation,
                lot=lot,
                offers=[offer for offer in offers if offer.lot_id == lot.pk],
                compliance=compliance,
                method=method,
                rate=rate,
                scores=scores,
                now=now,
            )
            continue
        lot_input = ev.Lot(
            id=lot.pk, lines=tuple(ev.LotLine(line.pk, Decimal(line.quantity)) for line in lot_lines.values())
        )
        inputs = []
        for offer in (offer for offer in offers if offer.lot_id == lot.pk):
            lines = list(offer.lines.all())
            inputs.append(
                ev.OfferUnderEvaluation(
                    offer_id=offer.pk,
                    supplier_id=offer.supplier_id,
                    established_in_morocco=offer.established_in_morocco,
                    submitted_at=offer.submitted_at,
                    lines=tuple(
                        ev.OfferLine(
                            line.lot_line_id,
                            Decimal(lot_lines[line.lot_line_id].quantity),
                            Decimal(line.unit_price),
                            line.delivery_days,
                        )
                        for line in lines
                    ),
                    compliance=_compliance(consultation, lot_lines, lines, facts, whole.get(offer.supplier_id)),
                    technical_score=scores.get(offer.pk),
                )
            )
        result = ev.evaluate_lot(lot_input, inputs, method=method, preference_rate=rate)
        stored = LotEvaluation.objects.create(
            lot=lot,
            evaluated_at=now,
            evaluated_by_id=actor.user_id,
            method=consultation.evaluation_method,
            price_weight=consultation.price_weight,
            preference_rate=rate,
        )
        evaluated_rows_save(stored, result, rate=rate, scores=scores)
    consultation.status = ConsultationStatus.EVALUATED
    consultation.save(update_fields=["status", "updated_at"])
    return consultation


def evaluated_rows_save(
    stored: LotEvaluation,
    result: ev.LotEvaluation,
    *,
    rate: Decimal,
    scores: Mapping[int, Decimal],
    lot_line: Any = None,
) -> None:
    """Store an evaluation's ranking and exclusions, one row per offer (of the lot, or of `lot_line` when the lot
    is evaluated per line), one by one so that the audit trail records each."""
    for ranked in result.ranking:
        EvaluatedOffer(
            evaluation=stored,
            lot_line=lot_line,
            offer_id=ranked.offer_id,
            compliant=True,
            rank=ranked.rank,
            amount=ranked.amount,
            compared_amount=ranked.compared_amount,
            preference_rate_applied=Decimal(0) if ranked.established_in_morocco else rate,
            price_score=ranked.price_score,
            technical_score=ranked.technical_score,
            score=ranked.score,
            reasons=[],
        ).save()
    for excluded in result.excluded:
        EvaluatedOffer(
            evaluation=stored,
            lot_line=lot_line,
            offer_id=excluded.offer_id,
            compliant=False,
            rank=None,
            amount=excluded.amount,
            compared_amount=excluded.compared_amount,
            preference_rate_applied=Decimal(0) if excluded.established_in_morocco else rate,
            technical_score=scores.get(int(excluded.offer_id)),
            reasons=reasons_to_json(excluded.reasons),
        ).save()


# Awards ----------------------------------------------------------------------------------------------------------


def standstill_days() -> int:
    return int(getattr(settings, "SOURCING_STANDSTILL_DAYS", DEFAULT_STANDSTILL_DAYS))


def _money(amount: Decimal) -> str:
    return formats.number_format(amount, decimal_pos=2, force_grouping=True)


def _award_notice(award: Award, row: EvaluatedOffer, set_aside: Collection[int]) -> Callable[[], tuple[str, str]]:
    lot = award.lot
    consultation = lot.consultation
    labels: dict[ev.Id, str] = {line.pk: str(line.position) for line in lot.lines.all()}
    winning = EvaluatedOffer.objects.filter(evaluation=row.evaluation, offer=award.offer).first()
    winning_compared = winning.compared_amount if winning else award.amount

    def compose() -> tuple[str, str]:
        subject = _("Consultation %(reference)s, lot %(number)s: result") % {
            "reference": consultation.reference,
            "number": lot.number,
        }
        parts = []
        if row.offer_id == award.offer_id:
            parts.append(
                _("Lot %(number)s (%(title)s) is awarded to your offer, for %(amount)s MAD.")
                % {"number": lot.number, "title": lot.title, "amount": _money(award.amount)}
            )
        else:
            parts.append(
                _("Lot %(number)s (%(title)s) is awarded to another offer.")
                % {"number": lot.number, "title": lot.title}
            )
        if row.compliant:
            parts.append(_("Your offer is compliant; its rank: %(rank)s.") % {"rank": row.rank})
        else:
            parts.append(_("Your offer is not compliant."))
        parts.append(
            _(
                "Your amount: %(amount)s MAD; compared amount: %(compared)s MAD (national preference applied: "
                "%(rate)s %%); the awarded offer's compared amount: %(winning)s MAD."
            )
            % {
                "amount": _money(row.amount),
                "compared": _money(row.compared_amount),
                "rate": formats.number_format(row.preference_rate_applied * 100, decimal_pos=1),
                "winning": _money(winning_compared),
            }
        )
        reasons = list(reasons_from_json(row.reasons))
        if row.compliant and row.offer_id != award.offer_id:
            if row.offer_id in set_aside:
                parts.append(_("The award to your offer was cancelled."))
            else:
                reasons.append(
                    ev.Reason.of(
                        ev.ReasonKey.RANKED_BELOW_WINNER, rank=row.rank or 0, winning_compared_amount=winning_compared
                    )
                )
        if reasons:
            parts.append(
                _("Reasons:")
                + "\n"
                + "\n".join(f"- {ev.reason_text(reason, line_labels=labels)}" for reason in reasons)
            )
        parts.append(
            _("The award becomes final after the standstill period, on %(date)s (Casablanca time).")
            % {"date": _when(award.standstill_until)}
        )
        if row.offer_id != award.offer_id:
            parts.append(
                _("Until then you may request a review of the award, giving your grounds, on your offer's page.")
            )
        parts.append(_("Your offer's page: %(url)s") % {"url": results.offer_page_url(row.offer)})
        return subject, "\n\n".join(str(part) for part in parts) + "\n"

    return compose


def _lot_done(lot: Lot) -> bool:
    """Awarded, or without any compliant offer left to award (per line: every line so)."""
    if lot.consultation.evaluation_basis == EvaluationBasis.LINE:
        return all(evaluation_lines.line_done(line) for line in lot.lines.all())
    if Award.objects.filter(lot=lot, cancelled_at__isnull=True).exists():
        return True
    set_aside = Award.objects.filter(lot=lot).values_list("offer_id", flat=True)
    return not EvaluatedOffer.objects.filter(evaluation__lot=lot, compliant=True).exclude(offer__in=set_aside).exists()


def _update_award_status(consultation: Consultation) -> None:
    done = all(_lot_done(lot) for lot in consultation.lots.all())
    status = ConsultationStatus.AWARDED if done else ConsultationStatus.EVALUATED
    if consultation.status != status:
        consultation.status = status
        consultation.save(update_fields=["status", "updated_at"])


def award_gate(
    *, consultation: Consultation, lot: Lot, offer: Offer, lot_line: LotLine | None = None
) -> tuple[LotEvaluation, set[int]]:
    """What every award checks, of a lot or (evaluation per line) of one of its lines: the consultation is
    evaluated, the offer is one of the lot's, nothing is awarded there yet and the offer was not set aside by a
    cancelled award. Returns the lot's evaluation and the offers set aside."""
    if consultation.status not in (ConsultationStatus.EVALUATED, ConsultationStatus.AWARDED):
        raise DomainError(
            _("This consultation is %(status)s: evaluate it before awarding.")
            % {"status": consultation.get_status_display().lower()},
            code="not_evaluated",
        )
    if offer.lot_id != lot.pk:
        raise DomainError(_("This offer was not evaluated in this lot."), code="award_unknown_offer")
    evaluation = LotEvaluation.objects.filter(lot=lot).first()
    if evaluation is None:
        raise DomainError(_("This lot has not been evaluated."), code="not_evaluated")
    awards = Award.objects.filter(lot=lot, lot_line=lot_line)
    current = awards.filter(cancelled_at__isnull=True).select_related("supplier").first()
    if current is not None:
        if lot_line is None:
            message = _("Lot %(number)s is already awarded to %(supplier)s: cancel that award first.") % {
                "number": lot.number,
                "supplier": current.supplier.name,
            }
        else:
            message = _("Line %(line)s is already awarded to %(supplier)s: cancel that award first.") % {
                "line": ev.line_label(lot_line.position, lot_line.designation),
                "supplier": current.supplier.name,
            }
        raise DomainError(message, code="already_awarded")
    set_aside = set(awards.values_list("offer_id", flat=True))
    if offer.pk in set_aside:
        raise DomainError(
            _("The award to this offer was cancelled: it cannot be awarded again."), code="award_set_aside"
        )
    return evaluation, set_aside


@transaction.atomic
def award_make(*, actor: Actor, lot: Lot, offer: Offer) -> Award:
    """Award a lot to its best compliant offer not set aside (`evaluation.check_award`), at the offer's own
    amount; every bidder of the lot is told its rank, amounts and reasons by e-mail. The award becomes final
    after the standstill period (SOURCING_STANDSTILL_DAYS)."""
    consultation = lot.consultation
    _require_edit(actor, consultation)
    consultation = _lock(consultation)
    if consultation.evaluation_basis == EvaluationBasis.LINE:
        raise DomainError(_("This consultation is evaluated per line: award each line."), code="award_per_line")
    evaluation, set_aside = award_gate(consultation=consultation, lot=lot, offer=offer)
    ranked = ev.check_award(stored_result(evaluation), offer.pk, set_aside=set_aside)
    now = timezone.now()
    award = Award(
        lot=lot,
        offer_id=offer.pk,
        supplier_id=offer.supplier_id,
        amount=ranked.amount,
        decided_at=now,
        decided_by_id=actor.user_id,
        standstill_until=now + timedelta(days=standstill_days()),
    )
    try:
        with transaction.atomic():
            award.save()
    except IntegrityError:
        raise DomainError(_("This lot is already awarded."), code="already_awarded") from None
    award.lot = lot
    lot.consultation = consultation
    for row in evaluation.offers.select_related("offer", "evaluation").order_by("rank", "pk"):
        _notify([row.offer.supplier_id], _award_notice(award, row, set_aside))
    _update_award_status(consultation)
    return award


@transaction.atomic
def award_cancel(*, actor: Actor, award: Award, reason: str) -> Award:
    """Cancel an award during its standstill period, with a reason (told to the supplier). The next compliant
    offer may then be awarded. A final award (standstill passed), or one with orders, cannot be cancelled."""
    consultation = award.lot.consultation
    _require_edit(actor, consultation)
    consultation = _lock(consultation)
    award = Award.objects.select_for_update(of=("self",)).select_related("lot", "lot_line", "supplier").get(pk=award.pk)
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_TEXT:
        raise DomainError(
            _("Give the reason for cancelling the award (at most %(max)s characters).") % {"max": MAX_TEXT},
            code="reason_required",
            details={"reason": [_("This field is required.")]},
        )
    if award.cancelled_at is not None:
        raise DomainError(
            _("This award was already cancelled on %(date)s.") % {"date": _when(award.cancelled_at)},
            code="award_already_cancelled",
        )
    if award.orders.exists() or award.order_lines.exists():
        raise DomainError(_("This award has orders: it can no longer be cancelled."), code="award_has_orders")
    if award_is_final(award):
        raise DomainError(
            _("The standstill period ended on %(date)s: the award is final and can no longer be cancelled.")
            % {"date": _when(award.standstill_until)},
            code="award_final",
        )
    award.cancelled_at = timezone.now()
    award.cancelled_by_id = actor.user_id
    award.cancel_reason = reason
    award.save(update_fields=["cancelled_at", "cancelled_by", "cancel_reason", "updated_at"])
    lot = award.lot
    lot_line = award.lot_line  # set: one line's award (evaluation per line); the lot's other lines keep theirs

    def compose() -> tuple[str, str]:
        if lot_line is not None:
            label = ev.line_label(lot_line.position, lot_line.designation, lot_number=lot.number)
            subject = _("Consultation %(reference)s, line %(line)s: award cancelled") % {
                "reference": consultation.reference,
                "line": label,
            }
            body = _("The award of line %(line)s to your offer is cancelled. Reason: %(reason)s") % {
                "line": label,
                "reason": reason,
            }
            return subject, body + "\n"
        subject = _("Consultation %(reference)s, lot %(number)s: award cancelled") % {
            "reference": consultation.reference,
            "number": lot.number,
        }
        body = _("The award of lot %(number)s (%(title)s) to your offer is cancelled. Reason: %(reason)s") % {
            "number": lot.number,
            "title": lot.title,
            "reason": reason,
        }
        return subject, body + "\n"

    _notify([award.supplier_id], compose)
    _update_award_status(consultation)
    return award


# Orders and deliveries -------------------------------------------------------------------------------------------


def _is_local(supplier: Organisation) -> bool:
    """A manufacturer (or start-up) established in Morocco: what the local-purchase rate counts."""
    return supplier.kind in SUPPLIER_KIND_VALUES and supplier.is_established_in_morocco


def _quantity(value: Any) -> tuple[Decimal | None, str | None]:
    try:
        quantity = _decimal(value)
    except (InvalidOperation, ValueError, TypeError):
        return None, _("The quantity must be a number, such as 150.")
    if quantity <= 0:
        return None, _("The quantity must be more than zero.")
    if quantity != quantity.quantize(Decimal("0.001")) or quantity >= MAX_PRICE:
        return None, _("The quantity has at most three decimals.")
    return quantity, None


def _value(quantity: Decimal, unit_price: Decimal) -> Decimal:
    return (quantity * unit_price).quantize(Decimal("0.01"), ROUND_HALF_UP)


@transaction.atomic
def order_create_from_award(*, actor: Actor, award: Award, lines: Sequence[Mapping[str, Any]]) -> Order:
    """An order against a final award (its standstill passed), at the offer's unit prices.

    `lines`: [{"lot_line": id, "quantity": "150"}, …]; what all orders of the award ask of a line never exceeds
    the quantity consulted."""
    consultation = award.lot.consultation
    _require_edit(actor, consultation)
    award = (
        Award.objects.select_for_update(of=("self",)).select_related("lot", "lot__emdn", "supplier").get(pk=award.pk)
    )
    if award.cancelled_at is not None:
        raise DomainError(_("This award was cancelled: it cannot be ordered."), code="award_cancelled")
    if award.lot_line_id is not None:
        # One line's award: ordering it here would order the whole lot at its offer's prices.
        raise DomainError(
            _("This award is of one line: order it with the supplier's other lines of the lot."),
            code="award_per_line",
        )
    if not award_is_final(award):
        raise DomainError(
            _("The standstill period runs until %(date)s (Casablanca time): order after it.")
            % {"date": _when(award.standstill_until)},
            code="standstill_running",
        )
    if not lines:
        raise DomainError(_("Order at least one line."), code="no_lines")
    lot_lines = {line.pk: line for line in award.lot.lines.select_related("plan_line", "plan_line__emdn")}
    prices = {line.lot_line_id: line for line in OfferLine.objects.filter(offer_id=award.offer_id)}
    ordered: defaultdict[int | None, Decimal] = defaultdict(Decimal)
    for line_id, done in OrderLine.objects.filter(order__award=award).values_list("lot_line_id", "quantity"):
        ordered[line_id] += done
    errors: dict[str, list[str]] = defaultdict(list)
    wanted: list[tuple[LotLine, Decimal]] = []
    seen: set[int] = set()
    for index, entry in enumerate(lines):
        raw = entry.get("lot_line")
        try:
            line_id = int(getattr(raw, "pk", raw))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            line_id = 0
        if line_id not in lot_lines or line_id in seen or line_id not in prices:
            errors[f"lines.{index}.lot_line"].append(_("Not a line of the awarded lot, or given twice."))
            continue
        seen.add(line_id)
        quantity, problem = _quantity(entry.get("quantity"))
        if quantity is None:
            errors[f"lines.{index}.quantity"].append(problem or "")
            continue
        left = lot_lines[line_id].quantity - ordered[line_id]
        if quantity > left:
            errors[f"lines.{index}.quantity"].append(
                _("At most %(left)s can still be ordered under this award.") % {"left": formats.number_format(left)}
            )
            continue
        wanted.append((lot_lines[line_id], quantity))
    if errors:
        raise DomainError(_("The order needs correcting."), code="invalid_order", details=dict(errors))
    supplier = award.supplier
    order = Order.objects.create(
        buyer_id=consultation.buyer_id,
        supplier=supplier,
        award=award,
        ordered_at=timezone.now(),
        created_by_id=actor.user_id,
    )
    local = _is_local(supplier)
    for position, (lot_line, quantity) in enumerate(sorted(wanted, key=lambda item: item[0].position), start=1):
        offer_line = prices[lot_line.pk]
        plan_line = lot_line.plan_line
        emdn = plan_line.emdn.code if plan_line is not None and plan_line.emdn_id else ""
        if not emdn and award.lot.emdn_id:
            emdn = award.lot.emdn.code  # type: ignore[union-attr]
        OrderLine.objects.create(
            order=order,
            position=position,
            plan_line=plan_line,
            lot_line=lot_line,
            award=award,
            variant_id=offer_line.variant_id,
            designation=lot_line.designation,
            quantity=quantity,
            unit_price=offer_line.unit_price,
            value=_value(quantity, offer_line.unit_price),
            emdn_code=emdn,
            local_supplier=local,
        )
    return order


@transaction.atomic
def order_create_direct(
    *,
    actor: Actor,
    buyer: Organisation,
    supplier: Organisation,
    plan_lines_with_quantities_and_prices: Sequence[Mapping[str, Any]],
) -> Order:
    """A direct order (without consultation) against lines of the buyer's published plans.

    Each entry: {"plan_line": id, "quantity": "100", "unit_price": "0.45", "variant": id | None}; the variant,
    when given, is one of the supplier's products."""
    if not policies.can_create_consultation_for(actor, buyer.pk):
        raise Forbidden(_("Only a buyer's administrators and members place its orders."))
    if supplier.kind not in SUPPLIER_KIND_VALUES:
        raise DomainError(_("Orders are placed with a manufacturer or a start-up."), code="not_a_supplier")
    entries = list(plan_lines_with_quantities_and_prices)
    if not entries:
        raise DomainError(_("Order at least one line."), code="no_lines")
    errors: dict[str, list[str]] = defaultdict(list)
    ids: dict[int, int] = {}
    for index, entry in enumerate(entries):
        raw = entry.get("plan_line")
        try:
            ids[index] = int(getattr(raw, "pk", raw))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            errors[f"lines.{index}.plan_line"].append(_("Choose a line of one of your published plans."))
    plan_lines = {
        line.pk: line
        for line in PlanLine.objects.filter(
            pk__in=set(ids.values()), plan__buyer=buyer, plan__status__in=[PlanStatus.PUBLISHED, PlanStatus.CLOSED]
        ).select_related("emdn")
    }
    variant_ids: dict[int, int] = {}
    for index, entry in enumerate(entries):
        raw_variant = getattr(entry.get("variant"), "pk", entry.get("variant"))
        if raw_variant in (None, ""):
            continue
        try:
            variant_ids[index] = int(raw_variant)
        except (TypeError, ValueError):
            errors[f"lines.{index}.variant"].append(_("Choose one of the supplier's products' variants."))
    own = set(
        Variant.objects.filter(pk__in=set(variant_ids.values()), product__manufacturer=supplier).values_list(
            "pk", flat=True
        )
    )
    cleaned: list[tuple[PlanLine, Decimal, Decimal, int | None]] = []
    for index, entry in enumerate(entries):
        line = plan_lines.get(ids.get(index, 0))
        if line is None:
            if index in ids:
                errors[f"lines.{index}.plan_line"].append(_("Choose a line of one of your published plans."))
            continue
        quantity, problem = _quantity(entry.get("quantity"))
        if problem:
            errors[f"lines.{index}.quantity"].append(problem)
        price, problem = _price(entry.get("unit_price"))
        if problem:
            errors[f"lines.{index}.unit_price"].append(problem)
        variant = variant_ids.get(index)
        if variant is not None and variant not in own and f"lines.{index}.variant" not in errors:
            errors[f"lines.{index}.variant"].append(_("Choose one of the supplier's products' variants."))
        if quantity is not None and price is not None:
            cleaned.append((line, quantity, price, variant))
    if errors:
        raise DomainError(_("The order needs correcting."), code="invalid_order", details=dict(errors))
    order = Order.objects.create(
        buyer=buyer, supplier=supplier, award=None, ordered_at=timezone.now(), created_by_id=actor.user_id
    )
    local = _is_local(supplier)
    for position, (line, quantity, price, variant) in enumerate(cleaned, start=1):
        OrderLine.objects.create(
            order=order,
            position=position,
            plan_line=line,
            variant_id=variant,
            designation=line.designation,
            quantity=quantity,
            unit_price=price,
            value=_value(quantity, price),
            emdn_code=line.emdn.code if line.emdn_id else "",  # type: ignore[union-attr]
            local_supplier=local,
        )
    return order


@transaction.atomic
def delivery_record(*, actor: Actor, order: Order, received: Mapping[Any, Any]) -> Delivery:
    """What the buyer received of an order: {order line id: quantity}. In total a line never receives more than
    was ordered."""
    if not actor.can_write_org(order.buyer_id):
        if not permissions.visible(actor, Order.objects.filter(pk=order.pk)).exists():
            raise NotFound()
        raise Forbidden(_("Only the buyer's administrators and members record its deliveries."))
    order = Order.objects.select_for_update().get(pk=order.pk)
    order_lines = {line.pk: line for line in order.lines.all()}
    delivered: defaultdict[int, Decimal] = defaultdict(Decimal)
    for line_id, done in DeliveryLine.objects.filter(order_line__order=order).values_list("order_line_id", "quantity"):
        delivered[line_id] += done
    errors: dict[str, list[str]] = defaultdict(list)
    wanted: list[tuple[OrderLine, Decimal]] = []
    over = False
    for raw, value in (received or {}).items():
        try:
            line_id = int(getattr(raw, "pk", raw))
        except (TypeError, ValueError):
            line_id = 0
        line = order_lines.get(line_id)
        if line is None:
            errors[str(raw)].append(_("Not a line of this order."))
            continue
        quantity, problem = _quantity(value)
        if quantity is None:
            errors[str(line_id)].append(problem or "")
            continue
        left = line.quantity - delivered[line_id]
        if quantity > left:
            over = True
            errors[str(line_id)].append(
                _("Line %(position)s: %(left)s left to receive of %(ordered)s ordered; more is refused.")
                % {
                    "position": line.position,
                    "left": formats.number_format(left),
                    "ordered": formats.number_format(line.quantity),
                }
            )
            continue
        wanted.append((line, quantity))
    if errors:
        if over:
            raise DomainError(
                _("More than was ordered cannot be received."), code="over_delivery", details=dict(errors)
            )
        raise DomainError(_("The delivery needs correcting."), code="invalid_delivery", details=dict(errors))
    if not wanted:
        raise DomainError(_("Record at least one quantity received."), code="no_lines")
    delivery = Delivery.objects.create(order=order, received_at=timezone.now(), recorded_by_id=actor.user_id)
    for line, quantity in wanted:
        DeliveryLine.objects.create(delivery=delivery, order_line=line, quantity=quantity)
    return delivery
