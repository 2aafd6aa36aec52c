"""Benchmark of the consultations (run by `tawrid bench`): one lot of 50 lines, 100 suppliers each submitting a
sealed offer through the services, the two-person opening that unseals them into 5,000 offer lines, and the
evaluation of the lot; each beside a baseline measured in the same run."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from unittest import mock

from django.test import override_settings
from django.utils import timezone

from tawrid.core.bench import Figure, benchmark, stopwatch

NAME = "consultations"
LINES = 50
SUPPLIERS = 100
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


@benchmark(NAME)
def consultation_benchmarks() -> list[Figure]:
    from tawrid.accounts.models import Membership, Organisation, OrganisationKind, Role, User
    from tawrid.catalog.models import Product, ProductStatus
    from tawrid.core.permissions import actor_for
    from tawrid.demand import services as demand_services
    from tawrid.demand.forms import PlanLineForm
    from tawrid.matching.models import LineResult, MatchCandidate, MatchChunk, MatchRun, RunStatus
    from tawrid.nomenclature.models import EmdnCode
    from tawrid.nomenclature.services import reference_load
    from tawrid.sourcing import evaluation as ev
    from tawrid.sourcing import sealing, services
    from tawrid.sourcing.models import Consultation, Offer, OfferLine

    if not EmdnCode.objects.filter(code="A010101").exists():
        reference_load(which=["emdn"])
    emdn = EmdnCode.objects.get(code="A010101")
    buyer = Organisation.objects.create(name="Bench Groupe", slug="bench-groupe", kind=OrganisationKind.HOSPITAL_GROUP)
    first, second = (
        User.objects.create_user(f"bench-committee-{n}@example.ma", full_name=f"Bench {n}") for n in (1, 2)
    )
    for person in (first, second):
        Membership.objects.create(user=person, organisation=buyer, role=Role.ADMIN)
    actor = actor_for(first)
    plan = demand_services.plan_create(actor=actor, buyer=buyer, year=2027)
    for number in range(LINES):
        form = PlanLineForm(data={"designation": f"AIGUILLE HYPODERMIQUE STERILE U.U. G {19 + number % 9} n°{number}",
                                  "quantity": str(100 + number), "unit": "U", "unit_price": "1.00",
                                  "emdn_code": emdn.code})  # fmt: skip
        if not form.is_valid():
            raise RuntimeError(f"bench plan line refused: {form.errors}")
        demand_services.line_create(actor=actor, plan=plan, data=form.cleaned_data)
    with override_settings(TASKS=IMMEDIATE):  # its demand refresh runs here, not left on the queue
        plan = demand_services.plan_publish(actor=actor, plan=plan)

    # The suppliers the matching proposed: one product each, every line proposed to every supplier.
    suppliers, people, products = [], [], []
    for number in range(SUPPLIERS):
        supplier = Organisation.objects.create(name=f"Bench Fabricant {number}", slug=f"bench-fabricant-{number}",
                                               kind=OrganisationKind.MANUFACTURER,
                                               country="MA" if number % 2 else "FR")  # fmt: skip
        person = User.objects.create_user(f"bench-maker-{number}@example.ma", full_name=f"Maker {number}")
        Membership.objects.create(user=person, organisation=supplier, role=Role.ADMIN)
        products.append(Product.objects.create(manufacturer=supplier, reference=f"B-{number}", name_fr="Aiguille",
                                               emdn=emdn, status=ProductStatus.PUBLISHED))  # fmt: skip
        suppliers.append(supplier)
        people.append(person)
    lines = list(plan.lines.order_by("line_number"))
    run = MatchRun.objects.create(scope="plan", year=plan.year, plan=plan, status=RunStatus.DONE)
    chunk = MatchChunk.objects.create(run=run, number=1, line_ids=[line.pk for line in lines])
    for line in lines:
        result = LineResult.objects.create(run=run, chunk=chunk, line=line, quantity=line.base_quantity)
        MatchCandidate.objects.bulk_create(
            MatchCandidate(result=result, rank=rank, product=product, score=0.9, verdict="good")
            for rank, product in enumerate(products, start=1)
        )

    now = timezone.now()
    terms = {"reference": "BENCH-1", "title": "Aiguilles", "evaluation_method": "lowest_price",
             "national_preference_rate": Decimal("0.15"), "questions_deadline": now + timedelta(hours=1),
             "submission_deadline": now + timedelta(hours=2), "opening_at": now + timedelta(hours=3),
             "required_certificates": [], "open_to_all": False}  # fmt: skip
    consultation = services.consultation_create_from_lines(actor=actor, buyer=buyer, lines=lines, data=terms,
                                                           user=first)  # fmt: skip
    with override_settings(MAILERS=LOCMEM):
        consultation = services.consultation_publish(actor=actor, consultation=consultation)
    lot = consultation.lots.get()
    lot_lines = list(lot.lines.order_by("position"))

    def priced(number: int) -> list[dict[str, object]]:
        return [{"lot_line": line.pk, "unit_price": f"{1 + (number * 7 + index) % 50 / 100:.2f}", "delivery_days": 20}
                for index, line in enumerate(lot_lines)]  # fmt: skip

    with stopwatch() as submitted:
        for number, (supplier, person) in enumerate(zip(suppliers, people, strict=True)):
            services.offer_submit(actor=actor_for(person), consultation=consultation, lot=lot, supplier=supplier,
                                  lines=priced(number), user=person)  # fmt: skip
    # Baseline: the sealing alone (encryption of the same contents), nothing checked or written.
    with stopwatch() as sealed_only:
        for number, supplier in enumerate(suppliers):
            sealing.seal(consultation=consultation, lot_id=lot.pk, supplier_id=supplier.pk, version=1,
                         contents={"lines": priced(number), "documents": []})  # fmt: skip

    with mock.patch("django.utils.timezone.now", return_value=consultation.opening_at + timedelta(minutes=1)):
        with stopwatch() as opened:
            consultation = services.consultation_open(actor=actor, consultation=consultation, committee=[first, second])
        offer_lines = OfferLine.objects.filter(offer__consultation=consultation).count()
        if offer_lines != LINES * SUPPLIERS:
            raise RuntimeError(f"bench opening unsealed {offer_lines} offer lines")
        # Baseline: the same rows written in one bulk insert, no decryption and no audit trail.
        copies = [OfferLine(offer_id=line.offer_id, lot_line_id=line.lot_line_id, unit_price=line.unit_price,
                            delivery_days=line.delivery_days) for line in OfferLine.objects.all()]  # fmt: skip
        OfferLine.objects.all().delete()
        with stopwatch() as bulk:
            OfferLine.objects.bulk_create(copies, batch_size=1000)

        with stopwatch() as evaluated:
            services.consultation_evaluate(actor=actor, consultation=consultation)
    # Baseline: the pure ranking of the same offers in memory (no compliance facts read, nothing stored).
    offers = Offer.objects.filter(consultation=consultation).prefetch_related("lines")
    quantities = {line.pk: Decimal(line.quantity) for line in lot_lines}
    facts = ev.ComplianceFacts(delivery_date=timezone.localdate(), registration_required=False)
    inputs = [
        ev.OfferUnderEvaluation(
            offer_id=offer.pk, supplier_id=offer.supplier_id, established_in_morocco=offer.established_in_morocco,
            submitted_at=offer.submitted_at, compliance=facts,
            lines=tuple(ev.OfferLine(line.lot_line_id, quantities[line.lot_line_id], line.unit_price,
                                     line.delivery_days) for line in offer.lines.all()),
        )
        for offer in offers
    ]  # fmt: skip
    lot_input = ev.Lot(id=lot.pk, lines=tuple(ev.LotLine(line.pk, Decimal(line.quantity)) for line in lot_lines))
    with stopwatch() as pure:
        ev.evaluate_lot(lot_input, inputs, method=ev.EvaluationMethod.lowest_price(), preference_rate=Decimal("0.15"))
    # Its rows go (lots, offers, evaluations with it): other benchmarks empty the plans and products it used.
    Consultation.objects.filter(pk=consultation.pk).delete()
    return [
        Figure(NAME, f"sealed offers submitted ({SUPPLIERS} offers × {LINES} lines, services)",
               submitted[0] * 1000 / SUPPLIERS, sealed_only[0] * 1000 / SUPPLIERS, "ms",
               "encryption of the same contents only"),
        Figure(NAME, f"two-person opening: {SUPPLIERS * LINES:,} offer lines unsealed and written", opened[0],
               bulk[0], "s", "the same rows in one bulk insert"),
        Figure(NAME, f"evaluation of the lot ({SUPPLIERS} offers: compliance, preference, ranking, stored)",
               evaluated[0], pure[0], "s", "pure ranking in memory"),
    ]  # fmt: skip
