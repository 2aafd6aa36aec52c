import pytest

from tawrid.matching.evaluation import (
    Row,
    classification_metrics,
    fold_of,
    folds_by_manufacturer,
    ndcg_at,
    read_rows,
    relevance,
    row_text,
)


def test_folds_never_share_a_manufacturer():
    rows = [Row(f"Maker {i % 23}", f"device {i}", "A01") for i in range(300)]
    folds = folds_by_manufacturer(rows, 5)
    assert len(folds) == 5
    evaluated = []
    for train, test in folds:
        assert {rows[i].manufacturer for i in train}.isdisjoint({rows[i].manufacturer for i in test})
        assert sorted(train + test) == list(range(300))
        evaluated += test
    assert sorted(evaluated) == list(range(300))  # every row evaluated exactly once
    assert fold_of("Maker 3") == fold_of(" maker 3 ")  # deterministic, case-insensitive


def test_classification_metrics_on_known_cases():
    truth = ["A0101", "H010101", "T0101", "Z12"]
    ranked = [["A0101", "A02"], ["H010102", "H010101"], ["A01", "B01", "C", "D", "E", "T0101"], []]
    m = classification_metrics(truth, ranked)
    assert m["top1"] == pytest.approx(1 / 4)
    assert m["top1_group"] == pytest.approx(2 / 4)
    assert m["recall5"] == pytest.approx(2 / 4)  # T0101 is sixth: not counted


def test_relevance_grades():
    assert relevance("A0101", "A0101") == 2 and relevance("A0101", "A010101") == 2
    assert relevance("A010101", "A010102") == 1
    assert relevance("A0101", "A0102") == 0 and relevance("A0101", "") == 0


def test_ndcg():
    assert ndcg_at([2, 1, 0], [0, 1, 2]) == pytest.approx(1.0)
    assert ndcg_at([0, 0], [0, 0, 0]) == 0.0
    worse = ndcg_at([0, 1, 2], [2, 1, 0])
    assert 0 < worse < 1
    assert ndcg_at([0] * 10 + [2], [2] + [0] * 10) == 0.0  # beyond the cut-off


def test_reading_rows(tmp_path):
    path = tmp_path / "dev.csv"
    path.write_text(
        "manufacturer,srn,trade_name,description,lang,emdn,risk_class\n"
        "M1,S,Cannula 5mm,5mm Reusable Cannula,en,L1207,\n"
        "M2,S,Zirconia blank,no,en,Q010699,\n"
        "M3,S,,,en,Q01,\n",
        encoding="utf-8",
    )
    rows = read_rows(path, "dev")
    assert [r.text for r in rows] == ["Cannula 5mm — 5mm Reusable Cannula", "Zirconia blank"]
    assert rows[0].code == "L1207" and rows[0].dataset == "dev"
    assert row_text("Same", "Same") == "Same"
