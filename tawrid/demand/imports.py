"""The "demand.plan_lines" import: a hospital's purchase plan file, as it is, into a draft plan.

Columns are recognised under the names real hospital files give them (Désignation / Libellé / Article,
Qté / Besoin annuel, Unité / Conditionnement, PU estimé…); a designation split over two columns is mapped
to "designation" and "designation (continued)" and joined. Each row is checked by `PlanLineForm`, the form
of the line screen. The import always goes into a draft plan (the `plan` parameter); re-importing the same
file changes nothing (lines are matched on the buyer's reference, or else on designation and unit).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tawrid.core.errors import DomainError
from tawrid.core.permissions import Actor
from tawrid.demand import policies, services
from tawrid.demand.forms import PlanLineForm
from tawrid.demand.models import PlanStatus, PurchasePlan
from tawrid.imports import parsing
from tawrid.imports.registry import ColumnSpec, ImportContext, ImportKind, WriteSummary, register

KIND = "demand.plan_lines"


def parse_reference(value: Any) -> parsing.Parsed:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return parsing.Parsed(parsing.clean_text(value) if value is not None else "")


def columns() -> list[ColumnSpec]:
    return [
        ColumnSpec(
            "buyer_reference",
            gettext_lazy("Buyer's reference"),
            synonyms=("référence", "ref", "réf", "code article", "code", "n° article", "code produit", "reference"),
            parser=parse_reference,
        ),
        ColumnSpec(
            "designation",
            gettext_lazy("Designation"),
            required=True,
            synonyms=(
                "désignation",
                "libellé",
                "libelle",
                "article",
                "désignation de l'article",
                "produit",
                "description",
                "désignation 1",
                "libellé article",
                "التسمية",
            ),
        ),  # fmt: skip
        ColumnSpec(
            "designation_2",
            gettext_lazy("Designation (continued)"),
            synonyms=(
                "désignation 2",
                "désignation (suite)",
                "suite désignation",
                "complément",
                "libellé 2",
                "complément désignation",
            ),
        ),  # fmt: skip
        ColumnSpec(
            "quantity",
            gettext_lazy("Quantity"),
            required=True,
            synonyms=(
                "quantité",
                "qté",
                "qte",
                "besoin annuel",
                "besoins",
                "quantité annuelle",
                "qté annuelle",
                "besoin",
                "quantité prévisionnelle",
                "الكمية",
            ),
            parser=parsing.parse_quantity,
        ),  # fmt: skip
        ColumnSpec(
            "unit",
            gettext_lazy("Purchase unit"),
            synonyms=("unité", "u", "conditionnement", "unité de mesure", "um", "cdt", "unité d'achat", "الوحدة"),
        ),  # fmt: skip
        ColumnSpec(
            "unit_price",
            gettext_lazy("Estimated unit price (MAD)"),
            synonyms=(
                "prix unitaire",
                "pu",
                "pu estimé",
                "p.u.",
                "prix unitaire estimé",
                "prix estimatif",
                "prix unitaire ht",
                "pu ht",
                "prix",
            ),
            parser=parsing.parse_price,
        ),  # fmt: skip
        ColumnSpec(
            "specification",
            gettext_lazy("Technical specification"),
            synonyms=(
                "spécifications techniques",
                "spécifications",
                "caractéristiques",
                "caractéristiques techniques",
                "fiche technique",
                "observations",
            ),
            parser=parsing.parse_multiline_text,
        ),  # fmt: skip
        ColumnSpec(
            "delivery_place",
            gettext_lazy("Place of delivery"),
            synonyms=("site", "lieu de livraison", "site de livraison", "établissement", "destination"),
        ),
        ColumnSpec(
            "required_certificates",
            gettext_lazy("Required certificates"),
            synonyms=("certificats requis", "certificats", "certification", "exigences réglementaires"),
        ),
        ColumnSpec(
            "delivery_schedule",
            gettext_lazy("Delivery schedule"),
            synonyms=(
                "livraison",
                "trimestre",
                "calendrier de livraison",
                "échéancier",
                "planning de livraison",
                "période de livraison",
            ),
        ),  # fmt: skip
        ColumnSpec("emdn_code", gettext_lazy("EMDN code"), synonyms=("emdn", "code emdn", "cnd")),
        ColumnSpec("cpv_code", gettext_lazy("CPV code"), synonyms=("cpv", "code cpv")),
    ]


def natural_key(cleaned: dict[str, Any]) -> str:
    return services.natural_key(
        buyer_reference=cleaned.get("buyer_reference") or "",
        designation=cleaned.get("designation") or "",
        unit=cleaned.get("unit") or "",
    )


def _plan(context: ImportContext) -> PurchasePlan:
    try:
        return PurchasePlan.objects.get(pk=context.params["plan"], buyer=context.organisation)
    except (KeyError, PurchasePlan.DoesNotExist, ValueError, TypeError):
        raise DomainError(_("Choose the draft plan to import into."), code="no_plan") from None


def write_lines(rows: list[dict[str, Any]], context: ImportContext) -> WriteSummary:
    plan = _plan(context)
    if not policies.can_edit_plan(context.actor, plan):
        raise DomainError(_("You may not change this plan."), code="forbidden")
    created, updated, unchanged = services.lines_import(plan=plan, rows=rows)
    return WriteSummary(created=created, updated=updated, unchanged=unchanged)


def may_import(actor: Actor, organisation: Any) -> bool:
    return actor.can_write_org(organisation.pk) and organisation.kind in ("hospital_group", "hospital")


def clean_params(raw: dict[str, str], actor: Actor, organisation: Any) -> dict[str, Any]:
    given = str(raw.get("plan", ""))
    plan = PurchasePlan.objects.filter(pk=int(given)).first() if given.isdigit() else None
    if plan is None or plan.buyer_id != organisation.pk or not policies.can_edit_plan(actor, plan):
        raise DomainError(_("Choose the draft plan to import into."), code="no_plan")
    if plan.status != PlanStatus.DRAFT:
        raise DomainError(_("This plan is published: amend it to import a new version."), code="plan_read_only")
    return {"plan": plan.pk}


def _result_url(context: ImportContext) -> str:
    plan_id = context.params.get("plan")
    return reverse("demand:plan_detail", args=[plan_id]) if plan_id else reverse("demand:plan_list")


def register_kind() -> ImportKind:
    """Called from DemandConfig.ready()."""
    return register(
        ImportKind(
            name=KIND,
            label=gettext_lazy("Purchase plan lines"),
            description=gettext_lazy(
                "One row per line of the plan: designation as written, quantity, unit, estimated price…"
            ),
            columns=columns(),
            row_form=PlanLineForm,
            natural_key=natural_key,
            write=write_lines,
            permission=may_import,
            params=("plan",),
            clean_params=clean_params,
            result_url=_result_url,
        )
    )
