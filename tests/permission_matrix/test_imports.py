"""Imports (see tawrid/imports/policies.py): an import, its saved column mapping and its row errors belong to the
organisation it was made for: its people and its secretariat read them, its administrators and members change
them."""

import pytest
from django.urls import reverse

from tawrid.imports.models import ColumnMapping, ImportRowError, ImportRun
from tests.permission_matrix.framework import Scene, Table, api_change, api_read, page_read
from tests.permission_matrix.world import A_READERS, A_WRITERS

pytestmark = pytest.mark.django_db


def run_read_api(s: Scene) -> bool:
    return api_read(s, f"/imports/runs/{s.w.import_run.pk}", lambda body: body["id"] == s.w.import_run.pk)


def run_read_page(s: Scene) -> bool:
    return page_read(s, reverse("imports:detail", args=[s.w.import_run.pk]), "catalogue.csv")


def run_change_api(s: Scene) -> bool:
    pk = s.w.import_run.pk
    return api_change(
        s, "post", f"/imports/runs/{pk}/cancel", {}, lambda: ImportRun.objects.get(pk=pk).status == "cancelled"
    )


def row_error_read_api(s: Scene) -> bool:
    return api_read(s, f"/imports/runs/{s.w.import_run.pk}/errors", lambda body: len(body) == 1)


TABLE = Table(
    models={ImportRun: "import_run", ColumnMapping: "column_mapping", ImportRowError: "row_error"},
    objects={
        "import_run": lambda w: w.import_run,
        "column_mapping": lambda w: w.column_mapping,
        "row_error": lambda w: w.row_error,
    },
    matrix={
        "import_run": {
            "read": A_READERS,
            "read_api": A_READERS,
            "read_page": A_READERS,
            "change": A_WRITERS,
            "change_api": A_WRITERS,
        },
        "column_mapping": {"read": A_READERS, "change": A_WRITERS},
        "row_error": {"read": A_READERS, "read_api": A_READERS, "change": A_WRITERS},
    },
    checks={
        ("import_run", "read_api"): run_read_api,
        ("import_run", "read_page"): run_read_page,
        ("import_run", "change_api"): run_change_api,
        ("row_error", "read_api"): row_error_read_api,
    },
)


@pytest.mark.parametrize(("role", "kind", "op"), TABLE.cases(), ids=TABLE.ids())
def test_imports_permission_matrix(scene_for, role: str, kind: str, op: str) -> None:
    TABLE.check(scene_for(role), kind, op)
