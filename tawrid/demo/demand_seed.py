"""Demo purchase plans: each demo hospital group and public hospital gets its plan of the current year,
several hundred to a few thousand lines written the way hospital files write them (upper-case French, sizes,
gauges, volumes, `B/100` units), some published and some still drafts.

Deterministic (one random generator per buyer, seeded from the demo seed and the buyer's short name) and
idempotent (a buyer that already has its plan of the year is left alone). Lines are bulk-created."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import product

from django.db import transaction

from tawrid.accounts.models import Organisation
from tawrid.demand.models import PlanLine, PlanStatus, PurchasePlan
from tawrid.demand.services import line_values
from tawrid.demo import data

PLAN_YEAR = 2026

# slug → (status, disclose the buyer's name to manufacturers, number of lines)
PLANS: dict[str, tuple[str, bool, int]] = {
    "groupe-sante-atlas": (PlanStatus.PUBLISHED, True, 1000),
    "cliniques-al-amal": (PlanStatus.PUBLISHED, False, 800),
    "groupe-oasis": (PlanStatus.DRAFT, False, 600),
    "chu-oued-sebou": (PlanStatus.PUBLISHED, False, 1350),
    "chu-menara": (PlanStatus.PUBLISHED, True, 1200),
    "chr-souss-massa": (PlanStatus.DRAFT, False, 450),
    "chr-oriental": (PlanStatus.PUBLISHED, False, 400),
}


@dataclass(frozen=True)
class Template:
    """A family of hospital lines: a designation pattern, the values its blanks take, its units, EMDN
    code, a price range per purchase unit (MAD), and the certificates buyers usually require."""

    pattern: str
    values: tuple[tuple[str, ...], ...]
    units: tuple[str, ...]
    emdn: str
    price: tuple[float, float]
    certificates: tuple[str, ...] = ("iso13485",)


TEMPLATES: tuple[Template, ...] = (
    Template(
        "AIGUILLE HYPODERMIQUE STERILE A USAGE UNIQUE {} X {} / 10 G {}",
        (("16", "25", "30", "40"), ("5", "6", "7", "8", "9", "11"), ("18", "19", "20", "21", "22", "23", "25")),
        ("B/100",),
        "A010101",
        (18, 60),
        ("iso13485", "ce"),
    ),
    Template(
        "AIGUILLE A / PONCTION LOMBAIRE {} X {} / 10 G {}",
        (("38", "50", "90", "120"), ("5", "7", "9", "11"), ("19", "20", "22", "25", "27")),
        ("B/1", "U"),
        "A010101",
        (6, 45),
    ),
    Template(
        "SERINGUE 3 PIECES STERILE A USAGE UNIQUE {} ML {}",
        (("1", "2", "2.5", "5", "10", "20", "50", "60"), ("LUER", "LUER LOCK", "AVEC AIGUILLE 21 G", "SANS AIGUILLE")),
        ("B/100", "BTE/50"),
        "A0201",
        (45, 190),
        ("iso13485", "nm_imanor"),
    ),
    Template(
        "CATHETER COURT IV A AILETTES AVEC SITE D'INJECTION G {} {}",
        (("14", "16", "17", "18", "20", "22", "24", "26"), ("", "RADIO-OPAQUE", "SECURISE")),
        ("B/50", "B/100"),
        "C0101",
        (120, 900),
        ("iso13485", "ce", "dmp_registration"),
    ),
    Template(
        "SONDE DE FOLEY {} VOIES CH {} {}",
        (("2", "3"), ("8", "10", "12", "14", "16", "18", "20", "22", "24"), ("LATEX SILICONE", "100% SILICONE")),
        ("U", "B/10"),
        "U0101",
        (4, 60),
        ("iso13485", "ce"),
    ),
    Template(
        "SONDE D'ASPIRATION TRACHEO-BRONCHIQUE CH {} {}",
        (("6", "8", "10", "12", "14", "16", "18"), ("STERILE", "STERILE AVEC VALVE", "U.U.")),
        ("B/100", "U"),
        "R0201",
        (1, 4),
    ),
    Template(
        "FIL {} {} AIGUILLE {} {} MM",
        (
            ("RESORBABLE TRESSE", "NON RESORBABLE MONOFILAMENT", "RESORBABLE RAPIDE"),
            ("5/0", "4/0", "3/0", "2/0", "0", "1"),
            ("1/2 C", "3/8 C", "DROITE"),
            ("13", "16", "19", "22", "26", "30", "36", "40"),
        ),
        ("B/36", "B/12"),
        "H0101",
        (180, 950),
        ("iso13485", "ce"),
    ),
    Template(
        "COMPRESSE DE GAZE HYDROPHILE {} X {} CM {} PLIS {}",
        (("5", "7.5", "10", "20", "40"), ("5", "7.5", "10", "20", "40"), ("8", "12", "16"), ("STERILE", "NON STERILE")),
        ("PQT/10", "B/100", "PQT/100"),
        "M0201",
        (6, 45),
    ),
    Template(
        "BANDE {} {} CM X {} M",
        (
            ("VELPEAU", "CREPE", "PLATREE", "COHESIVE", "ELASTIQUE ADHESIVE"),
            ("5", "7", "10", "15", "20"),
            ("3", "4", "5"),
        ),
        ("RLX", "U", "B/12"),
        "M0401",
        (3, 40),
    ),
    Template(
        "SPARADRAP {} {} CM X {} M",
        (("MICROPOREUX", "PERFORE", "TISSE", "HYPOALLERGENIQUE"), ("1.25", "2.5", "5", "10"), ("5", "9.14", "10")),
        ("RLX", "B/12"),
        "M0401",
        (4, 38),
    ),
    Template(
        "GANT D'EXAMEN {} {} NON STERILE TAILLE {}",
        (("NITRILE", "LATEX", "VINYLE"), ("NON POUDRE", "POUDRE"), ("XS", "S", "M", "L", "XL")),
        ("B/100", "BTE/100"),
        "T0101",
        (28, 95),
        ("iso13485", "nm_imanor"),
    ),
    Template(
        "GANT CHIRURGICAL STERILE {} T {}",
        (("LATEX POUDRE", "LATEX SANS POUDRE", "SYNTHETIQUE SANS LATEX"), ("6", "6.5", "7", "7.5", "8", "8.5", "9")),
        ("B/50 PAIRES", "PAIRE"),
        "T0102",
        (3, 250),
        ("iso13485", "ce"),
    ),
    Template(
        "MASQUE {} {}",
        (
            ("CHIRURGICAL 3 PLIS TYPE IIR", "CHIRURGICAL 3 PLIS TYPE II", "FFP2", "FFP3"),
            ("A ELASTIQUES", "A LIENS", "AVEC VISIERE", "SANS VALVE"),
        ),
        ("B/50", "B/20"),
        "T0206",
        (15, 220),
        ("nm_imanor",),
    ),
    Template(
        "TUBULURE DE PERFUSION {} AVEC {} {} CM",
        (
            ("STANDARD", "PHOTOSENSIBLE", "POUR POMPE"),
            ("PRISE D'AIR", "ROBINET 3 VOIES", "REGULATEUR DE DEBIT"),
            ("150", "180", "200"),
        ),
        ("U", "B/25"),
        "A0304",
        (3, 80),
    ),
    Template(
        "PROLONGATEUR {} {} CM",
        (("POUR SERINGUE ELECTRIQUE", "BASSE PRESSION", "HAUTE PRESSION"), ("25", "50", "100", "150", "200")),
        ("U", "B/50"),
        "A0304",
        (2, 25),
    ),
    Template(
        "ROBINET {} VOIES {}",
        (("3", "4"), ("AVEC PROLONGATEUR 10 CM", "SIMPLE", "AVEC PROLONGATEUR 25 CM")),
        ("B/50", "U"),
        "A0703",
        (2, 30),
    ),
    Template(
        "POCHE A URINE {} ML {}",
        (("750", "1500", "2000"), ("AVEC VIDANGE", "SANS VIDANGE", "PEDIATRIQUE")),
        ("U", "B/10", "CRT"),
        "U0201",
        (2, 90),
    ),
    Template(
        "SOLUTION HYDRO-ALCOOLIQUE {} {}",
        (("GEL", "LIQUIDE"), ("FL/500 ML", "FL/1L", "BIDON 5 L")),
        ("FL/1L", "FL/500ML", "U"),
        "Z1299",
        (25, 160),
        ("nm_imanor",),
    ),
    Template(
        "CHAMP OPERATOIRE {} {} X {} CM {}",
        (
            ("STERILE NON TISSE", "STERILE SMS"),
            ("50", "75", "100", "150"),
            ("50", "90", "150", "200"),
            ("ADHESIF", "TROUE", ""),
        ),
        ("B/50", "U"),
        "T0201",
        (3, 45),
    ),
    Template(
        "CASAQUE CHIRURGICALE STERILE {} TAILLE {}",
        (("SMS", "SMS RENFORCEE", "NON TISSEE"), ("M", "L", "XL", "XXL")),
        ("U", "B/30"),
        "T0204",
        (18, 70),
    ),
    Template(
        "DRAIN DE REDON CH {} {}",
        (("8", "10", "12", "14", "16", "18"), ("AVEC TROCART", "SANS TROCART")),
        ("U", "B/10"),
        "A0601",
        (9, 70),
    ),
    Template(
        "ELECTRODE ECG {} {} MM",
        (("ADULTE", "PEDIATRIQUE", "NEONATALE"), ("30", "40", "50", "55")),
        ("PQT/50", "B/50", "SACHET/30"),
        "C0206",
        (20, 110),
    ),
    Template(
        "GAINE DE STERILISATION {} {} MM X 200 M",
        (("PLATE", "A SOUFFLET"), ("50", "75", "100", "150", "200", "250", "300")),
        ("RLX",),
        "S0102",
        (110, 620),
    ),
    Template(
        "SACHET DE STERILISATION THERMOSCELLABLE {} X {} MM",
        (("60", "90", "135", "190", "250"), ("100", "250", "300", "400")),
        ("B/200", "B/500"),
        "S0102",
        (35, 240),
    ),
    Template(
        "RASOIR {}",
        (("CHIRURGICAL A USAGE UNIQUE", "MEDICAL LAME SIMPLE", "MEDICAL DOUBLE LAME"),),
        ("B/100", "U"),
        "Z1299",
        (0.5, 80),
    ),
    Template(
        "LAME DE BISTOURI STERILE N° {}",
        (("10", "11", "12", "15", "20", "21", "22", "23", "24"),),
        ("B/100",),
        "L1103",
        (60, 220),
        ("iso13485", "ce"),
    ),
    Template("CANULE DE GUEDEL N° {}", (("000", "00", "0", "1", "2", "3", "4", "5"),), ("U", "B/10"), "R0201", (2, 35)),
    Template(
        "SONDE D'INTUBATION {} N° {}",
        (("AVEC BALLONNET", "SANS BALLONNET"), ("2.5", "3", "3.5", "4", "5", "6", "6.5", "7", "7.5", "8", "8.5")),
        ("U", "B/10"),
        "R0201",
        (6, 60),
        ("iso13485", "ce"),
    ),
    Template("THERMOMETRE {}", (("ELECTRONIQUE", "FRONTAL SANS CONTACT", "AU GALLIUM"),), ("U",), "Z1299", (15, 400)),
    Template(
        "ABAISSE LANGUE {}", (("EN BOIS NON STERILE", "EN BOIS STERILE", "PLASTIQUE"),), ("B/100",), "Z1299", (8, 40)
    ),
)


@dataclass
class DemandReport:
    plans: list[str] = field(default_factory=list)
    lines: int = 0


def _candidates() -> list[tuple[str, tuple[str, ...], str, tuple[float, float], tuple[str, ...]]]:
    """Every designation the templates and the specialties' typical lines give, once each."""
    found: dict[str, tuple[str, tuple[str, ...], str, tuple[float, float], tuple[str, ...]]] = {}
    for template in TEMPLATES:
        for combo in product(*template.values):
            designation = " ".join(template.pattern.format(*combo).split())
            found.setdefault(
                designation, (designation, template.units, template.emdn, template.price, template.certificates)
            )
    for specialty in data.SPECIALTIES.values():
        for designation, unit in specialty.lines:
            found.setdefault(designation, (designation, (unit,), specialty.emdn[0], (5, 900), ("iso13485",)))
    return [found[key] for key in sorted(found)]


def _quantity(rng: random.Random, unit: str) -> Decimal:
    if unit.startswith(("B/", "BTE", "PQT", "CRT", "RLX", "SACHET", "KIT")):
        return Decimal(rng.choice((5, 10, 12, 20, 24, 30, 40, 50, 60, 100, 120, 150, 200, 300, 500)))
    return Decimal(rng.choice((1, 2, 4, 6, 10, 12, 20, 25, 50, 80, 100, 150, 200, 400, 600, 1000, 2500)))


def _schedule(rng: random.Random, quantity: Decimal) -> dict[str, object]:
    roll = rng.random()
    if roll < 0.5:
        return {}
    if roll < 0.85 and quantity >= 4 and quantity % 4 == 0:
        share = format(quantity / 4, "f")
        return {"period": "quarter", "quantities": {str(q): share for q in range(1, 5)}}
    months = sorted(rng.sample(range(1, 13), rng.choice((1, 2, 3))))
    return {"period": "month", "quantities": {str(m): None for m in months}}


@transaction.atomic
def demand_seed(*, seed: int = data.DEFAULT_SEED, year: int = PLAN_YEAR) -> DemandReport:
    """Write the demo plans of `year`; buyers that already have one are left alone."""
    from django.utils import timezone

    from tawrid.nomenclature.models import EmdnCode

    report = DemandReport()
    buyers = {o.slug: o for o in Organisation.objects.filter(slug__in=PLANS)}
    done = set(
        PurchasePlan.objects.filter(buyer__in=buyers.values(), year=year, site__isnull=True).values_list(
            "buyer__slug", flat=True
        )
    )
    candidates = _candidates()
    emdn = {c.code: c for c in EmdnCode.objects.filter(code__in={c[2] for c in candidates})}
    sites_of: dict[int, list[Organisation]] = {}
    for child in Organisation.objects.filter(parent__in=buyers.values()).order_by("slug"):
        sites_of.setdefault(child.parent_id or 0, []).append(child)

    for slug, (status, disclose, count) in PLANS.items():
        buyer = buyers.get(slug)
        if buyer is None or slug in done:
            continue
        rng = random.Random(f"{seed}:{slug}:{year}")
        published = status == PlanStatus.PUBLISHED
        plan = PurchasePlan.objects.create(
            buyer=buyer,
            year=year,
            title=f"Plan annuel des achats locaux {year}",
            status=status,
            disclose_buyer=disclose,
            published_at=timezone.now() if published else None,
        )
        chosen = sorted(rng.sample(range(len(candidates)), min(count, len(candidates))))
        sites = sites_of.get(buyer.pk, [])
        lines = []
        prefix = "".join(word[0] for word in slug.split("-")).upper()
        for number, index in enumerate(chosen, start=1):
            designation, units, code, (low, high), certificates = candidates[index]
            unit = rng.choice(units)
            quantity = _quantity(rng, unit)
            price = Decimal(str(round(rng.uniform(low, high), 2)))
            place = rng.choice(sites).name if sites and rng.random() < 0.6 else ""
            values = line_values(
                {
                    "buyer_reference": f"{prefix}-{index:05d}" if rng.random() < 0.8 else "",
                    "designation": designation,
                    "quantity": quantity,
                    "unit": unit,
                    "unit_price": price if rng.random() < 0.9 else None,
                    "required_certificates": list(certificates) if rng.random() < 0.7 else [],
                    "specification": "",
                    "delivery_place": place,
                    "delivery_schedule": _schedule(rng, quantity),
                    "emdn": emdn.get(code) if rng.random() < 0.75 else None,
                    "cpv": None,
                },
                site_names={site.name.lower(): site for site in sites},
            )
            if place:
                values["delivery_site"] = next(site for site in sites if site.name == place)
            lines.append(PlanLine(plan=plan, line_number=number, **values))
        PlanLine.objects.bulk_create(lines, batch_size=1000)
        report.plans.append(f"{buyer.name} {year} ({plan.get_status_display()}, {len(lines)} lines)")
        report.lines += len(lines)
    from tawrid.demand.services import demand_aggregate_refresh

    demand_aggregate_refresh(year=year)  # national demand figures of the demo year, synchronously
    return report
