"""The menu a person sees, from the kinds of their organisations and their roles.

Each item has a stable key (the `data-menu` attribute of its link). Items whose page belongs to a later
release (its URL name does not resolve yet) are left out: the menu never holds a dead link.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from tawrid.core.permissions import Actor

SUPPLIER_KINDS = ("manufacturer", "startup")
BUYER_KINDS = ("hospital_group", "hospital")


@dataclass(frozen=True)
class MenuItem:
    label: StrOrPromise
    url_name: str
    key: str

    @property
    def url(self) -> str:
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return ""


HOME = MenuItem(_("Home"), "core:home", "home")
DIRECTORY = MenuItem(_("Directory"), "catalog:directory", "directory")
NOMENCLATURES = MenuItem(_("Nomenclatures"), "nomenclature:index", "nomenclature")
PRODUCTS = MenuItem(_("My products"), "catalog:product_list", "products")
NATIONAL_DEMAND = MenuItem(_("National demand"), "demand:national", "demand")
PLANS = MenuItem(_("Purchase plans"), "demand:plan_list", "plans")
MATCHING = MenuItem(_("Matching"), "matching:index", "matching")
CONSULTATIONS = MenuItem(_("Consultations"), "sourcing:consultation_list", "consultations")
CLUSTER_MEMBERS = MenuItem(_("Cluster members"), "accounts:cluster_members", "cluster")
INSIGHTS = MenuItem(_("Insights"), "insights:index", "insights")
OPPORTUNITIES = MenuItem(_("Opportunities"), "insights:opportunities", "opportunities")
INNOVATION = MenuItem(_("Innovation"), "innovation:index", "innovation")
CERTIFICATION = MenuItem(_("Certification"), "catalog:certificate_review", "certification")
REGISTRATIONS = MenuItem(_("Registrations"), "catalog:registration_review", "registrations")
PROGRAMMES = MenuItem(_("Cluster programmes"), "programmes:index", "programmes")
ORGANISATIONS = MenuItem(_("My organisations"), "accounts:organisation_list", "organisations")
AUDIT = MenuItem(_("Audit trail"), "accounts:audit_log", "audit")
JOBS = MenuItem(_("Jobs"), "core:job_list", "jobs")
ADMIN = MenuItem(_("Administration"), "admin:index", "admin")


def menu_items_for(actor: Actor) -> list[MenuItem]:
    """Every item a person is entitled to, whether or not its page exists yet, each once, in menu order."""
    items = [HOME, DIRECTORY, NOMENCLATURES]
    if actor.is_anonymous:
        return items
    operator = actor.is_superuser or actor.is_staff
    if actor.has_kind(*SUPPLIER_KINDS):
        items += [PRODUCTS, NATIONAL_DEMAND, MATCHING, CONSULTATIONS]
    if actor.has_kind(*BUYER_KINDS):
        items += [PLANS, MATCHING, CONSULTATIONS]
    if actor.is_secretariat or operator:
        items += [CLUSTER_MEMBERS, MATCHING, INSIGHTS, INNOVATION]
    if actor.has_kind("imanor"):
        items.append(CERTIFICATION)
    if actor.has_kind("ministry_health"):
        items.append(REGISTRATIONS)
    if actor.has_kind("ministry_industry"):
        items += [PROGRAMMES, INSIGHTS]
    if actor.has_kind("investor"):
        items += [OPPORTUNITIES, NATIONAL_DEMAND]
    if actor.has_kind("university", "startup"):
        items.append(INNOVATION)
    if actor.org_ids:
        items.append(ORGANISATIONS)
    if actor.admin_org_ids or actor.is_secretariat or operator:
        items.append(AUDIT)
    items.append(JOBS)
    if actor.is_staff:
        items.append(ADMIN)
    unique: dict[str, MenuItem] = {}
    for item in items:
        unique.setdefault(item.key, item)
    return list(unique.values())


def menu_for(actor: Actor, user: object = None) -> list[MenuItem]:
    """The menu shown: the items whose page exists in this release."""
    return [item for item in menu_items_for(actor) if item.url]
