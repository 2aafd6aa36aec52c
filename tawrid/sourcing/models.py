"""Consultations (requests for quotation) of a buyer, their lots and lines, the suppliers invited, questions
and answers, and the suppliers' sealed offers.

An offer's contents (unit prices, delivery times, variants, document names) are stored only sealed: AES-GCM
under the consultation's data key, itself stored wrapped under a master key that is not in the database
(see `tawrid.sourcing.sealing`). Nothing in clear reveals an amount until the opening, when the committee's
opening turns each submitted offer into `OfferLine` rows.
"""

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tawrid.core.models import TimeStampedModel

MAX_NATIONAL_PREFERENCE = Decimal("0.15")


class ConsultationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    OPENED = "opened", _("Opened")
    EVALUATED = "evaluated", _("Evaluated")
    AWARDED = "awarded", _("Awarded")
    CANCELLED = "cancelled", _("Cancelled")


# The statuses in which the offers have been opened (and so may be read by the buyer's side).
OPENED_STATUSES = (ConsultationStatus.OPENED, ConsultationStatus.EVALUATED, ConsultationStatus.AWARDED)


class EvaluationMethod(models.TextChoices):
    LOWEST_PRICE = "lowest_price", _("Lowest compliant price")
    WEIGHTED = "weighted", _("Weighted price and technical score")


class EvaluationBasis(models.TextChoices):
    LOT = "lot", _("Per lot: one supplier for the whole lot")
    LINE = "line", _("Per line: each line to its best offer")


class Consultation(TimeStampedModel):
    buyer = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("buyer"), on_delete=models.CASCADE, related_name="consultations"
    )
    plan = models.ForeignKey(
        "demand.PurchasePlan",
        verbose_name=_("purchase plan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consultations",
        help_text=_("The plan its lines come from, when they all come from one plan."),
    )
    reference = models.CharField(_("reference"), max_length=60)
    title = models.CharField(_("object"), max_length=300)
    delivery_terms = models.TextField(_("delivery terms"), blank=True)
    required_certificates = models.JSONField(
        _("required certificates"),
        default=list,
        blank=True,
        help_text=_("Certificate kinds of the catalogue (ISO 13485, NM, CE…) every offered product must hold."),
    )
    evaluation_method = models.CharField(
        _("evaluation method"), max_length=16, choices=EvaluationMethod.choices, default=EvaluationMethod.LOWEST_PRICE
    )
    price_weight = models.PositiveSmallIntegerField(
        _("price weight (%)"), default=100, help_text=_("The technical score weighs the rest.")
    )
    national_preference_rate = models.DecimalField(
        _("national preference rate"),
        max_digits=4,
        decimal_places=3,
        default=MAX_NATIONAL_PREFERENCE,
        help_text=_("Offers of suppliers not established in Morocco are raised by this rate for the comparison."),
    )
    partial_offers = models.BooleanField(
        _("partial offers allowed"),
        default=False,
        help_text=_("A supplier may price only the lines of a lot it makes (at least one)."),
    )
    evaluation_basis = models.CharField(
        _("evaluation basis"), max_length=4, choices=EvaluationBasis.choices, default=EvaluationBasis.LOT
    )
    questions_deadline = models.DateTimeField(_("deadline for questions"))
    submission_deadline = models.DateTimeField(_("deadline for offers"))
    opening_at = models.DateTimeField(_("opening date and time"))
    open_to_all = models.BooleanField(
        _("open to all eligible manufacturers"),
        default=False,
        help_text=_("Invite every manufacturer with an eligible product under the lots' EMDN codes."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ConsultationStatus.choices, default=ConsultationStatus.DRAFT
    )
    # The consultation's data key, wrapped under the master key (never the key itself).
    sealing_key = models.BinaryField(_("wrapped sealing key"), null=True, blank=True, editable=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    opened_by_first = models.ForeignKey(
        "accounts.User",
        verbose_name=_("opened by (first committee member)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    opened_by_second = models.ForeignKey(
        "accounts.User",
        verbose_name=_("opened by (second committee member)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    opening_requested_at = models.DateTimeField(_("opening requested at"), null=True, blank=True)
    opening_requested_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("opening requested by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The first member of the committee; a different member confirms the opening."),
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancellation"), blank=True)
    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["buyer", "reference"], name="sourcing_consultation_reference_unique"),
            models.CheckConstraint(condition=~Q(reference=""), name="sourcing_consultation_reference_not_blank"),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in ConsultationStatus]), name="sourcing_consultation_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(evaluation_method__in=[m.value for m in EvaluationMethod]),
                name="sourcing_consultation_method_valid",
            ),
            models.CheckConstraint(
                condition=Q(price_weight__gte=0, price_weight__lte=100), name="sourcing_consultation_weight_0_100"
            ),
            models.CheckConstraint(
                condition=Q(evaluation_basis__in=[b.value for b in EvaluationBasis]),
                name="sourcing_consultation_basis_valid",
            ),
            models.CheckConstraint(
                condition=~Q(evaluation_method=EvaluationMethod.LOWEST_PRICE) | Q(price_weight=100),
                name="sourcing_consultation_lowest_price_weight",
            ),
            models.CheckConstraint(
                condition=Q(national_preference_rate__gte=0, national_preference_rate__lte=MAX_NATIONAL_PREFERENCE),
                name="sourcing_consultation_preference_0_15",
            ),
            models.CheckConstraint(
                condition=Q(questions_deadline__lte=F("submission_deadline"))
                & Q(submission_deadline__lte=F("opening_at")),
                name="sourcing_consultation_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(status=ConsultationStatus.DRAFT)
                | Q(status=ConsultationStatus.CANCELLED)
                | Q(sealing_key__isnull=False, published_at__isnull=False),
                name="sourcing_consultation_published_has_key",
            ),
            # The committee is two distinct people, recorded with the opening and only with it.
            models.CheckConstraint(
                condition=Q(opened_at__isnull=True, opened_by_first__isnull=True, opened_by_second__isnull=True)
                | (
                    Q(opened_at__isnull=False, opened_by_first__isnull=False, opened_by_second__isnull=False)
                    & ~Q(opened_by_first=F("opened_by_second"))
                ),
                name="sourcing_consultation_committee_of_two",
            ),
            models.CheckConstraint(
                condition=Q(opening_requested_at__isnull=True, opening_requested_by__isnull=True)
                | Q(opening_requested_at__isnull=False, opening_requested_by__isnull=False),
                name="sourcing_consultation_opening_request_dated",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[s.value for s in OPENED_STATUSES]) | Q(opened_at__isnull=False),
                name="sourcing_consultation_opened_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status=ConsultationStatus.CANCELLED)
                | (Q(cancelled_at__isnull=False) & ~Q(cancel_reason="")),
                name="sourcing_consultation_cancel_reason",
            ),
        ]
        indexes = [models.Index(fields=["status", "submission_deadline"])]

    def __str__(self) -> str:
        return f"{self.reference} — {self.title}"

    def get_additional_data(self) -> dict[str, int | None]:
        return {"organisation_id": self.buyer_id}

    @property
    def is_opened(self) -> bool:
        return self.opened_at is not None


class Lot(TimeStampedModel):
    consultation = models.ForeignKey(
        Consultation, verbose_name=_("consultation"), on_delete=models.CASCADE, related_name="lots"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    emdn = models.ForeignKey(
        "nomenclature.EmdnCode",
        verbose_name=_("EMDN code"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        ordering = ["consultation", "number"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "number"], name="sourcing_lot_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="sourcing_lot_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def get_additional_data(self) -> dict[str, int | None]:
        return {"organisation_id": self.consultation.buyer_id}


class LotLine(TimeStampedModel):
    lot = models.ForeignKey(Lot, verbose_name=_("lot"), on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(_("position"))
    plan_line = models.ForeignKey(
        "demand.PlanLine",
        verbose_name=_("plan line"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consultation_lines",
    )
    designation = models.TextField(_("designation"))
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    unit = models.CharField(_("purchase unit"), max_length=40, blank=True)
    specification = models.TextField(_("technical specification"), blank=True)

    class Meta:
        verbose_name = _("lot line")
        verbose_name_plural = _("lot lines")
        ordering = ["lot", "position"]
        constraints = [
            models.UniqueConstraint(fields=["lot", "position"], name="sourcing_lot_line_position_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="sourcing_lot_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.designation[:80]}"

    def get_additional_data(self) -> dict[str, int | None]:
        return {"organisation_id": self.lot.consultation.buyer_id}


class InvitationSource(models.TextChoices):
    MATCHING = "matching", _("Proposed by matching")
    OPEN_CALL = "open_call", _("Open call")


class Invitation(TimeStampedModel):
    """A supplier invited to a consultation, admitted to the lots listed (an offer for any other is refused)."""

    consultation = models.ForeignKey(
        Consultation, verbose_name=_("consultation"), on_delete=models.CASCADE, related_name="invitations"
    )
    supplier = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("supplier"),
        on_delete=models.CASCADE,
        related_name="consultation_invitations",
    )
    source = models.CharField(_("source"), max_length=10, choices=InvitationSource.choices)
    lots = models.ManyToManyField(Lot, verbose_name=_("lots admitted"), related_name="invitations")
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation to a consultation")
        verbose_name_plural = _("invitations to consultations")
        ordering = ["consultation", "supplier__name"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "supplier"], name="sourcing_invitation_unique"),
            models.CheckConstraint(
                condition=Q(source__in=[s.value for s in InvitationSource]), name="sourcing_invitation_source_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consultation_id} → {self.supplier_id}"

    def get_additional_data(self) -> dict[str, int | None]:
        return {"organisation_id": self.consultation.buyer_id}


class Question(TimeStampedModel):
    """A supplier's question; its answer is published to every invited supplier (without the asker's name)."""

    consultation = models.ForeignKey(
        Consultation, verbose_name=_("consultation"), on_delete=models.CASCADE, related_name="questions"
    )
    supplier = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("asked by"), on_delete=models.CASCADE, related_name="+"
    )
    asked_by = models.ForeignKey(
        "accounts.User", verbose_name=_("person"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("question"))
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["consultation", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="sourcing_question_text_not_blank"),
            models.CheckConstraint(
                condition=Q(answer="", answered_at__isnull=True) | (~Q(answer="") & Q(answered_at__isnull=False)),
                name="sourcing_question_answer_dated",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    def get_additional_data(self) -> dict[str, int | None]:
        return {"organisation_id": self.consultation.buyer_id}


class OfferStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Offer(TimeStampedModel):
    """A supplier's offer for one lot. Its contents are sealed (`sealed_payload`, `nonce`): no column in clear
    says anything about its amounts. `version` grows with each amendment, so that a change made from a
    stale screen is refused instead of overwriting a newer one."""

    consultation = models.ForeignKey(
        Consultation, verbose_name=_("consultation"), on_delete=models.CASCADE, related_name="offers"
    )
    lot = models.ForeignKey(Lot, verbose_name=_("lot"), on_delete=models.CASCADE, related_name="offers")
    supplier = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="offers"
    )
    status = models.CharField(_("status"), max_length=10, choices=OfferStatus.choices, default=OfferStatus.SUBMITTED)
    version = models.PositiveIntegerField(_("version"), default=1)
    submitted_at = models.DateTimeField(_("submitted at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    established_in_morocco = models.BooleanField(
        _("supplier established in Morocco"), help_text=_("As the supplier was when the offer was submitted.")
    )
    sealed_payload = models.BinaryField(_("sealed contents"), editable=False)
    nonce = models.BinaryField(_("nonce"), editable=False)
    # Names of the documents offered: sealed with the prices, copied here by the opening only.
    documents = models.JSONField(_("documents"), default=list, blank=True)

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["consultation", "lot", "submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["lot", "supplier"],
                condition=Q(status=OfferStatus.SUBMITTED),
                name="sourcing_offer_one_active_per_lot",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in OfferStatus]), name="sourcing_offer_status_valid"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="sourcing_offer_version_positive"),
            models.CheckConstraint(
                condition=Q(status=OfferStatus.SUBMITTED, withdrawn_at__isnull=True)
                | Q(status=OfferStatus.WITHDRAWN, withdrawn_at__isnull=False),
                name="sourcing_offer_withdrawn_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consultation_id}/{self.lot_id} — {self.supplier_id} (v{self.version})"

    def get_additional_data(self) -> dict[str, int | None]:
        # Filed under the supplier: the buyer's side learns who bid only at the opening.
        return {"organisation_id": self.supplier_id}


class OfferLine(TimeStampedModel):
    """An offer's price and terms for one lot line, written by the opening (never before)."""

    offer = models.ForeignKey(Offer, verbose_name=_("offer"), on_delete=models.CASCADE, related_name="lines")
    lot_line = models.ForeignKey(LotLine, verbose_name=_("lot line"), on_delete=models.CASCADE, related_name="+")
    unit_price = models.DecimalField(_("unit price (MAD)"), max_digits=14, decimal_places=2)
    delivery_days = models.PositiveIntegerField(_("delivery time (days)"))
    variant = models.ForeignKey(
        "catalog.Variant",
        verbose_name=_("variant offered"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("offer line")
        verbose_name_plural = _("offer lines")
        ordering = ["offer", "lot_line__position"]
        constraints = [
            models.UniqueConstraint(fields=["offer", "lot_line"], name="sourcing_offer_line_unique"),
            models.CheckConstraint(condition=Q(unit_price__gt=0), name="sourcing_offer_line_price_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.offer_id}/{self.lot_line_id}"

    def get_additional_data(self) -> dict[str, int | None]:
        return {"organisation_id": self.offer.supplier_id}


# Evaluation, awards, orders and deliveries ----------------------------------------------------------------------


class LotEvaluation(TimeStampedModel):
    """The stored evaluation of one lot (`tawrid.sourcing.evaluation.evaluate_lot`'s result): replaced as a whole
    by a re-evaluation before the award."""

    lot = models.OneToOneField(Lot, verbose_name=_("lot"), on_delete=models.CASCADE, related_name="evaluation")
    evaluated_at = models.DateTimeField(_("evaluated at"))
    evaluated_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("evaluated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    method = models.CharField(_("evaluation method"), max_length=16, choices=EvaluationMethod.choices)
    price_weight = models.PositiveSmallIntegerField(_("price weight (%)"))
    preference_rate = models.DecimalField(_("national preference rate"), max_digits=4, decimal_places=3)

    class Meta:
        verbose_name = _("lot evaluation")
        verbose_name_plural = _("lot evaluations")
        ordering = ["lot"]
        constraints = [
            models.CheckConstraint(
                condition=Q(preference_rate__gte=0, preference_rate__lte=MAX_NATIONAL_PREFERENCE),
                name="sourcing_lot_evaluation_preference_0_15",
            ),
            models.CheckConstraint(
                condition=Q(price_weight__gte=0, price_weight__lte=100), name="sourcing_lot_evaluation_weight_0_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lot_id} @ {self.evaluated_at:%Y-%m-%d}"

    def get_additional_data(self) -> dict[str, int | None]:
        return {"organisation_id": self.lot.consultation.buyer_id}


class EvaluatedOffer(TimeStampedModel):
    """One offer as the evaluation of its lot saw it: amounts, rank (compliant offers only) and reasons."""

    evaluation = models.ForeignKey(
        LotEvaluation, verbose_name=_("evaluation"), on_delete=models.CASCADE, related_name="offers"
    )
    offer = models.ForeignKey(Offer, verbose_name=_("offer"), on_delete=models.CASCADE, related_name="evaluations")
    # Empty: the offer as a whole (evaluation per lot). Set: the offer's price of that line (evaluation per line).
    lot_line = models.ForeignKey(
        LotLine,
        verbose_name=_("lot line"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="evaluated_offers",
    )
    compliant = models.BooleanField(_("compliant"))
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    amount = models.DecimalField(_("amount (MAD)"), max_digits=16, decimal_places=2)
    compared_amount = models.DecimalField(_("compared amount (MAD)"), max_digits=16, decimal_places=2)
    preference_rate_applied = models.DecimalField(_("preference rate applied"), max_digits=4, decimal_places=3)
    price_score = models.DecimalField(_("price score"), max_digits=8, decimal_places=4, null=True, blank=True)
    technical_score = models.DecimalField(_("technical score"), max_digits=8, decimal_places=4, null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=8, decimal_places=4, null=True, blank=True)
    reasons = models.JSONField(
        _("reasons"), default=list, blank=True, help_text=_("Reason keys with their parameters.")
    )

    class Meta:
        verbose_name = _("evaluated offer")
        verbose_name_plural = _("evaluated offers")
        ordering = ["evaluation", "rank", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "offer"],
                condition=Q(lot_line__isnull=True),
                name="sourcing_evaluated_offer_unique",
            ),
            models.UniqueConstraint(
                fields=["evaluation", "rank"],
                condition=Q(rank__isnull=False, lot_line__isnull=True),
                name="sourcing_evaluated_rank_unique",
            ),
            models.UniqueConstraint(
                fields=["evaluation", "lot_line", "offer"],
                condition=Q(lot_line__isnull=False),
                name="sourcing_evaluated_line_offer_unique",
            ),
            models.UniqueConstraint(
                fields=["evaluation", "lot_line", "rank"],
                condition=Q(rank__isnull=False, lot_line__isnull=False),
                name="sourcing_evaluated_line_rank_unique",
            ),
            models.CheckConstraint(
                condition=Q(compliant=True, rank__gte=1) | Q(compliant=False, rank__isnull=True),
                name="sourcing_evaluated_offer_rank_iff_compliant",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0, compared_amount__gte=F("amount")),
                name="sourcing_evaluated_offer_amounts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evaluation_id}: {self.offer_id} ({self.rank or '—'})"

    def get_additional_data(self) -> dict[str, int | None]:
        return {"organisation_id": self.evaluation.lot.consultation.buyer_id}


class Award(TimeStampedModel):
    """A lot awarded to its best compliant offer, at the offer's own amount. It becomes final once the standstill
    has passed; it can be cancelled with a reason before, and the next compliant offer awarded."""

    lot = models.ForeignKey(Lot, verbose_name=_("lot"), on_delete=models.PROTECT, related_name="awards")
    # Empty: the whole lot. Set: that line only (evaluation per line), at the offer's price of the line.
    lot_line = models.ForeignKey(
        LotLine, verbose_name=_("lot line"), null=True, blank=True, on_delete=models.PROTECT, related_name="awards"
    )
    offer = models.ForeignKey(Offer, verbose_name=_("offer"), on_delete=models.PROTECT, related_name="awards")
    supplier = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="awards"
    )
    amount = models.DecimalField(_("amount (MAD)"), max_digits=16, decimal_places=2)
    decided_at = models.DateTimeField(_("decided at"))
    decided_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    standstill_until = models.DateTimeField(_("standstill until"))
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("cancelled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cancel_reason = models.TextField(_("reason for cancellation"), blank=True)

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["lot", "-decided_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["lot"],
                condition=Q(cancelled_at__isnull=True, lot_line__isnull=True),
                name="sourcing_award_one_active_per_lot",
            ),
            models.UniqueConstraint(
                fields=["lot_line"],
                condition=Q(cancelled_at__isnull=True, lot_line__isnull=False),
                name="sourcing_award_one_active_per_line",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="sourcing_award_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(standstill_until__gte=F("decided_at")), name="sourcing_award_standstill_after_decision"
            ),
            models.CheckConstraint(
                condition=Q(cancelled_at__isnull=True, cancel_reason="")
                | (Q(cancelled_at__isnull=False) & ~Q(cancel_reason="")),
                name="sourcing_award_cancel_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lot_id} → {self.supplier_id} ({self.amount} MAD)"

    def get_additional_data(self) -> dict[str, int | None]:
        return {"organisation_id": self.lot.consultation.buyer_id}

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class Order(TimeStampedModel):
    """An order of a buyer to a supplier: against an award, or direct against lines of the buyer's plans."""

    buyer = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("buyer"), on_delete=models.PROTECT, related_name="orders"
    )
    supplier = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="orders_received"
    )
    # The award the order is placed under. Lines awarded one by one (evaluation per line): the award of the order's
    # first line, each line's own award being `OrderLine.award`; the order's lines are all of one lot.
    award = models.ForeignKey(
        Award, verbose_name=_("award"), null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    ordered_at = models.DateTimeField(_("ordered at"))
    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("ordered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-ordered_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(buyer=F("supplier")), name="sourcing_order_buyer_not_supplier"),
        ]

    def __str__(self) -> str:
        return f"{self.buyer_id} → {self.supplier_id} ({self.ordered_at:%Y-%m-%d})"

    def get_additional_data(self) -> dict[str, int | None]:
        return {"organisation_id": self.buyer_id}


class OrderLine(TimeStampedModel):
    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(_("position"))
    plan_line = models.ForeignKey(
        "demand.PlanLine",
        verbose_name=_("plan line"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="order_lines",
    )
    lot_line = models.ForeignKey(
        LotLine,
        verbose_name=_("lot line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="order_lines",
    )
    # The award this line is ordered under (empty: a direct order); per line, what was ordered of a line's award.
    award = models.ForeignKey(
        Award,
        verbose_name=_("award"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="order_lines",
    )
    variant = models.ForeignKey(
        "catalog.Variant",
        verbose_name=_("variant"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    designation = models.TextField(_("designation"))
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    unit_price = models.DecimalField(_("unit price (MAD)"), max_digits=14, decimal_places=2)
    value = models.DecimalField(_("value (MAD)"), max_digits=16, decimal_places=2)
    emdn_code = models.CharField(_("EMDN code"), max_length=20, blank=True)
    local_supplier = models.BooleanField(
        _("local supplier"), help_text=_("The supplier was a manufacturer established in Morocco when ordered.")
    )

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order", "position"]
        constraints = [
            models.UniqueConstraint(fields=["order", "position"], name="sourcing_order_line_position_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="sourcing_order_line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0, value__gte=0), name="sourcing_order_line_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.position}"

    def get_additional_data(self) -> dict[str, int | None]:
        return {"organisation_id": self.order.buyer_id}


class Delivery(TimeStampedModel):
    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="deliveries")
    received_at = models.DateTimeField(_("received at"))
    recorded_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["order", "received_at", "pk"]

    def __str__(self) -> str:
        return f"{self.order_id} @ {self.received_at:%Y-%m-%d}"

    def get_additional_data(self) -> dict[str, int | None]:
        return {"organisation_id": self.order.buyer_id}


class DeliveryLine(TimeStampedModel):
    delivery = models.ForeignKey(Delivery, verbose_name=_("delivery"), on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        OrderLine, verbose_name=_("order line"), on_delete=models.CASCADE, related_name="deliveries"
    )
    quantity = models.DecimalField(_("quantity received"), max_digits=14, decimal_places=3)

    class Meta:
        verbose_name = _("delivery line")
        verbose_name_plural = _("delivery lines")
        ordering = ["delivery", "order_line__position"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "order_line"], name="sourcing_delivery_line_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="sourcing_delivery_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id}/{self.order_line_id}"

    def get_additional_data(self) -> dict[str, int | None]:
        return {"organisation_id": self.delivery.order.buyer_id}


# Receipts of offers and requests for review (their own module, registered here under the sourcing app).
from tawrid.sourcing.results_models import OfferReceipt, ReviewRequest  # noqa: E402, F401
