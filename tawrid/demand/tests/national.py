"""A small national-demand fixture whose totals are computed by hand in test_national.py.

- Groupe Santé Atlas (hospital group, Rabat-Salé-Kénitra): version 1 published then replaced by version 2
  (v1: one line A010101 × 99 U — superseded, left out); v2 published: A010101 10 U at 2.00 (value 20.00),
  A0102 5 B/100 at 30.00 (base 500, value 150.00).
- CHU Oued Ziz (hospital, Drâa-Tafilalet): published then closed (still counted): A010101 7 U at 1.00
  (value 7.00), T01 3 U without price, CPV 33000000-0.
- a draft of the group's Rabat site (A010101 × 1000 U) — left out; a published 2027 plan — other year.
"""

from decimal import Decimal
from typing import Any

from tawrid.catalog.tests.factories import emdn
from tawrid.core.permissions import actor_for
from tawrid.demand import services
from tawrid.demand.tests.factories import DemandWorld, line_data
from tawrid.nomenclature.models import CpvCode, CpvKind

R1 = "Rabat-Salé-Kénitra"
R2 = "Drâa-Tafilalet"


def build(world: DemandWorld) -> dict[str, Any]:
    world.group.region = R1
    world.group.save(update_fields=["region"])
    world.hospital.region = R2
    world.hospital.save(update_fields=["region"])
    a010101 = emdn("A010101", "Hypodermic needles")
    a0102 = emdn("A0102", "Syringes")
    t01 = emdn("T01", "Gloves")
    cpv = CpvCode.objects.create(
        code="33000000-0", numeric_code=33000000, kind=CpvKind.SUPPLIES, level=1,
        label_fr="Matériel médical", label_en="Medical equipments", label_it="Apparecchiature mediche",
    )  # fmt: skip
    group = actor_for(world.buyer)
    hospital = actor_for(world.other_buyer)

    def add(actor: Any, plan: Any, text: str, quantity: str, unit: str, price: str | None, **codes: Any) -> None:
        data = line_data(text, quantity=quantity, unit=unit)
        if price is not None:
            data["unit_price"] = Decimal(price)
        services.line_create(actor=actor, plan=plan, data={**data, **codes})

    v1 = services.plan_create(actor=group, buyer=world.group, year=2026)
    add(group, v1, "AIGUILLE HYPODERMIQUE 21G", "99", "U", "2.00", emdn_code=a010101)
    services.plan_publish(actor=group, plan=v1)
    v2 = services.plan_amend(actor=group, plan=v1)
    line = v2.lines.get()
    changed = {**line_data("AIGUILLE HYPODERMIQUE 21G", "10", "U"), "unit_price": Decimal("2.00"), "emdn_code": a010101}
    services.line_update(actor=group, line=line, data=changed)
    add(group, v2, "SERINGUE 5 ML", "5", "B/100", "30.00", emdn_code=a0102)
    v2 = services.plan_publish(actor=group, plan=v2)

    chu = services.plan_create(actor=hospital, buyer=world.hospital, year=2026)
    add(hospital, chu, "AIGUILLE HYPODERMIQUE 23G", "7", "U", "1.00", emdn_code=a010101)
    add(hospital, chu, "GANTS D'EXAMEN NITRILE", "3", "U", None, emdn_code=t01, cpv_code=cpv)
    services.plan_publish(actor=hospital, plan=chu)
    services.plan_close(actor=hospital, plan=chu)

    draft = services.plan_create(actor=group, buyer=world.group, site=world.site, year=2026)
    add(group, draft, "AIGUILLE HYPODERMIQUE 21G", "1000", "U", "2.00", emdn_code=a010101)
    other_year = services.plan_create(actor=group, buyer=world.group, year=2027)
    add(group, other_year, "AIGUILLE HYPODERMIQUE 21G", "500", "U", "2.00", emdn_code=a010101)
    services.plan_publish(actor=group, plan=other_year)
    return {"v1": v1, "v2": v2, "chu": chu, "draft": draft, "cpv": cpv}
