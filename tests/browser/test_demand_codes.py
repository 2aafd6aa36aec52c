"""A buyer's "EMDN codes" page in the browser: from the plan, the codes the engine suggested are shown with their
level and confidence; the buyer confirms a whole group in one click, picks one of the latest suggestions for a
line, and searches another code for the last one."""

import pytest

from tawrid.accounts.tests.factories import TEST_PASSWORD
from tawrid.catalog.tests.factories import emdn
from tawrid.demand import coding
from tawrid.demand.tests.factories import DemandWorld
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_buyer_confirms_and_chooses_codes(page):
    world = DemandWorld()
    for code in ("A010101", "A010102", "T010101"):
        emdn(code, f"TERM {code}")
    plan = world.plan(lines=3, publish=True)
    first, second, third = plan.lines.order_by("line_number")
    coding.engine_codes_apply(codes={first.pk: ("A01", 0.72), second.pk: ("A010102", 0.64)})

    login(page, world.buyer.email, TEST_PASSWORD)
    page.goto(f"/plans/{plan.pk}/")
    page.click("[data-testid=plan-codes]")
    assert "72" in page.inner_text("[data-testid=code-line-1] [data-testid=source]")
    page.click("[data-testid=confirm-group-A01]")
    assert page.inner_text("[data-testid=count-confirmed]") == "2"
    assert page.inner_text("[data-testid=count-uncoded]") == "1"

    page.click("[data-testid=choose-other-3]")
    page.fill("#id_code_q", "T0101")
    page.click("[data-testid=code-search] button[type=submit]")
    page.click("[data-testid=code-search] button[value=T010101]")
    assert "T010101" in page.inner_text("[data-testid=code-line-3]")
    assert [line.emdn_source for line in plan.lines.order_by("line_number")] == ["confirmed", "confirmed", "buyer"]
