"""The menu a person sees, from the kinds of their organisations. Pages link only to what they may open."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from tawrid.core.permissions import Actor


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
            return "#"


def menu_for(actor: Actor, user: object = None) -> list[MenuItem]:
    items = [
        MenuItem(_("Home"), "core:home", "home"),
        MenuItem(_("Nomenclatures"), "nomenclature:index", "nomenclature"),
    ]
    if actor.is_anonymous:
        return items
    if actor.org_ids:
        items.append(MenuItem(_("My organisations"), "accounts:organisation_list", "organisations"))
    if actor.is_secretariat or actor.is_superuser:
        items.append(MenuItem(_("Cluster members"), "accounts:cluster_members", "cluster"))
    if actor.admin_org_ids or actor.is_secretariat or actor.is_superuser:
        items.append(MenuItem(_("Audit trail"), "accounts:audit_log", "audit"))
    items.append(MenuItem(_("Jobs"), "core:job_list", "jobs"))
    if actor.is_staff:
        items.append(MenuItem(_("Administration"), "admin:index", "admin"))
    return items
