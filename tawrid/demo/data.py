"""The fixed lists of the demo cluster: organisations, named logins, product specialties, people's names.

Everything here is fictional and marked as demo (" (démo)" in names, e-mail domain `demo.tawrid.ma`);
the texts are data, so they stay in French, written the way the sector writes them. What varies with the
seed (people's names, membership dates, who has a member or a read-only colleague) is drawn in
`services.demo_plan` from these lists.

Later issues extend the seed from here: each manufacturer carries a product `specialty` whose EMDN
codes and typical purchase lines (upper-case French with sizes and packaging, like real Maghreb
hospital plans) are the material for demo products and purchase-plan lines.
"""

from dataclasses import dataclass, field
from datetime import date

DEMO_PASSWORD = "tawrid-demo"
EMAIL_DOMAIN = "demo.tawrid.ma"
DEFAULT_SEED = 2026

# Dates drawn for cluster memberships: the first member joined in 2016, the last in 2025.
JOINED_FROM = date(2016, 1, 1)
JOINED_UNTIL = date(2025, 6, 30)
LEFT_UNTIL = date(2025, 9, 30)

REGION_OF_CITY: dict[str, str] = {
    "Casablanca": "Casablanca-Settat",
    "Mohammedia": "Casablanca-Settat",
    "Berrechid": "Casablanca-Settat",
    "Bouskoura": "Casablanca-Settat",
    "Nouaceur": "Casablanca-Settat",
    "Had Soualem": "Casablanca-Settat",
    "Settat": "Casablanca-Settat",
    "Rabat": "Rabat-Salé-Kénitra",
    "Salé": "Rabat-Salé-Kénitra",
    "Kénitra": "Rabat-Salé-Kénitra",
    "Tanger": "Tanger-Tétouan-Al Hoceïma",
    "Tétouan": "Tanger-Tétouan-Al Hoceïma",
    "Fès": "Fès-Meknès",
    "Meknès": "Fès-Meknès",
    "Marrakech": "Marrakech-Safi",
    "Agadir": "Souss-Massa",
    "Oujda": "Oriental",
}


@dataclass(frozen=True)
class Specialty:
    """A family of products a manufacturer makes: its EMDN codes and typical purchase lines (designation, unit)."""

    key: str
    label: str
    emdn: tuple[str, ...]
    lines: tuple[tuple[str, str], ...]


SPECIALTIES: dict[str, Specialty] = {
    s.key: s
    for s in (
        Specialty(
            "gants",
            "Gants d'examen et gants chirurgicaux",
            ("T0101", "T0102"),
            (
                ("GANT D'EXAMEN NITRILE NON POUDRE NON STERILE T M", "B/100"),
                ("GANT D'EXAMEN LATEX POUDRE NON STERILE T L", "B/100"),
                ("GANT CHIRURGICAL STERILE EN LATEX T7.5", "B/50 PAIRES"),
                ("GANT CHIRURGICAL STERILE SANS POUDRE T8", "B/50 PAIRES"),
            ),
        ),
        Specialty(
            "seringues_aiguilles",
            "Seringues et aiguilles hypodermiques",
            ("A0201", "A010101"),
            (
                ("SERINGUE 3 PIECES STERILE A USAGE UNIQUE 5 ML AVEC AIGUILLE 21 G", "B/100"),
                ("SERINGUE 3 PIECES STERILE 10 ML LUER LOCK", "B/100"),
                ("SERINGUE AUTOBLOQUANTE 0.5 ML P / VACCINATION", "B/100"),
                ("AIGUILLE HYPODERMIQUE STERILE A USAGE UNIQUE 25 X 8 / 10 G 21", "B/100"),
                ("AIGUILLE HYPODERMIQUE STERILE 40 X 9 / 10 G 20", "B/100"),
            ),
        ),
        Specialty(
            "compresses_pansements",
            "Compresses de gaze, coton et pansements",
            ("M0201", "M0202", "M04"),
            (
                ("COMPRESSE DE GAZE STERILE 10 X 10 CM 12 PLIS", "B/100"),
                ("COMPRESSE NON TISSEE NON STERILE 7.5 X 7.5 CM", "PAQ/100"),
                ("COTON HYDROPHILE 500 G", "PAQ/1"),
                ("PANSEMENT ADHESIF STERILE 10 X 20 CM", "B/50"),
                ("BANDE DE CREPE 4 M X 15 CM", "B/1"),
            ),
        ),
        Specialty(
            "textiles_chirurgicaux",
            "Textiles chirurgicaux, champs et casaques",
            ("T0201", "T0204", "T0207"),
            (
                ("CHAMP OPERATOIRE STERILE NON TISSE 75 X 90 CM ADHESIF", "B/50"),
                ("CASAQUE CHIRURGICALE STERILE SMS RENFORCEE T L", "B/30"),
                ("CHARLOTTE NON TISSEE A ELASTIQUE", "B/100"),
                ("SURCHAUSSURE NON TISSEE", "B/100"),
            ),
        ),
        Specialty(
            "masques",
            "Masques médicaux et de protection respiratoire",
            ("T0206",),
            (
                ("MASQUE CHIRURGICAL 3 PLIS TYPE IIR A ELASTIQUES", "B/50"),
                ("MASQUE FFP2 SANS VALVE", "B/20"),
            ),
        ),
        Specialty(
            "mobilier_hospitalier",
            "Mobilier hospitalier et lits médicalisés",
            ("V0806", "V0805", "V0802"),
            (
                ("LIT D'HOSPITALISATION ELECTRIQUE 3 FONCTIONS AVEC BARRIERES", "UNITE"),
                ("BRANCARD DE TRANSPORT A HAUTEUR VARIABLE", "UNITE"),
                ("TABLE D'EXAMEN 2 PLANS", "UNITE"),
                ("CHARIOT DE SOINS INOX 2 PLATEAUX", "UNITE"),
            ),
        ),
        Specialty(
            "respiratoire",
            "Ventilation et assistance respiratoire",
            ("Z12030105", "R0301", "R0201"),
            (
                ("RESPIRATEUR DE REANIMATION ADULTE PEDIATRIQUE", "UNITE"),
                ("MASQUE A OXYGENE P / ADULTES AVEC TUBULURE 2 M", "B/1"),
                ("LUNETTE A OXYGENE P / ADULTE", "B/1"),
                ("CIRCUIT RESPIRATOIRE ADULTE USAGE UNIQUE 1.8 M", "B/1"),
            ),
        ),
        Specialty(
            "diagnostic_in_vitro",
            "Diagnostic in vitro, réactifs et consommables de laboratoire",
            ("W01", "W05"),
            (
                ("GLUCOSE GOD-PAP REACTIF", "KIT/500 TESTS"),
                ("TEST RAPIDE HBSAG", "B/25"),
                ("TUBE DE PRELEVEMENT SOUS VIDE EDTA K3 4 ML", "B/100"),
                ("TUBE SEC SOUS VIDE 5 ML BOUCHON ROUGE", "B/100"),
            ),
        ),
        Specialty(
            "dentaire",
            "Produits et consommables dentaires",
            ("Q0101", "Q0105", "A0106"),
            (
                ("AIGUILLE DENTAIRE 27 G COURTE", "B/100"),
                ("ALGINATE P / EMPREINTE DENTAIRE", "SACHET/453 G"),
                ("COMPOSITE PHOTOPOLYMERISABLE A2 SERINGUE 4 G", "B/1"),
            ),
        ),
        Specialty(
            "sutures",
            "Fils de suture",
            ("H0101", "H0102"),
            (
                ("FIL RESORBABLE TRESSE 2/0 AR 26 MM", "B/36"),
                ("FIL RESORBABLE TRESSE 0 AR 40 MM", "B/36"),
                ("FIL NON RESORBABLE MONOFILAMENT POLYAMIDE 3/0 AT 24 MM", "B/36"),
            ),
        ),
        Specialty(
            "catheters_perfusion",
            "Cathéters, sondes et dispositifs de perfusion",
            ("C0101", "A0304", "A0703", "U01"),
            (
                ("PERFUSEUR A CHAMBRE COMPTE-GOUTTES AVEC PRISE D'AIR", "B/1"),
                ("CATHETER COURT A AILETTES A / SITE D'INJECTION G 20", "B/50"),
                ("ROBINET 3 VOIES", "B/50"),
                ("SONDE VESICALE A / B 2 VOIES CH 16", "B/1"),
                ("SONDE GASTRIQUE CH 18", "B/1"),
            ),
        ),
        Specialty(
            "orthopedie",
            "Orthopédie : implants, orthèses et immobilisation",
            ("P09", "Y06", "M0305"),
            (
                ("PLAQUE DCP 4.5 MM 8 TROUS INOX", "UNITE"),
                ("VIS CORTICALE 3.5 MM L 30 MM", "B/10"),
                ("CEINTURE LOMBAIRE DE MAINTIEN T M", "UNITE"),
                ("COLLIER CERVICAL MOUSSE T 2", "UNITE"),
            ),
        ),
        Specialty(
            "sterilisation",
            "Emballages et contrôle de stérilisation",
            ("S0102",),
            (
                ("GAINE DE STERILISATION PLATE PAPIER / PLASTIQUE 150 MM X 200 M", "ROULEAU"),
                ("SACHET DE STERILISATION THERMOSCELLABLE 90 X 250 MM", "B/200"),
                ("INDICATEUR DE STERILISATION CLASSE 4", "B/250"),
            ),
        ),
    )
}


@dataclass(frozen=True)
class OrgSeed:
    """One demo organisation. `cluster_status` is empty for organisations outside the demo cluster."""

    slug: str
    name: str
    kind: str
    city: str
    description: str
    specialty: str = ""
    parent: str = ""
    cluster_status: str = ""
    cluster_notes: str = ""
    is_public: bool = True

    @property
    def region(self) -> str:
        return REGION_OF_CITY[self.city]


CLUSTER = OrgSeed(
    "cluster-dm-maroc",
    "Cluster Dispositifs Médicaux du Maroc (démo)",
    "cluster",
    "Casablanca",
    "Cluster des industriels du dispositif médical : écosystème pour l'industrie locale, attraction des "
    "investisseurs et innovation collaborative avec les groupes hospitaliers, les ministères et l'université.",
)

MANUFACTURERS: tuple[OrgSeed, ...] = (
    OrgSeed(
        "gantex-maroc",
        "Gantex Maroc (démo)",
        "manufacturer",
        "Tanger",
        "Fabricant de gants d'examen en nitrile et en latex, non stériles, poudrés et non poudrés — "
        "site de Tanger, trois lignes de trempage.",
        "gants",
        cluster_status="active",
    ),
    OrgSeed(
        "latexia",
        "Latexia Industries (démo)",
        "manufacturer",
        "Kénitra",
        "Gants chirurgicaux stériles en latex, tailles 6 à 9, stérilisation par rayonnement gamma — "
        "zone franche de Kénitra.",
        "gants",
        cluster_status="active",
    ),
    OrgSeed(
        "protecmain",
        "Protecmain (démo)",
        "manufacturer",
        "Berrechid",
        "Gants d'examen vinyle et nitrile, conditionnement en boîtes distributrices de 100 — site de Berrechid.",
        "gants",
        cluster_status="suspended",
        cluster_notes="Adhésion suspendue : cotisation 2025 non réglée.",
    ),
    OrgSeed(
        "injecta-maroc",
        "Injecta Maroc (démo)",
        "manufacturer",
        "Berrechid",
        "Fabricant de seringues et aiguilles hypodermiques stériles à usage unique — site de Berrechid, "
        "injection plastique et stérilisation à l'oxyde d'éthylène.",
        "seringues_aiguilles",
        cluster_status="active",
    ),
    OrgSeed(
        "seringa-atlas",
        "Seringa Atlas (démo)",
        "manufacturer",
        "Mohammedia",
        "Seringues 3 pièces de 1 à 60 ml et seringues autobloquantes pour la vaccination — site de Mohammedia.",
        "seringues_aiguilles",
        cluster_status="active",
    ),
    OrgSeed(
        "acutec-medical",
        "Acutec Médical (démo)",
        "manufacturer",
        "Fès",
        "Aiguilles épicrâniennes, microperfuseurs et aiguilles à ponction lombaire stériles — site de Fès.",
        "seringues_aiguilles",
        cluster_status="active",
    ),
    OrgSeed(
        "cotonniere-sebou",
        "Cotonnière du Sebou (démo)",
        "manufacturer",
        "Fès",
        "Coton hydrophile, compresses de gaze stériles et non stériles, 8 à 16 plis — filature et blanchiment "
        "intégrés à Fès.",
        "compresses_pansements",
        cluster_status="active",
    ),
    OrgSeed(
        "pansemed",
        "Pansemed (démo)",
        "manufacturer",
        "Casablanca",
        "Pansements adhésifs stériles, sparadraps et pansements post-opératoires — zone industrielle de "
        "Sidi Bernoussi.",
        "compresses_pansements",
        cluster_status="active",
    ),
    OrgSeed(
        "bandex-sante",
        "Bandex Santé (démo)",
        "manufacturer",
        "Marrakech",
        "Bandes de crêpe, bandes élastiques et bandes plâtrées — site de Sidi Ghanem, Marrakech.",
        "compresses_pansements",
        cluster_status="left",
        cluster_notes="Démission : recentrage sur l'export vers l'Afrique de l'Ouest.",
    ),
    OrgSeed(
        "textimed-tanger",
        "Textimed Tanger (démo)",
        "manufacturer",
        "Tanger",
        "Champs opératoires et casaques chirurgicales en non-tissé SMS, stériles, conditionnés à l'unité — "
        "zone franche de Tanger.",
        "textiles_chirurgicaux",
        cluster_status="active",
    ),
    OrgSeed(
        "nontisse-nord",
        "Nontissé du Nord (démo)",
        "manufacturer",
        "Tétouan",
        "Charlottes, surchaussures, blouses visiteurs et draps d'examen en non-tissé — site de Tétouan.",
        "textiles_chirurgicaux",
        cluster_status="active",
    ),
    OrgSeed(
        "kits-bloc-atlas",
        "Kits Bloc Atlas (démo)",
        "manufacturer",
        "Nouaceur",
        "Trousses et kits opératoires stériles sur mesure pour le bloc (césarienne, orthopédie, ophtalmologie) — "
        "salle blanche ISO 8 à Nouaceur.",
        "textiles_chirurgicaux",
        cluster_status="active",
    ),
    OrgSeed(
        "masqua-maroc",
        "Masqua Maroc (démo)",
        "manufacturer",
        "Kénitra",
        "Masques chirurgicaux 3 plis type IIR et masques FFP2, lignes automatiques — site de Kénitra.",
        "masques",
        cluster_status="active",
    ),
    OrgSeed(
        "mobilis-hospitalier",
        "Mobilis Hospitalier (démo)",
        "manufacturer",
        "Bouskoura",
        "Lits médicalisés électriques, tables d'examen et fauteuils de prélèvement — atelier de tôlerie et "
        "peinture époxy à Bouskoura.",
        "mobilier_hospitalier",
        cluster_status="active",
    ),
    OrgSeed(
        "atlas-lits-medicaux",
        "Atlas Lits Médicaux (démo)",
        "manufacturer",
        "Meknès",
        "Lits d'hospitalisation, brancards et berceaux pour maternité — site de Meknès.",
        "mobilier_hospitalier",
        cluster_status="active",
    ),
    OrgSeed(
        "metalmed-oujda",
        "Metalmed Oujda (démo)",
        "manufacturer",
        "Oujda",
        "Mobilier hospitalier en inox : chariots de soins, potences, guéridons — technopole d'Oujda.",
        "mobilier_hospitalier",
        cluster_status="active",
    ),
    OrgSeed(
        "souffle-medical",
        "Souffle Médical (démo)",
        "manufacturer",
        "Casablanca",
        "Respirateurs de réanimation et de transport conçus et assemblés au Maroc, homologués par la DMP — Casablanca.",
        "respiratoire",
        cluster_status="active",
    ),
    OrgSeed(
        "oxyline",
        "Oxyline (démo)",
        "manufacturer",
        "Mohammedia",
        "Masques à oxygène, lunettes nasales, circuits respiratoires et ballons de réanimation à usage unique — "
        "site de Mohammedia.",
        "respiratoire",
        cluster_status="active",
    ),
    OrgSeed(
        "diagnostika-maroc",
        "Diagnostika Maroc (démo)",
        "manufacturer",
        "Rabat",
        "Réactifs de biochimie clinique et tests de diagnostic rapide, contrôle qualité ISO 13485 — Rabat.",
        "diagnostic_in_vitro",
        cluster_status="active",
    ),
    OrgSeed(
        "bioreactifs-souss",
        "Bioréactifs du Souss (démo)",
        "manufacturer",
        "Agadir",
        "Milieux de culture prêts à l'emploi et réactifs de microbiologie — Haliopolis, Agadir.",
        "diagnostic_in_vitro",
        cluster_status="active",
    ),
    OrgSeed(
        "labotest",
        "Labotest (démo)",
        "manufacturer",
        "Casablanca",
        "Tubes de prélèvement sous vide, pots à urine et consommables de laboratoire — Casablanca.",
        "diagnostic_in_vitro",
        cluster_status="active",
    ),
    OrgSeed(
        "dentalia-maroc",
        "Dentalia Maroc (démo)",
        "manufacturer",
        "Marrakech",
        "Consommables dentaires : aiguilles dentaires, alginates, composites et ciments — Marrakech.",
        "dentaire",
        cluster_status="active",
    ),
    OrgSeed(
        "sourire-industrie",
        "Sourire Industrie (démo)",
        "manufacturer",
        "Salé",
        "Fraises, instruments dentaires à usage unique et matériaux pour prothèse dentaire — Technopolis, Salé.",
        "dentaire",
        cluster_status="active",
    ),
    OrgSeed(
        "suturex",
        "Suturex (démo)",
        "manufacturer",
        "Tanger",
        "Fils de suture résorbables tressés (PGA) et monofilaments non résorbables, aiguilles serties — Tanger.",
        "sutures",
        cluster_status="active",
    ),
    OrgSeed(
        "chirufil-maroc",
        "Chirufil Maroc (démo)",
        "manufacturer",
        "Had Soualem",
        "Fils de suture et agrafes cutanées stériles, conditionnement sous sachet pelable — Had Soualem.",
        "sutures",
        cluster_status="active",
    ),
    OrgSeed(
        "perfusia",
        "Perfusia (démo)",
        "manufacturer",
        "Berrechid",
        "Perfuseurs, transfuseurs, prolongateurs et robinets 3 voies stériles à usage unique — Berrechid.",
        "catheters_perfusion",
        cluster_status="active",
    ),
    OrgSeed(
        "catheter-atlas",
        "Cathéter Atlas (démo)",
        "manufacturer",
        "Tanger",
        "Cathéters courts intraveineux avec et sans ailettes, G14 à G24 — zone franche de Tanger.",
        "catheters_perfusion",
        cluster_status="active",
    ),
    OrgSeed(
        "sondimed",
        "Sondimed (démo)",
        "manufacturer",
        "Settat",
        "Sondes gastriques, vésicales et d'aspiration en PVC médical, CH 6 à CH 24 — Settat.",
        "catheters_perfusion",
        cluster_status="active",
    ),
    OrgSeed(
        "orthomaroc",
        "Orthomaroc (démo)",
        "manufacturer",
        "Casablanca",
        "Implants d'ostéosynthèse en inox et titane (plaques, vis, clous) et ancillaires — Casablanca.",
        "orthopedie",
        cluster_status="active",
    ),
    OrgSeed(
        "attelles-nord",
        "Attelles du Nord (démo)",
        "manufacturer",
        "Tétouan",
        "Orthèses, ceintures lombaires, colliers cervicaux et attelles d'immobilisation — Tétouan.",
        "orthopedie",
        cluster_status="active",
    ),
    OrgSeed(
        "sterilpack",
        "Stérilpack (démo)",
        "manufacturer",
        "Mohammedia",
        "Gaines et sachets de stérilisation papier/plastique, indicateurs de stérilisation — Mohammedia.",
        "sterilisation",
        cluster_status="active",
    ),
)

STARTUPS: tuple[OrgSeed, ...] = (
    OrgSeed(
        "nafas-tech",
        "Nafas Tech (démo)",
        "startup",
        "Salé",
        "Start-up d'oxymètres et de débitmètres connectés pour le suivi respiratoire à domicile — "
        "incubée à Technopolis, prototype en essai clinique.",
        "respiratoire",
        cluster_status="active",
    ),
    OrgSeed(
        "argan-derm",
        "Argan Derm Innovation (démo)",
        "startup",
        "Agadir",
        "Start-up de pansements hydrocolloïdes à l'huile d'argan pour les plaies chroniques — "
        "issue d'un laboratoire universitaire d'Agadir.",
        "compresses_pansements",
        cluster_status="applied",
        cluster_notes="Candidature déposée, en attente de validation par le bureau du cluster.",
    ),
)

HOSPITAL_GROUPS: tuple[OrgSeed, ...] = (
    OrgSeed(
        "groupe-sante-atlas",
        "Groupe Santé Atlas (démo)",
        "hospital_group",
        "Casablanca",
        "Groupe de cliniques privées multidisciplinaires, 620 lits — centrale d'achats à Casablanca, "
        "membre de l'association des groupes de santé.",
        cluster_status="active",
    ),
    OrgSeed(
        "cliniques-al-amal",
        "Réseau Cliniques Al Amal (démo)",
        "hospital_group",
        "Marrakech",
        "Réseau de cliniques privées du Sud, 340 lits — chirurgie, maternité, oncologie.",
        cluster_status="active",
    ),
    OrgSeed(
        "groupe-oasis",
        "Groupe Hospitalier Oasis (démo)",
        "hospital_group",
        "Fès",
        "Groupe hospitalier privé du Nord-Est, 410 lits — plateau technique de cardiologie et de néphrologie.",
        cluster_status="active",
    ),
)

HOSPITALS: tuple[OrgSeed, ...] = (
    OrgSeed(
        "clinique-atlas-anfa",
        "Clinique Atlas Anfa (démo)",
        "hospital",
        "Casablanca",
        "Clinique pluridisciplinaire, 220 lits, bloc de 9 salles — Casablanca.",
        parent="groupe-sante-atlas",
    ),
    OrgSeed(
        "clinique-atlas-agdal",
        "Clinique Atlas Agdal (démo)",
        "hospital",
        "Rabat",
        "Clinique médico-chirurgicale, 160 lits, unité de soins intensifs — Rabat.",
        parent="groupe-sante-atlas",
    ),
    OrgSeed(
        "clinique-atlas-tanger",
        "Clinique Atlas Tanger (démo)",
        "hospital",
        "Tanger",
        "Clinique de 140 lits avec maternité et néonatologie — Tanger.",
        parent="groupe-sante-atlas",
    ),
    OrgSeed(
        "clinique-al-amal-gueliz",
        "Clinique Al Amal Guéliz (démo)",
        "hospital",
        "Marrakech",
        "Clinique chirurgicale de 180 lits, centre d'oncologie — Marrakech.",
        parent="cliniques-al-amal",
    ),
    OrgSeed(
        "clinique-al-amal-agadir",
        "Clinique Al Amal Agadir (démo)",
        "hospital",
        "Agadir",
        "Clinique de 160 lits, urgences 24 h/24 — Agadir.",
        parent="cliniques-al-amal",
    ),
    OrgSeed(
        "hopital-oasis-fes",
        "Hôpital privé Oasis Fès (démo)",
        "hospital",
        "Fès",
        "Hôpital privé de 210 lits, cardiologie interventionnelle et centre d'hémodialyse — Fès.",
        parent="groupe-oasis",
    ),
    OrgSeed(
        "hopital-oasis-oujda",
        "Hôpital privé Oasis Oujda (démo)",
        "hospital",
        "Oujda",
        "Hôpital privé de 120 lits — Oujda.",
        parent="groupe-oasis",
    ),
    OrgSeed(
        "clinique-oasis-meknes",
        "Clinique Oasis Meknès (démo)",
        "hospital",
        "Meknès",
        "Clinique de 80 lits, chirurgie ambulatoire — Meknès.",
        parent="groupe-oasis",
    ),
)

PUBLIC_HOSPITALS: tuple[OrgSeed, ...] = (
    OrgSeed(
        "chu-oued-sebou",
        "CHU Oued Sebou — Fès (démo)",
        "hospital",
        "Fès",
        "Centre hospitalier universitaire, 1 100 lits — pharmacie centrale et laboratoires ouverts aux essais "
        "de dispositifs innovants.",
        cluster_status="active",
    ),
    OrgSeed(
        "chu-menara",
        "CHU Menara — Marrakech (démo)",
        "hospital",
        "Marrakech",
        "Centre hospitalier universitaire, 1 500 lits — centre de simulation et unité de recherche clinique.",
        cluster_status="active",
    ),
    OrgSeed(
        "chr-souss-massa",
        "CHR Souss-Massa — Agadir (démo)",
        "hospital",
        "Agadir",
        "Centre hospitalier régional, 650 lits — Agadir.",
    ),
    OrgSeed(
        "chr-oriental",
        "CHR de l'Oriental — Oujda (démo)",
        "hospital",
        "Oujda",
        "Centre hospitalier régional, 540 lits — Oujda.",
    ),
)

AUTHORITIES: tuple[OrgSeed, ...] = (
    OrgSeed(
        "imanor-demo",
        "IMANOR — Institut marocain de normalisation (démo)",
        "imanor",
        "Rabat",
        "Normalisation, certification de conformité aux normes marocaines (NM) et label Made in Morocco — "
        "pôle dispositifs médicaux.",
    ),
    OrgSeed(
        "dmp-demo",
        "Ministère de la Santé — Direction du médicament et de la pharmacie (démo)",
        "ministry_health",
        "Rabat",
        "Homologation et enregistrement des dispositifs médicaux, autorisations de mise sur le marché et "
        "matériovigilance.",
    ),
    OrgSeed(
        "mic-demo",
        "Ministère de l'Industrie et du Commerce — Industries de santé (démo)",
        "ministry_industry",
        "Rabat",
        "Appels à candidatures des clusters, contrats-programmes, programmes d'appui à la R&D et à "
        "l'investissement industriel.",
    ),
)

OTHERS: tuple[OrgSeed, ...] = (
    OrgSeed(
        "atlas-sante-capital",
        "Atlas Santé Capital (démo)",
        "investor",
        "Casablanca",
        "Fonds d'investissement dédié aux industries de santé : capital-développement et amorçage de start-ups "
        "du dispositif médical.",
        cluster_status="active",
        is_public=False,
    ),
    OrgSeed(
        "igb-rabat",
        "Institut de génie biomédical de Rabat (démo)",
        "university",
        "Rabat",
        "Centre universitaire de recherche en génie biomédical : biomatériaux, essais mécaniques, transfert de "
        "technologie vers les industriels.",
        cluster_status="active",
    ),
)

ORGANISATIONS: tuple[OrgSeed, ...] = (
    (CLUSTER,) + MANUFACTURERS + STARTUPS + HOSPITAL_GROUPS + HOSPITALS + PUBLIC_HOSPITALS + AUTHORITIES + OTHERS
)


@dataclass(frozen=True)
class MembershipSeed:
    org: str
    role: str
    job_title: str


@dataclass(frozen=True)
class LoginSeed:
    """A named demo login, easy to remember and documented in docs/demo.md."""

    email: str
    full_name: str
    memberships: tuple[MembershipSeed, ...] = ()
    is_staff: bool = False
    is_superuser: bool = False
    purpose: str = ""


def _email(local: str) -> str:
    return f"{local}@{EMAIL_DOMAIN}"


NAMED_LOGINS: tuple[LoginSeed, ...] = (
    LoginSeed(_email("admin"), "Youssef El Amrani", is_staff=True, is_superuser=True, purpose="operator"),
    LoginSeed(
        _email("secretariat"),
        "Nadia Berrada",
        (MembershipSeed("cluster-dm-maroc", "admin", "Directrice du secrétariat du cluster"),),
    ),
    LoginSeed(
        _email("fabricant"),
        "Karim Tazi",
        (MembershipSeed("injecta-maroc", "admin", "Directeur général"),),
    ),
    LoginSeed(
        _email("fabricant.lecture"),
        "Imane Chraibi",
        (MembershipSeed("injecta-maroc", "read_only", "Auditrice qualité"),),
    ),
    LoginSeed(
        _email("startup"),
        "Hamza Ouazzani",
        (MembershipSeed("nafas-tech", "admin", "Fondateur et président"),),
    ),
    LoginSeed(
        _email("acheteur"),
        "Salma Benjelloun",
        (
            MembershipSeed("groupe-sante-atlas", "admin", "Directrice des achats du groupe"),
            MembershipSeed("clinique-atlas-anfa", "member", "Directrice des achats du groupe"),
        ),
    ),
    LoginSeed(
        _email("hopital"),
        "Rachid Lahlou",
        (MembershipSeed("chu-oued-sebou", "member", "Pharmacien responsable des achats"),),
    ),
    LoginSeed(
        _email("imanor"),
        "Loubna Sqalli",
        (MembershipSeed("imanor-demo", "admin", "Responsable certification dispositifs médicaux"),),
    ),
    LoginSeed(
        _email("dmp"),
        "Omar Kettani",
        (MembershipSeed("dmp-demo", "admin", "Chef de service des dispositifs médicaux"),),
    ),
    LoginSeed(
        _email("industrie"),
        "Meryem Naciri",
        (MembershipSeed("mic-demo", "admin", "Cheffe de division des industries de santé"),),
    ),
    LoginSeed(
        _email("investisseur"),
        "Adil Sebti",
        (MembershipSeed("atlas-sante-capital", "admin", "Directeur des investissements"),),
    ),
    LoginSeed(
        _email("universite"),
        "Ghita Zerhouni",
        (MembershipSeed("igb-rabat", "admin", "Professeure, responsable du transfert de technologie"),),
    ),
)

# The cluster's secretariat always has a member and a read-only person, whatever the seed.
ALWAYS_MEMBER = frozenset({"cluster-dm-maroc", "groupe-sante-atlas", "chu-oued-sebou"})
ALWAYS_READ_ONLY = frozenset({"cluster-dm-maroc", "mic-demo"})

# E-mails of the people drawn for each organisation: admin.<slug>@…, membre.<slug>@…, lecture.<slug>@…
ROLE_EMAIL_PREFIX = {"admin": "admin", "member": "membre", "read_only": "lecture"}


@dataclass(frozen=True)
class JobTitles:
    admin: tuple[str, ...]
    member: tuple[str, ...]
    read_only: tuple[str, ...] = field(
        default=("Auditeur interne", "Contrôleuse de gestion", "Assistante de direction")
    )


JOB_TITLES: dict[str, JobTitles] = {
    "supplier": JobTitles(
        ("Directeur général", "Directrice générale", "Gérant"),
        (
            "Responsable qualité et affaires réglementaires",
            "Directrice commerciale",
            "Responsable de production",
            "Ingénieur R&D",
        ),
    ),
    "buyer": JobTitles(
        ("Directeur des achats", "Directrice des achats", "Pharmacien chef"),
        ("Acheteuse consommables médicaux", "Ingénieur biomédical", "Pharmacienne gestionnaire des stocks"),
    ),
    "cluster": JobTitles(("Directeur du cluster",), ("Chargée de projets innovation", "Chargé des relations membres")),
    "authority": JobTitles(
        ("Directeur", "Cheffe de service"),
        ("Ingénieure d'évaluation", "Inspecteur", "Cadre chargé des dossiers"),
        ("Attaché d'administration", "Stagiaire ingénieur"),
    ),
    "other": JobTitles(("Directeur", "Directrice"), ("Chargé d'affaires", "Chercheuse", "Analyste")),
}

FEMALE_FIRST_NAMES = (
    "Salma", "Nadia", "Khadija", "Fatima Zahra", "Meryem", "Hajar", "Sanae", "Asmae", "Houda", "Siham",
    "Zineb", "Kenza", "Nawal", "Rim", "Soukaina", "Hind", "Latifa", "Amal", "Ibtissam", "Wafae", "Btissam",
    "Samira", "Naima", "Oumaima",
)  # fmt: skip
MALE_FIRST_NAMES = (
    "Youssef", "Mehdi", "Anas", "Adil", "Hicham", "Said", "Mohamed", "Abdellah", "Ayoub", "Othmane",
    "Yassine", "Driss", "Mustapha", "Nabil", "Tarik", "Reda", "Khalid", "Amine", "Ilyas", "Badr", "Jamal",
    "Hassan", "Soufiane", "Zakaria",
)  # fmt: skip
LAST_NAMES = (
    "Bennani", "Alaoui", "El Idrissi", "Fassi-Fihri", "Ouhaddou", "Amzil", "Boutaleb", "Bakkali", "El Khatib",
    "Ziani", "Hajji", "Mansouri", "Belhaj", "Rifai", "Tahiri", "Benali", "El Ouafi", "Essaidi", "Bouzidi",
    "Lamrani", "Cherkaoui", "Guessous", "Filali", "Hilali", "Moussaoui", "Ait Ouarab", "Berrechdi", "Tounsi",
    "Skalli", "Jebbari", "Kabbaj", "Marzouki", "Nejjar", "Ouardighi", "Rahmouni", "Slaoui", "Touimi",
    "Benmoussa", "Chaoui", "Daoudi",
)  # fmt: skip
