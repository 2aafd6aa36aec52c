"""The HS ↔ EMDN crosswalk: edits of one code (all or nothing), their audit trail, and the shipped file's load."""

from decimal import Decimal

import pytest
from auditlog.models import LogEntry

from tawrid.core.errors import DomainError, Forbidden
from tawrid.insights import selectors, services
from tawrid.insights.models import HsEmdnLink
from tawrid.insights.services import LinkInput
from tawrid.insights.tests.factories import InsightsPeople, link, reference

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    reference()
    return InsightsPeople()


def _links(hs6: str) -> list[tuple[str, Decimal, str]]:
    return [
        (row.emdn_group.code, row.share_percent, row.note)
        for row in HsEmdnLink.objects.filter(hs6=hs6).select_related("emdn_group").order_by("emdn_group__code")
    ]


def _set(people, hs6: str, *links: LinkInput):
    return services.crosswalk_set_links(actor=people.manager_actor, hs6=hs6, links=list(links))


def test_set_links_creates_changes_and_removes(people):
    _set(people, "401511", LinkInput("T01", Decimal(100)))
    assert _links("401511") == [("T01", Decimal(100), "")]
    kept = _set(people, "401511", LinkInput("T01", Decimal(60), "examen"), LinkInput("T02", Decimal(40)))
    assert [k.emdn_group.code for k in kept] == ["T01", "T02"]
    assert _links("401511") == [("T01", Decimal(60), "examen"), ("T02", Decimal(40), "")]
    _set(people, "401511", LinkInput("T02", Decimal(100)))
    assert _links("401511") == [("T02", Decimal(100), "")]


def test_set_links_leaves_other_codes_alone(people):
    link("901831", "A02")
    _set(people, "401511", LinkInput("T01", Decimal(100)))
    assert _links("901831") == [("A02", Decimal(100), "")]


@pytest.mark.parametrize(
    "links",
    [
        [LinkInput("T01", Decimal(60)), LinkInput("T02", Decimal(30))],  # 90 %
        [LinkInput("T01", Decimal(60)), LinkInput("T02", Decimal(50))],  # 110 %
        [],  # the code would be left without a group
        [LinkInput("T01", Decimal(0)), LinkInput("T02", Decimal(100))],  # a zero share
        [LinkInput("T01", Decimal(50)), LinkInput("T01", Decimal(50))],  # the same group twice
        [LinkInput("Z99", Decimal(100))],  # unknown group
        [LinkInput("T", Decimal(100))],  # a category is not a group
    ],
)
def test_refused_edits_change_nothing(people, links):
    link("401511", "T01", 60)
    link("401511", "T02", 40)
    entries = LogEntry.objects.count()
    with pytest.raises(DomainError) as error:
        _set(people, "401511", *links)
    assert error.value.code == "invalid_crosswalk"
    assert _links("401511") == [("T01", Decimal(60), ""), ("T02", Decimal(40), "")]
    assert LogEntry.objects.count() == entries


def test_unknown_hs_code_refused(people):
    with pytest.raises(DomainError) as error:
        _set(people, "999999", LinkInput("T01", Decimal(100)))
    assert error.value.code == "invalid_crosswalk"
    with pytest.raises(DomainError):
        _set(people, "4015", LinkInput("T01", Decimal(100)))  # a heading, not a subheading
    assert not HsEmdnLink.objects.exists()


def test_non_manager_may_not_edit(people):
    with pytest.raises(Forbidden):
        services.crosswalk_set_links(
            actor=people.non_manager_actor, hs6="401511", links=[LinkInput("T01", Decimal(100))]
        )
    assert not HsEmdnLink.objects.exists()


def test_history_lists_created_changed_deleted(people):
    _set(people, "401511", LinkInput("T01", Decimal(100)))
    _set(people, "401511", LinkInput("T01", Decimal(60)), LinkInput("T02", Decimal(40)))
    _set(people, "401511", LinkInput("T02", Decimal(100)))
    _set(people, "901831", LinkInput("A02", Decimal(100)))
    history = list(selectors.crosswalk_history("401511"))
    actions = sorted(entry.action for entry in history)
    # created T01, changed T01 (100 → 60), created T02, changed T02 (40 → 100), deleted T01
    assert actions == sorted(
        [
            LogEntry.Action.CREATE,
            LogEntry.Action.UPDATE,
            LogEntry.Action.CREATE,
            LogEntry.Action.UPDATE,
            LogEntry.Action.DELETE,
        ]
    )
    assert all(entry.object_repr.startswith("401511 ") for entry in history)
    deleted = next(entry for entry in history if entry.action == LogEntry.Action.DELETE)
    assert "T01" in deleted.object_repr
    # Newest first.
    assert history[0].timestamp >= history[-1].timestamp
    other = list(selectors.crosswalk_history("901831"))
    assert [entry.action for entry in other] == [LogEntry.Action.CREATE]
    assert not selectors.crosswalk_history("401512").exists()


def _write(tmp_path, text: str):
    folder = tmp_path / "crosswalk"
    folder.mkdir(exist_ok=True)
    (folder / "hs2022_emdn.csv").write_text(text, encoding="utf-8")
    return tmp_path


GOOD_FILE = (
    "hs6,emdn_group,share_percent,note\n"
    "901831,A02,100,seringues\n"
    "401511,T01,60,\n"
    "401511,T02,40,champs\n"
    "\n"
    "401512,T01,100,examen\n"
)


def test_load_once_keeps_edits_and_force_replaces(people, tmp_path):
    folder = _write(tmp_path, GOOD_FILE)
    assert services.crosswalk_load(data_dir=folder) == {"created": 4, "kept": 0}
    assert _links("901831") == [("A02", Decimal(100), "seringues")]
    assert _links("401511") == [("T01", Decimal(60), ""), ("T02", Decimal(40), "champs")]
    assert _links("401512") == [("T01", Decimal(100), "examen")]

    _set(people, "401511", LinkInput("T01", Decimal(100)))
    assert services.crosswalk_load(data_dir=folder) == {"created": 0, "kept": 3}
    assert _links("401511") == [("T01", Decimal(100), "")]

    assert services.crosswalk_load(data_dir=folder, force=True) == {"created": 4, "kept": 0}
    assert _links("401511") == [("T01", Decimal(60), ""), ("T02", Decimal(40), "champs")]


@pytest.mark.parametrize(
    "text",
    [
        "hs,group,share\n901831,A02,100\n",  # wrong header
        "hs6,emdn_group,share_percent,note\n401511,T01,60,\n401511,T02,30,\n",  # 90 %
        "hs6,emdn_group,share_percent,note\n901831,Z99,100,\n",  # unknown group
        "hs6,emdn_group,share_percent,note\n901831,A02,cent,\n",  # unreadable share
        "hs6,emdn_group,share_percent,note\n901831,A02\n",  # missing cells
    ],
)
def test_bad_file_refused_nothing_written(people, tmp_path, text):
    link("901832", "A01")
    folder = _write(tmp_path, text)
    with pytest.raises(DomainError) as error:
        services.crosswalk_load(data_dir=folder, force=True)
    assert error.value.code == "bad_crosswalk_file"
    assert _links("901832") == [("A01", Decimal(100), "")]
    assert HsEmdnLink.objects.count() == 1


def test_non_utf8_file_refused(people, tmp_path):
    folder = tmp_path / "crosswalk"
    folder.mkdir()
    (folder / "hs2022_emdn.csv").write_bytes("hs6,emdn_group,share_percent,note\n901831,A02,100,é\n".encode("cp1252"))
    with pytest.raises(DomainError) as error:
        services.crosswalk_load(data_dir=tmp_path)
    assert error.value.code == "bad_crosswalk_file"
    assert not HsEmdnLink.objects.exists()
