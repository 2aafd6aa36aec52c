"""The demo catalogues: hundreds of products of the demo manufacturers, with variants and specifications,
certificates in every status, DMP registrations, and some Made in Morocco labels.

Each manufacturer's specialty (tawrid.demo.data.SPECIALTIES) gives its product families, written the way
the sector names them in French. Everything is drawn from `random.Random(seed)`, so one seed always gives
the same catalogues; rows that already exist (matched on the manufacturer's reference, the certificate's
number, the registration's number) are left untouched, so running the seed twice creates nothing.
Dates are absolute (a demo that does not drift): most certificates and registrations run to 2027–2030,
a few are suspended, withdrawn, expired or still waiting for IMANOR or the DMP. When the EMDN reference
data is not loaded, no product can be classified and the catalogue seed does nothing.
"""

import random
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from tawrid.accounts.models import Organisation
from tawrid.catalog import codes
from tawrid.catalog.models import (
    Certificate,
    CertificateDecision,
    CertificateKind,
    CertificateStatus,
    LabelApplication,
    LabelDecision,
    LabelStatus,
    Product,
    ProductionSite,
    ProductStatus,
    RegistrationApplication,
    RegistrationDecision,
    RegistrationStatus,
    Variant,
    VariantSpecification,
)
from tawrid.core.text import fold
from tawrid.demo import data
from tawrid.nomenclature.models import EmdnCode

Specs = dict[str, str]


@dataclass(frozen=True)
class Family:
    """A product family of a specialty: names, EMDN code (index in the specialty's codes), flags, packaging,
    indicative price range (MAD), qualifiers that make distinct products, and the variants with their specs."""

    name: str
    name_en: str
    name_ar: str
    emdn: int
    variants: tuple[tuple[str, Specs], ...]
    qualifiers: tuple[str, ...] = ("",)
    flags: dict[str, bool] = field(default_factory=dict)
    box: int | None = None
    carton: int | None = None
    price: tuple[float, float] = (1.0, 5.0)
    risk: str = "I"


STERILE = {"sterile": True, "single_use": True}
GLOVE_SIZES = tuple((f"Taille {s}", {"glove_size": s}) for s in ("S", "M", "L", "XL"))
SURGICAL_SIZES = tuple((f"Taille {s}", {"glove_size": s}) for s in ("6.5", "7", "7.5", "8", "8.5"))

FAMILIES: dict[str, tuple[Family, ...]] = {
    "gants": (
        Family(
            "Gant d'examen nitrile non poudré non stérile",
            "Nitrile examination glove, powder-free",
            "قفاز فحص من النتريل",
            0,
            GLOVE_SIZES,
            ("bleu", "noir", "violet", "rose", "extra-long manchette 300 mm"),
            {"latex_free": True, "powder_free": True},
            100,
            10,
            (0.3, 0.6),
        ),
        Family(
            "Gant d'examen latex poudré non stérile",
            "Latex examination glove, powdered",
            "قفاز فحص من اللاتكس",
            0,
            GLOVE_SIZES,
            ("", "texturé", "blanc naturel"),
            {},
            100,
            10,
            (0.2, 0.4),
        ),
        Family(
            "Gant chirurgical stérile latex sans poudre",
            "Sterile latex surgical glove, powder-free",
            "قفاز جراحي معقم",
            1,
            SURGICAL_SIZES,
            ("", "orthopédique", "double gantage", "microchirurgie"),
            {**STERILE, "powder_free": True},
            50,
            6,
            (2.5, 4.5),
            "IIa",
        ),
        Family(
            "Gant d'examen vinyle non poudré",
            "Vinyl examination glove, powder-free",
            "قفاز فحص من الفينيل",
            0,
            GLOVE_SIZES[:3],
            ("",),
            {"latex_free": True, "powder_free": True},
            100,
            10,
            (0.2, 0.35),
        ),
    ),
    "seringues_aiguilles": (
        Family(
            "Seringue 3 pièces stérile à usage unique",
            "3-part sterile single-use syringe",
            "حقنة معقمة ثلاثية القطع",
            0,
            tuple((f"{v} ml", {"volume": f"{v} ml"}) for v in ("2", "5", "10", "20")),
            ("Luer", "Luer Lock", "embout excentré", "sans aiguille"),
            STERILE,
            100,
            20,
            (0.6, 1.6),
            "IIa",
        ),
        Family(
            "Seringue 3 pièces stérile avec aiguille",
            "Sterile syringe with needle",
            "حقنة معقمة مع إبرة",
            0,
            (
                ("5 ml 21 G", {"volume": "5 ml", "gauge": "21"}),
                ("10 ml 21 G", {"volume": "10 ml", "gauge": "21"}),
                ("2 ml 23 G", {"volume": "2 ml", "gauge": "23"}),
            ),
            ("",),
            STERILE,
            100,
            20,
            (0.8, 1.8),
            "IIa",
        ),
        Family(
            "Seringue autobloquante pour vaccination",
            "Auto-disable vaccination syringe",
            "حقنة ذاتية التعطيل",
            0,
            (
                ("0,5 ml 23 G", {"volume": "0.5 ml", "gauge": "23"}),
                ("0,05 ml 26 G", {"volume": "0.05 ml", "gauge": "26"}),
            ),
            ("",),
            STERILE,
            100,
            30,
            (0.9, 1.5),
            "IIa",
        ),
        Family(
            "Aiguille hypodermique stérile à usage unique",
            "Sterile single-use hypodermic needle",
            "إبرة تحت الجلد معقمة",
            1,
            (
                ("G21 25 mm", {"gauge": "21", "needle_length": "25 mm"}),
                ("G20 40 mm", {"gauge": "20", "needle_length": "40 mm"}),
                ("G23 25 mm", {"gauge": "23", "needle_length": "25 mm"}),
                ("G25 16 mm", {"gauge": "25", "needle_length": "16 mm"}),
            ),
            ("", "à biseau court", "sécurisée"),
            STERILE,
            100,
            50,
            (0.15, 0.4),
            "IIa",
        ),
    ),
    "compresses_pansements": (
        Family(
            "Compresse de gaze hydrophile stérile",
            "Sterile absorbent gauze swab",
            "ضمادة شاش معقمة",
            0,
            (
                ("10 x 10 cm 12 plis", {"length": "10 cm", "width": "10 cm", "plies": "12"}),
                ("7,5 x 7,5 cm 8 plis", {"length": "7.5 cm", "width": "7.5 cm", "plies": "8"}),
            ),
            ("", "17 fils", "20 fils", "radio-détectable"),
            STERILE,
            100,
            20,
            (0.5, 1.2),
            "IIa",
        ),
        Family(
            "Compresse non tissée non stérile",
            "Non-sterile non-woven swab",
            "ضمادة غير منسوجة",
            0,
            (
                ("7,5 x 7,5 cm", {"length": "7.5 cm", "width": "7.5 cm", "material": "nonwoven"}),
                ("10 x 10 cm", {"length": "10 cm", "width": "10 cm", "material": "nonwoven"}),
            ),
            ("",),
            {},
            100,
            40,
            (0.1, 0.3),
        ),
        Family(
            "Pansement adhésif stérile",
            "Sterile adhesive dressing",
            "ضمادة لاصقة معقمة",
            2,
            (
                ("10 x 20 cm", {"length": "20 cm", "width": "10 cm"}),
                ("10 x 10 cm", {"length": "10 cm", "width": "10 cm"}),
                ("5 x 7 cm", {"length": "7 cm", "width": "5 cm"}),
            ),
            ("", "transparent", "post-opératoire", "hydrocolloïde", "siliconé"),
            STERILE,
            50,
            12,
            (1.5, 4.0),
            "IIa",
        ),
        Family(
            "Coton hydrophile",
            "Absorbent cotton wool",
            "قطن طبي ماص",
            1,
            (
                ("250 g", {"weight": "250 g", "material": "cotton"}),
                ("500 g", {"weight": "500 g", "material": "cotton"}),
            ),
            ("",),
            {},
            1,
            30,
            (12.0, 28.0),
        ),
        Family(
            "Bande de crêpe",
            "Crepe bandage",
            "ضمادة كريب",
            1,
            (
                ("4 m x 10 cm", {"length": "4 m", "width": "10 cm"}),
                ("4 m x 15 cm", {"length": "4 m", "width": "15 cm"}),
            ),
            ("",),
            {},
            1,
            100,
            (3.0, 7.0),
        ),
    ),
    "textiles_chirurgicaux": (
        Family(
            "Champ opératoire stérile non tissé adhésif",
            "Sterile adhesive non-woven surgical drape",
            "غطاء جراحي معقم",
            0,
            (
                ("75 x 90 cm", {"length": "90 cm", "width": "75 cm", "material": "nonwoven"}),
                ("150 x 200 cm", {"length": "200 cm", "width": "150 cm", "material": "nonwoven"}),
            ),
            ("",),
            STERILE,
            50,
            4,
            (6.0, 18.0),
            "I",
        ),
        Family(
            "Casaque chirurgicale stérile SMS renforcée",
            "Reinforced sterile SMS surgical gown",
            "رداء جراحي معقم",
            1,
            (
                ("Taille M", {"material": "nonwoven"}),
                ("Taille L", {"material": "nonwoven"}),
                ("Taille XL", {"material": "nonwoven"}),
            ),
            ("",),
            STERILE,
            30,
            4,
            (25.0, 45.0),
        ),
        Family(
            "Charlotte non tissée à élastique",
            "Non-woven bouffant cap",
            "قبعة غير منسوجة",
            2,
            (
                ("Blanche", {"colour": "blanc", "material": "nonwoven"}),
                ("Verte", {"colour": "vert", "material": "nonwoven"}),
            ),
            ("",),
            {"single_use": True},
            100,
            20,
            (0.2, 0.5),
        ),
        Family(
            "Surchaussure non tissée",
            "Non-woven overshoe",
            "غطاء حذاء غير منسوج",
            2,
            (("Bleue", {"colour": "bleu", "material": "nonwoven"}),),
            ("", "antidérapante"),
            {"single_use": True},
            100,
            20,
            (0.2, 0.6),
        ),
    ),
    "masques": (
        Family(
            "Masque chirurgical 3 plis type IIR",
            "Type IIR 3-ply surgical mask",
            "كمامة جراحية ثلاثية الطبقات",
            0,
            (("À élastiques", {"plies": "3"}), ("À lacets", {"plies": "3"})),
            ("", "pédiatrique", "à visière", "type II"),
            {"single_use": True, "latex_free": True},
            50,
            40,
            (0.3, 0.8),
        ),
        Family(
            "Masque de protection respiratoire FFP2",
            "FFP2 respirator",
            "كمامة حماية تنفسية FFP2",
            0,
            (("Sans valve", {}), ("Avec valve", {})),
            ("",),
            {"single_use": True},
            20,
            30,
            (2.0, 5.0),
        ),
    ),
    "mobilier_hospitalier": (
        Family(
            "Lit d'hospitalisation électrique 3 fonctions",
            "3-function electric hospital bed",
            "سرير مستشفى كهربائي",
            0,
            (
                ("Avec barrières", {"length": "2100 mm", "width": "900 mm"}),
                ("Bariatrique", {"length": "2200 mm", "width": "1200 mm"}),
            ),
            ("",),
            {"reusable": True},
            1,
            1,
            (9000.0, 22000.0),
            "I",
        ),
        Family(
            "Brancard de transport à hauteur variable",
            "Height-adjustable transport stretcher",
            "نقالة نقل",
            1,
            (("Hydraulique", {"length": "2000 mm"}),),
            ("", "radiotransparent", "de réanimation"),
            {"reusable": True},
            1,
            1,
            (7000.0, 15000.0),
        ),
        Family(
            "Table d'examen 2 plans",
            "2-section examination table",
            "طاولة فحص",
            2,
            (("Standard", {"length": "1900 mm", "height": "750 mm"}),),
            ("", "gynécologique", "pédiatrique"),
            {"reusable": True},
            1,
            1,
            (2500.0, 6000.0),
        ),
        Family(
            "Chariot de soins inox 2 plateaux",
            "Stainless steel 2-tray care trolley",
            "عربة علاج",
            2,
            (("60 x 40 cm", {"length": "60 cm", "width": "40 cm", "material": "stainless_steel"}),),
            ("", "à tiroirs", "d'urgence", "d'anesthésie"),
            {"reusable": True},
            1,
            1,
            (1500.0, 4500.0),
        ),
    ),
    "respiratoire": (
        Family(
            "Masque à oxygène adulte avec tubulure 2 m",
            "Adult oxygen mask with 2 m tubing",
            "قناع أكسجين للبالغين",
            1,
            (("Adulte", {"length": "2 m"}), ("Pédiatrique", {"length": "2 m"})),
            ("", "à haute concentration", "nébuliseur"),
            {"single_use": True},
            50,
            10,
            (4.0, 9.0),
            "IIa",
        ),
        Family(
            "Lunette à oxygène",
            "Nasal oxygen cannula",
            "قنية أنفية للأكسجين",
            1,
            (("Adulte", {"length": "2 m"}), ("Enfant", {"length": "2 m"})),
            ("",),
            {"single_use": True},
            50,
            10,
            (2.0, 5.0),
            "IIa",
        ),
        Family(
            "Circuit respiratoire usage unique",
            "Single-use breathing circuit",
            "دارة تنفسية",
            2,
            (
                ("Adulte 1,8 m", {"length": "1.8 m", "outer_diameter": "22 mm"}),
                ("Pédiatrique 1,8 m", {"length": "1.8 m", "outer_diameter": "15 mm"}),
            ),
            ("", "avec piège à eau", "coaxial"),
            {"single_use": True},
            20,
            1,
            (35.0, 80.0),
            "IIa",
        ),
    ),
    "diagnostic_in_vitro": (
        Family(
            "Tube de prélèvement sous vide",
            "Vacuum blood collection tube",
            "أنبوب جمع الدم بالتفريغ",
            0,
            (
                ("EDTA K3 4 ml", {"volume": "4 ml"}),
                ("Sec 5 ml bouchon rouge", {"volume": "5 ml"}),
                ("Citrate 2,7 ml", {"volume": "2.7 ml"}),
            ),
            ("", "PET"),
            {"sterile": True},
            100,
            12,
            (0.8, 2.0),
            "A",
        ),
        Family(
            "Test rapide de diagnostic",
            "Rapid diagnostic test",
            "اختبار تشخيص سريع",
            1,
            (("Cassette", {}),),
            ("HBsAg", "VIH 1/2", "paludisme", "grossesse hCG", "VHC", "syphilis", "dengue NS1"),
            {},
            25,
            40,
            (8.0, 25.0),
            "C",
        ),
        Family(
            "Réactif de biochimie clinique",
            "Clinical chemistry reagent",
            "كاشف كيمياء حيوية",
            1,
            (("Coffret 500 tests", {"volume": "500 ml"}),),
            ("glucose GOD-PAP", "urée", "créatinine", "cholestérol", "triglycérides", "ALAT", "ASAT"),
            {},
            1,
            10,
            (150.0, 450.0),
            "B",
        ),
    ),
    "dentaire": (
        Family(
            "Aiguille dentaire stérile",
            "Sterile dental needle",
            "إبرة أسنان معقمة",
            2,
            (
                ("27 G courte", {"gauge": "27", "needle_length": "21 mm"}),
                ("30 G extra-courte", {"gauge": "30", "needle_length": "12 mm"}),
            ),
            ("",),
            STERILE,
            100,
            50,
            (0.4, 0.9),
            "IIa",
        ),
        Family(
            "Alginate pour empreinte dentaire",
            "Dental impression alginate",
            "ألجينات طب الأسنان",
            0,
            (("Sachet 453 g", {"weight": "453 g"}),),
            ("", "à prise rapide"),
            {},
            1,
            20,
            (60.0, 120.0),
        ),
        Family(
            "Composite photopolymérisable",
            "Light-curing composite",
            "مركب ضوئي",
            1,
            (("Teinte A2 4 g", {"weight": "4 g"}), ("Teinte A3 4 g", {"weight": "4 g"})),
            ("",),
            {},
            1,
            50,
            (90.0, 220.0),
            "IIa",
        ),
    ),
    "sutures": (
        Family(
            "Fil de suture résorbable tressé",
            "Braided absorbable suture",
            "خيط جراحي قابل للامتصاص",
            0,
            (
                (
                    "2/0 aiguille 26 mm",
                    {"suture_size": "2/0", "needle_length": "26 mm", "material": "polyglactin", "absorbable": "oui"},
                ),
                (
                    "0 aiguille 40 mm",
                    {"suture_size": "0", "needle_length": "40 mm", "material": "polyglactin", "absorbable": "oui"},
                ),
                (
                    "3/0 aiguille 22 mm",
                    {"suture_size": "3/0", "needle_length": "22 mm", "material": "polyglactin", "absorbable": "oui"},
                ),
            ),
            ("", "à résorption rapide", "antibactérien"),
            STERILE,
            36,
            12,
            (12.0, 30.0),
            "III",
        ),
        Family(
            "Fil de suture non résorbable monofilament polyamide",
            "Polyamide monofilament suture",
            "خيط جراحي غير قابل للامتصاص",
            1,
            (
                (
                    "3/0 aiguille 24 mm",
                    {"suture_size": "3/0", "needle_length": "24 mm", "material": "polyamide", "absorbable": "non"},
                ),
                (
                    "4/0 aiguille 19 mm",
                    {"suture_size": "4/0", "needle_length": "19 mm", "material": "polyamide", "absorbable": "non"},
                ),
            ),
            ("",),
            STERILE,
            36,
            12,
            (8.0, 20.0),
            "IIb",
        ),
        Family(
            "Fil de suture soie tressée",
            "Braided silk suture",
            "خيط حرير جراحي",
            1,
            (
                (
                    "2/0 aiguille 26 mm",
                    {"suture_size": "2/0", "needle_length": "26 mm", "material": "silk", "absorbable": "non"},
                ),
            ),
            ("",),
            STERILE,
            36,
            12,
            (6.0, 14.0),
            "IIb",
        ),
    ),
    "catheters_perfusion": (
        Family(
            "Perfuseur à chambre compte-gouttes avec prise d'air",
            "Gravity infusion set with air inlet",
            "جهاز تسريب",
            1,
            (("1,5 m", {"length": "1.5 m"}), ("1,8 m", {"length": "1.8 m"})),
            ("", "sans DEHP", "avec régulateur de débit", "pour transfusion"),
            STERILE,
            1,
            200,
            (2.0, 5.0),
            "IIa",
        ),
        Family(
            "Cathéter court à ailettes avec site d'injection",
            "Winged IV cannula with injection port",
            "قسطرة وريدية",
            0,
            tuple((f"{g} G", {"gauge": g}) for g in ("18", "20", "22", "24")),
            ("",),
            STERILE,
            50,
            20,
            (2.5, 6.0),
            "IIa",
        ),
        Family(
            "Robinet 3 voies",
            "3-way stopcock",
            "صمام ثلاثي الاتجاهات",
            1,
            (("Luer Lock", {"connector": "luer_lock"}),),
            ("", "avec prolongateur", "rampe 5 robinets"),
            STERILE,
            50,
            20,
            (1.5, 4.0),
            "IIa",
        ),
        Family(
            "Sonde vésicale à ballonnet 2 voies",
            "2-way Foley catheter",
            "قسطرة بولية",
            3,
            tuple((f"CH {c}", {"french_size": c, "material": "latex"}) for c in ("14", "16", "18")),
            ("", "siliconée", "3 voies irrigation"),
            STERILE,
            1,
            100,
            (4.0, 12.0),
            "IIa",
        ),
        Family(
            "Sonde gastrique",
            "Nasogastric tube",
            "أنبوب معدي",
            1,
            tuple((f"CH {c}", {"french_size": c, "material": "pvc"}) for c in ("12", "16", "18")),
            ("",),
            STERILE,
            1,
            100,
            (1.5, 4.0),
            "IIa",
        ),
    ),
    "orthopedie": (
        Family(
            "Plaque DCP inox",
            "Stainless steel DCP plate",
            "صفيحة عظمية",
            0,
            (
                ("4,5 mm 8 trous", {"thickness": "4.5 mm", "material": "stainless_steel"}),
                ("3,5 mm 6 trous", {"thickness": "3.5 mm", "material": "stainless_steel"}),
            ),
            ("", "titane"),
            {"sterile": True, "implantable": True},
            1,
            10,
            (300.0, 900.0),
            "IIb",
        ),
        Family(
            "Vis corticale",
            "Cortical screw",
            "برغي قشري",
            0,
            (
                ("3,5 mm L 30 mm", {"outer_diameter": "3.5 mm", "length": "30 mm", "material": "stainless_steel"}),
                ("4,5 mm L 40 mm", {"outer_diameter": "4.5 mm", "length": "40 mm", "material": "stainless_steel"}),
            ),
            ("",),
            {"implantable": True},
            10,
            10,
            (40.0, 120.0),
            "IIb",
        ),
        Family(
            "Ceinture lombaire de maintien",
            "Lumbar support belt",
            "حزام دعم قطني",
            1,
            tuple((f"Taille {s}", {}) for s in ("S", "M", "L", "XL")),
            ("", "renforcée", "post-opératoire", "de grossesse"),
            {},
            1,
            20,
            (120.0, 300.0),
        ),
        Family(
            "Collier cervical mousse",
            "Foam cervical collar",
            "طوق عنق",
            1,
            tuple((f"Taille {s}", {"height": h}) for s, h in (("1", "7 cm"), ("2", "8 cm"), ("3", "10 cm"))),
            ("",),
            {},
            1,
            20,
            (60.0, 150.0),
        ),
    ),
    "sterilisation": (
        Family(
            "Gaine de stérilisation plate papier / plastique",
            "Flat paper/plastic sterilisation reel",
            "لفافة تعقيم",
            0,
            (("150 mm x 200 m", {"width": "150 mm"}), ("250 mm x 200 m", {"width": "250 mm"})),
            ("", "à soufflets", "Tyvek"),
            {},
            1,
            4,
            (250.0, 600.0),
        ),
        Family(
            "Sachet de stérilisation thermoscellable",
            "Heat-seal sterilisation pouch",
            "كيس تعقيم",
            0,
            (
                ("90 x 250 mm", {"width": "90 mm", "length": "250 mm"}),
                ("200 x 330 mm", {"width": "200 mm", "length": "330 mm"}),
            ),
            ("", "autoscellant", "pour instruments lourds"),
            {},
            200,
            10,
            (0.3, 1.2),
        ),
        Family(
            "Indicateur de stérilisation classe 4",
            "Class 4 sterilisation indicator",
            "مؤشر تعقيم",
            0,
            (("Vapeur 134 °C", {}),),
            ("", "intégrateur classe 5"),
            {},
            250,
            20,
            (0.4, 1.5),
        ),
    ),
}

CERTIFIERS = ("IMANOR", "Bureau Veritas Maroc", "TÜV Rheinland Maroc", "SGS Maroc")
NOTIFIED_BODIES = ("TÜV SÜD Product Service (0123)", "BSI Group The Netherlands (2797)", "DEKRA Certification (0124)")


@dataclass
class CatalogueReport:
    products: int = 0
    variants: int = 0
    certificates: int = 0
    registrations: int = 0
    labels: int = 0


def _ref(slug: str, n: int) -> str:
    return f"{slug[:6].upper().replace('-', '')}-{n:03d}"


def _price(rng: random.Random, low: float, high: float) -> Decimal:
    return Decimal(str(round(rng.uniform(low, high), 2)))


@transaction.atomic
def catalogue_seed(*, seed: int = data.DEFAULT_SEED) -> CatalogueReport:
    """Write the demo catalogues for `seed`; what exists already is left untouched."""
    report = CatalogueReport()
    suppliers = [o for o in data.ORGANISATIONS if o.kind in ("manufacturer", "startup") and o.specialty in FAMILIES]
    orgs = {o.slug: o for o in Organisation.objects.filter(slug__in=[s.slug for s in suppliers])}
    all_codes = {c for s in data.SPECIALTIES.values() for c in s.emdn}
    emdns = {e.code: e for e in EmdnCode.objects.filter(code__in=all_codes)}
    if not emdns or not orgs:
        return report
    imanor = Organisation.objects.filter(slug="imanor-demo").first()
    dmp = Organisation.objects.filter(slug="dmp-demo").first()
    suggestions = {code: codes.suggest(e) for code, e in emdns.items()}

    for index, org_seed in enumerate(suppliers):
        organisation = orgs.get(org_seed.slug)
        if organisation is None:
            continue
        rng = random.Random(f"{seed}-catalogue-{org_seed.slug}")
        site, _created = ProductionSite.objects.get_or_create(
            organisation=organisation,
            name=f"Usine de {org_seed.city}",
            defaults={"city": org_seed.city, "region": org_seed.region},
        )
        specialty = data.SPECIALTIES[org_seed.specialty]
        existing = set(Product.objects.filter(manufacturer=organisation).values_list("reference", flat=True))
        products: list[Product] = []
        n = 0
        for family in FAMILIES[org_seed.specialty]:
            for qualifier in family.qualifiers:
                n += 1
                reference = _ref(org_seed.slug, n)
                code = specialty.emdn[min(family.emdn, len(specialty.emdn) - 1)]
                if reference in existing or code not in emdns:
                    continue
                name = f"{family.name} {qualifier}".strip()
                status = ProductStatus.PUBLISHED if rng.random() < 0.85 else ProductStatus.DRAFT
                cpv, hs = suggestions[code]
                labels = " ".join(label for label, _specs in family.variants)
                products.append(
                    Product(
                        manufacturer=organisation,
                        site=site,
                        reference=reference,
                        name_fr=name,
                        name_en=family.name_en,
                        name_ar=family.name_ar,
                        description_fr=f"{name}. Fabriqué à {org_seed.city} par {organisation.name}.",
                        emdn=emdns[code],
                        cpv=cpv,
                        hs=hs,
                        risk_class=family.risk,
                        units_per_box=family.box,
                        boxes_per_carton=family.carton,
                        capacity_per_year=rng.choice([50_000, 200_000, 1_000_000, 5_000_000])
                        if (family.box or 1) > 1
                        else rng.choice([200, 500, 1_500]),
                        minimum_order=rng.choice([10, 50, 100, 500]),
                        lead_time_days=rng.choice([7, 15, 21, 30, 45]),
                        unit_price=_price(rng, *family.price),
                        local_content_share=Decimal(rng.randrange(35, 95)),
                        status=status,
                        search_text=fold(
                            f"{reference} {name} {family.name_en} {family.name_ar} {code} {emdns[code].term} "
                            f"{organisation.name} {labels}"
                        ),
                        **family.flags,
                    )
                )
        created = Product.objects.bulk_create(products)
        report.products += len(created)
        variants: list[Variant] = []
        variant_specs: list[tuple[Variant, Specs]] = []
        families_by_name = {f.name: f for f in FAMILIES[org_seed.specialty]}
        for product in created:
            family = next(f for name, f in families_by_name.items() if product.name_fr.startswith(name))
            for position, (label, specs) in enumerate(family.variants):
                variant = Variant(
                    product=product,
                    reference=f"{product.reference}-{position + 1:02d}",
                    label=label,
                    udi_di=_gtin(index, product.pk, position),
                    position=position,
                )
                variants.append(variant)
                variant_specs.append((variant, specs))
        Variant.objects.bulk_create(variants)
        report.variants += len(variants)
        VariantSpecification.objects.bulk_create(
            [row for variant, specs in variant_specs for row in _spec_rows(variant, specs)]
        )
        report.certificates += _certificates(rng, organisation, index, created, imanor)
        report.registrations += _registrations(rng, organisation, index, created, dmp)
        report.labels += _labels(rng, created, imanor)
    return report


def _gtin(org_index: int, product_id: int, position: int) -> str:
    """A valid GTIN-14 in the demo's fictional GS1 prefix 611 (Morocco), unique per variant."""
    body = f"0611{org_index:02d}{product_id % 100_000:05d}{position:02d}"[:13]
    digits = [int(d) for d in body]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(digits))
    return body + str((10 - total % 10) % 10)


def _spec_rows(variant: Variant, specs: Specs) -> list[VariantSpecification]:
    from tawrid.specs import parse_value

    rows = []
    for attribute, raw in specs.items():
        value = parse_value(attribute, raw)
        row = VariantSpecification(
            variant=variant, attribute=attribute, unit=value.unit, raw=raw, entered_unit=value.entered_unit
        )
        if isinstance(value.value, bool):
            row.value_bool = value.value
        elif isinstance(value.value, int | float):
            row.value_number = Decimal(str(round(float(value.value), 6)))
        else:
            row.value_text = str(value.value)
        rows.append(row)
    return rows


def _certificates(
    rng: random.Random, organisation: Organisation, index: int, products: list[Product], imanor: Any
) -> int:
    """ISO 13485 for the organisation (most active and verified; some in every other status), NM and CE ones."""
    plan: list[dict[str, Any]] = []
    iso_status = ["active"] * 7 + ["suspended", "withdrawn", "expired", "unverified"]
    status = iso_status[index % len(iso_status)]
    expires = date(2025, 6, 30) if status == "expired" else date(2027 + index % 3, 1 + index % 12, 15)
    plan.append(
        {
            "kind": CertificateKind.ISO_13485,
            "number": f"MA-QMS-{2023 + index % 2}-{index + 100:04d}",
            "issuer": CERTIFIERS[index % len(CERTIFIERS)],
            "issued_on": date(2022 + index % 2, 3, 1),
            "expires_on": expires,
            "status": status,
            "products": [],
        }
    )
    published = [p for p in products if p.status == ProductStatus.PUBLISHED]
    for n, product in enumerate(published[:2]):
        plan.append(
            {
                "kind": CertificateKind.NM,
                "number": f"NM-{index + 1:02d}{n + 1:02d}-{product.pk}",
                "issuer": "IMANOR",
                "issued_on": date(2024, 5, 1),
                "expires_on": date(2028, 4, 30),
                "status": "active",
                "products": [product],
            }
        )
    if index % 3 == 0 and published:
        plan.append(
            {
                "kind": CertificateKind.CE,
                "number": f"CE-{index + 1:03d}-{published[0].pk}",
                "issuer": NOTIFIED_BODIES[index % len(NOTIFIED_BODIES)],
                "notified_body": NOTIFIED_BODIES[index % len(NOTIFIED_BODIES)],
                "issued_on": date(2023, 9, 1),
                "expires_on": date(2028, 8, 31),
                "status": "active",
                "products": [published[0]],
            }
        )
    created = 0
    for item in plan:
        if Certificate.objects.filter(issuer=item["issuer"], kind=item["kind"], number=item["number"]).exists():
            continue
        status = item["status"]
        certificate = Certificate.objects.create(
            holder=organisation,
            kind=item["kind"],
            number=item["number"],
            issuer=item["issuer"],
            issuer_organisation=imanor if item["issuer"] == "IMANOR" else None,
            notified_body=item.get("notified_body", ""),
            issued_on=item["issued_on"],
            expires_on=item["expires_on"],
            status=CertificateStatus.ACTIVE if status == "unverified" else status,
            verified=status != "unverified",
        )
        certificate.products.set(item["products"])
        decisions = [] if status == "unverified" else ["verify"]
        decisions += {"suspended": ["suspend"], "withdrawn": ["withdraw"], "expired": ["expire"]}.get(status, [])
        reasons = {
            "suspend": "Audit de surveillance non réalisé dans les délais.",
            "withdraw": "Non-conformité majeure relevée lors de l'audit.",
            "expire": "Expiré le 30/06/2025.",
        }
        CertificateDecision.objects.bulk_create(
            [
                CertificateDecision(
                    certificate=certificate,
                    action=action,
                    reason=reasons.get(action, ""),
                    authority=imanor if action != "expire" else None,
                )
                for action in decisions
            ]
        )
        created += 1
    return created


def _registrations(
    rng: random.Random, organisation: Organisation, index: int, products: list[Product], dmp: Any
) -> int:
    created = 0
    for n, product in enumerate(products):
        if product.status != ProductStatus.PUBLISHED:
            continue
        roll = rng.random()
        if roll < 0.78:
            status, number = RegistrationStatus.APPROVED, f"DM-{2023 + n % 3}-{index + 1:02d}{product.pk:05d}"
        elif roll < 0.86:
            status, number = RegistrationStatus.UNDER_REVIEW, ""
        elif roll < 0.93:
            status, number = RegistrationStatus.SUBMITTED, ""
        else:
            status, number = RegistrationStatus.REFUSED, ""
        expired = status == RegistrationStatus.APPROVED and n % 17 == 5
        registration = RegistrationApplication.objects.create(
            product=product,
            status=status,
            number=number,
            valid_from=(date(2020, 2, 1) if expired else date(2023 + n % 3, 2, 1)) if number else None,
            valid_until=(date(2025, 1, 31) if expired else date(2028 + n % 3, 1, 31)) if number else None,
            refusal_reason="Dossier de biocompatibilité incomplet (ISO 10993)." if status == "refused" else "",
            notes="Dossier technique, déclaration de conformité et notice en français et en arabe.",
        )
        actions = ["submit"] + {
            RegistrationStatus.APPROVED: ["start_review", "approve"],
            RegistrationStatus.UNDER_REVIEW: ["start_review"],
            RegistrationStatus.REFUSED: ["start_review", "refuse"],
        }.get(status, [])
        RegistrationDecision.objects.bulk_create(
            [
                RegistrationDecision(
                    registration=registration,
                    action=action,
                    authority=dmp if action != "submit" else None,
                    reason=registration.refusal_reason if action == "refuse" else "",
                )
                for action in actions
            ]
        )
        created += 1
    return created


def _labels(rng: random.Random, products: list[Product], imanor: Any) -> int:
    created = 0
    for product in products:
        if product.status != ProductStatus.PUBLISHED or rng.random() > 0.25:
            continue
        share = product.local_content_share or Decimal(50)
        status = LabelStatus.APPROVED if share >= 50 else LabelStatus.SUBMITTED
        label = LabelApplication.objects.create(
            product=product,
            local_content_share=share,
            status=status,
            valid_until=date(2028, 12, 31) if status == LabelStatus.APPROVED else None,
        )
        if status == LabelStatus.APPROVED:
            LabelDecision.objects.create(label=label, action="approve", authority=imanor)
        created += 1
    return created
