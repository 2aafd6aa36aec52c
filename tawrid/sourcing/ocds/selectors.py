"""Reads for the OCDS export: a plan the actor may see, as `PlanData`, with exactly the plans' own rules.

The plan is fetched through the plans' selector (`get_visible_or_404` under the `PurchasePlan` policy): a plan
the actor may not see is a 404, never a 403. What the actor sees of it follows `tawrid.demand.policies`, as on
the plan's page and in the plans' API: prices (unit prices, the budget) and the plan's title only for the
buyer's people, the secretariat overseeing it and the operator; the buyer's name and identifier only when the
buyer discloses it or the actor may see the private data.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from tawrid.accounts.models import Organisation
from tawrid.core.permissions import Actor
from tawrid.demand import policies
from tawrid.demand import selectors as demand_selectors
from tawrid.demand.models import PlanLine, PlanStatus, PurchasePlan
from tawrid.sourcing.ocds.build import ClassificationData, ItemData, PartyData, PlanData, ocid_for

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
