"""People (see tawrid/accounts/policies.py) — the models of accounts not in tests/test_permission_matrix.py: a
person is read by the people of the organisations they belong to, by the secretariat overseeing those, and by the
operator; only they (and the operator) change their profile."""

import pytest
from django.urls import reverse

from tawrid.accounts.models import User
from tests.permission_matrix.framework import Scene, Table
from tests.permission_matrix.world import A_READERS

pytestmark = pytest.mark.django_db


def person_read_page(s: Scene) -> bool:
    # A's people are listed on A's page for those who may read its private side.
    response = s.page("get", reverse("accounts:organisation_detail", args=[s.w.maker.pk]))
    if response.status_code == 200:
        return s.w.reader_a.email in response.text
    s.denied_page(response)
    return False


TABLE = Table(
    models={User: "person"},
    objects={"person": lambda w: w.reader_a},
    matrix={
        "person": {"read": A_READERS, "read_page": A_READERS, "change": frozenset({"reader_a", "superuser"})},
    },
    checks={("person", "read_page"): person_read_page},
)


@pytest.mark.parametrize(("role", "kind", "op"), TABLE.cases(), ids=TABLE.ids())
def test_accounts_permission_matrix(scene_for, role: str, kind: str, op: str) -> None:
    TABLE.check(scene_for(role), kind, op)
