"""Reads for the OCDS export: a plan the actor may see, as `PlanData`, with exactly the plans' own rules.

The plan is fetched through the plans' selector (`get_visible_or_404` under the `PurchasePlan` policy): a plan
the actor may not see is a 404, never a 403. What the actor sees of it follows `tawrid.demand.policies`, as on
the plan's page and in the plans' API: prices (unit prices, the budget) and the plan's title only for the
buyer's people, the secretariat overseeing it and the operator; the buyer's name and identifier only when the
buyer discloses it or the actor may see the private data.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from tawrid.accounts.models import Organisation
from tawrid.core.errors import NotFound
from tawrid.core.permissions import Actor, visible
from tawrid.demand import policies
from tawrid.demand import selectors as demand_selectors
from tawrid.demand.models import PlanLine, PlanStatus, PurchasePlan
from tawrid.sourcing import selectors as sourcing_selectors
from tawrid.sourcing.models import EvaluationMethod, Lot, LotLine, OfferStatus, OrderLine
from tawrid.sourcing.ocds import build
from tawrid.sourcing.ocds.build import (
    AwardData,
    ClassificationData,
    ContractData,
    ItemData,
    LotData,
    MilestoneData,
    PartyData,
    PlanData,
    TenderData,
    ocid_for,
)

# Packagings of tawrid.demand.units → UN/CEFACT Recommendation 20 codes (packages as Rec 21 codes prefixed "X",
# as Rec 20 lists them). A purchase unit that was not understood is "C62" (one).
PACKAGING_UNITS: dict[str, str] = {
    "unit": "H87",
    "box": "XBX",
    "bottle": "XBO",
    "roll": "XRO",
    "packet": "XPA",
    "sachet": "XSH",
    "carton": "XCT",
    "kit": "KT",
    "set": "SET",
    "pair": "PR",
    "can": "XCA",
    "tube": "XTU",
    "ampoule": "XAM",
    "bag": "XBG",
    "litre": "LTR",
    "kilogram": "KGM",
    "metre": "MTR",
}
UNKNOWN_UNIT = "C62"


def ocid_prefix() -> str:
    return str(settings.OCDS_OCID_PREFIX)


def plan_ocid(plan_id: int) -> str:
    return ocid_for(ocid_prefix(), "plan", plan_id)


def party_id(organisation: Organisation) -> str:
    return f"tawrid-org-{organisation.pk}"


def party_data(organisation: Organisation, roles: tuple[str, ...]) -> PartyData:
    country = organisation.country or ""
    return PartyData(
        id=party_id(organisation),
        name=organisation.name,
        roles=roles,
        legal_id=organisation.legal_id.strip(),
        locality=organisation.city,
        region=organisation.region,
        country_name=str(_("Morocco")) if country == "MA" else country,
    )


def unit_code(packaging: str) -> str:
    return PACKAGING_UNITS.get(packaging, UNKNOWN_UNIT)


def _language() -> str:
    return (translation.get_language() or settings.LANGUAGE_CODE)[:2]


def line_item(line: PlanLine, *, with_price: bool, language: str) -> ItemData:
    """A plan line as an OCDS item: CPV as the classification when the line has one (else EMDN), EMDN always
    among the additional classifications."""
    emdn = ClassificationData("EMDN", line.emdn.code, line.emdn.term) if line.emdn else None
    cpv = None
    if line.cpv:
        label = line.cpv.label_en if language == "en" else line.cpv.label_fr
        cpv = ClassificationData("CPV", line.cpv.code, label)
    return ItemData(
        id=str(line.line_number),
        description=line.designation,
        quantity=line.quantity,
        unit_name=line.unit,
        unit_code=unit_code(line.packaging),
        unit_price=line.unit_price if with_price else None,
        classification=cpv or emdn,
        additional_classifications=(emdn,) if emdn else (),
    )


def _release_date(plan: PurchasePlan, lines: list[PlanLine]) -> Any:
    """When this state of the plan became true: its publication, or for a draft its latest change."""
    if plan.status != PlanStatus.DRAFT and plan.published_at:
        return plan.published_at
    return max([plan.updated_at, *(line.updated_at for line in lines)])


def plan_data(actor: Actor, plan_id: Any) -> PlanData:
    """The plan `plan_id` as the actor may see it (404 for a plan the actor may not see)."""
    plan = demand_selectors.plan_detail(actor, plan_id)
    private = policies.can_see_private(actor, plan)
    disclosed = policies.can_see_buyer(actor, plan)
    language = _language()
    lines = list(demand_selectors.plan_lines(plan))
    values = [line.estimated_value for line in lines if line.estimated_value is not None]
    buyer = site = None
    if disclosed:
        has_site = plan.site_id is not None and plan.site is not None
        buyer = party_data(plan.buyer, ("buyer",) if has_site else ("buyer", "procuringEntity"))
        if has_site and plan.site is not None:
            site = party_data(plan.site, ("procuringEntity",))
    return PlanData(
        ocid=plan_ocid(plan.pk),
        plan_id=plan.pk,
        year=plan.year,
        version=plan.version,
        date=_release_date(plan, lines),
        language=language,
        title=plan.title if private else "",
        buyer=buyer,
        site=site,
        budget=sum(values, Decimal(0)) if private and values else None,
        items=tuple(line_item(line, with_price=private, language=language) for line in lines),
    )


# Consultations ---------------------------------------------------------------------------------------------------
# One contracting process per consultation (`{prefix}-consultation-{pk}`), apart from its plan's: the tender links
# to the plan through relatedProcesses. Every part comes through the consultations' selectors, so the actor sees
# in OCDS exactly what the pages show: the tender of a consultation it may see (published: a draft is no
# contracting process yet), the tenderers among the offers it may see (after the opening only: no offer and no
# amount is told before), the awards it may see, the orders placed against them and their deliveries that it may
# see. The tender carries no value and its items no price: the consultation publishes none.


def consultation_ocid(consultation_id: int) -> str:
    return ocid_for(ocid_prefix(), "consultation", consultation_id)


def _classifications(
    plan_line: PlanLine | None, fallback_emdn: Any, language: str
) -> tuple[ClassificationData | None, tuple[ClassificationData, ...]]:
    """CPV as the classification when known, EMDN then among the additional classifications; else EMDN as the
    classification (given once)."""
    emdn_code = plan_line.emdn if plan_line is not None and plan_line.emdn_id else fallback_emdn
    emdn = ClassificationData("EMDN", emdn_code.code, emdn_code.term) if emdn_code is not None else None
    cpv = None
    if plan_line is not None and plan_line.cpv_id and plan_line.cpv is not None:
        label = plan_line.cpv.label_en if language == "en" else plan_line.cpv.label_fr
        cpv = ClassificationData("CPV", plan_line.cpv.code, label)
    if cpv is None:
        return emdn, ()
    return cpv, (emdn,) if emdn else ()


def _lot_line_item(line: LotLine, lot: Lot, language: str) -> ItemData:
    main, additional = _classifications(line.plan_line, lot.emdn, language)
    return ItemData(
        id=str(line.position),
        description=line.designation,
        quantity=line.quantity,
        unit_name=line.unit,
        unit_code=unit_code(line.plan_line.packaging) if line.plan_line is not None else UNKNOWN_UNIT,
        classification=main,
        additional_classifications=additional,
    )


def _order_line_item(line: OrderLine, lot: Lot, language: str) -> ItemData:
    plan_line = line.plan_line or (line.lot_line.plan_line if line.lot_line is not None else None)
    main, additional = _classifications(plan_line, lot.emdn, language)
    position = line.lot_line.position if line.lot_line is not None else line.position
    unit = line.lot_line.unit if line.lot_line is not None else (plan_line.unit if plan_line else "")
    return ItemData(
        id=f"{lot.number}-{position}",
        description=line.designation,
        quantity=line.quantity,
        unit_name=unit,
        unit_code=unit_code(plan_line.packaging) if plan_line is not None else UNKNOWN_UNIT,
        unit_price=line.unit_price,
        classification=main,
        additional_classifications=additional,
    )


def _lot_lines() -> Any:
    return LotLine.objects.select_related("plan_line__cpv", "plan_line__emdn").order_by("position")


def consultation_releases(actor: Actor, consultation_id: Any) -> tuple[int, list[dict[str, Any]]]:
    """The releases of consultation `consultation_id` the actor may see, oldest first, with the consultation's
    pk (404 for a consultation the actor may not see, or one not published)."""
    consultation = sourcing_selectors.consultation_detail(actor, consultation_id)
    if consultation.published_at is None:
        raise NotFound()
    language = _language()
    ocid = consultation_ocid(consultation.pk)
    buyer = party_data(consultation.buyer, ("buyer", "procuringEntity"))
    lots = list(sourcing_selectors.lots_of(actor, consultation))
    lines_of: dict[int, list[LotLine]] = {lot.pk: [] for lot in lots}
    for line in visible(actor, _lot_lines().filter(lot__in=lots)):
        lines_of[line.lot_id].append(line)
    items_of = {lot.pk: tuple(_lot_line_item(line, lot, language) for line in lines_of[lot.pk]) for lot in lots}
    lot_data = tuple(LotData(id=f"{lot.number}", title=lot.title, items=items_of[lot.pk]) for lot in lots)
    tender = TenderData(
        ocid=ocid,
        tender_id=consultation.reference,
        date=consultation.published_at,
        language=language,
        title=consultation.title,
        status="active",
        buyer=buyer,
        lots=lot_data,
        procurement_method="open" if consultation.open_to_all else "selective",
        award_criteria="ratedCriteria" if consultation.evaluation_method == EvaluationMethod.WEIGHTED else "priceOnly",
        tender_start=consultation.published_at,
        tender_end=consultation.submission_deadline,
        enquiry_end=consultation.questions_deadline,
        plan_ocids=(plan_ocid(consultation.plan_id),) if consultation.plan_id else (),
    )
    releases = [build.tender_release(tender)]
    tenderers: dict[int, PartyData] = {}
    if consultation.opened_at is not None:
        offers = sourcing_selectors.offers_of(actor, consultation=consultation).filter(status=OfferStatus.SUBMITTED)
        for offer in offers.order_by("supplier__name", "supplier_id"):
            tenderers.setdefault(offer.supplier_id, party_data(offer.supplier, ("tenderer",)))
        opened = replace(tender, date=consultation.opened_at, tenderers=tuple(tenderers.values()))
        releases.append(build.tender_release(opened, tag="tenderUpdate"))
    if consultation.cancelled_at is not None:
        cancelled = replace(
            tender, date=consultation.cancelled_at, status="cancelled", tenderers=tuple(tenderers.values())
        )
        releases.append(build.tender_release(cancelled, tag="tenderCancellation"))

    def supplier(organisation: Organisation) -> PartyData:
        return tenderers.get(organisation.pk) or party_data(organisation, ())

    lots_by_pk = {lot.pk: lot for lot in lots}
    for award in sourcing_selectors.awards_of(actor, consultation=consultation):
        lot = lots_by_pk.get(award.lot_id)
        if lot is None:
            continue
        data = AwardData(
            ocid=ocid,
            award_id=f"award-{award.pk}",
            date=award.decided_at,
            language=language,
            status="active",
            buyer=buyer,
            suppliers=(supplier(award.supplier),),
            value=award.amount,
            items=tuple(replace(item, id=f"{lot.number}-{item.id}") for item in items_of[lot.pk]),
            title=f"{lot.number}. {lot.title}",
        )
        releases.append(build.award_release(data))
        if award.cancelled_at is not None:
            cancelled_award = replace(
                data, date=award.cancelled_at, status="cancelled", status_details=award.cancel_reason
            )
            releases.append(build.award_release(cancelled_award, tag="awardUpdate"))
        orders = sourcing_selectors.orders_for(actor).filter(award=award).order_by("ordered_at", "pk")
        for order in orders:
            lines = list(
                sourcing_selectors.order_lines_of(actor, order).select_related(
                    "plan_line__cpv", "plan_line__emdn", "lot_line__plan_line__cpv", "lot_line__plan_line__emdn"
                )
            )
            contract = ContractData(
                ocid=ocid,
                contract_id=f"order-{order.pk}",
                award_id=data.award_id,
                date=order.ordered_at,
                language=language,
                status="active",
                buyer=buyer,
                suppliers=(supplier(order.supplier),),
                value=sum((line.value for line in lines), Decimal(0)),
                items=tuple(_order_line_item(line, lot, language) for line in lines),
                title=data.title,
                date_signed=order.ordered_at,
            )
            releases.append(build.contract_release(contract))
            item_ids = {line.pk: _order_line_item(line, lot, language).id for line in lines}
            milestones: list[MilestoneData] = []
            for delivery in sourcing_selectors.deliveries_of(actor, order):
                received = "; ".join(
                    f"{item_ids.get(part.order_line_id, part.order_line_id)}: {build.number(part.quantity)}"
                    for part in sorted(delivery.lines.all(), key=lambda part: part.order_line.position)
                )
                milestones.append(
                    MilestoneData(
                        id=f"delivery-{delivery.pk}",
                        title=f"delivery-{delivery.pk}",
                        date_met=delivery.received_at,
                        description=received,
                    )
                )
                delivered = replace(contract, date=delivery.received_at, deliveries=tuple(milestones))
                releases.append(build.contract_release(delivered, tag="implementation"))
    releases.sort(key=lambda release: datetime.fromisoformat(release["date"]))
    return consultation.pk, releases
