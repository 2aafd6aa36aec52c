"""Purchase plans and their lines (see tawrid/demand/policies.py): the buyer's people and the secretariat
overseeing the buyer see everything of its plans, suppliers see published plans only, the buyer's administrators
and members change drafts."""

from io import BytesIO

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from tawrid.demand.models import PlanLine, PurchasePlan
from tests.permission_matrix.framework import Scene, Table, api_change, api_read, page_change, page_read
from tests.permission_matrix.world import BUYER_SIDE, SUPPLIERS

pytestmark = pytest.mark.django_db

BUYER = frozenset({"buyer"})  # the group's member; the operator does not write plans
PUBLISHED_READERS = BUYER_SIDE | SUPPLIERS


def published_plan_read_api(s: Scene) -> bool:
    return api_read(s, f"/demand/plans/{s.w.published_plan.pk}")


def published_plan_read_page(s: Scene) -> bool:
    return page_read(s, reverse("demand:plan_detail", args=[s.w.published_plan.pk]), "AIGUILLE HYPODERMIQUE")


def published_plan_export_prices(s: Scene) -> bool:
    """The plan's workbook (an export door): everyone who reads the plan gets it; prices only the buyer's side."""
    response = s.api("get", f"/demand/plans/{s.w.published_plan.pk}/export.xlsx")
    if response.status_code != 200:
        s.denied_api(response, reading=True)
        return False
    sheet = load_workbook(BytesIO(response.content), read_only=True).active
    headers = [str(cell) for cell in next(sheet.iter_rows(values_only=True))]
    return str(_("Estimated unit price (MAD)")) in headers


def published_plan_export(s: Scene) -> bool:
    response = s.api("get", f"/demand/plans/{s.w.published_plan.pk}/export.xlsx")
    if response.status_code == 200:
        return True
    s.denied_api(response, reading=True)
    return False


def draft_plan_read_api(s: Scene) -> bool:
    return api_read(s, f"/demand/plans/{s.w.draft_plan.pk}")


def draft_plan_read_page(s: Scene) -> bool:
    return page_read(s, reverse("demand:plan_detail", args=[s.w.draft_plan.pk]), "SERINGUE 5 ML")


def draft_plan_change_api(s: Scene) -> bool:
    pk = s.w.draft_plan.pk
    return api_change(
        s,
        "patch",
        f"/demand/plans/{pk}",
        {"title": "Matrice"},
        lambda: PurchasePlan.objects.get(pk=pk).title == "Matrice",
    )


def draft_plan_delete_api(s: Scene) -> bool:
    pk = s.w.draft_plan.pk
    return api_change(s, "delete", f"/demand/plans/{pk}", None, lambda: not PurchasePlan.objects.filter(pk=pk).exists())


def draft_plan_delete_page(s: Scene) -> bool:
    pk = s.w.draft_plan.pk
    url = reverse("demand:plan_delete", args=[pk])
    return page_change(s, url, {}, lambda: not PurchasePlan.objects.filter(pk=pk).exists())


def published_line_read_api(s: Scene) -> bool:
    return api_read(s, f"/demand/lines/{s.w.plan_line.pk}")


def draft_line_read_api(s: Scene) -> bool:
    return api_read(s, f"/demand/lines/{s.w.draft_line.pk}")


def draft_line_change_api(s: Scene) -> bool:
    pk = s.w.draft_line.pk
    return api_change(
        s,
        "patch",
        f"/demand/lines/{pk}",
        {"buyer_reference": "MAT-1"},
        lambda: PlanLine.objects.get(pk=pk).buyer_reference == "MAT-1",
    )


TABLE = Table(
    models={PurchasePlan: "published_plan", PlanLine: "published_line"},
    objects={
        "published_plan": lambda w: w.published_plan,
        "draft_plan": lambda w: w.draft_plan,
        "published_line": lambda w: w.plan_line,
        "draft_line": lambda w: w.draft_line,
    },
    matrix={
        "published_plan": {
            "read": PUBLISHED_READERS,
            "read_api": PUBLISHED_READERS,
            "read_page": PUBLISHED_READERS,
            "export_api": PUBLISHED_READERS,
            "export_prices_api": BUYER_SIDE,
            "change": BUYER,
        },
        "draft_plan": {
            "read": BUYER_SIDE,
            "read_api": BUYER_SIDE,
            "read_page": BUYER_SIDE,
            "change": BUYER,
            "change_api": BUYER,
            "delete_api": BUYER,
            "delete_page": BUYER,
        },
        "published_line": {"read": PUBLISHED_READERS, "read_api": PUBLISHED_READERS, "change": BUYER},
        "draft_line": {"read": BUYER_SIDE, "read_api": BUYER_SIDE, "change": BUYER, "change_api": BUYER},
    },
    checks={
        ("published_plan", "read_api"): published_plan_read_api,
        ("published_plan", "read_page"): published_plan_read_page,
        ("published_plan", "export_api"): published_plan_export,
        ("published_plan", "export_prices_api"): published_plan_export_prices,
        ("draft_plan", "read_api"): draft_plan_read_api,
        ("draft_plan", "read_page"): draft_plan_read_page,
        ("draft_plan", "change_api"): draft_plan_change_api,
        ("draft_plan", "delete_api"): draft_plan_delete_api,
        ("draft_plan", "delete_page"): draft_plan_delete_page,
        ("published_line", "read_api"): published_line_read_api,
        ("draft_line", "read_api"): draft_line_read_api,
        ("draft_line", "change_api"): draft_line_change_api,
    },
)


@pytest.mark.parametrize(("role", "kind", "op"), TABLE.cases(), ids=TABLE.ids())
def test_demand_permission_matrix(scene_for, role: str, kind: str, op: str) -> None:
    TABLE.check(scene_for(role), kind, op)
