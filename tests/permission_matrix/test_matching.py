"""Match results and decisions (see tawrid/matching/policies.py): a plan's runs, chunks, line results and
candidates follow the plan's private side (its buyer's people, the secretariat overseeing the buyer, the
operator); the buyer's administrators and members decide; results are written by the services only."""

import pytest
from django.urls import reverse

from tawrid.matching.models import LineDecision, LineResult, MatchCandidate, MatchChunk, MatchDecision, MatchRun
from tests.permission_matrix.framework import Scene, Table, api_change, api_read, page_change
from tests.permission_matrix.world import BUYER_SIDE, NOBODY

pytestmark = pytest.mark.django_db

BUYER = frozenset({"buyer"})


def run_read_api(s: Scene) -> bool:
    return api_read(s, f"/matching/runs/{s.w.run.pk}", lambda body: body["id"] == s.w.run.pk)


def line_results_read_api(s: Scene) -> bool:
    return api_read(s, f"/matching/runs/{s.w.run.pk}/lines", lambda body: len(body) == 3)


def candidates_read_api(s: Scene) -> bool:
    def found(body: list) -> bool:
        return any(c["product_id"] == s.w.needles.pk for row in body for c in row["candidates"])

    return api_read(s, f"/matching/runs/{s.w.run.pk}/lines", found)


def _rejected(s: Scene) -> bool:
    return MatchDecision.objects.filter(line=s.w.plan_line, product=s.w.needles, decision="rejected").exists()


def decision_change_api(s: Scene) -> bool:
    data = {"line_id": s.w.plan_line.pk, "product_id": s.w.needles.pk, "decision": "rejected", "reason": "Matrice"}
    return api_change(s, "post", "/matching/decisions", data, lambda: _rejected(s))


def decision_change_page(s: Scene) -> bool:
    url = reverse("matching:decide", args=[s.w.candidate.pk])
    return page_change(s, url, {"decision": "rejected", "reason": "Matrice"}, lambda: _rejected(s))


def _no_local_source(s: Scene) -> bool:
    line = s.w.published_plan.lines.order_by("line_number")[2]
    return LineDecision.objects.filter(line=line, decision="no_local_source").exists()


def line_decision_change_api(s: Scene) -> bool:
    line = s.w.published_plan.lines.order_by("line_number")[2]
    data = {"line_ids": [line.pk], "action": "no_local_source", "reason": "Matrice"}
    return api_change(
        s, "post", f"/matching/plans/{s.w.published_plan.pk}/line-decisions", data, lambda: _no_local_source(s)
    )


TABLE = Table(
    models={
        MatchRun: "match_run",
        MatchChunk: "match_chunk",
        LineResult: "line_result",
        MatchCandidate: "match_candidate",
        MatchDecision: "match_decision",
        LineDecision: "line_decision",
    },
    objects={
        "match_run": lambda w: w.run,
        "match_chunk": lambda w: w.chunk,
        "line_result": lambda w: w.line_result,
        "match_candidate": lambda w: w.candidate,
        "match_decision": lambda w: w.match_decision,
        "line_decision": lambda w: w.line_decision,
    },
    matrix={
        # Managing a plan's run (resuming it): the buyer's writers, the secretariat overseeing it, the operator.
        "match_run": {"read": BUYER_SIDE, "read_api": BUYER_SIDE, "change": BUYER_SIDE},
        "match_chunk": {"read": BUYER_SIDE, "change": NOBODY},
        "line_result": {"read": BUYER_SIDE, "read_api": BUYER_SIDE, "change": NOBODY},
        "match_candidate": {"read": BUYER_SIDE, "read_api": BUYER_SIDE, "change": NOBODY},
        "match_decision": {"read": BUYER_SIDE, "change": BUYER, "change_api": BUYER, "change_page": BUYER},
        # "No local source" on a whole line: decided like the proposals.
        "line_decision": {"read": BUYER_SIDE, "change": BUYER, "change_api": BUYER},
    },
    checks={
        ("match_run", "read_api"): run_read_api,
        ("line_result", "read_api"): line_results_read_api,
        ("match_candidate", "read_api"): candidates_read_api,
        ("match_decision", "change_api"): decision_change_api,
        ("match_decision", "change_page"): decision_change_page,
        ("line_decision", "change_api"): line_decision_change_api,
    },
)


@pytest.mark.parametrize(("role", "kind", "op"), TABLE.cases(), ids=TABLE.ids())
def test_matching_permission_matrix(scene_for, role: str, kind: str, op: str) -> None:
    TABLE.check(scene_for(role), kind, op)
