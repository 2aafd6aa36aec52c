"""Consultations in the admin site: for reading, under the same policies as pages and the API. Everything is
written through the services only (publication, sealed offers, opening).

The sealed columns never reach the admin site: the consultation's wrapped key, an offer's sealed contents
and nonce are left out of every form and list, and deferred in the querysets. Offer lines (the amounts)
exist only from the opening on, and their policy hides them until then from everybody, superusers included.
"""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from tawrid.demand.admin import ServicesOnlyAdmin
from tawrid.sourcing.models import (
    Award,
    Consultation,
    Delivery,
    DeliveryLine,
    EvaluatedOffer,
    Invitation,
    Lot,
    LotEvaluation,
    LotLine,
    Offer,
    OfferLine,
    Order,
    OrderLine,
    Question,
)
from tawrid.sourcing.selectors import SEALED_CONSULTATION_FIELDS, SEALED_OFFER_FIELDS


@admin.register(Consultation)
class ConsultationAdmin(ServicesOnlyAdmin):
    list_display = ["reference", "title", "buyer", "status", "submission_deadline", "opening_at", "opened_at"]
    list_filter = ["status", "evaluation_method", "open_to_all"]
    search_fields = ["reference", "title", "buyer__name"]
    list_select_related = ["buyer"]
    raw_id_fields = [
        "buyer",
        "plan",
        "opening_requested_by",
        "opened_by_first",
        "opened_by_second",
        "created_by",
    ]
    exclude = list(SEALED_CONSULTATION_FIELDS)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).defer(*SEALED_CONSULTATION_FIELDS)


@admin.register(Lot)
class LotAdmin(ServicesOnlyAdmin):
    list_display = ["consultation", "number", "title", "emdn"]
    list_select_related = ["consultation", "emdn"]
    raw_id_fields = ["consultation", "emdn"]


@admin.register(LotLine)
class LotLineAdmin(ServicesOnlyAdmin):
    list_display = ["lot", "position", "designation", "quantity", "unit"]
    list_select_related = ["lot", "lot__consultation"]
    raw_id_fields = ["lot", "plan_line"]


@admin.register(Invitation)
class InvitationAdmin(ServicesOnlyAdmin):
    list_display = ["consultation", "supplier", "source", "notified_at"]
    list_filter = ["source"]
    list_select_related = ["consultation", "supplier"]
    raw_id_fields = ["consultation", "supplier"]


@admin.register(Question)
class QuestionAdmin(ServicesOnlyAdmin):
    list_display = ["consultation", "supplier", "created_at", "answered_at"]
    list_select_related = ["consultation", "supplier"]
    raw_id_fields = ["consultation", "supplier", "asked_by", "answered_by"]


@admin.register(Offer)
class OfferAdmin(ServicesOnlyAdmin):
    list_display = ["consultation", "lot", "supplier", "status", "version", "submitted_at"]
    list_filter = ["status"]
    list_select_related = ["consultation", "lot", "supplier"]
    raw_id_fields = ["consultation", "lot", "supplier", "submitted_by"]
    exclude = list(SEALED_OFFER_FIELDS)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).defer(*SEALED_OFFER_FIELDS)


@admin.register(OfferLine)
class OfferLineAdmin(ServicesOnlyAdmin):
    list_display = ["offer", "lot_line", "unit_price", "delivery_days", "variant"]
    list_select_related = ["offer", "lot_line", "variant"]
    raw_id_fields = ["offer", "lot_line", "variant"]


@admin.register(LotEvaluation)
class LotEvaluationAdmin(ServicesOnlyAdmin):
    list_display = ["lot", "method", "preference_rate", "evaluated_at"]
    list_select_related = ["lot", "lot__consultation"]
    raw_id_fields = ["lot", "evaluated_by"]


@admin.register(EvaluatedOffer)
class EvaluatedOfferAdmin(ServicesOnlyAdmin):
    list_display = ["evaluation", "offer", "compliant", "rank", "amount", "compared_amount"]
    list_filter = ["compliant"]
    list_select_related = ["evaluation", "offer"]
    raw_id_fields = ["evaluation", "offer"]


@admin.register(Award)
class AwardAdmin(ServicesOnlyAdmin):
    list_display = ["lot", "supplier", "amount", "decided_at", "standstill_until", "cancelled_at"]
    list_select_related = ["lot", "supplier"]
    raw_id_fields = ["lot", "offer", "supplier", "decided_by", "cancelled_by"]


@admin.register(Order)
class OrderAdmin(ServicesOnlyAdmin):
    list_display = ["pk", "buyer", "supplier", "award", "ordered_at"]
    list_select_related = ["buyer", "supplier", "award"]
    search_fields = ["buyer__name", "supplier__name"]
    raw_id_fields = ["buyer", "supplier", "award", "created_by"]


@admin.register(OrderLine)
class OrderLineAdmin(ServicesOnlyAdmin):
    list_display = [
        "order",
        "position",
        "designation",
        "quantity",
        "unit_price",
        "value",
        "emdn_code",
        "local_supplier",
    ]
    list_filter = ["local_supplier"]
    list_select_related = ["order"]
    raw_id_fields = ["order", "plan_line", "lot_line", "variant"]


@admin.register(Delivery)
class DeliveryAdmin(ServicesOnlyAdmin):
    list_display = ["order", "received_at"]
    list_select_related = ["order"]
    raw_id_fields = ["order", "recorded_by"]


@admin.register(DeliveryLine)
class DeliveryLineAdmin(ServicesOnlyAdmin):
    list_display = ["delivery", "order_line", "quantity"]
    list_select_related = ["delivery", "order_line"]
    raw_id_fields = ["delivery", "order_line"]
