"""The consultation journey in the browser, on the demo: the buyer selects matched lines of its plan on the
matching page and makes a consultation of them, publishes it to the suppliers the matching proposed; a
Moroccan manufacturer and a manufacturer established abroad submit sealed offers; a third supplier's offer,
sent after the deadline, is refused; two members of the buyer's committee open the offers; the evaluation
raises the foreign offer by the 15 % national preference, so the dearer Moroccan offer ranks first; the buyer
awards the lot, orders after the standstill period, and the buyer's local-purchase rate moves.

Server time is moved with the test's clock (the live server runs in this process), so the deadlines pass
without waiting: every refusal and every time recorded is the server's."""

from datetime import timedelta
from decimal import Decimal
from urllib.parse import quote_plus
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from django.utils import timezone

from tawrid.accounts.models import Organisation, User
from tawrid.core.permissions import actor_for
from tawrid.demand.models import PlanStatus, PurchasePlan
from tawrid.demo.services import demo_seed
from tawrid.matching import selectors as matching_selectors
from tawrid.matching.management.commands.match_run import IMMEDIATE
from tawrid.matching.models import LineResult, MatchCandidate
from tawrid.matching.services import code_classifier, match_run_start
from tawrid.nomenclature.services import reference_load
from tawrid.sourcing.models import Award, Consultation, ConsultationStatus, EvaluatedOffer, Offer, Order
from tawrid.sourcing.tests.factories import clock
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUYER = "acheteur@demo.tawrid.ma"
COMMITTEE_PEER = "membre.groupe-sante-atlas@demo.tawrid.ma"
LOCAL = ("acutec-medical", "admin.acutec-medical@demo.tawrid.ma", "1.10")
FOREIGN = ("seringa-atlas", "admin.seringa-atlas@demo.tawrid.ma", "1.00")  # moved abroad for the test
LATE = ("injecta-maroc", "fabricant@demo.tawrid.ma", "0.90")
QUERY = "AIGUILLE HYPODERMIQUE STERILE A USAGE UNIQUE 25 X"


def _matched_lines(plan: PurchasePlan, buyer_user) -> list:
    """Two lines on the first page of the matching filtered by QUERY, not yet consulted on, for which the
    matching proposes both bidders, one of them also proposing the late supplier (so that it is invited)."""
    run = matching_selectors.latest_run(actor_for(buyer_user), plan=plan)
    with_late, without = [], []
    for result in matching_selectors.line_results(actor_for(buyer_user), run, q=QUERY)[:25]:
        if result.line.consultation_lines.exists():
            continue
        makers = set(
            MatchCandidate.objects.filter(result=result, verdict="good", score__gte=0.5).values_list(
                "product__manufacturer__slug", flat=True
            )
        )
        if {LOCAL[0], FOREIGN[0]} <= makers:
            (with_late if LATE[0] in makers else without).append(result.line)
    assert with_late and len(with_late) + len(without) >= 2, "the demo matching should propose the needle makers"
    return sorted([with_late[0], (without or with_late[1:])[0]], key=lambda line: line.line_number)


def _rate_local(page, buyer_id: int) -> Decimal:
    page.goto("/purchase-rates/")
    row = page.locator(f"[data-testid=purchase-rate][data-buyer='{buyer_id}']")
    return Decimal(row.get_attribute("data-local") or "0") if row.count() else Decimal(0)


def _offer(browser, live_server, email: str, consultation: Consultation, price: str, *, submit: bool = True):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", timezone_id="Africa/Casablanca")
    context.set_default_timeout(30_000)
    page = context.new_page()
    login(page, email)
    page.goto(f"/consultations/{consultation.pk}/")
    page.get_by_test_id("offer-open-1").click()
    lot = consultation.lots.get(number=1)
    for line in lot.lines.all():
        page.get_by_test_id(f"offer-price-{line.pk}").fill(price.replace(".", ","))  # French decimal comma
        page.get_by_test_id(f"offer-days-{line.pk}").fill("20")
    if submit:
        page.get_by_test_id("offer-submit").click()
        page.wait_for_load_state()
        assert page.get_by_test_id("offer-status").get_attribute("data-status") == "submitted"
        assert price.replace(".", ",") not in page.content()  # sealed: not even its author reads it back
    return context, page


def test_a_consultation_from_matched_lines_to_an_order_with_the_national_preference(browser, live_server, page):
    reference_load(which=["emdn"])
    demo_seed()
    plan = PurchasePlan.objects.get(buyer__slug="groupe-sante-atlas", status=PlanStatus.PUBLISHED)
    buyer = plan.buyer
    code_classifier()  # built outside the pages' waits (see test_matching)
    buyer_user = User.objects.get(email=BUYER)
    with override_settings(TASKS=IMMEDIATE):  # the worker's job, run here
        match_run_start(actor=actor_for(buyer_user), plan=plan)
    Organisation.objects.filter(slug=FOREIGN[0]).update(country="ES")
    lines = _matched_lines(plan, buyer_user)

    # The buyer: the rate before, then a consultation from two matched lines.
    login(page, BUYER)
    rate_before = _rate_local(page, buyer.pk)
    page.goto(f"/matching/plans/{plan.pk}/?q={quote_plus(QUERY)}")
    for line in lines:
        page.get_by_test_id(f"consultation-line-{line.line_number}").check()
    page.get_by_test_id("consultation-create-from-lines").click()
    page.wait_for_url("**/consultations/new/**")
    form = page.get_by_test_id("consultation-form")
    assert form.locator("input[name=lines]:checked").count() == 2
    casablanca = timezone.localtime(timezone.now(), ZoneInfo("Africa/Casablanca")).replace(second=0, microsecond=0)

    def moment(delta: timedelta) -> str:
        return (casablanca + delta).strftime("%Y-%m-%dT%H:%M")

    page.fill("#id_reference", "AO-NAV-2026-07")
    page.fill("#id_title", "Aiguilles hypodermiques stériles")
    page.check("input[name=required_certificates][value=iso13485]")  # the lines' CE marking is not required
    page.select_option("#id_evaluation_method", "lowest_price")
    assert page.input_value("#id_national_preference_rate") == "15"  # a percentage: at most 15 %, the default
    page.fill("#id_questions_deadline", moment(timedelta(days=1)))
    page.fill("#id_submission_deadline", moment(timedelta(days=2)))
    page.fill("#id_opening_at", moment(timedelta(days=2, hours=1)))
    page.get_by_test_id("consultation-create").click()
    page.wait_for_url("**/consultations/*/")
    consultation = Consultation.objects.get(reference="AO-NAV-2026-07")
    assert consultation.lots.count() == 1 and consultation.lots.get().lines.count() == 2
    page.get_by_test_id("consultation-publish").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("consultation-status").get_attribute("data-status") == "published"
    consultation.refresh_from_db()

    # Two manufacturers submit; a third fills its form before the deadline and sends it after.
    local_context, _local_page = _offer(browser, live_server, LOCAL[1], consultation, LOCAL[2])
    foreign_context, _foreign_page = _offer(browser, live_server, FOREIGN[1], consultation, FOREIGN[2])
    late_context, late_page = _offer(browser, live_server, LATE[1], consultation, LATE[2], submit=False)
    with clock(consultation.submission_deadline + timedelta(minutes=1)):
        late_page.get_by_test_id("offer-submit").click()
        late_page.wait_for_load_state()
        assert late_page.get_by_test_id("offer-error").is_visible()
    assert Offer.objects.filter(consultation=consultation).count() == 2
    assert not Offer.objects.filter(consultation=consultation, supplier__slug=LATE[0]).exists()
    for context in (local_context, foreign_context, late_context):
        context.close()

    # The committee: one member requests the opening, another confirms it; then the evaluation.
    opening = consultation.opening_at + timedelta(minutes=5)
    with clock(opening):
        page.goto(f"/consultations/{consultation.pk}/")
        page.get_by_test_id("opening-request").click()
        page.wait_for_load_state()
        assert page.get_by_test_id("opening-requested").is_visible()
        assert page.get_by_test_id("opening-confirm").count() == 0  # not by the same person
        peer_context = browser.new_context(base_url=live_server.url, locale="fr-FR", timezone_id="Africa/Casablanca")
        peer = peer_context.new_page()
        login(peer, COMMITTEE_PEER)
        peer.goto(f"/consultations/{consultation.pk}/")
        peer.get_by_test_id("opening-confirm").click()
        peer.wait_for_load_state()
        peer.get_by_test_id("evaluation-link").click()
        peer.get_by_test_id("evaluate").click()
        peer.wait_for_url("**/evaluation/")
        peer_context.close()

        page.goto(f"/consultations/{consultation.pk}/evaluation/")
        local_offer = Offer.objects.get(consultation=consultation, supplier__slug=LOCAL[0])
        foreign_offer = Offer.objects.get(consultation=consultation, supplier__slug=FOREIGN[0])
        reasons = list(
            EvaluatedOffer.objects.filter(offer__consultation=consultation).values_list("reasons", flat=True)
        )
        ours = page.get_by_test_id(f"offer-rank-{local_offer.pk}")
        theirs = page.get_by_test_id(f"offer-rank-{foreign_offer.pk}")
        assert ours.get_attribute("data-rank") == "1" and theirs.get_attribute("data-rank") == "2", reasons
        # 1.00 MAD raised by 15 % is compared as 1.15 > 1.10: the preference decides.
        quantities = sum(line.quantity for line in consultation.lots.get().lines.all())
        assert Decimal(theirs.get_attribute("data-compared")) == (Decimal("1.15") * quantities).quantize(
            Decimal("0.01")
        )
        assert Decimal(ours.get_attribute("data-compared")) == (Decimal("1.10") * quantities).quantize(Decimal("0.01"))
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_test_id(f"award-{local_offer.pk}").click()
        page.wait_for_load_state()
        assert page.get_by_test_id("award-current").is_visible()
    award = Award.objects.get(lot__consultation=consultation, cancelled_at__isnull=True)
    assert award.supplier.slug == LOCAL[0]

    # After the standstill period the buyer orders the whole lot; the local-purchase rate moves.
    with clock(award.standstill_until + timedelta(minutes=5)):
        page.goto(f"/consultations/{consultation.pk}/evaluation/")
        page.get_by_test_id("order-create").click()
        for lot_line in consultation.lots.get().lines.all():
            page.fill(f"#id_quantity_{lot_line.pk}", str(int(lot_line.quantity)))
        page.get_by_test_id("order-create").click()
        page.wait_for_url("**/orders/*/")
        order = Order.objects.get(award=award)
        assert order.lines.count() == 2
        rate_after = _rate_local(page, buyer.pk)
    assert rate_after - rate_before == sum(line.value for line in order.lines.all())
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.AWARDED
    assert LineResult.objects.filter(run__plan=plan).exists()
