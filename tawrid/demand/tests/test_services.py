"""The plan's lifecycle through its services: drafts change, published plans do not, amendments are new
versions whose differences can be listed."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tawrid.core.errors import DomainError, Forbidden
from tawrid.demand import selectors, services
from tawrid.demand.models import PlanLine, PlanStatus
from tawrid.demand.tests.factories import line_data

pytestmark = pytest.mark.django_db


def test_a_line_gets_base_quantity_value_and_attributes(world):
    plan = world.plan(lines=0)
    line = services.line_create(
        actor=world.actor(world.buyer),
        plan=plan,
        data=line_data(
            "AIGUILLE HYPODERMIQUE STERILE A USAGE UNIQUE 25 X 8 / 10 G 21",
            quantity="1 200".replace(" ", ""),
            unit="B/100",
            unit_price=Decimal("35.00"),
            required_certificates="ISO 13485, CE",
            delivery_schedule="T1: 600; T3: 600",
            delivery_place="Clinique Atlas Rabat",
        ),
    )
    assert line.line_number == 1
    assert (line.packaging, line.units_per_purchase_unit, line.base_quantity) == ("box", 100, Decimal("120000"))
    assert line.estimated_value == Decimal("42000.00")
    assert line.required_certificates == ["iso13485", "ce"]
    assert line.delivery_schedule == {"period": "quarter", "quantities": {"1": "600", "3": "600"}}
    assert line.delivery_site == world.site
    assert {a["attribute"] for a in line.attributes} >= {"gauge", "sterile", "single_use"}


def test_published_plan_is_read_only(world):
    plan = world.plan(publish=True)
    actor = world.actor(world.buyer)
    line = plan.lines.first()
    for attempt in (
        lambda: services.line_create(actor=actor, plan=plan, data=line_data("COMPRESSE 10 X 10")),
        lambda: services.line_update(actor=actor, line=line, data={"quantity": Decimal(99)}),
        lambda: services.line_delete(actor=actor, line=line),
        lambda: services.plan_update(actor=actor, plan=plan, title="x"),
        lambda: services.line_correct_attributes(actor=actor, line=line, text="gauge=18 G"),
        lambda: services.plan_publish(actor=actor, plan=plan),
    ):
        with pytest.raises(DomainError) as error:
            attempt()
        assert error.value.code == "plan_read_only"
    line.refresh_from_db()
    assert line.quantity == Decimal(10) and plan.lines.count() == 3


def test_empty_plan_cannot_be_published_and_duplicates_are_refused(world):
    plan = world.plan(lines=0)
    actor = world.actor(world.buyer)
    with pytest.raises(DomainError) as error:
        services.plan_publish(actor=actor, plan=plan)
    assert error.value.code == "plan_empty"
    with pytest.raises(DomainError) as error:
        world.plan(lines=0)
    assert error.value.code == "plan_exists"
    services.line_create(actor=actor, plan=plan, data=line_data("GANT LATEX T7", buyer_reference="G7"))
    with pytest.raises(DomainError):
        services.line_create(actor=actor, plan=plan, data=line_data("GANT LATEX T7 BIS", buyer_reference="g7"))


def test_only_writers_of_the_buyer_change_plans(world):
    plan = world.plan(lines=1)
    for user in (world.buyer_reader, world.other_buyer, world.manufacturer, world.secretariat):
        with pytest.raises(Forbidden):
            services.line_create(actor=world.actor(user), plan=plan, data=line_data("SONDE FOLEY CH 16"))
    with pytest.raises(DomainError):
        services.plan_create(actor=world.actor(world.manufacturer), buyer=world.maker, year=2026)
    with pytest.raises(DomainError) as error:
        services.plan_create(actor=world.actor(world.buyer), buyer=world.group, year=2027, site=world.hospital)
    assert error.value.code == "not_a_site" and "CHU Oued Ziz" in error.value.message


def test_amend_makes_a_new_version_and_publishing_it_closes_the_previous(world):
    v1 = world.plan(publish=True)
    actor = world.actor(world.buyer)
    v2 = services.plan_amend(actor=actor, plan=v1)
    assert (v2.version, v2.previous_version, v2.status) == (2, v1, PlanStatus.DRAFT)
    assert v2.lines.count() == 3 and v1.lines.count() == 3
    with pytest.raises(DomainError) as error:
        services.plan_amend(actor=actor, plan=v1)
    assert error.value.code == "amendment_exists"
    first, second, third = v2.lines.order_by("line_number")
    services.line_update(actor=actor, line=second, data={"quantity": Decimal(500)})
    services.line_delete(actor=actor, line=third)
    services.line_create(actor=actor, plan=v2, data=line_data("SERINGUE 3 PIECES 5 ML LUER LOCK", unit="U"))
    # the published version did not move
    assert sorted(v1.lines.values_list("quantity", flat=True)) == [Decimal(10), Decimal(20), Decimal(30)]
    diff = selectors.plan_diff(v1, v2)
    assert [line.designation for line in diff.added] == ["SERINGUE 3 PIECES 5 ML LUER LOCK"]
    assert [line.buyer_reference for line in diff.removed] == ["AIG-003"]
    assert [(c.new.buyer_reference, c.fields) for c in diff.changed] == [("AIG-002", ["quantity"])]
    v2 = services.plan_publish(actor=actor, plan=v2)
    v1.refresh_from_db()
    assert (v1.status, v2.status) == (PlanStatus.CLOSED, PlanStatus.PUBLISHED)
    closed = services.plan_close(actor=actor, plan=v2)
    assert closed.status == PlanStatus.CLOSED and closed.closed_at
    with pytest.raises(DomainError):
        services.plan_amend(actor=actor, plan=closed)


def test_diff_matches_on_designation_when_there_is_no_reference(world):
    actor = world.actor(world.buyer)
    v1 = world.plan(lines=0)
    services.line_create(actor=actor, plan=v1, data=line_data("Compresse de gaze 10 x 10", quantity="5"))
    services.plan_publish(actor=actor, plan=v1)
    v2 = services.plan_amend(actor=actor, plan=v1)
    line = v2.lines.get()
    services.line_update(actor=actor, line=line, data={"designation": "COMPRESSE DE GAZE 10 X 10", "unit": "PQT/10"})
    diff = selectors.plan_diff(v1, v2)
    assert not diff.added and not diff.removed
    assert diff.changed[0].fields == ["designation", "unit"]


def test_correcting_attributes_keeps_the_parsed_ones(world):
    plan = world.plan(lines=1)
    actor = world.actor(world.buyer)
    line = plan.lines.get()
    parsed = list(line.parsed_attributes)
    services.line_correct_attributes(actor=actor, line=line, text="calibre=18 G; longueur=40 mm")
    line.refresh_from_db()
    assert line.parsed_attributes == parsed
    assert {a["attribute"]: a["value"] for a in line.attributes} == {"gauge": 18, "length": 40}
    with pytest.raises(DomainError):
        services.line_correct_attributes(actor=actor, line=line, text="calibre=beaucoup")
    services.line_correct_attributes(actor=actor, line=line, reset=True)
    line.refresh_from_db()
    assert line.attributes == parsed


def test_export_has_attributes_and_prices_only_for_insiders(world):
    plan = world.plan(lines=2, publish=True)
    line = plan.lines.first()
    PlanLine.objects.filter(pk=line.pk).update(designation='=HYPERLINK("http://x")')
    own = load_workbook(io.BytesIO(selectors.plan_export_xlsx(world.actor(world.buyer), plan))).active
    headers = [c.value for c in own[1]]
    assert "Estimated unit price (MAD)" in headers or "Prix unitaire estimé (MAD)" in headers
    rows = list(own.iter_rows(min_row=2, values_only=True))
    formula_cell = own.cell(row=2, column=3)
    assert formula_cell.data_type == "s" and formula_cell.quotePrefix  # kept as text, never evaluated
    assert "gauge=" in rows[1][-1] or "gauge" in rows[1][-1]
    theirs = load_workbook(io.BytesIO(selectors.plan_export_xlsx(world.actor(world.manufacturer), plan))).active
    assert len(list(theirs[1])) == len(headers) - 2
    assert 45.5 not in [c for row in theirs.iter_rows(values_only=True) for c in row]
