"""What each kind of person can do next, shown on their home page.

Cards name the capabilities of the platform for that kind of organisation; a card whose page does not
exist yet (a later part of the platform) is shown as "coming" without a link, never as a dead link.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django_stubs_ext import StrOrPromise
from django.utils.translation import gettext_lazy as _

from tawrid.core.permissions import Actor


@dataclass(frozen=True)
class Card:
    title: StrOrPromise
    text: StrOrPromise
    url_name: str = ""

    @property
    def url(self) -> str:
        if not self.url_name:
            return ""
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return ""


_COMMON = [
    Card(
        _("Browse the nomenclatures"),
        _("EMDN, CPV, HS 2022 and the FDA classification, searchable in French and English."),
        "nomenclature:index",
    ),
]

CARDS_BY_GROUP: dict[str, list[Card]] = {
    "supplier": [
        Card(
            _("Publish your products"),
            _("Products with specifications, certificates, DMP registrations and the Made in Morocco label."),
            "catalog:product_list",
        ),
        Card(
            _("See national demand"),
            _("What hospital groups plan to buy locally this year, by EMDN category."),
            "demand:national",
        ),
        Card(
            _("Answer consultations"),
            _("Requests for quotation from hospital buyers, with national preference."),
            "sourcing:consultation_list",
        ),
    ],
    "buyer": [
        Card(
            _("Publish your annual plan"),
            _("Import your plan of local purchases from a spreadsheet, or edit it on screen."),
            "demand:plan_list",
        ),
        Card(
            _("See which lines local products cover"),
            _("Every plan line matched to local products, with explanations."),
            "matching:index",
        ),
        Card(
            _("Run a consultation"),
            _("Turn matched lines into a request for quotation to local suppliers."),
            "sourcing:consultation_list",
        ),
    ],
    "cluster": [
        Card(
            _("Cluster members"), _("Member organisations, their status and their people."), "accounts:cluster_members"
        ),
        Card(
            _("Demand aggregation and opportunities"),
            _("National demand, import dependence and investment opportunities."),
            "insights:index",
        ),
        Card(_("Audit trail"), _("Every change made on the platform, with who, when and what."), "accounts:audit_log"),
    ],
    "imanor": [
        Card(
            _("Certification decisions"),
            _("Verify, suspend or withdraw certificates and Made in Morocco labels."),
            "catalog:certificate_review",
        ),
    ],
    "ministry_health": [
        Card(
            _("Registration decisions"),
            _("Review DMP registration applications and their validity."),
            "catalog:registration_review",
        ),
    ],
    "ministry_industry": [
        Card(
            _("Calls for clusters"),
            _("Calls for applications, reviews, contract-programmes and KPIs."),
            "programmes:index",
        ),
        Card(_("Sector indicators"), _("Import dependence, local coverage and opportunities."), "insights:index"),
    ],
    "investor": [
        Card(
            _("Investment opportunities"),
            _("Products with high imports and local demand but little local supply."),
            "insights:opportunities",
        ),
    ],
    "university": [
        Card(_("Collaborative projects"), _("Projects, start-ups and hospital test facilities."), "innovation:index"),
    ],
    "public": [
        Card(
            _("Directory of local products"),
            _("Certified products made in Morocco and their manufacturers."),
            "catalog:directory",
        ),
    ],
}

_GROUP_OF_KIND = {
    "manufacturer": "supplier",
    "startup": "supplier",
    "hospital_group": "buyer",
    "hospital": "buyer",
    "cluster": "cluster",
    "imanor": "imanor",
    "ministry_health": "ministry_health",
    "ministry_industry": "ministry_industry",
    "investor": "investor",
    "university": "university",
}


def groups_for(actor: Actor) -> list[str]:
    if actor.is_anonymous:
        return ["public"]
    groups: list[str] = []
    for kind in actor.kinds.values():
        group = _GROUP_OF_KIND.get(kind)
        if group and group not in groups:
            groups.append(group)
    return groups


def cards_for(actor: Actor) -> list[Card]:
    cards: list[Card] = []
    for group in groups_for(actor):
        cards.extend(CARDS_BY_GROUP[group])
    return cards + _COMMON
