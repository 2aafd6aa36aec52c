"""The matching pages: the buyer's plan matching (explanations, confirm and reject moving the coverage), who
sees what, the national page, a manufacturer's matched lines, code suggestions."""

import re

import pytest
from django.urls import reverse

from tawrid.core.permissions import actor_for
from tawrid.matching import services
from tawrid.matching.models import MatchCandidate, MatchDecision, MatchRun

# Runs are jobs put on the queue when their transaction commits: these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)


def _coverage(page: str) -> str:
    return re.search(r'data-testid="coverage-quantity">([^<]*)<', page).group(1).strip()


def test_the_buyer_matches_its_plan_and_decides(client, world):
    plan = world.needle_plan()
    client.force_login(world.buyer)
    url = reverse("matching:plan", args=[plan.pk])
    assert 'data-testid="no-run"' in client.get(url).content.decode()
    response = client.post(reverse("matching:plan_start", args=[plan.pk]))
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Aiguille hypodermique stérile à usage unique" in page and "21 G" in page
    assert "exact fit" in page or "correspondance exacte" in page.lower() or "✓" in page
    assert _coverage(page) == "70 %"  # 1,200 of 1,704 base units

    needle = MatchCandidate.objects.get(result__line__line_number=1, product=world.needles)
    response = client.post(
        reverse("matching:decide", args=[needle.pk]), {"decision": "rejected", "next": url + "?show=gaps"}
    )
    assert response.headers["Location"] == url + "?show=gaps"
    page = client.get(url).content.decode()
    assert _coverage(page) == "12 %"
    assert MatchDecision.objects.get().decision == "rejected"


def test_the_next_parameter_cannot_leave_the_site(client, world):
    plan = world.needle_plan()
    services.match_run_start(actor=actor_for(world.buyer), plan=plan)
    client.force_login(world.buyer)
    gloves = MatchCandidate.objects.get(result__line__line_number=2, product=world.gloves)
    response = client.post(
        reverse("matching:decide", args=[gloves.pk]), {"decision": "confirmed", "next": "https://evil.example/"}
    )
    assert response.headers["Location"] == reverse("matching:plan", args=[plan.pk])


@pytest.mark.parametrize("who", ["other_buyer", "manufacturer"])
def test_other_organisations_get_nothing(client, world, who):
    plan = world.needle_plan()
    services.match_run_start(actor=actor_for(world.buyer), plan=plan)
    run = MatchRun.objects.get()
    candidate = MatchCandidate.objects.first()
    client.force_login(getattr(world, who))
    assert client.get(reverse("matching:plan", args=[plan.pk])).status_code in (403, 404)
    assert client.post(reverse("matching:plan_start", args=[plan.pk])).status_code in (302, 404)
    assert MatchRun.objects.count() == 1  # refused with a message, nothing started
    assert client.post(reverse("matching:decide", args=[candidate.pk]), {"decision": "confirmed"}).status_code == 404
    assert client.get(reverse("matching:run_progress", args=[run.pk])).status_code == 404
    assert client.post(reverse("matching:run_resume", args=[run.pk])).status_code == 404
    assert not MatchDecision.objects.exists()


def test_the_secretariat_runs_the_national_matching(client, world):
    world.needle_plan()
    client.force_login(world.secretariat)
    page = client.get(reverse("matching:national")).content.decode()
    assert 'data-testid="no-run"' in page
    client.post(reverse("matching:national_start"), {"year": "2026"})
    page = client.get(reverse("matching:national") + "?year=2026").content.decode()
    assert 'data-testid="coverage-by-buyer"' in page and "Groupe Santé Atlas" in page
    assert 'data-testid="gaps"' in page
    client.force_login(world.buyer)
    assert client.get(reverse("matching:national")).status_code == 403


def test_a_manufacturer_sees_its_matched_lines(client, world):
    plan = world.needle_plan()
    services.match_run_start(actor=actor_for(world.buyer), plan=plan)
    client.force_login(world.manufacturer)
    page = client.get(reverse("matching:mine")).content.decode()
    assert "AIGUILLE HYPODERMIQUE STERILE" in page and "Aiguille hypodermique stérile à usage unique" in page
    assert "Atlas Médical" not in page  # the other supplier's candidate is not shown
    client.force_login(world.buyer)
    assert client.get(reverse("matching:mine")).status_code == 403


def test_code_suggestions_fragment(client, world):
    client.force_login(world.buyer)
    page = client.get(
        reverse("matching:suggest_codes"),
        {"field": "designation", "designation": "aiguille hypodermique", "target": "id_emdn_code"},
    ).content.decode()
    assert 'data-fill="id_emdn_code"' in page and "A01" in page
    page = client.get(reverse("matching:suggest_codes"), {"text": "x", "target": '"><script>'}).content.decode()
    assert "<script>" not in page


def test_the_admin_site_applies_the_same_rules(client, world):
    from django.contrib.auth.models import Permission

    plan = world.needle_plan()
    services.match_run_start(actor=actor_for(world.buyer), plan=plan)
    staff = world.other_buyer
    staff.is_staff = True
    staff.save()
    staff.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="matching", codename__startswith="view_")
    )
    client.force_login(staff)
    page = client.get(reverse("admin:matching_matchcandidate_changelist"))
    assert page.status_code == 200 and page.context["cl"].result_count == 0  # another buyer's results
    client.force_login(world.superuser)
    page = client.get(reverse("admin:matching_matchcandidate_changelist"))
    assert page.context["cl"].result_count == MatchCandidate.objects.count() > 0


def test_the_matching_index_follows_the_kind_of_user(client, world):
    plan = world.needle_plan()
    services.match_run_start(actor=actor_for(world.buyer), plan=plan)
    client.force_login(world.buyer)
    page = client.get(reverse("matching:index")).content.decode()
    assert reverse("matching:plan", args=[plan.pk]) in page and "70 %" in page
    client.force_login(world.manufacturer)
    page = client.get(reverse("matching:index")).content.decode()
    assert 'data-testid="mine-link"' in page and reverse("matching:plan", args=[plan.pk]) not in page
    client.force_login(world.secretariat)
    assert 'data-testid="national-link"' in client.get(reverse("matching:index")).content.decode()
