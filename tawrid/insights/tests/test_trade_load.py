"""Trade files end to end: upload (layout recognised, file kept, load queued), then the all-or-nothing load."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tawrid.core.errors import DomainError, Forbidden
from tawrid.insights import services
from tawrid.insights.models import DatasetStatus, TradeDataset, TradeFlow
from tawrid.insights.tests.factories import InsightsPeople, comtrade_csv, comtrade_row, reference

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_on_disk")]


@pytest.fixture
def people():
    reference()
    return InsightsPeople()


def _upload(people, content: bytes, filename: str = "comtrade.csv", **kwargs):
    return services.trade_dataset_upload(
        actor=people.manager_actor,
        user=people.manager,
        upload=SimpleUploadedFile(filename, content, content_type="text/csv"),
        **kwargs,
    )


def _load(people, content: bytes, filename: str = "comtrade.csv", **kwargs) -> TradeDataset:
    dataset = _upload(people, content, filename, **kwargs)
    return services.trade_dataset_load(dataset_id=dataset.pk)


VALID = [
    comtrade_row(partner="FRA", code="901831", value="1234.50"),
    comtrade_row(partner="DEU", code="901831", value=800),
    comtrade_row(partner="CHN", code="401511", value=300, unit="u", qty=5000),
    comtrade_row(flow="X", partner="ESP", code="401512", value=50),
]


def test_valid_file_is_loaded(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        dataset = _upload(people, comtrade_csv(VALID), name="Comtrade 2022")
    assert dataset.name == "Comtrade 2022"
    assert dataset.original_filename == "comtrade.csv"
    assert len(callbacks) == 1  # the load is queued on commit
    assert dataset.status == DatasetStatus.QUEUED
    assert dataset.layout == "comtrade"
    assert dataset.source == "comtrade"
    assert dataset.job is not None
    assert dataset.uploaded_by == people.manager
    assert len(dataset.file_sha256) == 64

    loaded = services.trade_dataset_load(dataset_id=dataset.pk)
    assert loaded.status == DatasetStatus.READY
    assert loaded.rows_read == 4
    assert loaded.flow_count == 4
    assert loaded.years == [2022]
    assert loaded.countries == ["MAR"]
    assert loaded.total_value_usd == Decimal("2384.50")
    assert loaded.loaded_at is not None
    flows = TradeFlow.objects.filter(dataset=loaded)
    assert flows.count() == 4
    fra = flows.get(exporter="FRA")
    assert (fra.importer, fra.reported_by, fra.hs6, fra.value_usd) == ("MAR", "importer", "901831", Decimal("1234.50"))
    assert fra.share == Decimal(1)
    assert fra.line == 2
    chn = flows.get(exporter="CHN")
    assert (chn.quantity, chn.quantity_unit) == (Decimal(5000), "u")
    esp = flows.get(importer="ESP")
    assert (esp.exporter, esp.reported_by, esp.value_usd) == ("MAR", "exporter", Decimal(50))
    # A job delivered twice loads nothing twice.
    again = services.trade_dataset_load(dataset_id=dataset.pk)
    assert again.flow_count == 4
    assert TradeFlow.objects.filter(dataset=loaded).count() == 4


def test_the_queued_job_loads_the_file(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        dataset = _upload(people, comtrade_csv(VALID))
    dataset.refresh_from_db()
    assert dataset.status == DatasetStatus.READY
    assert dataset.flow_count == 4


def test_hs2017_file_is_converted(people):
    dataset = _load(people, comtrade_csv([comtrade_row(year=2021, code="901831", classification="H5", value=70)]))
    assert dataset.status == DatasetStatus.READY
    flow = TradeFlow.objects.get(dataset=dataset)
    assert (flow.hs6, flow.hs6_original, flow.value_usd, flow.year) == ("901831", "901831", Decimal(70), 2021)


def test_world_rows_dropped_where_partner_detail_exists(people):
    rows = [
        comtrade_row(partner="FRA", code="901831", value=100),
        comtrade_row(partner="DEU", code="901831", value=200),
        comtrade_row(partner="WLD", code="901831", value=300),
        comtrade_row(partner="WLD", code="901832", value=40),  # no partner detail: the world row is all there is
    ]
    dataset = _load(people, comtrade_csv(rows))
    assert dataset.status == DatasetStatus.READY
    assert dataset.rows_read == 4
    assert dataset.flow_count == 3
    assert dataset.skipped == {"world_total_with_partners": 1}
    flows = TradeFlow.objects.filter(dataset=dataset)
    assert not flows.filter(exporter="WLD", hs6="901831").exists()
    assert flows.get(exporter="WLD", hs6="901832").value_usd == Decimal(40)


def test_one_negative_value_refuses_the_whole_file(people):
    rows = [*VALID, comtrade_row(partner="TUR", code="901831", value=-5)]
    dataset = _load(people, comtrade_csv(rows))
    assert dataset.status == DatasetStatus.REFUSED
    assert dataset.problem_count == 1
    assert len(dataset.problems) == 1
    assert dataset.problems[0]["line"] == 6
    assert dataset.problems[0]["value"] == "-5"
    assert dataset.rows_read == 5
    assert dataset.error
    assert dataset.flow_count == 0
    assert TradeFlow.objects.count() == 0


def test_code_not_in_declared_revision_is_refused(people):
    rows = [comtrade_row(code="901831"), comtrade_row(partner="DEU", code="901899")]
    dataset = _load(people, comtrade_csv(rows))
    assert dataset.status == DatasetStatus.REFUSED
    assert dataset.problem_count == 1
    assert dataset.problems[0]["column"] == "HS"
    assert dataset.problems[0]["value"] == "901899"
    assert TradeFlow.objects.count() == 0


def test_code_of_hs2022_only_refused_in_an_hs2017_file(people):
    # 901832 has no HS 2017 → 2022 concordance row here, hence "does not exist in HS 2017".
    from tawrid.nomenclature.models import HsConcordance

    HsConcordance.objects.filter(code_after="901832").delete()
    dataset = _load(people, comtrade_csv([comtrade_row(year=2021, code="901832", classification="H5")]))
    assert dataset.status == DatasetStatus.REFUSED
    assert dataset.problems[0]["value"] == "901832"
    assert TradeFlow.objects.count() == 0


def test_duplicate_row_is_refused(people):
    rows = [comtrade_row(partner="FRA", value=10), comtrade_row(partner="FRA", value=10)]
    dataset = _load(people, comtrade_csv(rows))
    assert dataset.status == DatasetStatus.REFUSED
    assert dataset.problem_count == 1
    assert dataset.problems[0]["line"] == 3
    assert TradeFlow.objects.count() == 0


def test_same_years_and_country_twice_refused_then_replaced(people):
    first = _load(people, comtrade_csv(VALID), filename="first.csv")
    assert first.status == DatasetStatus.READY
    newer = [comtrade_row(partner="FRA", code="901831", value=999)]
    second = _load(people, comtrade_csv(newer), filename="second.csv")
    assert second.status == DatasetStatus.REFUSED
    assert "first.csv" in second.error
    assert second.flow_count == 0
    first.refresh_from_db()
    assert first.status == DatasetStatus.READY
    assert TradeFlow.objects.filter(dataset=first).count() == 4
    assert not TradeFlow.objects.filter(dataset=second).exists()

    third = _load(people, comtrade_csv(newer), filename="third.csv", replace_existing=True)
    assert third.status == DatasetStatus.READY
    assert third.flow_count == 1
    first.refresh_from_db()
    assert first.status == DatasetStatus.REPLACED
    assert first.flow_count == 0
    assert not TradeFlow.objects.filter(dataset=first).exists()
    assert TradeFlow.objects.get().value_usd == Decimal(999)


def test_other_years_do_not_clash(people):
    _load(people, comtrade_csv(VALID), filename="2022.csv")
    other = _load(people, comtrade_csv([comtrade_row(year=2023, value=5)]), filename="2023.csv")
    assert other.status == DatasetStatus.READY
    assert TradeDataset.objects.filter(status=DatasetStatus.READY).count() == 2


def test_same_file_twice_is_refused_at_upload(people):
    content = comtrade_csv(VALID)
    assert _load(people, content).status == DatasetStatus.READY
    with pytest.raises(DomainError) as error:
        _upload(people, content, filename="copy.csv")
    assert error.value.code == "already_loaded"
    assert TradeDataset.objects.count() == 1


def test_unknown_layout_is_refused_at_upload(people):
    with pytest.raises(DomainError) as error:
        _upload(people, b"Country,Product,Value\nFrance,901831,100\n", filename="unknown.csv")
    assert error.value.code == "bad_trade_file"
    assert TradeDataset.objects.count() == 0


def test_empty_file_is_refused(people):
    with pytest.raises(DomainError) as error:
        _upload(people, b"", filename="empty.csv")
    assert error.value.code == "empty_file"
    assert TradeDataset.objects.count() == 0


def test_header_only_file_is_refused_at_upload(people):
    with pytest.raises(DomainError) as error:
        _upload(people, comtrade_csv([]), filename="header.csv")
    assert error.value.code == "bad_trade_file"
    assert TradeDataset.objects.count() == 0


def test_wrong_extension_and_revision_refused(people):
    with pytest.raises(DomainError) as error:
        _upload(people, comtrade_csv(VALID), filename="comtrade.xlsx")
    assert error.value.code == "bad_extension"
    with pytest.raises(DomainError) as error:
        _upload(people, comtrade_csv(VALID), hs_revision="HS2030")
    assert error.value.code == "bad_revision"
    assert TradeDataset.objects.count() == 0


def test_non_manager_may_not_upload(people):
    with pytest.raises(Forbidden):
        services.trade_dataset_upload(
            actor=people.non_manager_actor,
            user=people.non_manager,
            upload=SimpleUploadedFile("comtrade.csv", comtrade_csv(VALID), content_type="text/csv"),
        )
    with pytest.raises(Forbidden):
        services.trade_dataset_upload(
            actor=people.non_manager_actor.__class__(user_id=people.cluster_reader.pk),
            user=people.cluster_reader,
            upload=SimpleUploadedFile("comtrade.csv", comtrade_csv(VALID), content_type="text/csv"),
        )
    assert TradeDataset.objects.count() == 0


def test_failure_during_write_leaves_no_flow(people, monkeypatch):
    dataset = _upload(people, comtrade_csv(VALID))
    monkeypatch.setattr(services, "WRITE_CHUNK", 2)
    real_insert = services._insert_flows
    calls = []

    def failing_insert(rows):
        calls.append(len(rows))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real_insert(rows)

    monkeypatch.setattr(services, "_insert_flows", failing_insert)
    with pytest.raises(RuntimeError):
        services.trade_dataset_load(dataset_id=dataset.pk)
    assert calls == [2, 2]
    dataset.refresh_from_db()
    assert dataset.status == DatasetStatus.FAILED
    assert TradeFlow.objects.count() == 0


def test_delete_dataset_removes_flows(people):
    dataset = _load(people, comtrade_csv(VALID))
    with pytest.raises(Forbidden):
        services.trade_dataset_delete(actor=people.non_manager_actor, dataset=dataset)
    services.trade_dataset_delete(actor=people.manager_actor, dataset=dataset)
    assert TradeDataset.objects.count() == 0
    assert TradeFlow.objects.count() == 0
