"""The demo plans: realistic hospital lines, deterministic and idempotent."""

import re

import pytest

from tawrid.accounts.models import OrganisationKind
from tawrid.accounts.tests.factories import OrganisationFactory
from tawrid.demand.models import PlanLine, PlanStatus, PurchasePlan
from tawrid.demo.demand_seed import PLANS, demand_seed

pytestmark = pytest.mark.django_db


def _buyers():
    group = OrganisationFactory(
        slug="groupe-sante-atlas", name="Groupe Santé Atlas", kind=OrganisationKind.HOSPITAL_GROUP
    )
    OrganisationFactory(slug="clinique-atlas-anfa", name="Clinique Atlas Anfa", kind="hospital", parent=group)
    OrganisationFactory(slug="groupe-oasis", name="Groupe Oasis", kind=OrganisationKind.HOSPITAL_GROUP)
    return group


def _contents():
    return list(
        PlanLine.objects.order_by("plan__buyer__slug", "line_number").values_list(
            "plan__buyer__slug", "line_number", "buyer_reference", "designation", "quantity", "unit", "unit_price",
            "base_quantity", "delivery_site__slug",
        )
    )  # fmt: skip


def test_demo_plans_look_like_hospital_files_and_are_deterministic():
    group = _buyers()
    report = demand_seed(seed=7)
    atlas = PurchasePlan.objects.get(buyer=group, year=2026)
    oasis = PurchasePlan.objects.get(buyer__slug="groupe-oasis", year=2026)
    assert atlas.status == PlanStatus.PUBLISHED and atlas.disclose_buyer and atlas.published_at
    assert oasis.status == PlanStatus.DRAFT
    assert atlas.lines.count() == PLANS["groupe-sante-atlas"][2] and 300 <= oasis.lines.count() <= 3000
    assert report.lines == atlas.lines.count() + oasis.lines.count()
    designations = list(atlas.lines.values_list("designation", flat=True))
    assert len(set(designations)) == len(designations)
    assert all(d == d.upper() for d in designations)
    assert sum(bool(re.search(r"\b(G \d\d|CH \d+|\d+ ML|\d+ X \d+)", d)) for d in designations) > len(designations) / 3
    assert atlas.lines.filter(unit="B/100").exists() and atlas.lines.filter(packaging="roll").exists()
    assert sum(bool(line.parsed_attributes) for line in atlas.lines.all()) > len(designations) / 2
    assert atlas.lines.filter(delivery_site__slug="clinique-atlas-anfa").exists()
    first = _contents()
    # idempotent: running again changes nothing
    assert demand_seed(seed=7).lines == 0
    assert _contents() == first
    # deterministic: from scratch, the same plans
    PurchasePlan.objects.all().delete()
    demand_seed(seed=7)
    assert _contents() == first
