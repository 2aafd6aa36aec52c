"""What a bidder keeps and asks after submitting: the receipt of each version of its offer, and its request for a
review of an award.

Kept apart from `tawrid.sourcing.models` (imported at its end, so Django registers them under the sourcing app)
to keep that module small.

- `OfferReceipt`: one per (offer, version), written in the same transaction as the version it acknowledges:
  the time the server took the version and the SHA-256 of its sealed bytes. It proves what was submitted
  and when without revealing anything (the fingerprint of ciphertext says nothing of the prices), and it
  outlives the sealed bytes (erased by a withdrawal).
- `ReviewRequest`: a bidder's request for a review of the award of its lot (recours gracieux), made before the
  standstill period ends; one per offer. The buyer answers it in writing.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tawrid.core.models import TimeStampedModel

FINGERPRINT_LENGTH = 64  # hex digits of a SHA-256


class OfferReceipt(TimeStampedModel):
    offer = models.ForeignKey(
        "sourcing.Offer", verbose_name=_("offer"), on_delete=models.CASCADE, related_name="receipts"
    )
    version = models.PositiveIntegerField(_("version"))
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    fingerprint = models.CharField(_("SHA-256 fingerprint"), max_length=FINGERPRINT_LENGTH)

    class Meta:
        verbose_name = _("offer receipt")
        verbose_name_plural = _("offer receipts")
        ordering = ["offer", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["offer", "version"], name="sourcing_receipt_one_per_version"),
            models.CheckConstraint(
                condition=Q(fingerprint__regex=r"^[0-9a-f]{64}$"), name="sourcing_receipt_fingerprint_sha256"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offer_id} v{self.version} {self.fingerprint[:12]}"

    def get_additional_data(self) -> dict[str, int | None]:
        return {"organisation_id": self.offer.supplier_id}


class ReviewRequest(TimeStampedModel):
    offer = models.OneToOneField(
        "sourcing.Offer", verbose_name=_("offer"), on_delete=models.CASCADE, related_name="review_request"
    )
    award = models.ForeignKey(
        "sourcing.Award", verbose_name=_("award contested"), on_delete=models.PROTECT, related_name="review_requests"
    )
    text = models.TextField(_("grounds"))
    requested_at = models.DateTimeField(_("requested at"))
    requested_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
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
        verbose_name = _("review request")
        verbose_name_plural = _("review requests")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="sourcing_review_text_not_blank"),
            models.CheckConstraint(
                condition=Q(answer="", answered_at__isnull=True) | (~Q(answer="") & Q(answered_at__isnull=False)),
                name="sourcing_review_answer_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offer_id} → {self.award_id}"

    def get_additional_data(self) -> dict[str, int | None]:
        return {"organisation_id": self.offer.supplier_id}

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None
