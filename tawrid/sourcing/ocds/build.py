"""OCDS 1.1 releases and packages from plain data: pure functions, no ORM, no settings, no clock.

Selectors turn plans, consultations, awards and orders into the frozen dataclasses below (applying who may see
what); these functions turn the dataclasses into OCDS dicts ready for `json.dumps`. Everything in the output is
derived from the input, so the same data always gives the same JSON (ids and dates included), which keeps
exports stable and lets the API and the downloaded file be compared byte for byte.

Choices (see docs/ocds.md):
- one contracting process per plan version, per consultation: `ocid = f"{prefix}-{kind}-{pk}"`;
- release ids are `f"{ocid}-{tag}-{date}"` (date to the second, in UTC), unique per (ocid, tag, date);
- lots: the standard's lots extension is not in the shipped standard archive, so a lot's items carry the lot in
  their id (`"{lot}-{item}"`) and no `relatedLot` field, the tender's description lists the lots' titles when
  the consultation has no description of its own, and the tender's value is the sum of the lots' values;
- amounts are JSON numbers in MAD; dates are ISO 8601 with the Africa/Casablanca offset.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from tawrid.sourcing.ocds.merge import compile_releases

OCDS_VERSION = "1.1"
CURRENCY = "MAD"
CASABLANCA = ZoneInfo("Africa/Casablanca")

BUYER_ROLES = ("buyer", "procuringEntity")


# Input data ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartyData:
    """An organisation as OCDS names it: `id` is unique within a release and stable across releases."""

    id: str
    name: str
    roles: tuple[str, ...] = ()  # the release adds the role its place implies (buyer, tenderer, supplier)
    legal_id: str = ""  # the Moroccan ICE, when known
    locality: str = ""
    region: str = ""
    country_name: str = ""


@dataclass(frozen=True)
class ClassificationData:
    scheme: str  # "CPV", "EMDN"
    id: str
    description: str = ""


@dataclass(frozen=True)
class ItemData:
    """One thing bought: a plan line, a consultation line, an awarded or ordered line."""

    id: str
    description: str
    quantity: Decimal
    unit_name: str  # as the buyer wrote it: "B/100", "U", "FL/1L"
    unit_code: str  # UN/CEFACT Rec 20 code
    unit_price: Decimal | None = None  # None when unknown or not the reader's to see
    classification: ClassificationData | None = None
    additional_classifications: tuple[ClassificationData, ...] = ()


# A plan line is an item of the plan's planning release.
PlanItem = ItemData


@dataclass(frozen=True)
class PlanData:
    ocid: str
    plan_id: int
    year: int
    version: int
    date: datetime  # when this state of the plan became true (publication, or last change of a draft)
    language: str
    title: str = ""  # empty when not the reader's to see
    buyer: PartyData | None = None  # None when the buyer is not disclosed to the reader
    site: PartyData | None = None
    budget: Decimal | None = None  # Σ estimated values; None when no price is known or shown
    items: tuple[ItemData, ...] = ()


@dataclass(frozen=True)
class LotData:
    id: str
    title: str
    items: tuple[ItemData, ...]
    value: Decimal | None = None


@dataclass(frozen=True)
class TenderData:
    """A consultation (request for quotation) with its lots."""

    ocid: str
    tender_id: str
    date: datetime
    language: str
    title: str
    status: str  # tenderStatus: planned, active, complete, cancelled, unsuccessful, withdrawn
    buyer: PartyData
    lots: tuple[LotData, ...]
    procurement_method: str = "selective"  # invited suppliers; "open" when open to every eligible manufacturer
    method_details: str = ""
    award_criteria: str = "priceOnly"  # or "ratedCriteria" for weighted price and technical score
    tender_start: datetime | None = None
    tender_end: datetime | None = None  # the opening time: offers are sealed until then
    enquiry_end: datetime | None = None  # the deadline for questions
    description: str = ""
    tenderers: tuple[PartyData, ...] = ()  # the suppliers that submitted an offer (known after opening)
    plan_ocids: tuple[str, ...] = ()  # the plans this consultation buys from


@dataclass(frozen=True)
class AwardData:
    ocid: str
    award_id: str
    date: datetime
    language: str
    status: str  # awardStatus: pending, active, cancelled, unsuccessful
    buyer: PartyData
    suppliers: tuple[PartyData, ...]
    value: Decimal
    items: tuple[ItemData, ...]
    title: str = ""
    status_details: str = ""  # e.g. the reason of a cancellation


@dataclass(frozen=True)
class MilestoneData:
    """A delivery received under a contract (an order): an implementation milestone of type "delivery"."""

    id: str
    title: str
    date_met: datetime
    description: str = ""


@dataclass(frozen=True)
class ContractData:
    """An order placed against an award (a direct order against plan lines has its own ocid and award)."""

    ocid: str
    contract_id: str
    award_id: str
    date: datetime
    language: str
    status: str  # contractStatus: pending, active, cancelled, terminated
    buyer: PartyData
    suppliers: tuple[PartyData, ...]
    value: Decimal
    items: tuple[ItemData, ...]
    title: str = ""
    date_signed: datetime | None = None
    period_start: datetime | None = None
    period_end: datetime | None = None
    deliveries: tuple[MilestoneData, ...] = ()  # as implementation milestones


# Small pieces ----------------------------------------------------------------------------------------------------


def ocid_for(prefix: str, kind: str, pk: int | str) -> str:
    return f"{prefix}-{kind}-{pk}"


def ocds_date(value: datetime) -> str:
    """ISO 8601 with the Casablanca offset, to the second (naive datetimes are taken as Casablanca time)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=CASABLANCA)
    return value.astimezone(CASABLANCA).isoformat(timespec="seconds")


def release_id(ocid: str, tag: str, date: datetime) -> str:
    # In UTC: Casablanca's clock goes back an hour for Ramadan, and a local time can happen twice.
    if date.tzinfo is None:
        date = date.replace(tzinfo=CASABLANCA)
    return f"{ocid}-{tag}-{date.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def number(value: Decimal) -> int | float:
    """A JSON number: integral amounts stay integers, others become floats (OCDS amounts are numbers)."""
    return int(value) if value == value.to_integral_value() else float(value)


def money(amount: Decimal) -> dict[str, Any]:
    return {"amount": number(amount), "currency": CURRENCY}


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    """Drop empty values: OCDS prefers absent fields to empty strings or lists."""
    return {key: value for key, value in data.items() if value not in ("", None, [], {})}


def party(data: PartyData) -> dict[str, Any]:
    identifier = {"scheme": "MA-ICE", "id": data.legal_id, "legalName": data.name} if data.legal_id else None
    address = _compact({"locality": data.locality, "region": data.region, "countryName": data.country_name})
    return _compact(
        {"id": data.id, "name": data.name, "identifier": identifier, "address": address, "roles": list(data.roles)}
    )


def reference(data: PartyData) -> dict[str, str]:
    return {"id": data.id, "name": data.name}


def classification(data: ClassificationData) -> dict[str, str]:
    return _compact({"scheme": data.scheme, "id": data.id, "description": data.description})


def item(data: ItemData, *, id_prefix: str = "") -> dict[str, Any]:
    unit = _compact(
        {
            "scheme": "UNCEFACT",
            "id": data.unit_code,
            "name": data.unit_name or data.unit_code,
            "value": money(data.unit_price) if data.unit_price is not None else None,
        }
    )
    return _compact(
        {
            "id": f"{id_prefix}{data.id}",
            "description": data.description,
            "classification": classification(data.classification) if data.classification else None,
            "additionalClassifications": [classification(c) for c in data.additional_classifications],
            "quantity": number(data.quantity),
            "unit": unit,
        }
    )


def _with_role(parties: Iterable[PartyData | None], role: str) -> list[PartyData]:
    return [p if role in p.roles else replace(p, roles=(*p.roles, role)) for p in parties if p is not None]


def _parties(*groups: Iterable[PartyData]) -> list[dict[str, Any]]:
    """Every party once (by id), its roles united, in order of first appearance.

    A later release replaces a party's roles (arrays of strings are not merged), so each release lists all the
    roles a party has had in the process so far: the caller gives them, the release adds the one it implies."""
    merged: dict[str, PartyData] = {}
    for group in groups:
        for data in group:
            known = merged.get(data.id)
            if known is None:
                merged[data.id] = data
            else:
                merged[data.id] = replace(known, roles=(*known.roles, *(r for r in data.roles if r not in known.roles)))
    return [party(p) for p in merged.values()]


def _release(ocid: str, tag: str, date: datetime, language: str, key: str = "") -> dict[str, Any]:
    # `key` tells apart two releases of one tag at the same second (two lots awarded at once).
    return {
        "ocid": ocid,
        "id": release_id(ocid, tag, date) + (f"-{key}" if key else ""),
        "date": ocds_date(date),
        "tag": [tag],
        "initiationType": "tender",
        "language": language,
    }


def _period(start: datetime | None, end: datetime | None) -> dict[str, str] | None:
    period = _compact({"startDate": ocds_date(start) if start else None, "endDate": ocds_date(end) if end else None})
    return period or None


# Releases --------------------------------------------------------------------------------------------------------


def planning_release(plan: PlanData) -> dict[str, Any]:
    """The plan as a planning release: its budget (Σ estimated values) and its lines as the tender's items, the
    tender itself still at status "planning"."""
    release = _release(plan.ocid, "planning", plan.date, plan.language)
    release["parties"] = _parties(_with_role([plan.buyer], "buyer"), _with_role([plan.site], "procuringEntity"))
    if plan.buyer is not None:
        release["buyer"] = reference(plan.buyer)
    budget = _compact(
        {
            "id": f"{plan.ocid}-budget",
            "description": plan.title,
            "amount": money(plan.budget) if plan.budget is not None else None,
        }
    )
    release["planning"] = {"budget": budget}
    procuring = plan.site or plan.buyer
    release["tender"] = _compact(
        {
            "id": f"{plan.ocid}-tender",
            "title": plan.title,
            "status": "planning",
            "procuringEntity": reference(procuring) if procuring else None,
            "mainProcurementCategory": "goods",
            "items": [item(line) for line in plan.items],
            "value": money(plan.budget) if plan.budget is not None else None,
        }
    )
    return _compact(release)


def tender_release(tender: TenderData, *, tag: str = "tender") -> dict[str, Any]:
    """`tag`: "tender" at publication, "tenderUpdate" (e.g. the tenderers, at the opening), "tenderCancellation"."""
    release = _release(tender.ocid, tag, tender.date, tender.language)
    release["parties"] = _parties(_with_role([tender.buyer], "buyer"), _with_role(tender.tenderers, "tenderer"))
    release["buyer"] = reference(tender.buyer)
    known = [lot.value for lot in tender.lots if lot.value is not None]
    value = sum(known, Decimal(0)) if tender.lots and len(known) == len(tender.lots) else None
    release["tender"] = _compact(
        {
            "id": tender.tender_id,
            "title": tender.title,
            # Without the lots extension, the lots' titles are told here (and each item's id names its lot).
            "description": tender.description or "; ".join(f"{lot.id}: {lot.title}" for lot in tender.lots),
            "status": tender.status,
            "procuringEntity": reference(tender.buyer),
            "items": [item(line, id_prefix=f"{lot.id}-") for lot in tender.lots for line in lot.items],
            "value": money(value) if value is not None else None,
            "procurementMethod": tender.procurement_method,
            "procurementMethodDetails": tender.method_details,
            "mainProcurementCategory": "goods",
            "awardCriteria": tender.award_criteria,
            "submissionMethod": ["electronicSubmission"],
            "tenderPeriod": _period(tender.tender_start, tender.tender_end),
            "enquiryPeriod": _period(tender.tender_start, tender.enquiry_end) if tender.enquiry_end else None,
            "tenderers": [reference(t) for t in tender.tenderers],
            "numberOfTenderers": len(tender.tenderers) if tender.tenderers else None,
        }
    )
    if tender.plan_ocids:
        release["relatedProcesses"] = [
            {"id": str(n), "relationship": ["planning"], "scheme": "ocid", "identifier": ocid}
            for n, ocid in enumerate(tender.plan_ocids, start=1)
        ]
    return release


def award_release(award: AwardData, *, tag: str = "award") -> dict[str, Any]:
    """`tag`: "award" at the decision, "awardUpdate" (e.g. its cancellation); the release id names the award."""
    release = _release(award.ocid, tag, award.date, award.language, key=award.award_id)
    release["parties"] = _parties(_with_role([award.buyer], "buyer"), _with_role(award.suppliers, "supplier"))
    release["buyer"] = reference(award.buyer)
    release["awards"] = [
        _compact(
            {
                "id": award.award_id,
                "title": award.title,
                "status": award.status,
                "statusDetails": award.status_details,
                "date": ocds_date(award.date),
                "value": money(award.value),
                "suppliers": [reference(s) for s in award.suppliers],
                "items": [item(line) for line in award.items],
            }
        )
    ]
    return release


def _milestone(data: MilestoneData) -> dict[str, Any]:
    return _compact(
        {
            "id": data.id,
            "title": data.title,
            "type": "delivery",
            "description": data.description,
            "status": "met",
            "dateMet": ocds_date(data.date_met),
        }
    )


def contract_release(contract: ContractData, *, tag: str = "contract") -> dict[str, Any]:
    """`tag`: "contract" when placed, "implementation" for each delivery (the deliveries so far as milestones)."""
    release = _release(contract.ocid, tag, contract.date, contract.language, key=contract.contract_id)
    release["parties"] = _parties(_with_role([contract.buyer], "buyer"), _with_role(contract.suppliers, "supplier"))
    release["buyer"] = reference(contract.buyer)
    release["contracts"] = [
        _compact(
            {
                "id": contract.contract_id,
                "awardID": contract.award_id,
                "title": contract.title,
                "status": contract.status,
                "dateSigned": ocds_date(contract.date_signed) if contract.date_signed else None,
                "period": _period(contract.period_start, contract.period_end),
                "value": money(contract.value),
                "items": [item(line) for line in contract.items],
                "implementation": (
                    {"milestones": [_milestone(m) for m in contract.deliveries]} if contract.deliveries else None
                ),
            }
        )
    ]
    return release


# Packages --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Publisher:
    name: str
    uri: str = ""


def _published_date(releases: Sequence[dict[str, Any]]) -> str:
    # The latest release's date, not the clock: exporting twice gives the same package.
    return max((release["date"] for release in releases), key=datetime.fromisoformat)


def release_package(releases: Sequence[dict[str, Any]], *, uri: str, publisher: Publisher) -> dict[str, Any]:
    if not releases:
        raise ValueError("A release package needs at least one release.")
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "publishedDate": _published_date(releases),
        "publisher": _compact({"name": publisher.name, "uri": publisher.uri}),
        "releases": list(releases),
    }


def record_package(
    releases: Sequence[dict[str, Any]], *, uri: str, publisher: Publisher, schema: dict[str, Any]
) -> dict[str, Any]:
    """One record per ocid: its releases embedded (oldest first) and the compiled release, merged by the OCDS
    merge rules read from `schema` (the shipped release schema)."""
    if not releases:
        raise ValueError("A record package needs at least one release.")
    by_ocid: dict[str, list[dict[str, Any]]] = {}
    for release in releases:
        by_ocid.setdefault(release["ocid"], []).append(release)
    records = []
    for ocid, group in by_ocid.items():
        ordered = sorted(group, key=lambda r: datetime.fromisoformat(r["date"]))
        records.append({"ocid": ocid, "releases": ordered, "compiledRelease": compile_releases(ordered, schema)})
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "publishedDate": _published_date(releases),
        "publisher": _compact({"name": publisher.name, "uri": publisher.uri}),
        "records": records,
    }
