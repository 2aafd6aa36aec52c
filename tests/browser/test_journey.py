"""A real trial, end to end in Chromium, on the demo (issue 16): every step through the pages, as its users do.

1. Groupe Santé Atlas's buyer makes its plan of 2027 ("Nouveau plan") and imports a messy workbook of 25 real
   consumables (needles, syringes, gloves, compresses, Foley catheters — a merged title, a notes sheet, French
   numbers, an empty row, a subtotal, no EMDN column), then publishes it: no line has a code.
2. It starts the plan's matching from the page: the engine applies the codes it is sure of; the plan's "Codes
   EMDN" page shows them as suggestions, and the buyer confirms all the gloves' (T01) in one click.
3. National demand of 2027 counts the plan's coded lines, the engine's apart; a manufacturer sees the groups.
4. On the matching page the buyer ticks needles, syringes and gloves and makes a consultation of them: one lot
   per EMDN group, partial offers allowed, evaluated line by line, national preference 15 %; publishes it.
5. In the syringes lot, a Moroccan manufacturer prices two lines only, at 1.10 MAD; a manufacturer established
   abroad (moved to Spain for the test) prices the same two lines at 1.00 MAD; each gets its receipt.
6. Two members of the buyer's committee open the offers; per line, the foreign 1.00 is compared at 1.15 and
   the Moroccan 1.10 ranks first thanks to the preference; the buyer awards both lines to it.
7. The winner reads "awarded" on its offer page and its home page; the other "not retained", rank 2, with the
   end of the standstill period.
8. After the standstill the buyer orders the two awarded lines from the winner.

Server time is moved with the test's clock (the live server runs in this process), so deadlines pass without
waiting. The classifier is built before the pages wait (first run: it embeds the 8,454 EMDN terms once)."""

import re
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from django.utils import formats, timezone, translation

from tawrid.accounts.models import Organisation
from tawrid.demand.models import DemandAggregate, EmdnSource, PlanStatus, PurchasePlan
from tawrid.demo.services import demo_seed
from tawrid.matching.management.commands.match_run import IMMEDIATE
from tawrid.matching.models import MatchCandidate
from tawrid.matching.services import code_classifier
from tawrid.nomenclature.services import reference_load
from tawrid.sourcing.models import (
    Award,
    Consultation,
    EvaluatedOffer,
    Offer,
    OfferLine,
    OfferReceipt,
    Order,
)
from tawrid.sourcing.tests.factories import clock
from tests.browser.conftest import login
from tests.browser.journey import LINES, messy_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YEAR = 2027  # the demo's plans are of 2026
BUYER = "acheteur@demo.tawrid.ma"
BUYER_ORG = "groupe-sante-atlas"
COMMITTEE_PEER = "membre.groupe-sante-atlas@demo.tawrid.ma"
MANUFACTURER = "fabricant@demo.tawrid.ma"  # Injecta Maroc: reads national demand
LOCAL = ("acutec-medical", "admin.acutec-medical@demo.tawrid.ma", "1.10")
FOREIGN = ("seringa-atlas", "admin.seringa-atlas@demo.tawrid.ma", "1.00")  # moved abroad for the test
TICKED_GROUPS = {"A01": 1, "A02": 3, "T01": 2}  # how many lines of each group go into the consultation
OFFER_GROUP = "A02"  # the lot both makers offer on, two lines of it


def _context(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", timezone_id="Africa/Casablanca")
    context.set_default_timeout(30_000)
    return context, context.new_page()


def _proposed(line) -> set[str]:
    return set(
        MatchCandidate.objects.filter(result__line=line, verdict="good", score__gte=0.5).values_list(
            "product__manufacturer__slug", flat=True
        )
    )


def _digits(text: str) -> str:
    """A French amount as shown ("1 980,00", narrow spaces) as plain digits with a decimal point."""
    return re.sub(r"\s", "", text).replace(",", ".")


def _offer(browser, live_server, email: str, consultation: Consultation, lot, lines, price: str):
    """A maker prices only `lines` of `lot` (a partial offer) and submits: sealed, with its receipt."""
    context, page = _context(browser, live_server)
    login(page, email)
    page.goto(f"/consultations/{consultation.pk}/")
    page.get_by_test_id(f"offer-open-{lot.number}").click()
    assert page.get_by_test_id("offer-partial").is_visible()
    for line in lines:
        page.get_by_test_id(f"offer-price-{line.pk}").fill(price.replace(".", ","))  # French decimal comma
        page.get_by_test_id(f"offer-days-{line.pk}").fill("20")
    page.get_by_test_id("offer-submit").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("offer-status").get_attribute("data-status") == "submitted"
    offer = Offer.objects.get(lot=lot, supplier__slug=email.split("@")[0].removeprefix("admin."))
    receipt = OfferReceipt.objects.get(offer=offer, version=offer.version)
    assert page.get_by_test_id("receipt-fingerprint").inner_text() == receipt.fingerprint
    assert price.replace(".", ",") not in page.content()  # sealed: not even its author reads it back
    context.close()
    return offer


def _result(browser, live_server, email: str, consultation: Consultation, offer: Offer) -> dict:
    """What a bidder reads of its offer's result: on its home page's card, then on the offer page."""
    context, page = _context(browser, live_server)
    login(page, email)
    page.goto("/")
    card = page.locator(f"[data-testid=offer-results-card] [data-testid=offer-result][data-offer='{offer.pk}']")
    seen = {"card": card.get_attribute("data-status")}
    card.get_by_role("link").click()
    page.wait_for_url(f"**/consultations/{consultation.pk}/lots/{offer.lot_id}/offer/")
    result = page.get_by_test_id("offer-result")
    seen["status"] = result.get_attribute("data-status")
    seen["label"] = page.get_by_test_id("result-label").inner_text().strip()
    seen["lines"] = [
        (row.get_attribute("data-rank"), row.get_attribute("data-awarded"))
        for row in page.get_by_test_id("result-line").all()
    ]
    seen["standstill"] = page.get_by_test_id("result-standstill").inner_text().strip()
    context.close()
    return seen


def test_a_messy_plan_becomes_an_order_through_codes_demand_lots_partial_offers_and_the_preference(
    browser, live_server, page, tmp_path
):
    reference_load(which=["emdn"])
    demo_seed()
    code_classifier()  # built outside the pages' waits (see test_matching)
    group = Organisation.objects.get(slug=BUYER_ORG)
    Organisation.objects.filter(slug=FOREIGN[0]).update(country="ES")
    assert not PurchasePlan.objects.filter(buyer=group, year=YEAR).exists()
    page.on("dialog", lambda dialog: dialog.accept())

    # 1. The plan: "Nouveau plan", the messy workbook imported through upload, mapping, preview; published.
    login(page, BUYER)
    page.goto("/plans/")
    page.click("[data-testid=plan-create]")
    page.select_option("[data-testid=plan-form] select[name=buyer]", str(group.pk))
    page.fill("input[name=year]", str(YEAR))
    page.fill("input[name=title]", f"Consommables {YEAR}")
    page.click("[data-testid=plan-form] button[type=submit]")
    page.wait_for_selector("[data-testid=plan-actions]")
    plan = PurchasePlan.objects.get(buyer=group, year=YEAR)

    page.click("[data-testid=plan-import]")
    page.set_input_files("input[name=file]", str(messy_plan(tmp_path, YEAR)))
    page.click("[data-testid=upload-form] button[type=submit]")
    page.wait_for_selector("[data-testid=mapping-form]")
    assert page.input_value("select[name=sheet]") == "Besoins"  # past the notes sheet
    assert page.input_value("input[name=header_row]") == "4"  # past the merged title
    assert [page.input_value(f"select[name=col_{i}]") for i in range(1, 6)] == [
        "buyer_reference",
        "designation",
        "quantity",
        "unit",
        "unit_price",
    ]
    page.click("[data-testid=save-mapping]")
    page.wait_for_selector("[data-testid=preview] table")
    assert "1200" in page.inner_text("[data-testid=preview]")  # "1 200" read as a number
    page.click("[data-testid=execute]")
    page.wait_for_selector("[data-testid=run-status]:text-matches('Imported|Importé', 'i')")
    assert page.inner_text("[data-testid=created-count]") == str(len(LINES))  # the subtotal is not a line
    page.goto(f"/plans/{plan.pk}/")
    page.click("[data-testid=plan-publish]")
    page.wait_for_selector("[data-testid=plan-amend]")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PUBLISHED and plan.lines.count() == len(LINES)
    assert not plan.lines.filter(emdn__isnull=False).exists()  # no EMDN column: no code yet
    assert plan.lines.get(line_number=1).quantity == 1200

    # 2. The matching, started from the page, applies the codes the engine is sure of.
    page.get_by_test_id("plan-matching").click()
    page.wait_for_url(f"**/matching/plans/{plan.pk}/")
    with override_settings(TASKS=IMMEDIATE), page.expect_navigation(timeout=600_000):
        page.get_by_test_id("match-start").click(no_wait_after=True)
    assert page.get_by_test_id("run-status").inner_text() in ("Terminé", "Done")
    by_group: dict[str, list] = {}
    for line in plan.lines.select_related("emdn").order_by("line_number"):
        if line.emdn is not None:
            assert line.emdn_source == EmdnSource.SUGGESTED
            by_group.setdefault(line.emdn.code[:3], []).append(line)
    coded = sum(len(lines) for lines in by_group.values())
    assert coded >= 20, by_group  # real designations: the engine is sure of most
    gloves = by_group["T01"]
    assert [line.designation[:4] for line in gloves] == ["GANT"] * len(gloves)

    page.goto(f"/plans/{plan.pk}/")
    page.click("[data-testid=plan-codes]")
    first_glove = gloves[0]
    source = page.inner_text(f"[data-testid=code-line-{first_glove.line_number}] [data-testid=source]")
    assert first_glove.emdn.code in source and "%" in source  # suggested, with its confidence
    assert page.inner_text("[data-testid=count-suggested]") == str(coded)
    page.click("[data-testid=confirm-group-T01]")
    page.wait_for_load_state()
    assert page.inner_text("[data-testid=count-confirmed]") == str(len(gloves))
    assert set(plan.lines.filter(emdn__code__startswith="T01").values_list("emdn_source", flat=True)) == {
        EmdnSource.CONFIRMED
    }

    # 3. National demand of the year counts the plan's coded lines (refreshed by the jobs, run at once here).
    emdn_rows = DemandAggregate.objects.filter(year=YEAR, scheme="emdn", region="", buyer_kind="")
    for code, lines in by_group.items():
        row = emdn_rows.get(code=code)
        suggested = 0 if code == "T01" else len(lines)
        assert (row.lines_count, row.lines_suggested, row.buyers_count) == (len(lines), suggested, 1), code
    assert sum(emdn_rows.filter(level=1).values_list("lines_count", flat=True)) == coded
    maker_context, maker = _context(browser, live_server)
    login(maker, MANUFACTURER)
    maker.goto("/")
    maker.click('.main-nav [data-menu="demand"]')
    maker.wait_for_selector("[data-testid=national-filters]")
    for category, code in (("T", "T01"), ("A", OFFER_GROUP)):
        maker.select_option("select[name=year]", str(YEAR))
        maker.select_option("select[name=category]", category)
        maker.select_option("select[name=level]", "all")
        maker.click("[data-testid=national-filter]")
        maker.wait_for_url(f"**category={category}**")
        row = maker.locator("[data-testid=national-table] tr", has=maker.locator(f"a:text-is('{code}')"))
        lines_cell = row.locator("td").nth(3)
        assert lines_cell.inner_text().split()[0] == str(len(by_group[code])), code
        # The engine's codes are counted apart until the buyer confirms them (the gloves are confirmed).
        assert lines_cell.get_by_test_id("lines-suggested").count() == (0 if code == "T01" else 1), code
        assert "Groupe Santé Atlas" not in maker.content()  # no buyer's name
    maker_context.close()

    # 4. The consultation from ticked lines of three groups: one lot per group, partial offers, per line, 15 %.
    ticked = []
    for code, count in TICKED_GROUPS.items():
        # Lines the matching proposes suppliers for (they are invited), the two bidders' first.
        proposed = {line.pk: _proposed(line) for line in by_group[code]}
        both = [line for line in by_group[code] if {LOCAL[0], FOREIGN[0]} <= proposed[line.pk]]
        wanted = both + sorted(
            (line for line in by_group[code] if line not in both), key=lambda other: not proposed[other.pk]
        )
        assert len(both) >= (2 if code == OFFER_GROUP else 0) and len(wanted) >= count, (code, proposed)
        ticked += wanted[:count]
    page.goto(f"/matching/plans/{plan.pk}/")
    for line in ticked:
        page.get_by_test_id(f"consultation-line-{line.line_number}").check()
    page.get_by_test_id("consultation-create-from-lines").click()
    page.wait_for_url("**/consultations/new/**")
    form = page.get_by_test_id("consultation-form")
    assert form.locator("input[name=lines]:checked").count() == len(ticked)
    casablanca = timezone.localtime(timezone.now(), ZoneInfo("Africa/Casablanca")).replace(second=0, microsecond=0)

    def moment(delta: timedelta) -> str:
        return (casablanca + delta).strftime("%Y-%m-%dT%H:%M")

    page.fill("#id_reference", f"AO-GSA-{YEAR}-01")
    page.fill("#id_title", "Consommables : aiguilles, seringues et gants")
    assert page.input_value("#id_grouping") == "emdn_group"
    page.select_option("#id_evaluation_method", "lowest_price")
    page.check("#id_partial_offers")
    page.select_option("#id_evaluation_basis", "line")
    page.fill("#id_national_preference_rate", "15")  # a percentage
    page.fill("#id_questions_deadline", moment(timedelta(days=1)))
    page.fill("#id_submission_deadline", moment(timedelta(days=2)))
    page.fill("#id_opening_at", moment(timedelta(days=2, hours=1)))
    page.get_by_test_id("consultation-create").click()
    page.wait_for_url("**/consultations/*/")
    consultation = Consultation.objects.get(reference=f"AO-GSA-{YEAR}-01")
    assert consultation.partial_offers and consultation.evaluation_basis == "line"
    assert consultation.national_preference_rate == Decimal("0.15")
    lots = {lot.emdn.code if lot.emdn else "": lot for lot in consultation.lots.select_related("emdn")}
    assert sorted(lots) == sorted(TICKED_GROUPS), lots
    for code, count in TICKED_GROUPS.items():
        assert lots[code].lines.count() == count and lots[code].title.startswith(code)
    page.get_by_test_id("consultation-publish").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("consultation-status").get_attribute("data-status") == "published"
    consultation.refresh_from_db()

    # 5. Two makers price the same two lines of the syringes lot, and only those.
    lot = lots[OFFER_GROUP]
    priced = list(lot.lines.order_by("position"))[:2]
    ours = _offer(browser, live_server, LOCAL[1], consultation, lot, priced, LOCAL[2])
    theirs = _offer(browser, live_server, FOREIGN[1], consultation, lot, priced, FOREIGN[2])

    # 6. The committee opens (two members), evaluates; per line, the preference decides; the buyer awards.
    opening = consultation.opening_at + timedelta(minutes=5)
    with clock(opening):
        page.goto(f"/consultations/{consultation.pk}/")
        page.get_by_test_id("opening-request").click()
        page.wait_for_load_state()
        assert page.get_by_test_id("opening-requested").is_visible()
        assert page.get_by_test_id("opening-confirm").count() == 0  # not by the same person
        peer_context, peer = _context(browser, live_server)
        login(peer, COMMITTEE_PEER)
        peer.goto(f"/consultations/{consultation.pk}/")
        peer.get_by_test_id("opening-confirm").click()
        peer.wait_for_load_state()
        peer.get_by_test_id("evaluation-link").click()
        peer.get_by_test_id("evaluate").click()
        peer.wait_for_url("**/evaluation/")
        peer_context.close()
        assert set(OfferLine.objects.filter(offer__lot=lot).values_list("lot_line_id", flat=True)) == {
            line.pk for line in priced
        }  # unsealed: the two lines priced, nothing else

        page.goto(f"/consultations/{consultation.pk}/evaluation/")
        for line in priced:
            rows = {row.offer_id: row for row in EvaluatedOffer.objects.filter(lot_line=line, offer__in=[ours, theirs])}
            reasons = [row.reasons for row in rows.values()]
            local_row = page.get_by_test_id(f"line-offer-{line.pk}-{ours.pk}")
            foreign_row = page.get_by_test_id(f"line-offer-{line.pk}-{theirs.pk}")
            assert local_row.get_attribute("data-rank") == "1", reasons
            assert foreign_row.get_attribute("data-rank") == "2", reasons
            # 1.00 MAD raised by 15 % is compared as 1.15 > 1.10: the preference decides.
            quantity = line.quantity
            assert rows[theirs.pk].amount == (Decimal("1.00") * quantity).quantize(Decimal("0.01"))
            assert rows[theirs.pk].compared_amount == (Decimal("1.15") * quantity).quantize(Decimal("0.01"))
            assert rows[ours.pk].compared_amount == (Decimal("1.10") * quantity).quantize(Decimal("0.01"))
            shown = local_row.locator("td").nth(3).inner_text()
            assert _digits(shown) == f"{rows[ours.pk].compared_amount:.2f}"
            assert _digits(foreign_row.locator("td").nth(3).inner_text()) == f"{rows[theirs.pk].compared_amount:.2f}"
            page.get_by_test_id(f"award-line-{line.pk}-{ours.pk}").click()
            page.wait_for_load_state()
            assert page.get_by_test_id(f"line-award-{line.pk}").is_visible()
    awards = list(Award.objects.filter(lot=lot, cancelled_at__isnull=True).order_by("lot_line__position"))
    assert [(award.lot_line_id, award.supplier.slug) for award in awards] == [(line.pk, LOCAL[0]) for line in priced]
    standstill_until = max(award.standstill_until for award in awards)

    # 7. Both bidders read the result, on their home page and on their offer page.
    with translation.override("fr"):
        not_retained, awarded = (
            str(translation.gettext("Not retained")),
            str(translation.gettext("Awarded to your offer")),
        )
        standstill = formats.date_format(timezone.localtime(standstill_until), "DATETIME_FORMAT")
    winner = _result(browser, live_server, LOCAL[1], consultation, ours)
    loser = _result(browser, live_server, FOREIGN[1], consultation, theirs)
    assert (winner["card"], winner["status"], winner["label"]) == ("awarded", "awarded", awarded), winner
    assert winner["lines"] == [("1", "true"), ("1", "true")], winner
    assert (loser["card"], loser["status"], loser["label"]) == ("not_retained", "not_retained", not_retained), loser
    assert loser["lines"] == [("2", "false"), ("2", "false")], loser
    assert loser["standstill"] == standstill == winner["standstill"]

    # 8. After the standstill the buyer orders the two lines from the winner.
    local = Organisation.objects.get(slug=LOCAL[0])
    with clock(standstill_until + timedelta(minutes=5)):
        page.goto(f"/consultations/{consultation.pk}/evaluation/")
        page.get_by_test_id(f"order-lines-{local.pk}").click()
        for line in priced:
            page.fill(f"#id_quantity_{line.pk}", str(int(line.quantity)))
        page.get_by_test_id("order-create").click()
        page.wait_for_url("**/orders/*/")
    order = Order.objects.filter(lines__lot_line__lot=lot).distinct().get()
    assert order.supplier_id == local.pk and order.buyer_id == group.pk
    assert sorted(order.lines.values_list("lot_line_id", "quantity")) == sorted(
        (line.pk, line.quantity) for line in priced
    )
    assert sum(line.value for line in order.lines.all()) == sum(
        (Decimal(LOCAL[2]) * line.quantity).quantize(Decimal("0.01")) for line in priced
    )
