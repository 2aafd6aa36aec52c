"""API of a plan's EMDN codes (/api/v1/demand/plans/{id}/codes…): the same reads, services and permissions as the
"EMDN codes" page (`tawrid.demand.coding`). Reading is for the buyer's people and the secretariat overseeing it;
confirming and choosing for the buyer's people who may change its lines, on draft and published plans."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from tawrid.core.api_schemas import Id, Limit1000, Offset
from tawrid.core.errors import DomainError, Forbidden
from tawrid.core.permissions import Actor, actor_for
from tawrid.demand import coding, policies, selectors
from tawrid.demand.models import PurchasePlan

router = Router(tags=["demand"])


class SuggestionOut(Schema):
    code: str
    term: str
    score: float = Field(..., description="The code's own probability in the latest matching, 0 to 1.")


class CodeLineOut(Schema):
    line_id: int
    line_number: int
    designation: str
    emdn: str | None = None
    term: str = ""
    source: str = Field(..., description="buyer, suggested, confirmed, or empty when the line has no code.")
    level: int | None = Field(None, description="1 category (A), 2 group (A01), then one per two digits.")
    mass: float | None = Field(None, description="For a suggested code: the probability of the code's subtree.")
    suggestions: list[SuggestionOut] = Field(..., description="The latest matching's top codes for the line.")


class GroupOut(Schema):
    group: str
    term: str
    lines: int


class CodeSummaryOut(Schema):
    total: int
    buyer: int
    suggested: int
    confirmed: int
    uncoded: int
    groups: list[GroupOut] = Field(..., description="Suggested lines per EMDN group.")


class ConfirmIn(Schema):
    line_ids: list[int] | None = Field(None, description="The lines whose suggested code to confirm.")
    group: str = Field("", max_length=3, description="Or every suggested code of this EMDN group (A01…).")


class ConfirmOut(Schema):
    confirmed: int


class ChooseIn(Schema):
    code: str = Field(..., max_length=13, description="An EMDN code of group level or deeper.")


def _plan(actor: Actor, plan_id: int) -> PurchasePlan:
    plan = selectors.plan_detail(actor, plan_id)  # 404 for a plan the caller may not see
    if not policies.can_see_private(actor, plan):
        raise Forbidden()
    return plan


def _row(row: coding.CodeRow) -> dict[str, Any]:
    line = row.line
    return {
        "line_id": line.pk,
        "line_number": line.line_number,
        "designation": line.designation,
        "emdn": line.emdn.code if line.emdn else None,
        "term": line.emdn.term if line.emdn else "",
        "source": line.emdn_source,
        "level": row.level,
        "mass": line.emdn_mass,
        "suggestions": row.suggestions,
    }


@router.get("/plans/{plan_id}/codes", response=list[CodeLineOut], summary="A plan's lines with their EMDN codes")
def list_codes(
    request: HttpRequest,
    plan_id: Id,
    show: str = "",
    group: str = "",
    offset: Offset = 0,
    limit: Limit1000 = 200,
) -> list:
    """`show`: uncoded, suggested, confirmed or buyer; `group`: an EMDN group (A01)."""
    actor = actor_for(request.user)
    plan = _plan(actor, plan_id)
    if show and show not in coding.FILTERS:
        raise DomainError(_("Show one of: uncoded, suggested, confirmed, buyer."), code="bad_filter")
    offset, limit = max(0, offset), max(1, min(limit, 1000))
    lines = coding.plan_code_lines(plan, show=show, group=group)[offset : offset + limit]
    return [_row(row) for row in coding.code_rows(plan, lines)]


@router.get("/plans/{plan_id}/codes/summary", response=CodeSummaryOut, summary="How a plan's lines are coded")
def codes_summary(request: HttpRequest, plan_id: Id) -> dict:
    actor = actor_for(request.user)
    return coding.code_summary(_plan(actor, plan_id))


@router.post(
    "/plans/{plan_id}/codes/confirm", response=ConfirmOut, summary="Confirm suggested codes (chosen lines or a group)"
)
def confirm_codes(request: HttpRequest, plan_id: Id, payload: ConfirmIn) -> dict:
    actor = actor_for(request.user)
    plan = _plan(actor, plan_id)
    if payload.group:
        count = coding.codes_confirm(actor=actor, plan=plan, group=payload.group)
    else:
        count = coding.codes_confirm(actor=actor, plan=plan, line_ids=payload.line_ids)
    return {"confirmed": count}


@router.post("/lines/{line_id}/code", response=CodeLineOut, summary="Give a line an EMDN code")
def choose_code(request: HttpRequest, line_id: Id, payload: ChooseIn) -> dict:
    actor = actor_for(request.user)
    line = selectors.line_detail(actor, line_id)
    plan = _plan(actor, line.plan_id)
    line = coding.code_choose(actor=actor, line=line, code=payload.code)
    return _row(coding.code_rows(plan, [line])[0])
