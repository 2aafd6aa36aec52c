"""The insights through the API (/api/v1/insights/): the same selectors, services and rules as the pages.

A small world: two EMDN groups (A01, A02), three HS codes linked to them, a loaded trade data set (Morocco's
imports of 2022 from France and China), a rate for 2022, two published plans of 2026 (one buyer named, one
not) and a snapshot computed from all that. Figures are checked by hand; writes are the secretariat's only."""

import math
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tawrid.accounts.models import OrganisationKind, Role
from tawrid.accounts.tests.factories import OrganisationFactory, person_in, token_for
from tawrid.core.permissions import Actor, actor_for
from tawrid.demand import services as demand_services
from tawrid.demand.tests.factories import DemandWorld, line_data
from tawrid.insights import selectors, services
from tawrid.insights.models import (
    DatasetStatus,
    ExchangeRate,
    HsEmdnLink,
    IndicatorSnapshot,
    ReportedBy,
    SnapshotStatus,
    TradeDataset,
    TradeFlow,
)
from tawrid.insights.tests.factories import COMTRADE_HEADER
from tawrid.nomenclature.models import EmdnCode, HsCode

pytestmark = pytest.mark.django_db

API = "/api/v1/insights"
COMTRADE_ROW = (
    'C,A,20210101,2021,52,2021,504,MAR,Morocco,M,Import,251,FRA,France,0,W00,World,H6,HS,True,901831,"Syringes",6,'
    "True,C00,TOTAL CPC,0,0,TOTAL MOT,8,kg,100,False,8,kg,100,False,,False,,False,4321.5,,4321.5,0,True,False"
)


def auth(user) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(user)[1]}"}


class InsightsWorld(DemandWorld):
    """The plans' world (buyers, a manufacturer, the secretariat overseeing the group) plus an investor, the
    nomenclature rows, the crosswalk, trade flows, plans of 2026 with EMDN A02 and a computed snapshot."""

    def __init__(self) -> None:
        super().__init__()
        self.investor_org = OrganisationFactory(
            name="Atlas Capital", slug="atlas-capital", kind=OrganisationKind.INVESTOR
        )
        self.investor = person_in(self.investor_org, Role.MEMBER, full_name="Ines Investisseuse")
        category = EmdnCode.objects.create(code="A", term="Devices for administration", category="A", level=1)
        self.a01 = EmdnCode.objects.create(code="A01", term="Needles", category="A", level=2, parent=category)
        self.a02 = EmdnCode.objects.create(code="A02", term="Syringes", category="A", level=2, parent=category)
        chapter = HsCode.objects.create(code="90", description="Optical, medical instruments", level=2)
        heading = HsCode.objects.create(code="9018", description="Medical instruments", level=4, parent=chapter)
        HsCode.objects.create(code="901831", description="Syringes, with or without needles", level=6, parent=heading)
        HsCode.objects.create(code="901832", description="Tubular metal needles", level=6, parent=heading)
        HsCode.objects.create(code="901839", description="Other needles, catheters", level=6, parent=heading)
        HsEmdnLink.objects.create(hs6="901831", emdn_group=self.a02, share_percent=Decimal(100))
        HsEmdnLink.objects.create(hs6="901832", emdn_group=self.a02, share_percent=Decimal(60))
        HsEmdnLink.objects.create(hs6="901832", emdn_group=self.a01, share_percent=Decimal(40))
        self.dataset = TradeDataset.objects.create(
            name="Comtrade MAR 2022",
            source="comtrade",
            layout="comtrade_plus",
            hs_revision="HS2022",
            original_filename="mar-2022.csv",
            file_sha256="0" * 64,
            status=DatasetStatus.READY,
            years=[2022],
            countries=["MAR"],
            flow_count=3,
            problems=[{"line": 9, "column": "HS", "value": "999999", "message": "Example problem"}],
        )
        for line, (exporter, hs6, value) in enumerate(
            [("FRA", "901831", "1000.00"), ("CHN", "901831", "500.00"), ("CHN", "901832", "2000.00")], start=2
        ):
            TradeFlow.objects.create(
                dataset=self.dataset,
                year=2022,
                exporter=exporter,
                importer="MAR",
                reported_by=ReportedBy.IMPORTER,
                hs6=hs6,
                hs6_original=hs6,
                value_usd=Decimal(value),
                quantity=Decimal(10),
                quantity_unit="kg",
                line=line,
            )
        ExchangeRate.objects.create(year=2022, mad_per_unit=Decimal(10), source="Bank Al-Maghrib")
        self.hidden_plan = self._plan(self.buyer, self.group, disclose=False, quantity="100")
        self.named_plan = self._plan(self.other_buyer, self.hospital, disclose=True, quantity="20")
        self.snapshot = services.snapshot_compute_now(actor=Actor(is_superuser=True))

    def _plan(self, user, buyer, *, disclose: bool, quantity: str):
        actor = actor_for(user)
        plan = demand_services.plan_create(actor=actor, buyer=buyer, year=2026, disclose_buyer=disclose)
        demand_services.line_create(
            actor=actor,
            plan=plan,
            data=line_data(
                "SERINGUE STERILE 5 ML", quantity=quantity, unit="U", emdn_code="A02", unit_price=Decimal("2.00")
            ),
        )
        return demand_services.plan_publish(actor=actor, plan=plan)


@pytest.fixture
def world() -> InsightsWorld:
    return InsightsWorld()


@pytest.fixture
def media(media_on_disk):
    return media_on_disk


def _demand_value(plan) -> Decimal:
    return sum((line.estimated_value for line in plan.lines.all()), Decimal(0))


# Reading -------------------------------------------------------------------------------------------------------


def test_anonymous_callers_get_401(client, world):
    for path in ("/snapshot", "/definitions", "/indicators/years", "/opportunities", "/crosswalk", "/datasets"):
        response = client.get(f"{API}{path}")
        assert response.status_code == 401, path
        assert response.json()["code"] == "unauthenticated"
    assert client.post(f"{API}/snapshot/refresh").status_code == 401


def test_no_snapshot_yet_is_a_404_in_the_standard_format(client, db):
    user = person_in(OrganisationFactory(kind=OrganisationKind.INVESTOR))
    response = client.get(f"{API}/snapshot", headers=auth(user))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found" and response.json()["message"]
    assert client.get(f"{API}/opportunities", headers=auth(user)).status_code == 404


def test_snapshot_metadata(client, world):
    response = client.get(f"{API}/snapshot", headers=auth(world.investor))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == world.snapshot.pk and body["status"] == "ready"
    assert body["trade_years"] == [2022] and body["demand_years"] == [2026]
    assert body["datasets"] == [
        {"id": world.dataset.pk, "name": "Comtrade MAR 2022", "illustrative": False, "source": "comtrade"}
    ]
    assert body["illustrative"] is False and body["complexity_year"] is None and body["pending_snapshot_id"] is None


def test_definitions(client, world):
    body = client.get(f"{API}/definitions", headers=auth(world.investor)).json()
    assert set(body["indicators"]) >= {"imports", "demand", "coverage", "local_rate", "density"}
    assert len(body["market_context"]) == 4
    assert body["market_context"][0]["published"] == "7 février 2022"
    assert body["default_weights"] == {"imports": 30, "demand": 25, "gap": 25, "regulatory": 10, "closeness": 10}


def test_year_totals(client, world):
    body = client.get(f"{API}/indicators/years", headers=auth(world.investor)).json()
    by_year = {row["year"]: row for row in body}
    assert [row["year"] for row in body] == [2026, 2022]
    # Every flow's value counts once, whatever its split between groups: 1000 + 500 + 2000.
    assert Decimal(by_year[2022]["imports_usd"]) == Decimal("3500.00")
    assert Decimal(by_year[2022]["imports_mad"]) == Decimal("35000.00")
    demand = _demand_value(world.hidden_plan) + _demand_value(world.named_plan)
    assert demand > 0
    assert Decimal(by_year[2026]["demand_mad"]) == demand
    assert Decimal(by_year[2026]["coverage"]) == 0 and by_year[2026]["local_rate"] is None
    assert client.get(f"{API}/indicators/years?category=T", headers=auth(world.investor)).json() == []
    bad = client.get(f"{API}/indicators/years?category=AB", headers=auth(world.investor))
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_category"


def test_group_figures_of_a_year(client, world):
    response = client.get(f"{API}/indicators/groups?year=2022", headers=auth(world.investor))
    assert response.status_code == 200, response.content
    rows = response.json()
    assert [row["group"] for row in rows] == ["A02", "A01"]  # largest imports first
    a02, a01 = rows
    # A02: all of 901831 (1000 + 500) and 60 % of 901832 (2000); A01: 40 % of 901832.
    assert Decimal(a02["imports_usd"]) == Decimal("2700.00") and Decimal(a02["imports_mad"]) == Decimal("27000.00")
    assert Decimal(a01["imports_usd"]) == Decimal("800.00")
    assert a02["import_origins"] == 2 and a01["import_origins"] == 1
    assert a02["label"] == "Syringes"
    assert a02["figures"]["hs_codes"] == [
        {"hs6": "901831", "share_percent": "100.00"},
        {"hs6": "901832", "share_percent": "60.00"},
    ]
    assert a02["figures"]["manufacturers"] == 0 and a02["figures"]["density"] is None
    default = client.get(f"{API}/indicators/groups", headers=auth(world.investor)).json()
    assert default == rows  # the latest trade year by default
    plans = client.get(f"{API}/indicators/groups?year=2026", headers=auth(world.investor)).json()
    assert [row["group"] for row in plans] == ["A02"] and plans[0]["demand_buyers"] == 2
    missing = client.get(f"{API}/indicators/groups?year=1999", headers=auth(world.investor))
    assert missing.status_code == 400 and missing.json()["code"] == "no_figures"


def test_opportunities_ranked_with_their_components(client, world):
    response = client.get(f"{API}/opportunities", headers=auth(world.investor))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["trade_year"] == 2022 and body["demand_year"] == 2026
    assert body["imports_currency"] == "MAD" and body["default_weights"] is True
    assert body["weights"] == {"imports": 30, "demand": 25, "gap": 25, "regulatory": 10, "closeness": 10}
    first, second = body["results"]
    assert (first["rank"], first["group"], first["label"]) == (1, "A02", "Syringes")
    assert (second["rank"], second["group"]) == (2, "A01")
    # A02: largest imports (1), all the demand (0.7) with 2 buyers (0.3 × 2/5), nothing covered (gap 1),
    # unknown risk class (0.5), no local maker in the category (0).
    assert first["components"] == pytest.approx(
        {"imports": 1.0, "demand": 0.82, "gap": 1.0, "regulatory": 0.5, "closeness": 0.0}
    )
    assert first["score"] == pytest.approx(80.5)
    assert Decimal(first["inputs"]["imports"]) == Decimal("27000.00")
    assert first["inputs"]["buyers"] == 2 and first["coverage"] == 0.0
    assert first["closeness_from_density"] is False
    share = math.log1p(8000) / math.log1p(27000)
    assert second["components"]["imports"] == pytest.approx(share, abs=1e-6)
    assert second["score"] == pytest.approx(round(30 * share + 25 + 5, 1))
    assert second["coverage"] is None and Decimal(second["inputs"]["demand"]) == 0

    weighted = client.get(f"{API}/opportunities?w_imports=0&w_demand=0&w_gap=0&w_regulatory=0&w_closeness=10",
                          headers=auth(world.investor)).json()  # fmt: skip
    assert weighted["default_weights"] is False and {r["score"] for r in weighted["results"]} == {0.0}
    only_b = client.get(f"{API}/opportunities?category=B", headers=auth(world.investor)).json()
    assert only_b["results"] == []


@pytest.mark.parametrize(
    "query", ["w_imports=101", "w_imports=0&w_demand=0&w_gap=0&w_regulatory=0&w_closeness=0", "w_gap=-1"]
)
def test_invalid_weights_are_a_422_with_the_reason(client, world, query):
    response = client.get(f"{API}/opportunities?{query}", headers=auth(world.investor))
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_weights" and response.json()["message"]


def test_a_weight_that_is_not_a_number_is_a_validation_error(client, world):
    response = client.get(f"{API}/opportunities?w_gap=lots", headers=auth(world.investor))
    assert response.status_code == 422 and response.json()["code"] == "validation_error"


def test_one_opportunity_in_detail(client, world):
    response = client.get(f"{API}/opportunities/a02", headers=auth(world.investor))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["group"] == "A02" and body["opportunity"]["rank"] == 1
    assert [row["year"] for row in body["years"]] == [2026, 2022]
    origins = {row["country"]: row for row in body["imports_by_origin"]}
    assert [row["country"] for row in body["imports_by_origin"]] == ["CHN", "FRA"]
    assert Decimal(origins["CHN"]["value_usd"]) == Decimal("1700.00")  # 500 + 60 % of 2000
    assert Decimal(origins["FRA"]["value_usd"]) == Decimal("1000.00")
    assert Decimal(origins["CHN"]["share"]) == Decimal("0.6296")
    by_hs = {row["hs6"]: row for row in body["imports_by_hs"]}
    assert Decimal(by_hs["901832"]["value_usd"]) == Decimal("2000.00")
    assert Decimal(by_hs["901832"]["group_value_usd"]) == Decimal("1200.00")
    assert [(q["unit"], Decimal(q["quantity"])) for q in by_hs["901831"]["quantities"]] == [("kg", Decimal(20))]
    assert body["suppliers"] == []
    assert sum(Decimal(d["value"]) for d in body["demand"]) == _demand_value(world.hidden_plan) + _demand_value(
        world.named_plan
    )


def test_an_unnamed_buyer_is_never_named_to_an_investor(client, world):
    response = client.get(f"{API}/opportunities/A02", headers=auth(world.investor))
    assert response.status_code == 200
    assert "Groupe Santé Atlas" not in response.content.decode()
    demand = response.json()["demand"]
    assert {(d["named"], d["name"]) for d in demand} == {(False, None), (True, "CHU Oued Ziz")}
    unnamed = next(d for d in demand if not d["named"])
    assert unnamed["region"] == "Casablanca-Settat" and Decimal(unnamed["value"]) == _demand_value(world.hidden_plan)
    # The secretariat overseeing the buyer may read its data: it sees the name.
    overseen = client.get(f"{API}/opportunities/A02", headers=auth(world.secretariat)).json()["demand"]
    assert {d["name"] for d in overseen} == {"Groupe Santé Atlas", "CHU Oued Ziz"}
    # And the selector the page uses agrees.
    rows = selectors.group_demand(actor_for(world.investor), "A02", 2026)
    assert all(row["name"] == "" for row in rows if not row["named"])


def test_suppliers_follow_the_catalogue_rules(client, world):
    from tawrid.catalog.tests.factories import ProductFactory

    hidden = OrganisationFactory(name="Fabricant Discret", slug="discret", is_public=False)
    hidden_person = person_in(hidden, Role.MEMBER)
    ProductFactory(manufacturer=world.maker, emdn=world.a02, capacity_per_year=5000)
    ProductFactory(manufacturer=world.maker, emdn=world.a02, capacity_per_year=7000)
    ProductFactory(manufacturer=hidden, emdn=world.a02, capacity_per_year=900)

    def suppliers(user):
        response = client.get(f"{API}/opportunities/A02", headers=auth(user))
        assert response.status_code == 200, response.content
        return {s["name"]: s for s in response.json()["suppliers"]}

    seen = suppliers(world.investor)  # an investor: listed makers only, what they miss, no capacity nor detail
    assert list(seen) == ["Maroc Seringues"]
    maker = seen["Maroc Seringues"]
    assert (maker["slug"], maker["products"], maker["eligible"]) == ("maroc-seringues", 2, 0)
    assert maker["capacity"] is None and maker["reasons"] == {}
    assert sorted(maker["missing"].values()) == [2, 2]  # ISO 13485 verified by IMANOR, DMP registration
    bought = suppliers(world.buyer)["Maroc Seringues"]  # buyers see capacities and why products are not eligible
    assert bought["capacity"] == 12000 and sum(bought["reasons"].values()) >= 2
    assert set(suppliers(hidden_person)) == {"Maroc Seringues", "Fabricant Discret"}
    assert suppliers(hidden_person)["Fabricant Discret"]["capacity"] == 900


def test_unknown_group_or_group_without_opportunity_is_a_404(client, world):
    EmdnCode.objects.create(code="A03", term="Catheters", category="A", level=2, parent=world.a01.parent)
    for group in ("Z99", "A03"):
        response = client.get(f"{API}/opportunities/{group}", headers=auth(world.investor))
        assert response.status_code == 404 and response.json()["code"] == "not_found", group


def test_imports_of_a_group_and_year(client, world):
    response = client.get(f"{API}/imports?group=A01&year=2022", headers=auth(world.investor))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["label"] == "Needles"
    assert [(o["country"], Decimal(o["value_usd"]), o["share"]) for o in body["by_origin"]] == [
        ("CHN", Decimal("800.00"), "1.0000")
    ]
    assert [(r["hs6"], r["share_percent"], r["group_value_usd"]) for r in body["by_hs"]] == [
        ("901832", "40.00", "800.00")
    ]
    empty = client.get(f"{API}/imports?group=A01&year=2019", headers=auth(world.investor)).json()
    assert empty["by_origin"] == [] and empty["by_hs"][0]["value_usd"] == "0"
    assert client.get(f"{API}/imports?group=Q42", headers=auth(world.investor)).status_code == 404


# Snapshot refresh ----------------------------------------------------------------------------------------------


def test_only_the_secretariat_asks_for_a_new_computation(client, world):
    refused = client.post(f"{API}/snapshot/refresh", headers=auth(world.investor))
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert IndicatorSnapshot.objects.count() == 1
    response = client.post(f"{API}/snapshot/refresh", headers=auth(world.secretariat))
    assert response.status_code == 202, response.content
    queued = IndicatorSnapshot.objects.get(pk=response.json()["snapshot_id"])
    assert queued.status == SnapshotStatus.COMPUTING and response.json()["job_id"] == queued.job_id
    pending = client.get(f"{API}/snapshot", headers=auth(world.investor)).json()
    assert pending["id"] == world.snapshot.pk and pending["pending_snapshot_id"] == queued.pk


# Crosswalk -----------------------------------------------------------------------------------------------------


def test_crosswalk_list_and_code(client, world):
    rows = client.get(f"{API}/crosswalk", headers=auth(world.investor)).json()
    assert [row["hs6"] for row in rows] == ["901831", "901832"]
    assert [(link["group"], link["share_percent"]) for link in rows[1]["links"]] == [("A01", "40.00"), ("A02", "60.00")]
    assert [r["hs6"] for r in client.get(f"{API}/crosswalk?q=tubular", headers=auth(world.investor)).json()] == [
        "901832"
    ]
    assert client.get(f"{API}/crosswalk?chapter=30", headers=auth(world.investor)).json() == []
    code = client.get(f"{API}/crosswalk/901831", headers=auth(world.investor)).json()
    assert code["description"] == "Syringes, with or without needles" and code["links"][0]["group"] == "A02"
    assert client.get(f"{API}/crosswalk/123456", headers=auth(world.investor)).status_code == 404


def test_crosswalk_edit_by_the_secretariat_with_history(client, world):
    payload = {"links": [{"group": "a01", "share_percent": "100", "note": "all needles"}]}
    response = client.put(f"{API}/crosswalk/901832", payload, "application/json", headers=auth(world.secretariat))
    assert response.status_code == 200, response.content
    body = response.json()
    assert [(link["group"], link["share_percent"], link["note"]) for link in body["links"]] == [
        ("A01", "100.00", "all needles")
    ]
    actions = {entry["action"] for entry in body["history"]}
    assert {"update", "delete"} <= actions
    assert world.secretariat.email in {entry["actor"] for entry in body["history"]}
    assert list(HsEmdnLink.objects.filter(hs6="901832").values_list("emdn_group__code", flat=True)) == ["A01"]


@pytest.mark.parametrize(
    "links",
    [
        [{"group": "A01", "share_percent": "40"}, {"group": "A02", "share_percent": "50"}],
        [],
        [{"group": "Z99", "share_percent": "100"}],
        [{"group": "A01", "share_percent": "50"}, {"group": "A01", "share_percent": "50"}],
    ],
)
def test_crosswalk_edit_refused_changes_nothing(client, world, links):
    before = list(HsEmdnLink.objects.order_by("pk").values_list("hs6", "emdn_group__code", "share_percent"))
    response = client.put(
        f"{API}/crosswalk/901832", {"links": links}, "application/json", headers=auth(world.secretariat)
    )
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid_crosswalk" and response.json()["message"]
    after = list(HsEmdnLink.objects.order_by("pk").values_list("hs6", "emdn_group__code", "share_percent"))
    assert after == before


def test_shares_not_adding_up_to_100_are_named_in_the_message(client, world):
    links = [{"group": "A01", "share_percent": "40"}, {"group": "A02", "share_percent": "50"}]
    response = client.put(
        f"{API}/crosswalk/901832",
        {"links": links},
        "application/json",
        headers={**auth(world.secretariat), "Accept-Language": "en"},
    )
    assert response.status_code == 400 and "90" in response.json()["message"]


def test_crosswalk_edit_is_for_the_secretariat(client, world):
    payload = {"links": [{"group": "A01", "share_percent": "100"}]}
    for user in (world.investor, world.buyer, world.manufacturer):
        response = client.put(f"{API}/crosswalk/901832", payload, "application/json", headers=auth(user))
        assert response.status_code == 403, user
    assert HsEmdnLink.objects.filter(hs6="901832").count() == 2
    bad = client.put(
        f"{API}/crosswalk/901832",
        {"links": [{"group": "A01", "share_percent": "a lot"}]},
        "application/json",
        headers=auth(world.secretariat),
    )
    assert bad.status_code == 422 and bad.json()["code"] == "validation_error"


# Trade data sets -----------------------------------------------------------------------------------------------


def test_datasets_as_the_secretariat_and_as_others(client, world):
    TradeDataset.objects.create(
        name="Refused file", source="comtrade", original_filename="bad.csv", file_sha256="1" * 64, status="refused"
    )
    managed = client.get(f"{API}/datasets", headers=auth(world.secretariat)).json()
    assert {d["name"] for d in managed} == {"Comtrade MAR 2022", "Refused file"}
    assert {d["original_filename"] for d in managed} == {"mar-2022.csv", "bad.csv"}
    others = client.get(f"{API}/datasets", headers=auth(world.investor)).json()
    assert [d["name"] for d in others] == ["Comtrade MAR 2022"]
    assert others[0]["original_filename"] is None and others[0]["error"] is None and others[0]["years"] == [2022]

    detail = client.get(f"{API}/datasets/{world.dataset.pk}", headers=auth(world.secretariat)).json()
    assert detail["problems"] == [{"line": 9, "column": "HS", "value": "999999", "message": "Example problem"}]
    public = client.get(f"{API}/datasets/{world.dataset.pk}", headers=auth(world.investor)).json()
    assert public["problems"] is None
    refused_id = TradeDataset.objects.get(name="Refused file").pk
    assert client.get(f"{API}/datasets/{refused_id}", headers=auth(world.investor)).status_code == 404


def test_upload_of_a_comtrade_file(client, world, media):
    content = f"{COMTRADE_HEADER}\n{COMTRADE_ROW}\n".encode()
    upload = SimpleUploadedFile("comtrade-mar-2021.csv", content, content_type="text/csv")
    response = client.post(
        f"{API}/datasets",
        {"file": upload, "name": "MAR 2021", "replace_existing": "false"},
        headers=auth(world.secretariat),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    dataset = TradeDataset.objects.get(pk=body["id"])
    assert body["status"] == "queued" and body["job_id"] == dataset.job_id is not None
    assert (dataset.name, dataset.source, dataset.layout) == ("MAR 2021", "comtrade", body["layout"])
    assert dataset.uploaded_by == world.secretariat and dataset.file_size == len(content)


def test_upload_of_an_unknown_layout_is_refused_and_nothing_kept(client, world, media):
    upload = SimpleUploadedFile("export.csv", b"Country,Product,Value\nFrance,901831,10\n", content_type="text/csv")
    before = TradeDataset.objects.count()
    response = client.post(
        f"{API}/datasets", {"file": upload}, headers={**auth(world.secretariat), "Accept-Language": "en"}
    )
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "bad_trade_file"
    assert "Country, Product, Value" in response.json()["message"]
    assert TradeDataset.objects.count() == before


def test_upload_and_delete_are_for_the_secretariat(client, world, media):
    upload = SimpleUploadedFile("c.csv", f"{COMTRADE_HEADER}\n{COMTRADE_ROW}\n".encode(), content_type="text/csv")
    response = client.post(f"{API}/datasets", {"file": upload}, headers=auth(world.investor))
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert TradeDataset.objects.count() == 1
    assert client.delete(f"{API}/datasets/{world.dataset.pk}", headers=auth(world.investor)).status_code == 403
    assert TradeDataset.objects.filter(pk=world.dataset.pk).exists()

    deleted = client.delete(f"{API}/datasets/{world.dataset.pk}", headers=auth(world.secretariat))
    assert deleted.status_code == 204
    assert not TradeDataset.objects.exists() and not TradeFlow.objects.exists()
    assert client.delete(f"{API}/datasets/{world.dataset.pk}", headers=auth(world.secretariat)).status_code == 404
