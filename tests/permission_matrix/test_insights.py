"""Insights (see tawrid/insights/policies.py): aggregates and reference figures are every signed-in person's and
the cluster secretariat's (and the operator's) to change; trade data sets not loaded, and their flows, are the
managers' only; the quarterly report is for the secretariat and the ministries; one organisation's figures are
read by those who may read the organisation, and changed by nobody (the snapshot job writes them).

The insights are national (trade data, the crosswalk, the EMDN groups): the policy lets any cluster's secretariat
manage them and read the quarterly report, so "other_secretariat" has the secretariat's powers here."""

import pytest
from django.urls import reverse

from tawrid.insights import models as insights
from tests.permission_matrix.framework import Scene, Table, api_change, api_read, page_read
from tests.permission_matrix.world import A_READERS, BUYER_SIDE, NOBODY, SIGNED_IN

pytestmark = pytest.mark.django_db

MANAGERS = frozenset({"secretariat", "other_secretariat", "superuser"})
REPORT_READERS = MANAGERS | {"ministry_health", "ministry_industry"}


def dataset_read_api(s: Scene) -> bool:
    return api_read(s, f"/insights/datasets/{s.w.dataset.pk}", lambda body: body["id"] == s.w.dataset.pk)


def dataset_read_page(s: Scene) -> bool:
    return page_read(s, reverse("insights:dataset_detail", args=[s.w.dataset.pk]), s.w.dataset.name)


def dataset_change_api(s: Scene) -> bool:
    pk = s.w.dataset.pk
    return api_change(
        s, "delete", f"/insights/datasets/{pk}", None, lambda: not insights.TradeDataset.objects.filter(pk=pk).exists()
    )


def refused_dataset_read_api(s: Scene) -> bool:
    return api_read(s, f"/insights/datasets/{s.w.refused_dataset.pk}")


def snapshot_read_api(s: Scene) -> bool:
    return api_read(s, "/insights/snapshot")


def report_read_page(s: Scene) -> bool:
    return page_read(s, reverse("insights:report_detail", args=[s.w.report.pk]), s.w.report.title)


def organisation_figures_read_page(s: Scene) -> bool:
    return page_read(s, reverse("insights:dashboard_organisation", args=[s.w.maker.pk]), s.w.maker.name)


TABLE = Table(
    models={
        insights.IndicatorSnapshot: "snapshot",
        insights.GroupFigures: "group_figures",
        insights.GroupYearFigures: "group_year_figures",
        insights.HsEmdnLink: "crosswalk_link",
        insights.ExchangeRate: "exchange_rate",
        insights.TradeDataset: "dataset",
        insights.TradeFlow: "trade_flow",
        insights.Report: "quarterly_report",
        insights.OrganisationFigures: "organisation_figures",
        insights.OrganisationYearFigures: "buyer_year_figures",
    },
    objects={
        "snapshot": lambda w: w.snapshot,
        "group_figures": lambda w: w.group_figures,
        "group_year_figures": lambda w: w.group_year_figures,
        "crosswalk_link": lambda w: w.hs_link,
        "exchange_rate": lambda w: w.exchange_rate,
        "dataset": lambda w: w.dataset,
        "refused_dataset": lambda w: w.refused_dataset,
        "trade_flow": lambda w: w.flow,
        "refused_flow": lambda w: w.refused_flow,
        "quarterly_report": lambda w: w.report,
        "organisation_figures": lambda w: w.organisation_figures,
        "buyer_year_figures": lambda w: w.organisation_year_figures,
    },
    matrix={
        "snapshot": {"read": SIGNED_IN, "read_api": SIGNED_IN, "change": MANAGERS},
        "group_figures": {"read": SIGNED_IN, "change": MANAGERS},
        "group_year_figures": {"read": SIGNED_IN, "change": MANAGERS},
        "crosswalk_link": {"read": SIGNED_IN, "change": MANAGERS},
        "exchange_rate": {"read": SIGNED_IN, "change": MANAGERS},
        "dataset": {
            "read": SIGNED_IN,
            "read_api": SIGNED_IN,
            "read_page": SIGNED_IN,
            "change": MANAGERS,
            "change_api": MANAGERS,
        },
        "refused_dataset": {"read": MANAGERS, "read_api": MANAGERS, "change": MANAGERS},
        "trade_flow": {"read": SIGNED_IN, "change": MANAGERS},
        "refused_flow": {"read": MANAGERS, "change": MANAGERS},
        "quarterly_report": {"read": REPORT_READERS, "read_page": REPORT_READERS, "change": MANAGERS},
        # A's figures (Maroc Seringues' dashboard) and the group's figures of a year.
        "organisation_figures": {"read": A_READERS, "read_page": A_READERS, "change": NOBODY},
        "buyer_year_figures": {"read": BUYER_SIDE, "change": NOBODY},
    },
    checks={
        ("snapshot", "read_api"): snapshot_read_api,
        ("dataset", "read_api"): dataset_read_api,
        ("dataset", "read_page"): dataset_read_page,
        ("dataset", "change_api"): dataset_change_api,
        ("refused_dataset", "read_api"): refused_dataset_read_api,
        ("quarterly_report", "read_page"): report_read_page,
        ("organisation_figures", "read_page"): organisation_figures_read_page,
    },
)


@pytest.mark.parametrize(("role", "kind", "op"), TABLE.cases(), ids=TABLE.ids())
def test_insights_permission_matrix(scene_for, role: str, kind: str, op: str) -> None:
    TABLE.check(scene_for(role), kind, op)
