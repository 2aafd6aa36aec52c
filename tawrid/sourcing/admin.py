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
from tawrid.sourcing.models import Consultation, Invitation, Lot, LotLine, Offer, OfferLine, Question
from tawrid.sourcing.selectors import SEALED_CONSULTATION_FIELDS, SEALED_OFFER_FIELDS


@admin.register(Consultation)
class ConsultationAdmin(ServicesOnlyAdmin):
    list_display = ["reference", "title", "buyer", "status", "submission_deadline", "opening_at", "opened_at"]
    list_filter = ["status", "evaluation_method", "open_to_all"]
    search_fields = ["reference", "title", "buyer__name"]
    list_select_related = ["buyer"]
    raw_id_fields = ["buyer", "plan", "opened_by_first", "opened_by_second", "created_by"]
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
