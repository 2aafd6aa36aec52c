"""Implausible consultation deadlines are refused (issue 15, finding 15): a draft with deadlines in 1970 or in the
year 9999, on the page, in the API and in the services, creating or changing a draft; a deadline the buyer does
not change may have passed (a draft kept for a while can still be renamed). (No spreadsheet import carries
consultations.)"""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tawrid.accounts.tests.factories import token_for
from tawrid.core.errors import DomainError
from tawrid.core.permissions import actor_for
from tawrid.sourcing import services
from tawrid.sourcing.models import Consultation
from tawrid.sourcing.tests.factories import SourcingWorld, clock, terms

API = "/api/v1/sourcing"
DEADLINES = ("questions_deadline", "submission_deadline", "opening_at")
IN_1970 = datetime(1970, 1, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def world(db) -> SourcingWorld:
    return SourcingWorld()


def auth(user):
    return {"Authorization": f"Bearer {token_for(user)[1]}"}


def _moment(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def _in_1970() -> dict:
    return {
        "questions_deadline": IN_1970,
        "submission_deadline": IN_1970 + timedelta(days=1),
        "opening_at": IN_1970 + timedelta(days=1, hours=1),
    }


def _far() -> dict:
    far = timezone.now().replace(year=9999, month=12, day=1)
    return {"questions_deadline": far, "submission_deadline": far, "opening_at": far + timedelta(hours=1)}


def _create(world, plan=None, **overrides):
    plan = plan or world.sourcing_plan()
    return services.consultation_create_from_lines(
        actor=actor_for(world.buyer),
        buyer=world.group,
        lines=list(plan.lines.all()),
        data=terms(**overrides),
        user=world.buyer,
    )


@pytest.mark.parametrize("dates", [_in_1970, _far])
def test_the_service_refuses_a_draft_with_implausible_deadlines(world, dates):
    with pytest.raises(DomainError) as refused:
        _create(world, **dates())
    assert refused.value.code == "invalid_terms"
    assert set(refused.value.details) >= set(DEADLINES)
    assert not Consultation.objects.exists()


def test_the_service_refuses_to_move_a_deadline_into_the_past_but_keeps_an_unchanged_one(world):
    consultation = _create(world)
    with pytest.raises(DomainError) as refused:
        services.consultation_update(
            actor=actor_for(world.buyer), consultation=consultation, data={"questions_deadline": IN_1970}
        )
    assert set(refused.value.details) == {"questions_deadline"}
    with clock(timezone.now() + timedelta(days=5)):  # every deadline of the draft has passed
        services.consultation_update(actor=actor_for(world.buyer), consultation=consultation, data={"title": "Gants"})
    consultation.refresh_from_db()
    assert consultation.title == "Gants"


@pytest.mark.parametrize("dates", [_in_1970, _far])
def test_the_page_refuses_implausible_deadlines(client, world, dates):
    plan = world.sourcing_plan()
    client.force_login(world.buyer)
    data = {
        "reference": "CONS-WEB-1",
        "title": "Aiguilles 2026",
        "evaluation_method": "lowest_price",
        "national_preference_rate": "15",
        **{key: _moment(value) for key, value in dates().items()},
    }
    response = client.post(
        reverse("sourcing:consultation_create"), {"plan": plan.pk, "lines": [plan.lines.first().pk], **data}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) >= set(DEADLINES), response.context["form"].errors
    assert not Consultation.objects.exists()


@pytest.mark.parametrize("dates", [_in_1970, _far])
def test_the_api_refuses_implausible_deadlines_on_create_and_change(client, world, dates):
    plan = world.sourcing_plan()
    line_ids = list(plan.lines.values_list("pk", flat=True))
    body = {
        "line_ids": line_ids,
        "reference": "CONS-API-1",
        "title": "Aiguilles",
        **{key: value.isoformat() for key, value in dates().items()},
    }
    response = client.post(f"{API}/consultations", body, "application/json", headers=auth(world.buyer))
    assert response.status_code in (400, 422), response.content
    assert set(response.json()["details"]) >= set(DEADLINES), response.json()
    assert not Consultation.objects.exists()

    consultation = _create(world, plan, reference="CONS-API-2")
    changed = {key: value.isoformat() for key, value in dates().items()}
    response = client.patch(
        f"{API}/consultations/{consultation.pk}", changed, "application/json", headers=auth(world.buyer)
    )
    assert response.status_code in (400, 422), response.content
    assert set(response.json()["details"]) >= set(DEADLINES)
    stored = Consultation.objects.get(pk=consultation.pk)
    assert stored.questions_deadline == consultation.questions_deadline
