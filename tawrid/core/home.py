"""What each kind of person can do next, shown on their home page.

The kinds of a person's organisations give their *groups* (supplier, buyer, cluster secretariat, IMANOR,
DMP, Ministry of Industry, investor, university; platform operator for staff; public for anonymous
visitors), and each group has its cards. A card whose page does not exist yet (a later part of the
platform) is shown as "coming" without a link, never as a dead link.

The secretariat's figures are read through `cluster_figures`, scoped like every read: a person sees the
figures of the clusters whose secretariat they belong to, the platform operator those of every cluster.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from tawrid.accounts.models import (
    ClusterMembership,
    ClusterMembershipStatus,
    Membership,
    Organisation,
    OrganisationKind,
)
from tawrid.core import permissions
from tawrid.core.permissions import Actor


@dataclass(frozen=True)
class Card:
    key: str
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


@dataclass(frozen=True)
class Group:
    key: str
    title: StrOrPromise
    cards: tuple[Card, ...]


DASHBOARD_CARD = Card(
    "dashboard",
    _("Your dashboard"),
    _("Your figures at a glance: charts and tables, each exported to a spreadsheet in one click."),
    "insights:dashboard",
)

GROUPS: dict[str, Group] = {
    g.key: g
    for g in (
        Group(
            "operator",
            _("Platform operation"),
            (
                Card("admin", _("Administration"), _("People, organisations and reference data."), "admin:index"),
                Card(
                    "cluster-members",
                    _("Cluster members"),
                    _("Every cluster's member organisations, their status and their people."),
                    "accounts:cluster_members",
                ),
                Card(
                    "audit",
                    _("Audit trail"),
                    _("Every change made on the platform, with who, when and what."),
                    "accounts:audit_log",
                ),
            ),
        ),
        Group(
            "cluster",
            _("Cluster secretariat"),
            (
                DASHBOARD_CARD,
                Card(
                    "cluster-members",
                    _("Cluster members"),
                    _("Member organisations, their status and their people."),
                    "accounts:cluster_members",
                ),
                Card(
                    "aggregation",
                    _("Demand aggregation and opportunities"),
                    _("National demand, import dependence and investment opportunities."),
                    "insights:index",
                ),
                Card(
                    "innovation",
                    _("Projects and start-ups"),
                    _("Collaborative projects, the start-up pipeline and hospital test facilities."),
                    "innovation:index",
                ),
                Card(
                    "reports",
                    _("Reports for the ministries"),
                    _("Yearly indicators of the contract-programme, as PDF."),
                    "insights:reports",
                ),
                Card(
                    "audit",
                    _("Audit trail"),
                    _("Every change made on the platform, with who, when and what."),
                    "accounts:audit_log",
                ),
            ),
        ),
        Group(
            "supplier",
            _("Supplier"),
            (
                DASHBOARD_CARD,
                Card(
                    "products",
                    _("Publish your products"),
                    _("Products with specifications, certificates, DMP registrations and the Made in Morocco label."),
                    "catalog:product_list",
                ),
                Card(
                    "national-demand",
                    _("See national demand"),
                    _("What hospital groups plan to buy locally this year, by EMDN category."),
                    "demand:national",
                ),
                Card(
                    "consultations",
                    _("Answer consultations"),
                    _("Requests for quotation from hospital buyers, with national preference."),
                    "sourcing:consultation_list",
                ),
                Card(
                    "facilities",
                    _("Book a hospital test facility"),
                    _("Laboratories and wards that hospital groups open for trials of innovative devices."),
                    "innovation:facility_list",
                ),
            ),
        ),
        Group(
            "startup",
            _("Start-up"),
            (
                Card(
                    "startup-support",
                    _("Start-up support"),
                    _("Your support stages with the cluster, from prototype to first orders."),
                    "innovation:startup_list",
                ),
                Card(
                    "funding",
                    _("Funding programmes"),
                    _("R&D and innovation funding such as Tatwir, and your applications."),
                    "innovation:funding_list",
                ),
            ),
        ),
        Group(
            "buyer",
            _("Buyer"),
            (
                DASHBOARD_CARD,
                Card(
                    "plans",
                    _("Publish your annual plan"),
                    _("Import your plan of local purchases from a spreadsheet, or edit it on screen."),
                    "demand:plan_list",
                ),
                Card(
                    "matching",
                    _("See which lines local products cover"),
                    _("Every plan line matched to local products, with explanations."),
                    "matching:index",
                ),
                Card(
                    "consultations",
                    _("Run a consultation"),
                    _("Turn matched lines into a request for quotation to local suppliers."),
                    "sourcing:consultation_list",
                ),
                Card(
                    "orders",
                    _("Orders and local-purchase rate"),
                    _("Record orders and deliveries and follow your local-purchase rate against the plan."),
                    "sourcing:order_list",
                ),
                Card(
                    "facilities",
                    _("Open your test facilities"),
                    _("List your laboratories and wards for trials of innovative devices, and approve bookings."),
                    "innovation:facility_list",
                ),
            ),
        ),
        Group(
            "imanor",
            _("IMANOR"),
            (
                DASHBOARD_CARD,
                Card(
                    "certification",
                    _("Certification decisions"),
                    _("Verify, suspend or withdraw certificates and Made in Morocco labels."),
                    "catalog:certificate_review",
                ),
                Card(
                    "directory",
                    _("Certified local products"),
                    _("The public directory of certified products made in Morocco."),
                    "catalog:directory",
                ),
            ),
        ),
        Group(
            "ministry_health",
            _("Ministry of Health / DMP"),
            (
                DASHBOARD_CARD,
                Card(
                    "registrations",
                    _("Registration decisions"),
                    _("Review DMP registration applications and their validity."),
                    "catalog:registration_review",
                ),
                Card(
                    "directory",
                    _("Registered local products"),
                    _("Local products with their registration number and validity."),
                    "catalog:directory",
                ),
            ),
        ),
        Group(
            "ministry_industry",
            _("Ministry of Industry"),
            (
                DASHBOARD_CARD,
                Card(
                    "programmes",
                    _("Calls for clusters"),
                    _("Calls for applications, reviews, contract-programmes and KPIs."),
                    "programmes:index",
                ),
                Card(
                    "indicators",
                    _("Sector indicators"),
                    _("Import dependence, local coverage and opportunities."),
                    "insights:index",
                ),
            ),
        ),
        Group(
            "investor",
            _("Investor"),
            (
                Card(
                    "opportunities",
                    _("Investment opportunities"),
                    _("Products with high imports and local demand but little local supply."),
                    "insights:opportunities",
                ),
                Card(
                    "national-demand",
                    _("Aggregated national demand"),
                    _("What hospital buyers plan to buy, by EMDN category."),
                    "demand:national",
                ),
                Card(
                    "startups",
                    _("Start-ups to back"),
                    _("Start-ups followed by the cluster and their stage."),
                    "innovation:startup_list",
                ),
            ),
        ),
        Group(
            "university",
            _("University or research centre"),
            (
                Card(
                    "projects",
                    _("Collaborative projects"),
                    _("Projects with manufacturers and hospitals: partners, pooled means and milestones."),
                    "innovation:index",
                ),
                Card(
                    "facilities",
                    _("Test facilities"),
                    _("Hospital laboratories and wards open for trials."),
                    "innovation:facility_list",
                ),
                Card(
                    "funding",
                    _("Funding programmes"),
                    _("R&D and innovation funding such as Tatwir."),
                    "innovation:funding_list",
                ),
            ),
        ),
        Group(
            "public",
            _("Everyone"),
            (
                Card(
                    "directory",
                    _("Directory of local products"),
                    _("Certified products made in Morocco and their manufacturers."),
                    "catalog:directory",
                ),
                Card(
                    "login",
                    _("Members: log in"),
                    _("Manufacturers, buyers, the cluster and the authorities log in to their space."),
                    "accounts:login",
                ),
            ),
        ),
    )
}

COMMON_CARDS: tuple[Card, ...] = (
    Card(
        "nomenclatures",
        _("Browse the nomenclatures"),
        _("EMDN, CPV, HS 2022 and the FDA classification, searchable in French and English."),
        "nomenclature:index",
    ),
)

PEOPLE_CARD = Card(
    "people",
    _("Manage your organisation's people"),
    _("Invite colleagues, change their role or remove them."),
    "accounts:organisation_list",
)

GROUP_OF_KIND: dict[str, tuple[str, ...]] = {
    OrganisationKind.MANUFACTURER: ("supplier",),
    OrganisationKind.STARTUP: ("supplier", "startup"),
    OrganisationKind.HOSPITAL_GROUP: ("buyer",),
    OrganisationKind.HOSPITAL: ("buyer",),
    OrganisationKind.CLUSTER: ("cluster",),
    OrganisationKind.IMANOR: ("imanor",),
    OrganisationKind.MINISTRY_HEALTH: ("ministry_health",),
    OrganisationKind.MINISTRY_INDUSTRY: ("ministry_industry",),
    OrganisationKind.INVESTOR: ("investor",),
    OrganisationKind.UNIVERSITY: ("university",),
}

_ORDER = list(GROUPS)


def groups_for(actor: Actor) -> list[str]:
    """The groups of a person, in a fixed order; "public" for anonymous visitors and people without one."""
    if actor.is_anonymous:
        return ["public"]
    found: set[str] = set()
    if actor.is_staff or actor.is_superuser:
        found.add("operator")
    for kind in actor.kinds.values():
        found.update(GROUP_OF_KIND.get(kind, ()))
    return sorted(found, key=_ORDER.index) or ["public"]


def sections_for(actor: Actor) -> list[Group]:
    """The groups of cards shown to a person, each card once (the first group that offers it keeps it)."""
    seen: set[str] = set()
    sections: list[Group] = []
    for key in groups_for(actor):
        group = GROUPS[key]
        cards = tuple(
            card
            for card in group.cards
            if card.key not in seen and not (card.key == "login" and not actor.is_anonymous)
        )
        seen.update(card.key for card in cards)
        if cards:
            sections.append(Group(group.key, group.title, cards))
    return sections


def cards_for(actor: Actor) -> list[Card]:
    cards = [card for section in sections_for(actor) for card in section.cards]
    if actor.admin_org_ids:
        cards.append(PEOPLE_CARD)
    return cards + list(COMMON_CARDS)


def memberships_of(actor: Actor) -> QuerySet[Membership]:
    """The person's own memberships, with their organisations (a person always sees their own)."""
    if actor.user_id is None:
        return Membership.objects.none()
    return (
        Membership.objects.filter(user_id=actor.user_id)
        .select_related("organisation", "organisation__parent")
        .order_by("organisation__name")
    )


@dataclass(frozen=True)
class Figure:
    key: str
    label: StrOrPromise
    count: int


@dataclass(frozen=True)
class ClusterFigures:
    cluster: Organisation
    total: int
    by_status: tuple[Figure, ...]
    by_kind: tuple[Figure, ...]


def cluster_figures(*, actor: Actor) -> list[ClusterFigures]:
    """Member organisations by status and by kind, for each cluster the person may read the members of."""
    if actor.is_anonymous:
        return []
    clusters = Organisation.objects.filter(kind=OrganisationKind.CLUSTER).order_by("name")
    if not actor.is_superuser:
        clusters = clusters.filter(pk__in=actor.org_ids_of_kind(OrganisationKind.CLUSTER))
    cluster_list = list(clusters)
    if not cluster_list:
        return []
    statuses: dict[int, Counter[str]] = {c.pk: Counter() for c in cluster_list}
    kinds: dict[int, Counter[str]] = {c.pk: Counter() for c in cluster_list}
    # The rows go through the cluster-membership policy like any read; the clusters above narrow them to
    # the ones this person runs the secretariat of (a member organisation sees only its own row there).
    rows = (
        permissions.visible(actor, ClusterMembership.objects.filter(cluster__in=cluster_list))
        .values("cluster_id", "status", "member__kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        statuses[row["cluster_id"]][row["status"]] += row["n"]
        kinds[row["cluster_id"]][row["member__kind"]] += row["n"]
    result = []
    for cluster in cluster_list:
        by_status = tuple(
            Figure(value, label, statuses[cluster.pk][value]) for value, label in ClusterMembershipStatus.choices
        )
        by_kind = tuple(
            Figure(value, label, kinds[cluster.pk][value])
            for value, label in OrganisationKind.choices
            if kinds[cluster.pk][value]
        )
        result.append(ClusterFigures(cluster, sum(statuses[cluster.pk].values()), by_status, by_kind))
    return result


# Panels -----------------------------------------------------------------------------------------------------------
# Other apps add panels to the home page (a supplier's offers and results, …) through this registry, so that core
# names none of them: each gives a template and a function of the actor returning its data, or nothing to hide it.


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    data: Callable[[Actor], Any]


_PANELS: dict[str, Panel] = {}


def register_panel(panel: Panel) -> None:
    _PANELS[panel.key] = panel


def panels_for(actor: Actor) -> list[tuple[Panel, Any]]:
    """The registered panels that have something to show the person, in the order they were registered."""
    shown = []
    for panel in _PANELS.values():
        data = panel.data(actor)
        if data:
            shown.append((panel, data))
    return shown
