"""The OCDS export of consultations (/api/v1/ocds/consultations/ and /ocds/consultations/): a consultation taken
from its publication to a delivery gives tender, award and contract releases that validate; no amount before the
opening; the consultations' visibility (404 for what one may not see); the same JSON through both routes."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from tawrid.accounts.tests.factories import token_for
from tawrid.core.permissions import actor_for
from tawrid.demand.models import PlanLine
from tawrid.nomenclature.models import CpvCode
from tawrid.sourcing import services
from tawrid.sourcing.models import Consultation
from tawrid.sourcing.ocds import export
from tawrid.sourcing.ocds.validate import check
from tawrid.sourcing.tests.factories import AwardWorld, clock, terms
from tawrid.sourcing.tests.test_ocds import no_network  # noqa: F401 (an autouse fixture)

API = "/api/v1/ocds/consultations"


@pytest.fixture
def world(db) -> AwardWorld:
    return AwardWorld()


def auth(user: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(user)[1]}"}


def published(world: AwardWorld) -> Consultation:
    """The world's consultation, its first needle line classified CPV 33141320-9 (the others EMDN only)."""
    plan = world.sourcing_plan()
    world.usual_proposals(plan)
    division = CpvCode.objects.create(
        code="33000000-0", numeric_code=33000000, kind="supplies", level=1,
        label_fr="Matériel médical", label_en="Medical equipments", label_it="Apparecchiature mediche",
    )  # fmt: skip
    needles = CpvCode.objects.create(
        code="33141320-9", numeric_code=33141320, kind="supplies", level=6, parent=division,
        label_fr="Aiguilles médicales", label_en="Medical needles", label_it="Aghi per uso medico",
    )  # fmt: skip
    PlanLine.objects.filter(plan=plan, line_number=1).update(cpv=needles)
    buyer = actor_for(world.buyer)
    consultation = services.consultation_create_from_lines(
        actor=buyer, buyer=world.group, lines=list(plan.lines.order_by("line_number")), data=terms(), user=world.buyer
    )
    return services.consultation_publish(actor=buyer, consultation=consultation)


def delivered(world: AwardWorld, consultation: Consultation) -> Consultation:
    """Offers, opening, evaluation, the needles awarded to Maroc Seringues, ordered and delivered."""
    ours, _theirs = world.needle_offers(consultation, local=("1.12", "1.12"), foreign=("1.00", "1.00"))
    evaluated = world.evaluated(consultation)
    buyer = actor_for(world.buyer)
    with clock(evaluated.opening_at + timedelta(hours=1)):
        award = services.award_make(actor=buyer, lot=world.lot(evaluated, 1), offer=ours)
    with clock(award.standstill_until):
        lines = [{"lot_line": line.pk, "quantity": line.quantity} for line in award.lot.lines.order_by("position")]
        order = services.order_create_from_award(actor=buyer, award=award, lines=lines)
    first, second = order.lines.order_by("position")
    with clock(award.standstill_until + timedelta(days=3)):
        services.delivery_record(actor=buyer, order=order, received={first.pk: "1000", second.pk: "800"})
    with clock(award.standstill_until + timedelta(days=5)):
        services.delivery_record(actor=buyer, order=order, received={first.pk: "500"})
    return evaluated


def amounts(data: Any) -> list[dict[str, Any]]:
    """Every money value ({"amount", "currency"}) anywhere in `data`."""
    if isinstance(data, dict):
        own = [data] if "amount" in data else []
        return own + [money for value in data.values() for money in amounts(value)]
    if isinstance(data, list):
        return [money for value in data for money in amounts(value)]
    return []


def test_a_consultation_through_to_delivery_exports_a_valid_record_package(world):
    consultation = delivered(world, published(world))
    package = export.consultation_record_package(actor_for(world.buyer), consultation.pk)
    report = check(package)
    assert report.errors == []
    (record,) = package["records"]
    assert record["ocid"] == f"ocds-tawrid-consultation-{consultation.pk}"
    tags = [release["tag"][0] for release in record["releases"]]
    assert tags == ["tender", "tenderUpdate", "award", "contract", "implementation", "implementation"]
    assert len({release["id"] for release in record["releases"]}) == len(tags)

    compiled = record["compiledRelease"]
    assert compiled["relatedProcesses"] == [
        {
            "id": "1",
            "relationship": ["planning"],
            "scheme": "ocid",
            "identifier": f"ocds-tawrid-plan-{consultation.plan_id}",
        }
    ]
    items = {item["id"]: item for item in compiled["tender"]["items"]}
    assert items["1-1"]["classification"]["scheme"] == "CPV"
    assert items["1-1"]["classification"]["id"] == "33141320-9"
    assert items["1-1"]["additionalClassifications"][0]["id"] == "A01010101"
    assert items["1-2"]["classification"]["scheme"] == "EMDN"
    assert items["1-2"]["classification"]["id"] == "A01010101"
    assert "additionalClassifications" not in items["1-2"]
    assert {"Maroc Seringues", "Euro Needles"} <= {t["name"] for t in compiled["tender"]["tenderers"]}

    (award,) = compiled["awards"]
    assert award["value"] == {"amount": 2576, "currency": "MAD"}
    assert award["status"] == "active"
    assert [s["name"] for s in award["suppliers"]] == ["Maroc Seringues"]
    (contract,) = compiled["contracts"]
    assert contract["awardID"] == award["id"]
    assert contract["value"] == {"amount": 2576, "currency": "MAD"}
    assert {item["id"]: item["unit"]["value"] for item in contract["items"]} == {
        "1-1": {"amount": 1.12, "currency": "MAD"},
        "1-2": {"amount": 1.12, "currency": "MAD"},
    }
    milestones = contract["implementation"]["milestones"]
    assert [(m["type"], m["status"]) for m in milestones] == [("delivery", "met")] * 2
    assert len(amounts(compiled)) == 4  # the award, the contract and its two unit prices: the tender has none
    assert {money["currency"] for money in amounts(package)} == {"MAD"}
    roles = {p["name"]: set(p["roles"]) for p in compiled["parties"]}
    assert roles["Maroc Seringues"] == {"tenderer", "supplier"}
    assert {"buyer", "procuringEntity"} <= roles[world.group.name]


def test_before_the_opening_the_tender_tells_no_amount(world):
    consultation = published(world)
    world.needle_offers(consultation, local=("1.12", "1.12"), foreign=("1.00", "1.00"))
    for user in (world.buyer, world.manufacturer):
        package = export.consultation_release_package(actor_for(user), consultation.pk)
        assert check(package).errors == []
        (release,) = package["releases"]
        assert release["tag"] == ["tender"]
        assert release["tender"]["status"] == "active"
        assert amounts(package) == []
        assert "tenderers" not in release["tender"] and "awards" not in release
        assert "1.12" not in export.dumps(package) and "1.0" not in json.dumps(release["tender"]["items"])


def test_a_draft_is_no_contracting_process_yet(client, world):
    draft = world.consultation(publish=False)
    response = client.get(f"{API}/{draft.pk}/release-package", headers=auth(world.buyer))
    assert response.status_code == 404


def test_api_and_file_give_the_same_json(client, world):
    consultation = delivered(world, published(world))
    for kind, path in (
        ("release-package", f"{consultation.pk}.json"),
        ("record-package", f"{consultation.pk}/record.json"),
    ):
        response = client.get(f"{API}/{consultation.pk}/{kind}", headers=auth(world.buyer))
        assert response.status_code == 200, response.content
        package = response.json()
        assert check(package).errors == []
        client.force_login(world.buyer)
        download = client.get(f"/ocds/consultations/{path}")
        assert download.status_code == 200
        assert download["Content-Type"].startswith("application/json")
        suffix = "-record" if kind == "record-package" else ""
        assert (
            download["Content-Disposition"]
            == f'attachment; filename="ocds-consultation-{consultation.pk}{suffix}.json"'
        )
        assert json.loads(download.content) == package
        client.logout()


def test_another_organisation_gets_404(client, world):
    consultation = delivered(world, published(world))
    for kind in ("release-package", "record-package"):
        response = client.get(f"{API}/{consultation.pk}/{kind}", headers=auth(world.other_buyer))
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    client.force_login(world.other_buyer)
    for path in (f"/ocds/consultations/{consultation.pk}.json", f"/ocds/consultations/{consultation.pk}/record.json"):
        assert client.get(path).status_code == 404
    assert client.get(f"{API}/999999/release-package", headers=auth(world.superuser)).status_code == 404


def test_anonymous_visitors_get_nothing(client, world):
    consultation = published(world)
    assert client.get(f"{API}/{consultation.pk}/release-package").status_code == 401
    page = client.get(f"/ocds/consultations/{consultation.pk}.json")
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]


def test_the_winning_supplier_sees_its_award_contract_and_only_itself_among_tenderers(world):
    consultation = delivered(world, published(world))
    package = export.consultation_record_package(actor_for(world.manufacturer), consultation.pk)
    assert check(package).errors == []
    compiled = package["records"][0]["compiledRelease"]
    assert [t["name"] for t in compiled["tender"]["tenderers"]] == ["Maroc Seringues"]
    assert len(compiled["awards"]) == 1 and len(compiled["contracts"]) == 1


def test_a_cancelled_consultation_ends_with_a_tender_cancellation(world):
    consultation = published(world)
    with clock(consultation.published_at + timedelta(hours=2)):
        services.consultation_cancel(actor=actor_for(world.buyer), consultation=consultation, reason="Besoin retiré")
    package = export.consultation_record_package(actor_for(world.buyer), consultation.pk)
    assert check(package).errors == []
    (record,) = package["records"]
    assert [release["tag"] for release in record["releases"]] == [["tender"], ["tenderCancellation"]]
    assert record["compiledRelease"]["tender"]["status"] == "cancelled"
