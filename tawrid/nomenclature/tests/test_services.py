import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from tawrid.core.errors import DomainError
from tawrid.nomenclature.models import (
    CpvCode,
    EmdnCode,
    FdaProductCode,
    HsCode,
    HsConcordance,
    HsSection,
    ReferenceDataset,
)
from tawrid.nomenclature.services import FILES, reference_load

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {
        "emdn": EmdnCode.objects.count(),
        "cpv": CpvCode.objects.count(),
        "hs_sections": HsSection.objects.count(),
        "hs_codes": HsCode.objects.count(),
        "hs_concordances": HsConcordance.objects.count(),
        "fda": FdaProductCode.objects.count(),
    }


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A private copy of the reference files, to break or change."""
    for name in ("emdn", "cpv", "hs", "fda"):
        for relative in FILES[name]:
            (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(Path(settings.REFERENCE_DATA_DIR) / relative, tmp_path / relative)
    return tmp_path


def test_full_load_counts_then_second_run_skips_and_forced_run_changes_nothing():
    results = {r.name: r for r in reference_load()}
    assert _counts() == {
        "emdn": 8454,
        "cpv": 9454,
        "hs_sections": 21,
        "hs_codes": 6939,  # 97 chapters, 1,229 headings, 5,613 subheadings (the file's "TOTAL" row is not a code)
        "hs_concordances": 63724,  # 63,728 rows, four exact duplicates
        "fda": 6530,
    }
    assert results["emdn"].created == 8454 and results["hs"].details["concordances"]["created"] == 63724
    assert EmdnCode.objects.filter(level=1).count() == 23
    assert EmdnCode.objects.filter(is_terminal=True).count() == 6722
    assert HsCode.objects.filter(level=2).count() == 97
    assert CpvCode.objects.filter(code__startswith="33").count() == 641
    assert not EmdnCode.objects.filter(level__gt=1, parent__isnull=True).exists()
    assert not CpvCode.objects.filter(level__gt=1, parent__isnull=True).exists()
    assert HsCode.objects.filter(section__isnull=True).count() == 3  # chapter 99, outside the sections
    assert HsCode.objects.get(code="901831").section.roman == "XVIII"
    assert HsConcordance.objects.filter(adjustment="2022 to 2017").count() == 15657
    assert HsConcordance.objects.filter(code_after="030111", adjustment="2022 to 2017").exists()  # zeros restored

    before = _counts()
    again = reference_load()
    assert all(r.skipped and r.created == 0 and r.updated == 0 for r in again)
    assert _counts() == before

    forced = reference_load(force=True)
    assert all(not r.skipped and r.created == 0 and r.updated == 0 for r in forced)
    assert sum(r.unchanged for r in forced) == sum(before.values())
    assert _counts() == before


def test_changed_label_is_updated_and_nothing_else(data_dir: Path):
    reference_load(which=["emdn"], data_dir=data_dir)
    path = data_dir / "emdn/emdn_v2_en.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            '"HYPODERMIC SYRINGE NEEDLES, WITH SAFETY SYSTEMS"', '"HYPODERMIC SYRINGE NEEDLES, WITH A SAFETY SYSTEM"'
        ),
        encoding="utf-8",
    )
    [result] = reference_load(which=["emdn"], data_dir=data_dir)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 8453)
    item = EmdnCode.objects.get(code="A0101010101")
    assert item.term == "HYPODERMIC SYRINGE NEEDLES, WITH A SAFETY SYSTEM"
    assert "safety system" in item.search_text
    assert item.parent.code == "A01010101"


def test_wrong_header_is_refused_and_nothing_is_written(data_dir: Path):
    path = data_dir / "cpv/cpv2008_en_fr_it.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("name_fr", "label_fr", 1), encoding="utf-8")
    with pytest.raises(DomainError) as error:
        reference_load(which=["emdn", "cpv"], data_dir=data_dir)
    assert "cpv/cpv2008_en_fr_it.csv" in error.value.message and "name_fr" in error.value.message
    assert error.value.code == "bad_reference_file"
    assert EmdnCode.objects.count() == 0 and CpvCode.objects.count() == 0  # files are all checked before writing
    assert not ReferenceDataset.objects.exists()


def test_bad_row_is_refused_with_its_line(data_dir: Path):
    path = data_dir / "hs/hs2022_harmonized_system.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("I,0101,", "I,01X1,", 1), encoding="utf-8")
    with pytest.raises(DomainError, match=r"ligne 3 .*01X1"):
        reference_load(which=["hs"], data_dir=data_dir)
    assert HsCode.objects.count() == 0 and HsSection.objects.count() == 0


def test_missing_file_is_refused(data_dir: Path):
    (data_dir / "fda/fda_product_classification.csv").unlink()
    with pytest.raises(DomainError, match="fda_product_classification.csv") as error:
        reference_load(which=["fda"], data_dir=data_dir)
    assert error.value.code == "reference_file_missing"
    assert FdaProductCode.objects.count() == 0


def test_unknown_nomenclature_is_refused():
    with pytest.raises(DomainError, match="gmdn"):
        reference_load(which=["gmdn"])


def test_tree_parents_follow_the_code_prefixes(emdn):
    item = EmdnCode.objects.get(code="A0101010101")
    chain = []
    while item.parent_id:
        item = item.parent
        chain.append(item.code)
    assert chain[::-1] == ["A", "A01", "A0101", "A010101", "A01010101"]
    assert EmdnCode.objects.get(code="A").term == "DEVICES FOR ADMINISTRATION, WITHDRAWAL AND COLLECTION"


def test_cpv_levels_and_kinds(cpv):
    dressing = CpvCode.objects.get(code="33141110-4")
    assert dressing.level == 6 and dressing.parent.code == "33141000-0" and dressing.kind == "supplies"
    assert CpvCode.objects.get(code="33000000-0").level == 1
    assert CpvCode.objects.get(code="45000000-7").kind == "works"
    assert CpvCode.objects.filter(level=1).count() == 45


def test_command_prints_counts_and_skips_unchanged_files(db, capsys):
    call_command("load_reference", "--only", "emdn,fda")
    first = capsys.readouterr().out
    assert "emdn: 8454 created, 0 updated, 0 unchanged" in first and "fda: 6530 created" in first
    call_command("load_reference", "--only", "emdn")
    assert "emdn: unchanged files, skipped (8454 rows)" in capsys.readouterr().out
    call_command("load_reference", "--only", "emdn", "--force")
    assert "emdn: 0 created, 0 updated, 8454 unchanged" in capsys.readouterr().out
