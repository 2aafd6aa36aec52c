"""What each indicator means (shown beside it on pages, in the API documentation and in the reports), and the
market context cited from the press articles the cluster started from."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

INDICATORS: dict[str, Promise] = {
    "imports": _(
        "Imports: value (US dollars, as customs declared it; in MAD at the year's average rate where one is "
        "loaded) of the goods of the EMDN group's HS codes imported by Morocco, each code counted for its share in "
        "the group (HS ↔ EMDN crosswalk). Trade files in older HS revisions are converted to HS 2022 first."
    ),
    "origins": _("Countries of origin: the exporting countries of those imports (world totals excluded)."),
    "demand": _(
        "Declared demand: the estimated value (MAD) of the lines of the purchase plans in force (published or "
        "closed, the latest version), per year of the plan. The national figure counts all lines; of which "
        "EMDN-coded: the lines with an EMDN code, the only ones counted per EMDN group."
    ),
    "coverage": _(
        "Local coverage: the share of the declared demand that eligible products of manufacturers established in "
        "Morocco can supply, after sharing their declared capacities between buyers (latest national matching "
        "run of the year)."
    ),
    "local_rate": _(
        "Local-purchase rate: value ordered from manufacturers established in Morocco ÷ value ordered; against "
        "the plan: ÷ value planned."
    ),
    "supply": _(
        "Local supply: manufacturers established in Morocco with published products in the group, those "
        "products, those eligible today (ISO 13485 verified by IMANOR and a valid DMP registration) and their "
        "declared production capacity per year."
    ),
    "rca": _(
        "Revealed comparative advantage (Balassa): the group's share in Morocco's exports ÷ its share in the "
        "exports of all the countries loaded; 1 or more means Morocco exports it competitively."
    ),
    "density": _(
        "Density: the share of the products close to the group's (often exported together by the same "
        "countries) that Morocco already exports competitively — how close the group is to what local "
        "industry makes (0 to 1)."
    ),
    "pci": _("Product complexity: how much know-how the group's products require compared with the others loaded."),
}


@dataclass(frozen=True)
class MarketFact:
    figure: Promise
    quote: str
    source: str
    published: str


MARKET_CONTEXT: tuple[MarketFact, ...] = (
    MarketFact(
        # xgettext:no-python-format
        _("The Moroccan market of medical devices: more than 2.5 billion US dollars, 0.1 % of the world market."),
        "Avec plus de 2,5 milliards de dollars, le marché marocain ne représente que 0,1% du marché mondial.",
        "« Les trois chantiers majeurs du cluster médical marocain »",
        "7 février 2022",
    ),
    MarketFact(
        _("The world market: more than 500 billion US dollars."),
        "le marché mondial qui lui dépasse les 500 milliards de dollars",
        "« Les trois chantiers majeurs du cluster médical marocain »",
        "7 février 2022",
    ),
    MarketFact(
        # xgettext:no-python-format
        _("Europe and North America: 72 % of the world market, more than 300 billion US dollars."),
        "les marchés européen et d’Amérique du Nord […] représentent à eux deux 72% du marché mondial, soit plus "
        "de 300 milliards de dollars.",
        "« Les trois chantiers majeurs du cluster médical marocain »",
        "7 février 2022",
    ),
    MarketFact(
        # xgettext:no-python-format
        _("Imports: about 90 % of the turnover of the medical-device sector in Morocco."),
        "le secteur des dispositifs médicaux offre un potentiel important de substitution, en raison de sa "
        "dépendance des importations à hauteur de 90% du CA du secteur.",
        "« Industrie : Coup de pouce pour la fabrication locale des dispositifs médicaux », La Vie éco",
        "1er janvier 2022",
    ),
)
