"""The OCDS export: releases built from plain data, packages of a realistic plan, validation with libcoveocds
(offline, against the shipped standard), merging, what a manufacturer sees, and the validation command."""

from __future__ import annotations

import copy
import json
import urllib.request
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests.adapters
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from tawrid.catalog.tests.factories import emdn
from tawrid.core.permissions import actor_for
from tawrid.demand import services as demand_services
from tawrid.demand.models import PlanLine, PurchasePlan
from tawrid.demand.tests.factories import DemandWorld, line_data
from tawrid.nomenclature.models import CpvCode
from tawrid.sourcing.ocds import build, export, selectors
from tawrid.sourcing.ocds.merge import compile_releases
from tawrid.sourcing.ocds.standard import release_schema
from tawrid.sourcing.ocds.validate import check, config, validate

CASABLANCA = ZoneInfo("Africa/Casablanca")
BUDGET = Decimal("120") * Decimal("45.50") + Decimal("300") * Decimal("39.90") + Decimal("4") * Decimal("12000")


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any attempt to reach the internet fails the test (libcoveocds would download the standard by default)."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"network access attempted: {args[1:2]}")

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)


class OcdsWorld(DemandWorld):
    """The plans' world plus EMDN and CPV codes and a realistic plan of a group's site."""

    def __init__(self) -> None:
        super().__init__()
        self.group.legal_id = "001561191000066"
        self.group.save(update_fields=["legal_id"])
        emdn("A01010101", "HYPODERMIC SYRINGE NEEDLES")
        emdn("T01020201", "NITRILE EXAMINATION GLOVES")
        division = CpvCode.objects.create(
            code="33000000-0", numeric_code=33000000, kind="supplies", level=1,
            label_fr="Matériel médical", label_en="Medical equipments", label_it="Apparecchiature mediche",
        )  # fmt: skip
        CpvCode.objects.create(
            code="33141320-9", numeric_code=33141320, kind="supplies", level=6, parent=division,
            label_fr="Aiguilles médicales", label_en="Medical needles", label_it="Aghi per uso medico",
        )  # fmt: skip

    def realistic_plan(self, *, publish: bool = True, disclose_buyer: bool = False) -> PurchasePlan:
        actor = actor_for(self.buyer)
        plan = demand_services.plan_create(
            actor=actor, buyer=self.group, site=self.site, year=2026, title="Plan d'achats locaux 2026",
            disclose_buyer=disclose_buyer,
        )  # fmt: skip
        for designation, quantity, unit, price, codes in (
            ("AIGUILLE HYPODERMIQUE STERILE U.U. 25 X 8 / 10 G 21", "120", "B/100", "45.50",
             {"emdn_code": "A01010101", "cpv_code": "33141320-9"}),
            ("GANTS D'EXAMEN NITRILE NON POUDRES T/M", "300", "BTE/100", "39.90", {"emdn_code": "T01020201"}),
            ("SOLUTION HYDROALCOOLIQUE", "50", "FL/1L", "", {}),
            ("PROTHESE TOTALE DE HANCHE CIMENTEE", "4", "U", "12000", {}),
        ):  # fmt: skip
            extra: dict[str, Any] = dict(codes)
            if price:
                extra["unit_price"] = price
            demand_services.line_create(
                actor=actor, plan=plan, data=line_data(designation, quantity=quantity, unit=unit, **extra)
            )
        if publish:
            plan = demand_services.plan_publish(actor=actor, plan=plan)
        return plan


@pytest.fixture
def world(db) -> OcdsWorld:
    return OcdsWorld()


def _items(package: dict[str, Any]) -> list[dict[str, Any]]:
    return package["releases"][0]["tender"]["items"]


# Validation offline -----------------------------------------------------------------------------------------------


def test_libcoveocds_reads_the_shipped_standard():
    settings = config().config
    assert settings["context"] == "api"
    assert settings["standard_zip"].startswith("file:///")
    assert settings["standard_zip"].endswith("data/reference/ocds/standard-1__1__5.zip")


def test_a_broken_package_gives_errors():
    release = build.planning_release(_plan_data())
    good = build.release_package([release], uri="https://tawrid.example/p/1", publisher=build.Publisher("Tawrid"))
    assert validate(good) == []

    no_ocid = copy.deepcopy(good)
    del no_ocid["releases"][0]["ocid"]
    assert any("ocid" in error for error in validate(no_ocid))

    bad_tag = copy.deepcopy(good)
    bad_tag["releases"][0]["tag"] = ["plan"]
    assert validate(bad_tag)

    text_amount = copy.deepcopy(good)
    text_amount["releases"][0]["planning"]["budget"]["amount"]["amount"] = "65 430,00"
    assert any("amount" in error for error in validate(text_amount))

    bad_prefix = json.loads(json.dumps(good).replace("ocds-tawrid-", "tawrid-"))
    assert any("prefix" in error for error in validate(bad_prefix))

    assert validate({}) and validate([]) and validate({"version": "1.1", "releases": "none"})


def test_empty_fields_are_warnings_not_errors():
    release = build.planning_release(_plan_data())
    release["tender"]["description"] = "   "
    package = build.release_package([release], uri="https://tawrid.example/p/1", publisher=build.Publisher("T"))
    report = check(package)
    assert report.errors == []
    assert any("tender/description" in warning and "empty field" in warning for warning in report.warnings)


def test_packages_naming_extensions_are_refused_before_any_download():
    release = build.planning_release(_plan_data())
    package = build.release_package([release], uri="https://tawrid.example/p/1", publisher=build.Publisher("T"))
    package["extensions"] = ["https://raw.githubusercontent.com/open-contracting-extensions/x/extension.json"]
    assert any(error.startswith("extensions") for error in validate(package))


# Releases built from plain data ----------------------------------------------------------------------------------


def _party(pk: int, name: str, roles: tuple[str, ...], **extra: Any) -> build.PartyData:
    return build.PartyData(id=f"tawrid-org-{pk}", name=name, roles=roles, **extra)


NEEDLE = build.ItemData(
    id="1",
    description="AIGUILLE HYPODERMIQUE STERILE U.U. 25 X 8 / 10 G 21",
    quantity=Decimal("120"),
    unit_name="B/100",
    unit_code="XBX",
    unit_price=Decimal("45.50"),
    classification=build.ClassificationData("CPV", "33141320-9", "Aiguilles médicales"),
    additional_classifications=(build.ClassificationData("EMDN", "A01010101", "HYPODERMIC SYRINGE NEEDLES"),),
)
GLOVES = build.ItemData(
    id="2",
    description="GANTS D'EXAMEN NITRILE NON POUDRES T/M",
    quantity=Decimal("300"),
    unit_name="BTE/100",
    unit_code="XBX",
    unit_price=Decimal("39.90"),
    classification=build.ClassificationData("EMDN", "T01020201", "NITRILE EXAMINATION GLOVES"),
    additional_classifications=(build.ClassificationData("EMDN", "T01020201", "NITRILE EXAMINATION GLOVES"),),
)
BUYER = _party(1, "Groupe Santé Atlas", build.BUYER_ROLES, legal_id="001561191000066", country_name="Maroc")
LOCAL = _party(2, "Maroc Seringues", ("tenderer",), locality="Casablanca", country_name="Maroc")
FOREIGN = _party(3, "Iberia Medical SL", ("tenderer",), country_name="ES")
OCID = "ocds-tawrid-consultation-7"


def _plan_data(**changes: Any) -> build.PlanData:
    data = build.PlanData(
        ocid="ocds-tawrid-plan-1",
        plan_id=1,
        year=2026,
        version=1,
        date=datetime(2026, 1, 15, 10, 30, tzinfo=CASABLANCA),
        language="fr",
        title="Plan d'achats locaux 2026",
        buyer=BUYER,
        budget=Decimal("17430.00"),
        items=(NEEDLE, GLOVES),
    )
    return build.PlanData(**{**data.__dict__, **changes})


def _tender() -> build.TenderData:
    return build.TenderData(
        ocid=OCID,
        tender_id="consultation-7",
        date=datetime(2026, 4, 1, 9, 0, tzinfo=CASABLANCA),
        language="fr",
        title="Aiguilles et gants 2026",
        status="complete",
        buyer=BUYER,
        lots=(
            build.LotData(id="lot-1", title="Aiguilles", items=(NEEDLE,), value=Decimal("5460")),
            build.LotData(id="lot-2", title="Gants", items=(GLOVES,), value=Decimal("11970")),
        ),
        method_details="Consultation (demande de prix) avec préférence nationale",
        tender_start=datetime(2026, 4, 1, 9, 0, tzinfo=CASABLANCA),
        tender_end=datetime(2026, 4, 20, 10, 0, tzinfo=CASABLANCA),
        enquiry_end=datetime(2026, 4, 10, 17, 0, tzinfo=CASABLANCA),
        tenderers=(LOCAL, FOREIGN),
        plan_ocids=("ocds-tawrid-plan-1",),
    )


def _award() -> build.AwardData:
    return build.AwardData(
        ocid=OCID,
        award_id="award-11",
        date=datetime(2026, 4, 25, 12, 0, tzinfo=CASABLANCA),
        language="fr",
        status="active",
        buyer=BUYER,
        suppliers=(LOCAL,),
        value=Decimal("4920.00"),
        items=(NEEDLE,),
        title="Lot 1 — Aiguilles",
    )


def _contract() -> build.ContractData:
    return build.ContractData(
        ocid=OCID,
        contract_id="order-31",
        award_id="award-11",
        date=datetime(2026, 5, 11, 8, 15, tzinfo=CASABLANCA),
        language="fr",
        status="active",
        buyer=BUYER,
        suppliers=(LOCAL,),
        value=Decimal("4920.00"),
        items=(NEEDLE,),
        date_signed=datetime(2026, 5, 11, 8, 15, tzinfo=CASABLANCA),
        period_start=datetime(2026, 5, 11, 8, 15, tzinfo=CASABLANCA),
        period_end=datetime(2026, 6, 30, 18, 0, tzinfo=CASABLANCA),
    )


def test_planning_release_from_plain_data():
    release = build.planning_release(_plan_data())
    assert release["tag"] == ["planning"] and release["initiationType"] == "tender"
    assert release["id"] == "ocds-tawrid-plan-1-planning-20260115T093000Z"
    assert release["date"] == "2026-01-15T10:30:00+01:00"
    assert release["planning"]["budget"]["amount"] == {"amount": 17430, "currency": "MAD"}
    assert release["tender"]["status"] == "planning"
    assert release["parties"][0]["roles"] == ["buyer", "procuringEntity"]
    assert release["parties"][0]["identifier"] == {
        "scheme": "MA-ICE",
        "id": "001561191000066",
        "legalName": "Groupe Santé Atlas",
    }
    needle = release["tender"]["items"][0]
    assert needle["classification"] == {"scheme": "CPV", "id": "33141320-9", "description": "Aiguilles médicales"}
    assert needle["additionalClassifications"][0]["scheme"] == "EMDN"
    assert needle["unit"] == {
        "scheme": "UNCEFACT",
        "id": "XBX",
        "name": "B/100",
        "value": {"amount": 45.5, "currency": "MAD"},
    }


def test_tender_award_and_contract_releases_validate_as_packages():
    releases = [build.tender_release(_tender()), build.award_release(_award()), build.contract_release(_contract())]
    publisher = build.Publisher("Tawrid", "https://tawrid.example/")
    package = build.release_package(releases, uri="https://tawrid.example/c/7", publisher=publisher)
    assert validate(package) == []
    assert package["publishedDate"] == "2026-05-11T08:15:00+01:00"
    assert [r["tag"] for r in releases] == [["tender"], ["award"], ["contract"]]
    assert len({r["id"] for r in releases}) == 3

    tender = releases[0]["tender"]
    # No lots extension in the shipped standard: each item carries its lot in its id, without relatedLot.
    assert [i["id"] for i in tender["items"]] == ["lot-1-1", "lot-2-2"]
    assert all("relatedLot" not in i for i in tender["items"])
    assert tender["description"] == "lot-1: Aiguilles; lot-2: Gants"
    assert tender["value"] == {"amount": 17430, "currency": "MAD"}
    assert tender["tenderPeriod"]["endDate"] == "2026-04-20T10:00:00+01:00"
    assert tender["numberOfTenderers"] == 2
    assert releases[0]["relatedProcesses"][0] == {
        "id": "1",
        "relationship": ["planning"],
        "scheme": "ocid",
        "identifier": "ocds-tawrid-plan-1",
    }
    supplier = next(p for p in releases[0]["parties"] if p["id"] == "tawrid-org-2")
    assert supplier["roles"] == ["tenderer"]
    awarded = next(p for p in releases[1]["parties"] if p["id"] == "tawrid-org-2")
    assert awarded["roles"] == ["tenderer", "supplier"]
    assert releases[2]["contracts"][0]["awardID"] == releases[1]["awards"][0]["id"]

    records = build.record_package(
        list(reversed(releases)), uri="https://tawrid.example/c/7/r", publisher=publisher, schema=release_schema()
    )
    assert validate(records) == []
    record = records["records"][0]
    assert [r["tag"] for r in record["releases"]] == [["tender"], ["award"], ["contract"]]  # oldest first
    compiled = record["compiledRelease"]
    assert compiled["tag"] == ["compiled"] and compiled["date"] == "2026-05-11T08:15:00+01:00"
    assert compiled["tender"]["status"] == "complete"
    assert compiled["awards"][0]["suppliers"] == [{"id": "tawrid-org-2", "name": "Maroc Seringues"}]
    assert compiled["contracts"][0]["value"] == {"amount": 4920, "currency": "MAD"}
    assert {p["id"]: p["roles"] for p in compiled["parties"]} == {
        "tawrid-org-1": ["buyer", "procuringEntity"],
        "tawrid-org-2": ["tenderer", "supplier"],
        "tawrid-org-3": ["tenderer"],
    }


def test_compiled_release_follows_the_merge_rules_of_the_schema():
    first = build.planning_release(_plan_data())
    later_needle = build.ItemData(
        **{
            **NEEDLE.__dict__,
            "quantity": Decimal("150"),
            "additional_classifications": (build.ClassificationData("EMDN", "A0101", "NEEDLES"),),
        }
    )
    second = build.planning_release(
        _plan_data(date=datetime(2026, 4, 2, 9, 0, tzinfo=CASABLANCA), title="Plan amendé", items=(later_needle,))
    )
    second["tender"]["procuringEntity"] = None  # a null removes the field
    compiled = compile_releases([second, first], release_schema())
    assert compiled["id"] == "ocds-tawrid-plan-1-2026-04-02T09:00:00+01:00"
    assert compiled["tender"]["title"] == "Plan amendé"
    assert "procuringEntity" not in compiled["tender"]
    items = {i["id"]: i for i in compiled["tender"]["items"]}
    assert set(items) == {"1", "2"}  # items merge by id: the gloves stay
    assert items["1"]["quantity"] == 150
    # additionalClassifications is wholeListMerge in the schema: replaced, not merged by id
    assert items["1"]["additionalClassifications"] == [{"scheme": "EMDN", "id": "A0101", "description": "NEEDLES"}]
    with pytest.raises(ValueError, match="several"):
        compile_releases([first, build.tender_release(_tender())], release_schema())


# A realistic plan -------------------------------------------------------------------------------------------------


def test_release_package_of_a_realistic_plan_validates_with_zero_errors(world):
    plan = world.realistic_plan()
    package = export.plan_release_package(actor_for(world.buyer), plan.pk)
    assert validate(package) == []

    release = package["releases"][0]
    assert release["ocid"] == f"ocds-tawrid-plan-{plan.pk}"
    assert release["tag"] == ["planning"]
    assert package["uri"].endswith(f"/api/v1/ocds/plans/{plan.pk}/release-package")
    published = plan.published_at.astimezone(CASABLANCA)
    assert datetime.fromisoformat(release["date"]) == published.replace(microsecond=0)
    assert release["date"].endswith(published.strftime("%z")[:3] + ":" + published.strftime("%z")[3:])
    assert package["publishedDate"] == release["date"]

    assert release["planning"]["budget"]["amount"] == {"amount": float(BUDGET), "currency": "MAD"}
    assert release["tender"]["value"]["amount"] == float(BUDGET)
    roles = {p["name"]: p["roles"] for p in release["parties"]}
    assert roles == {"Groupe Santé Atlas": ["buyer"], "Clinique Atlas Rabat": ["procuringEntity"]}
    assert release["buyer"]["name"] == "Groupe Santé Atlas"
    assert release["tender"]["procuringEntity"]["name"] == "Clinique Atlas Rabat"

    needle, gloves, gel, hip = _items(package)
    assert needle["classification"]["scheme"] == "CPV" and needle["classification"]["id"] == "33141320-9"
    assert needle["additionalClassifications"] == [
        {"scheme": "EMDN", "id": "A01010101", "description": "HYPODERMIC SYRINGE NEEDLES"}
    ]
    assert gloves["classification"] == {
        "scheme": "EMDN",
        "id": "T01020201",
        "description": "NITRILE EXAMINATION GLOVES",
    }
    assert "classification" not in gel and "additionalClassifications" not in gel
    assert needle["quantity"] == 120 and needle["unit"]["id"] == "XBX" and needle["unit"]["name"] == "B/100"
    assert needle["unit"]["value"] == {"amount": 45.5, "currency": "MAD"}
    assert gel["unit"] == {"scheme": "UNCEFACT", "id": "XBO", "name": "FL/1L"}  # no price: no value
    assert hip["unit"]["id"] == "H87"


def test_record_package_of_a_realistic_plan_validates_with_zero_errors(world):
    plan = world.realistic_plan()
    package = export.plan_record_package(actor_for(world.buyer), plan.pk)
    assert validate(package) == []
    record = package["records"][0]
    assert record["ocid"] == f"ocds-tawrid-plan-{plan.pk}"
    assert record["releases"] == export.plan_release_package(actor_for(world.buyer), plan.pk)["releases"]
    compiled = record["compiledRelease"]
    assert compiled["tag"] == ["compiled"]
    assert compiled["planning"] == record["releases"][0]["planning"]
    assert compiled["tender"]["items"] == record["releases"][0]["tender"]["items"]


def test_exports_are_stable_and_a_change_to_a_draft_is_a_new_release(world):
    plan = world.realistic_plan(publish=False)
    actor = actor_for(world.buyer)
    first = export.plan_release_package(actor, plan.pk)
    assert export.dumps(first) == export.dumps(export.plan_release_package(actor, plan.pk))
    assert validate(first) == []
    line = plan.lines.get(line_number=3)
    demand_services.line_update(actor=actor, line=line, data=line_data("SOLUTION HYDROALCOOLIQUE 1L", "60", "FL/1L"))
    # The change happened later than the first export (releases are dated to the second).
    PlanLine.objects.filter(pk=line.pk).update(updated_at=timezone.now() + timedelta(minutes=5))
    second = export.plan_release_package(actor, plan.pk)
    assert second["releases"][0]["id"] != first["releases"][0]["id"]
    assert second["releases"][0]["ocid"] == first["releases"][0]["ocid"]
    assert _items(second)[2]["quantity"] == 60


def test_a_manufacturer_sees_no_prices_no_title_and_no_undisclosed_buyer(world):
    plan = world.realistic_plan()
    package = export.plan_release_package(actor_for(world.manufacturer), plan.pk)
    assert validate(package) == []
    release = package["releases"][0]
    text = json.dumps(package, ensure_ascii=False)
    assert "Groupe Santé Atlas" not in text and "Clinique Atlas Rabat" not in text and "001561191000066" not in text
    assert "parties" not in release and "buyer" not in release
    assert "amount" not in release["planning"]["budget"] and "value" not in release["tender"]
    assert all("value" not in item["unit"] for item in release["tender"]["items"])
    assert "Plan d'achats locaux" not in text
    assert len(release["tender"]["items"]) == 4


def test_a_disclosed_buyer_is_named_to_manufacturers_but_prices_stay_private(world):
    plan = world.realistic_plan(disclose_buyer=True)
    release = export.plan_release_package(actor_for(world.manufacturer), plan.pk)["releases"][0]
    assert release["buyer"]["name"] == "Groupe Santé Atlas"
    assert "amount" not in release["planning"]["budget"]


def test_the_secretariat_overseeing_the_buyer_sees_the_prices(world):
    plan = world.realistic_plan()
    release = export.plan_release_package(actor_for(world.secretariat), plan.pk)["releases"][0]
    assert release["planning"]["budget"]["amount"]["amount"] == float(BUDGET)


def test_unit_codes_of_the_purchase_units():
    assert selectors.unit_code("box") == "XBX"
    assert selectors.unit_code("unit") == "H87"
    assert selectors.unit_code("litre") == "LTR"
    assert selectors.unit_code("") == "C62"


# The command -----------------------------------------------------------------------------------------------------


def test_command_validates_files_and_fails_on_errors(world, tmp_path, capsys):
    with translation.override("en"):  # the command speaks the active language (French by default)
        _command_checks(world, tmp_path, capsys)


def _command_checks(world, tmp_path, capsys):
    plan = world.realistic_plan()
    good = tmp_path / "plan.json"
    good.write_text(export.dumps(export.plan_record_package(actor_for(world.buyer), plan.pk)), encoding="utf-8")
    call_command("ocds_validate", str(good))
    assert "valid OCDS 1.1" in capsys.readouterr().out

    package = export.plan_release_package(actor_for(world.buyer), plan.pk)
    del package["releases"][0]["ocid"]
    bad = tmp_path / "broken.json"
    bad.write_text(json.dumps(package), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("ocds_validate", str(good), str(bad))
    out = capsys.readouterr().out
    assert "broken.json: " in out and "ocid" in out

    not_json = tmp_path / "x.json"
    not_json.write_text("{", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("ocds_validate", str(not_json))
