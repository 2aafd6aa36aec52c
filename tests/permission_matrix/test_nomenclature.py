"""Reference nomenclatures (see tawrid/nomenclature/policies.py): anyone reads them, through pages and an API
open to anonymous visitors; only the platform operator changes them (through the loaders)."""

import pytest

from tawrid.nomenclature import models as nomenclature
from tests.permission_matrix.framework import Scene, Table, api_read
from tests.permission_matrix.world import ALL

pytestmark = pytest.mark.django_db

OPERATOR = frozenset({"superuser"})


def emdn_read_api(s: Scene) -> bool:
    return api_read(s, f"/nomenclature/emdn/{s.w.emdn_code.code}")


def cpv_read_api(s: Scene) -> bool:
    return api_read(s, f"/nomenclature/cpv/{s.w.cpv_code.code}")


def hs_read_api(s: Scene) -> bool:
    return api_read(s, f"/nomenclature/hs/{s.w.hs_code.code}")


def concordance_read_api(s: Scene) -> bool:
    return api_read(s, f"/nomenclature/hs/{s.w.hs_code.code}/concordances", lambda body: len(body) >= 1)


def fda_read_api(s: Scene) -> bool:
    return api_read(s, f"/nomenclature/fda/{s.w.fda_code.product_code}")


KINDS = {
    nomenclature.EmdnCode: ("emdn_code", lambda w: w.emdn_code, emdn_read_api),
    nomenclature.CpvCode: ("cpv_code", lambda w: w.cpv_code, cpv_read_api),
    nomenclature.HsSection: ("hs_section", lambda w: w.hs_section, None),
    nomenclature.HsCode: ("hs_code", lambda w: w.hs_code, hs_read_api),
    nomenclature.HsConcordance: ("hs_concordance", lambda w: w.hs_concordance, concordance_read_api),
    nomenclature.FdaProductCode: ("fda_code", lambda w: w.fda_code, fda_read_api),
    nomenclature.ReferenceDataset: ("reference_dataset", lambda w: w.reference_dataset, None),
}

TABLE = Table(
    models={model: kind for model, (kind, _obj, _api) in KINDS.items()},
    objects={kind: obj for kind, obj, _api in KINDS.values()},
    matrix={
        kind: {"read": ALL, "change": OPERATOR} | ({"read_api": ALL} if api else {})
        for kind, _obj, api in KINDS.values()
    },
    checks={(kind, "read_api"): api for kind, _obj, api in KINDS.values() if api},
)


@pytest.mark.parametrize(("role", "kind", "op"), TABLE.cases(), ids=TABLE.ids())
def test_nomenclature_permission_matrix(scene_for, role: str, kind: str, op: str) -> None:
    TABLE.check(scene_for(role), kind, op)
