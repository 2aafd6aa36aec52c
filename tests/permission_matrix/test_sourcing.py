"""Consultations, questions, offers, evaluations, awards, orders and deliveries (see
tawrid/sourcing/policies.py). The world's consultation of the group was published to Maroc Seringues (A) and Euro
Needles (B), questioned by A, answered, bid on by both, opened, evaluated, awarded to A, ordered and delivered;
a second consultation is still a draft."""

import pytest
from django.urls import reverse

from tawrid.sourcing import models as sourcing
from tests.permission_matrix.framework import Scene, Table, api_change, api_read, page_read
from tests.permission_matrix.world import A_PEOPLE, A_WRITERS, BUYER_SIDE, NOBODY, SUPPLIERS

pytestmark = pytest.mark.django_db

BUYER = frozenset({"buyer"})  # the group's member; the operator does not act for buyers
INVITED_TOO = BUYER_SIDE | SUPPLIERS  # A and B are invited (and both bid on lot 1)
A_TOO = BUYER_SIDE | A_PEOPLE
A_RECEIPT = A_PEOPLE | {"superuser"}
B_REVIEW = BUYER_SIDE | {"admin_b"}


def consultation_read_api(s: Scene) -> bool:
    return api_read(s, f"/sourcing/consultations/{s.w.tender.pk}", lambda body: body["id"] == s.w.tender.pk)


def consultation_read_page(s: Scene) -> bool:
    return page_read(s, reverse("sourcing:consultation_detail", args=[s.w.tender.pk]), s.w.tender.reference)


def draft_read_api(s: Scene) -> bool:
    return api_read(s, f"/sourcing/consultations/{s.w.draft_consultation.pk}")


def draft_read_page(s: Scene) -> bool:
    draft = s.w.draft_consultation
    return page_read(s, reverse("sourcing:consultation_detail", args=[draft.pk]), draft.reference)


def draft_change_api(s: Scene) -> bool:
    pk = s.w.draft_consultation.pk
    return api_change(
        s,
        "patch",
        f"/sourcing/consultations/{pk}",
        {"title": "Matrice"},
        lambda: sourcing.Consultation.objects.get(pk=pk).title == "Matrice",
    )


def question_read_api(s: Scene) -> bool:
    response = s.api("get", f"/sourcing/consultations/{s.w.tender.pk}/questions")
    if response.status_code == 200:
        return s.w.question.pk in {q["id"] for q in response.json()}
    s.denied_api(response, reading=True)
    return False


def offer_read_api(s: Scene) -> bool:
    return api_read(s, f"/sourcing/offers/{s.w.offer_a.pk}", lambda body: body["id"] == s.w.offer_a.pk)


def evaluation_read_api(s: Scene) -> bool:
    return api_read(s, f"/sourcing/consultations/{s.w.tender.pk}/evaluation", lambda body: len(body) >= 1)


def _listed(s: Scene, url: str, pk: int, key: str = "id") -> bool:
    """GET a list: allowed when the object is in it; an empty answer (filtered out) or a 404 is a refusal."""
    response = s.api("get", url)
    if response.status_code == 200:
        return pk in {item[key] for item in response.json()}
    s.denied_api(response, reading=True)
    return False


def receipt_read_api(s: Scene) -> bool:
    return _listed(s, f"/sourcing/offers/{s.w.offer_a.pk}/receipts", s.w.offer_a.pk, key="offer_id")


def review_read_api(s: Scene) -> bool:
    return _listed(s, f"/sourcing/consultations/{s.w.tender.pk}/reviews", s.w.review.pk)


def order_read_api(s: Scene) -> bool:
    return api_read(s, f"/sourcing/orders/{s.w.order.pk}", lambda body: body["id"] == s.w.order.pk)


def order_read_page(s: Scene) -> bool:
    return page_read(s, reverse("sourcing:order_detail", args=[s.w.order.pk]), s.w.maker.name)


TABLE = Table(
    models={
        sourcing.Consultation: "consultation",
        sourcing.Lot: "lot",
        sourcing.LotLine: "lot_line",
        sourcing.Invitation: "invitation",
        sourcing.Question: "question",
        sourcing.Offer: "offer",
        sourcing.OfferLine: "offer_line",
        sourcing.LotEvaluation: "lot_evaluation",
        sourcing.EvaluatedOffer: "evaluated_offer",
        sourcing.Award: "award",
        sourcing.Order: "order",
        sourcing.OrderLine: "order_line",
        sourcing.Delivery: "delivery",
        sourcing.DeliveryLine: "delivery_line",
        sourcing.OfferReceipt: "offer_receipt",
        sourcing.ReviewRequest: "review_request",
    },
    objects={
        "consultation": lambda w: w.tender,
        "draft_consultation": lambda w: w.draft_consultation,
        "lot": lambda w: w.lot_1,
        "lot_line": lambda w: w.lot_line,
        "invitation": lambda w: w.invitation,
        "question": lambda w: w.question,
        "offer": lambda w: w.offer_a,
        "offer_line": lambda w: w.offer_line,
        "lot_evaluation": lambda w: w.evaluation,
        "evaluated_offer": lambda w: w.evaluated_offer,
        "award": lambda w: w.award,
        "order": lambda w: w.order,
        "order_line": lambda w: w.order_line,
        "delivery": lambda w: w.delivery,
        "delivery_line": lambda w: w.delivery_line,
        "offer_receipt": lambda w: w.receipt,
        "review_request": lambda w: w.review,
    },
    matrix={
        "consultation": {"read": INVITED_TOO, "read_api": INVITED_TOO, "read_page": INVITED_TOO, "change": BUYER},
        "draft_consultation": {
            "read": BUYER_SIDE,
            "read_api": BUYER_SIDE,
            "read_page": BUYER_SIDE,
            "change": BUYER,
            "change_api": BUYER,
        },
        "lot": {"read": INVITED_TOO, "change": BUYER},
        "lot_line": {"read": INVITED_TOO, "change": BUYER},
        "invitation": {"read": A_TOO, "change": NOBODY},
        # A's question, answered: the answer is published to every invited supplier.
        "question": {"read": INVITED_TOO, "read_api": INVITED_TOO, "change": BUYER},
        # A's offer, opened: A's people and the buyer's side; A's writers act on it.
        "offer": {"read": A_TOO, "read_api": A_TOO, "change": A_WRITERS},
        "offer_line": {"read": A_TOO, "change": NOBODY},
        "lot_evaluation": {"read": BUYER_SIDE, "read_api": BUYER_SIDE, "change": NOBODY},
        "evaluated_offer": {"read": A_TOO, "change": NOBODY},
        # The award is notified to every bidder of the lot.
        "award": {"read": INVITED_TOO, "change": NOBODY},
        "order": {"read": A_TOO, "read_api": A_TOO, "read_page": A_TOO, "change": NOBODY},
        "order_line": {"read": A_TOO, "change": NOBODY},
        "delivery": {"read": A_TOO, "change": NOBODY},
        "delivery_line": {"read": A_TOO, "change": NOBODY},
        # A's receipt: A's people and the operator only (not the buyer's side, even after the opening).
        "offer_receipt": {"read": A_RECEIPT, "read_api": A_RECEIPT, "change": NOBODY},
        # B's request for review of the award to A: B's people and the buyer's side (not A).
        "review_request": {"read": B_REVIEW, "read_api": B_REVIEW, "change": NOBODY},
    },
    checks={
        ("consultation", "read_api"): consultation_read_api,
        ("consultation", "read_page"): consultation_read_page,
        ("draft_consultation", "read_api"): draft_read_api,
        ("draft_consultation", "read_page"): draft_read_page,
        ("draft_consultation", "change_api"): draft_change_api,
        ("question", "read_api"): question_read_api,
        ("offer", "read_api"): offer_read_api,
        ("lot_evaluation", "read_api"): evaluation_read_api,
        ("order", "read_api"): order_read_api,
        ("order", "read_page"): order_read_page,
        ("offer_receipt", "read_api"): receipt_read_api,
        ("review_request", "read_api"): review_read_api,
    },
)


@pytest.mark.parametrize(("role", "kind", "op"), TABLE.cases(), ids=TABLE.ids())
def test_sourcing_permission_matrix(scene_for, role: str, kind: str, op: str) -> None:
    TABLE.check(scene_for(role), kind, op)
