import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

ROOT = Path(__file__).resolve().parents[3]


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def catalog(tmp_path):
    return write(
        tmp_path / "catalog.csv",
        "id,name,description,manufacturer,emdn\n"
        'P1,Aiguille hypodermique 21G,"Aiguille stérile 40 x 0,8 mm",Medi,A010101\n'
        'P2,Aiguille hypodermique 25G,"Aiguille stérile 16 x 0,5 mm",Medi,A010101\n'
        "P3,Gants d'examen nitrile,Non stériles taille M,Glovy,T0101\n"
        "P4,Seringue 10 ml,Luer lock,Medi,A0201\n",
    )


@pytest.fixture
def demand(tmp_path):
    return write(
        tmp_path / "demand.csv",
        "\ufeffid,designation,quantity,unit\n"
        "L1,AIGUILLE HYPODERMIQUE STERILE 40 X 8/10 G 21,1000,B/100\n"
        "L2,GANTS D'EXAMEN NON STER. T/M,50,B/100\n",
    )


def test_match_writes_ranked_candidates_with_explanations(tmp_path, catalog, demand):
    out = tmp_path / "out.csv"
    call_command("match", catalog=str(catalog), demand=str(demand), top=4, output=str(out))
    rows = read(out)
    assert list(rows[0]) == ["demand_id", "rank", "product_id", "score", "explanation"]
    first = {r["demand_id"]: r for r in rows if r["rank"] == "1"}
    assert first["L1"]["product_id"] == "P1" and first["L2"]["product_id"] == "P3"
    by = {(r["demand_id"], r["product_id"]): r for r in rows}
    assert float(by[("L1", "P1")]["score"]) > float(by[("L1", "P2")]["score"])  # 25G conflicts with 21G
    assert "AIGUILLE" in first["L1"]["explanation"]
    assert all(0 <= float(r["score"]) <= 1 for r in rows)


def test_classify_with_examples(tmp_path):
    source = write(tmp_path / "in.csv", "id,text\n1,AIGUILLE HYPODERMIQUE STERILE G 21\n2,VICRYL 3/0\n")
    examples = write(tmp_path / "ex.csv", "text,code\nVicryl Rapide braided 3-0,H0101\nVicryl plus 2-0,H0101\n")
    out = tmp_path / "out.csv"
    call_command("classify", str(source), scheme="emdn", examples=str(examples), top=3, output=str(out))
    rows = read(out)
    assert list(rows[0]) == ["id", "rank", "code", "score"]
    assert [r["rank"] for r in rows if r["id"] == "1"] == ["1", "2", "3"]
    best = {r["id"]: r["code"] for r in rows if r["rank"] == "1"}
    assert best["1"].startswith("A01") and best["2"] == "H0101"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "introuvable|not found"),
        ("", "vide|empty"),
        ("id,body\n1,x\n", "text"),
        ("id,text\n1,a\n1,b\n", "1"),
        ("id,text\n", "rows|ligne"),
        ("id,text\n,a\n", "id"),
        ("id,text\n1,a,b\n", "2"),
    ],
)
def test_classify_rejects_bad_files(tmp_path, content, message):
    import re

    source = tmp_path / "in.csv"
    if content is not None:
        write(source, content)
    with pytest.raises(CommandError, match=re.compile(message, re.I)):
        call_command("classify", str(source), output=str(tmp_path / "out.csv"))


def test_non_utf8_and_missing_columns_in_match(tmp_path, catalog):
    latin = write(tmp_path / "demand.csv", "id,designation\nL1,COMPRESSE STÉRILE\n", "latin-1")
    with pytest.raises(CommandError, match="UTF-8"):
        call_command("match", catalog=str(catalog), demand=str(latin), output=str(tmp_path / "o.csv"))
    bad = write(tmp_path / "catalog2.csv", "id,name\nP1,x\n")
    with pytest.raises(CommandError, match="description"):
        call_command("match", catalog=str(bad), demand=str(latin), output=str(tmp_path / "o.csv"))
    quantity = write(tmp_path / "demand3.csv", "id,designation,quantity\nL1,COMPRESSE,beaucoup\n")
    with pytest.raises(CommandError, match="beaucoup"):
        call_command("match", catalog=str(catalog), demand=str(quantity), output=str(tmp_path / "o.csv"))


def test_real_subprocess_exit_codes(tmp_path):
    source = write(tmp_path / "in.csv", "id,text\n1,Gants d'examen\n")
    out = tmp_path / "out.csv"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    command = [sys.executable, "-m", "tawrid.cli", "classify", str(source), "--top", "2", "--output", str(out)]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert len(read(out)) == 2
    failed = subprocess.run(
        [*command[:4], str(tmp_path / "missing.csv"), "--output", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert failed.returncode != 0 and "missing.csv" in failed.stderr
