"""Insights pages: who sees what, the figures shown, the xlsx exports, the crosswalk edit, the trade upload."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from tawrid.insights.models import DatasetStatus, HsEmdnLink, TradeDataset
from tawrid.insights.tests.factories import SnapshotWorld, comtrade_csv, comtrade_row, link, ready_dataset
from tawrid.insights.views import XLSX

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_on_disk")]


@pytest.fixture
def world():
    world = SnapshotWorld()
    world.snapshot = world.compute()
    return world


def _get(client, user, name, *args, **params):
    client.force_login(user)
    return client.get(reverse(f"insights:{name}", args=args), params)


def _sheet(response) -> list[tuple]:
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    return list(workbook.active.iter_rows(values_only=True))


def _fr(text: str) -> str:
    with translation.override("fr"):
        return gettext(text)


PAGES = [
    ("index", ()),
    ("opportunities", ()),
    ("opportunity_detail", ("T01",)),
    ("dataset_list", ()),
    ("crosswalk_list", ()),
    ("crosswalk_edit", ("401511",)),
]


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_anonymous_is_sent_to_login(client, world, name, args):
    response = client.get(reverse(f"insights:{name}", args=args))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_index_shows_the_snapshot(client, world):
    response = _get(client, world.investor, "index")
    assert response.status_code == 200
    content = response.content.decode()
    for testid in ("snapshot-info", "totals-by-year", "group-table", "chart-years", "definitions"):
        assert f'data-testid="{testid}"' in content, testid
    assert content.count('data-testid="group-row"') == 4  # A01, A02, T01, T02 in 2023
    assert content.count('data-testid="year-total"') == 3  # 2026, 2023, 2022
    assert 'data-testid="illustrative-notice"' not in content
    assert response.context["year"] == 2023
    rows = {item["row"].group: item["row"] for item in response.context["table"]}
    assert rows["T01"].imports_usd == Decimal("900.00")
    assert 'data-testid="snapshot-refresh"' not in content  # an investor does not refresh the figures


def test_index_for_a_year_and_category(client, world):
    response = _get(client, world.investor, "index", year="2026", category="a")
    assert response.status_code == 200
    assert {item["row"].group for item in response.context["table"]} == {"A02"}
    assert response.context["table"][0]["row"].demand_mad == Decimal("3000.00")


def test_index_xlsx(client, world):
    rows = _sheet(_get(client, world.investor, "index", format="xlsx"))
    assert rows[0][0] == _fr("EMDN group")
    assert rows[0][3] == _fr("Imports (USD)")
    by_group = {row[0]: row for row in rows[1:]}
    assert set(by_group) == {"A01", "A02", "T01", "T02"}
    assert Decimal(str(by_group["T01"][3])) == Decimal(900)
    assert Decimal(str(by_group["T01"][4])) == Decimal(9000)
    assert by_group["T01"][5] == 2


def test_index_without_snapshot(client):
    from tawrid.insights.tests.factories import InsightsPeople

    people = InsightsPeople()
    response = _get(client, people.investor, "index")
    assert response.status_code == 200
    assert 'data-testid="no-snapshot"' in response.content.decode()


def test_opportunity_list(client, world):
    response = _get(client, world.investor, "opportunities")
    assert response.status_code == 200
    content = response.content.decode()
    assert 'data-testid="opportunity-table"' in content
    assert 'data-testid="weights"' in content
    assert content.count('data-testid="opportunity"') == 4
    ranked = [o for o, _components in response.context["ranked"]]
    assert [o.rank for o in ranked] == [1, 2, 3, 4]


def test_opportunity_weights_change_the_ranking(client, world):
    response = _get(
        client, world.investor, "opportunities", w_imports="0", w_demand="100", w_gap="0", w_regulatory="0",
        w_closeness="0",
    )  # fmt: skip
    ranked = [o for o, _components in response.context["ranked"]]
    assert ranked[0].group == "A02"  # the largest declared demand, by two buyers
    assert response.context["weight_error"] is None
    zero = _get(
        client, world.investor, "opportunities", w_imports="0", w_demand="0", w_gap="0", w_regulatory="0",
        w_closeness="0",
    )  # fmt: skip
    assert zero.status_code == 200
    assert zero.context["weight_error"]
    assert zero.context["weights"].is_default


def test_opportunity_list_xlsx(client, world):
    rows = _sheet(_get(client, world.investor, "opportunities", format="xlsx"))
    assert rows[0][0] == _fr("Rank")
    assert rows[0][1] == _fr("EMDN group")
    assert [row[0] for row in rows[1:]] == [1, 2, 3, 4]
    by_group = {row[1]: row for row in rows[1:]}
    assert Decimal(str(by_group["A02"][5])) == Decimal(3000)
    assert by_group["A02"][6] == 2


def test_opportunity_detail(client, world):
    response = _get(client, world.investor, "opportunity_detail", "t01")
    assert response.status_code == 200
    content = response.content.decode()
    for testid in ("group-title", "opportunity-score", "group-figures", "origins", "hs-codes", "suppliers"):
        assert f'data-testid="{testid}"' in content, testid
    assert content.count('data-testid="component"') == 5
    assert [o["country"] for o in response.context["origins"]] == ["FRA", "CHN"]
    assert "Gants Locaux" in content


def test_unknown_group_is_404(client, world):
    assert _get(client, world.investor, "opportunity_detail", "Z99").status_code == 404


def test_unnamed_buyer_hidden_from_investor_shown_to_its_people(client, world):
    hidden = _get(client, world.investor, "opportunity_detail", "A02")
    content = hidden.content.decode()
    assert hidden.status_code == 200
    assert 'data-testid="buyers-demand"' in content
    assert "Groupe Santé Discret" not in content
    assert "CHU Ouvert" in content  # that plan shows its buyer's name
    demand = hidden.context["demand"]
    assert sorted((d["named"], d["value"]) for d in demand) == [(False, Decimal("2500.00")), (True, Decimal("500.00"))]
    rows = _sheet(_get(client, world.investor, "opportunity_detail", "A02", format="xlsx", table="demand"))
    names = [row[0] for row in rows[1:]]
    assert "Groupe Santé Discret" not in names
    assert "CHU Ouvert" in names

    own = _get(client, world.buyer, "opportunity_detail", "A02")
    assert "Groupe Santé Discret" in own.content.decode()


def test_opportunity_detail_xlsx_tables(client, world):
    origins = _sheet(_get(client, world.investor, "opportunity_detail", "T01", format="xlsx", table="origins"))
    assert origins[0][1] == _fr("Code")
    assert [(row[1], Decimal(str(row[2]))) for row in origins[1:]] == [("FRA", Decimal(600)), ("CHN", Decimal(300))]
    hs = _sheet(_get(client, world.investor, "opportunity_detail", "T01", format="xlsx", table="hs"))
    by_code = {row[0]: row for row in hs[1:]}
    assert Decimal(str(by_code["401511"][4])) == Decimal(900)
    years = _sheet(_get(client, world.investor, "opportunity_detail", "T01", format="xlsx", table="years"))
    assert [row[0] for row in years[1:]] == [2026, 2023, 2022]


def test_illustrative_notice(client):
    world = SnapshotWorld(illustrative=True)
    world.compute()
    for name, args in PAGES[:3]:
        content = _get(client, world.investor, name, *args).content.decode()
        assert 'data-testid="illustrative-notice"' in content, name


def test_crosswalk_list_and_xlsx(client, world):
    response = _get(client, world.investor, "crosswalk_list")
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="crosswalk-row"') == 4  # one per HS code
    rows = _sheet(_get(client, world.investor, "crosswalk_list", format="xlsx"))
    assert rows[0][0] == _fr("HS 2022 code")
    assert ("401511", "T02") in {(row[0], row[2]) for row in rows[1:]}
    shares = {(row[0], row[2]): Decimal(str(row[4])) for row in rows[1:]}
    assert shares[("401511", "T01")] == Decimal(60)
    filtered = _get(client, world.investor, "crosswalk_list", chapter="90")
    assert filtered.content.decode().count('data-testid="crosswalk-row"') == 2


def _links(hs6: str) -> list[tuple[str, Decimal]]:
    return list(
        HsEmdnLink.objects.filter(hs6=hs6).order_by("emdn_group__code").values_list("emdn_group__code", "share_percent")
    )


def _formset(*rows: tuple[str, str]) -> dict[str, str]:
    data = {"form-TOTAL_FORMS": str(len(rows)), "form-INITIAL_FORMS": "0", "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "40"}  # fmt: skip
    for n, (group, share) in enumerate(rows):
        data[f"form-{n}-group"] = group
        data[f"form-{n}-share_percent"] = share
        data[f"form-{n}-note"] = ""
    return data


def test_manager_edits_the_crosswalk(client, world):
    client.force_login(world.manager)
    url = reverse("insights:crosswalk_edit", args=["401511"])
    page = client.get(url)
    assert 'data-testid="crosswalk-form"' in page.content.decode()
    response = client.post(url, _formset(("T01", "70"), ("T02", "30"), ("", "")))
    assert response.status_code == 302
    assert response["Location"] == url
    assert _links("401511") == [("T01", Decimal(70)), ("T02", Decimal(30))]
    history = client.get(url)
    content = history.content.decode()
    assert 'data-testid="crosswalk-history"' in content
    from auditlog.models import LogEntry

    entries = list(history.context["history"])
    updates = [entry for entry in entries if entry.action == LogEntry.Action.UPDATE]
    assert len(updates) == 2  # T01 60 → 70, T02 40 → 30 (the factory's creations come before)
    assert {entry.actor for entry in updates} == {world.manager}
    assert entries[0].action == LogEntry.Action.UPDATE  # newest first
    assert "Samira Secrétariat" in content


def test_non_manager_may_not_edit_the_crosswalk(client, world):
    client.force_login(world.non_manager)
    url = reverse("insights:crosswalk_edit", args=["401511"])
    assert 'data-testid="crosswalk-form"' not in client.get(url).content.decode()
    response = client.post(url, _formset(("T01", "100")))
    assert response.status_code == 403
    assert _links("401511") == [("T01", Decimal(60)), ("T02", Decimal(40))]


def test_shares_not_adding_to_100_are_refused(client, world):
    client.force_login(world.manager)
    url = reverse("insights:crosswalk_edit", args=["401511"])
    response = client.post(url, _formset(("T01", "70"), ("T02", "20")))
    assert response.status_code == 200
    assert 'data-testid="crosswalk-error"' in response.content.decode()
    assert _links("401511") == [("T01", Decimal(60)), ("T02", Decimal(40))]
    emptied = client.post(url, _formset(("", ""), ("", "")))
    assert 'data-testid="crosswalk-error"' in emptied.content.decode()
    assert _links("401511") == [("T01", Decimal(60)), ("T02", Decimal(40))]


def test_crosswalk_edit_of_unknown_code_is_404(client, world):
    assert _get(client, world.manager, "crosswalk_edit", "999999").status_code == 404


def test_manager_uploads_a_trade_file(client, world):
    client.force_login(world.manager)
    page = client.get(reverse("insights:dataset_list"))
    assert 'data-testid="trade-upload"' in page.content.decode()
    upload = SimpleUploadedFile("comtrade-2024.csv", comtrade_csv([comtrade_row(year=2024, value=10)]), "text/csv")
    response = client.post(reverse("insights:dataset_list"), {"file": upload, "name": "Comtrade 2024"})
    dataset = TradeDataset.objects.get(name="Comtrade 2024")
    assert response.status_code == 302
    assert response["Location"] == reverse("insights:dataset_detail", args=[dataset.pk])
    assert dataset.uploaded_by == world.manager
    detail = client.get(response["Location"])
    assert detail.status_code == 200
    assert 'data-testid="dataset-status"' in detail.content.decode()


def test_upload_of_unknown_layout_shows_the_error(client, world):
    client.force_login(world.manager)
    upload = SimpleUploadedFile("other.csv", b"Country,Product,Value\nFrance,901831,100\n", "text/csv")
    response = client.post(reverse("insights:dataset_list"), {"file": upload})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not TradeDataset.objects.filter(original_filename="other.csv").exists()


def test_non_manager_may_not_upload(client, world):
    client.force_login(world.non_manager)
    page = client.get(reverse("insights:dataset_list"))
    assert page.status_code == 200
    assert 'data-testid="trade-upload"' not in page.content.decode()
    names = {d.name for d in page.context["datasets"]}
    assert names == {"Comtrade MAR 2022-2023"}  # the refused file is for the secretariat only
    upload = SimpleUploadedFile("comtrade-2024.csv", comtrade_csv([comtrade_row(year=2024)]), "text/csv")
    response = client.post(reverse("insights:dataset_list"), {"file": upload})
    assert response.status_code == 403
    assert not TradeDataset.objects.filter(original_filename="comtrade-2024.csv").exists()
    assert _get(client, world.non_manager, "dataset_detail", world.refused.pk).status_code == 404


def _more_rows(world, n: int) -> None:
    from tawrid.insights.tests.factories import flow

    for i in range(n):
        ready_dataset([flow(2010 + i, "FRA", "MAR", "401512", 10)], name=f"Extra {n}-{i}", sha=f"{n:02d}{i:062d}")
        ready_dataset([], name=f"Failed {n}-{i}", status=DatasetStatus.FAILED, sha=f"f{n:02d}{i:061d}")
    for code in ("630790",):
        if not HsEmdnLink.objects.filter(hs6=code).exists():
            link(code, "T02")
    world.compute()


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_queries_do_not_grow_with_rows(client, world, django_assert_max_num_queries, name, args):
    client.force_login(world.manager)
    url = reverse(f"insights:{name}", args=args)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _more_rows(world, 6)
    with django_assert_max_num_queries(max(len(few), 1) + 2):
        assert client.get(url).status_code == 200
    assert len(few) <= 60
