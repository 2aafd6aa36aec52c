"""How a draft consultation's lines are put into lots, and how the buyer regroups them before publication.

Default lotting groups the lines by EMDN group (the first 3 characters of the plan line's EMDN code, e.g. A01
needles, T01 gloves, M02 gauzes): a specialised maker answers one lot without having to price what it does not
make. Lines without an EMDN code get a lot of their own (never mixed into a coded group). The buyer may then move
a line to another lot, merge two lots, split lines out into a new lot and rename a lot, while the consultation is a
draft: once published, suppliers are invited per lot and the lots are fixed.

Lots and lines are renumbered 1..n after each change (the database keeps numbers and positions unique per
consultation / lot), and an emptied lot is deleted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tawrid.core.errors import DomainError, NotFound
from tawrid.core.permissions import Actor
from tawrid.demand.models import PlanLine
from tawrid.nomenclature.models import EmdnCode
from tawrid.sourcing.models import Consultation, Lot, LotLine

GROUP_LENGTH = 3  # "A01": category letter and group number, level 2 of EMDN
MAX_TITLE = 300

# EMDN is published in English only; the groups a hospital buys most often have a French (and Arabic) term here,
# through the translation catalogues. Any other group's lot is titled with its official English term.
GROUP_TERMS = {
    "A01": gettext_lazy("Needles"),
    "A02": gettext_lazy("Syringes"),
    "A03": gettext_lazy("Tubular devices"),
    "A04": gettext_lazy("Solution filters"),
    "A05": gettext_lazy("Mechanical infusion systems, single-use"),
    "A06": gettext_lazy("Drainage and fluid collection devices"),
    "A07": gettext_lazy("Adapters, connectors, stopcocks and caps"),
    "C01": gettext_lazy("Arterio-venous system devices"),
    "H01": gettext_lazy("Surgical sutures"),
    "M02": gettext_lazy("Gauzes and compresses"),
    "M03": gettext_lazy("Bandages"),
    "M04": gettext_lazy("Special dressings"),
    "R02": gettext_lazy("Breathing circuits and catheter mounts"),
    "R03": gettext_lazy("Respiratory masks and balloons"),
    "S01": gettext_lazy("Sterilisation and packaging devices"),
    "T01": gettext_lazy("Gloves"),
    "T02": gettext_lazy("Protective clothing and drapes"),
    "T03": gettext_lazy("Protections"),
    "T04": gettext_lazy("Incontinence devices"),
    "U01": gettext_lazy("Urethral, prostatic and bladder catheters"),
    "U02": gettext_lazy("Ureteral catheters and stents"),
    "V01": gettext_lazy("Cutting devices, single-use"),
    "V08": gettext_lazy("Healthcare activities supportive equipment"),
    "W05": gettext_lazy("IVD generic use consumables"),
}

BY_EMDN_GROUP = "emdn_group"
BY_EMDN_CODE = "emdn_code"  # one lot per full EMDN code (the buyer's "by type")
GROUPINGS = (BY_EMDN_GROUP, BY_EMDN_CODE)


def group_of(code: str | None) -> str:
    return (code or "")[:GROUP_LENGTH].upper()


def group_title(group: str, english_term: str = "") -> str:
    """The lot title of an EMDN group, in French (the platform's first language)."""
    with translation.override("fr"):
        term = str(GROUP_TERMS[group]) if group in GROUP_TERMS else (english_term.capitalize() or group)
    return f"{group} — {term}"


def default_groups(
    lines: Iterable[PlanLine], *, grouping: str = BY_EMDN_GROUP
) -> list[tuple[str, EmdnCode | None, list[PlanLine]]]:
    """(title, EMDN code of the lot, lines in plan order) for each lot, coded groups in code order first, then the
    lot of the lines without an EMDN code."""
    if grouping not in GROUPINGS:
        raise DomainError(_("Group the lines by EMDN group or by EMDN code."), code="bad_grouping")
    keyed: dict[str, list[PlanLine]] = defaultdict(list)
    for line in lines:
        code = line.emdn.code if line.emdn_id and line.emdn else ""
        keyed[group_of(code) if grouping == BY_EMDN_GROUP else code].append(line)
    codes = {
        code.code: code for code in EmdnCode.objects.filter(code__in=[key for key in keyed if key]).only("code", "term")
    }
    groups: list[tuple[str, EmdnCode | None, list[PlanLine]]] = []
    for key in sorted(key for key in keyed if key):
        members = sorted(keyed[key], key=lambda line: (line.plan_id, line.line_number))
        emdn = codes.get(key)
        if grouping == BY_EMDN_GROUP:
            title = group_title(key, emdn.term if emdn else "")
            if emdn is None:  # the group's own row is missing: keep the lines' code when they share one
                shared = {line.emdn_id for line in members}
                emdn = members[0].emdn if len(shared) == 1 else None
        else:
            emdn = emdn or members[0].emdn
            title = f"{emdn.code} {emdn.term}" if emdn else key
        groups.append((title[:MAX_TITLE], emdn, members))
    if "" in keyed:
        with translation.override("fr"):
            title = _("Lines without an EMDN code")
        groups.append((title, None, sorted(keyed[""], key=lambda line: (line.plan_id, line.line_number))))
    return groups


# Regrouping a draft's lots ------------------------------------------------------------------------------------------


def _draft(actor: Actor, consultation: Consultation) -> Consultation:
    # The services' own checks (permission, then draft) so that a page and the API refuse alike.
    from tawrid.sourcing import services

    services._require_edit(actor, consultation)
    locked = services._lock(consultation)
    services._require_draft(locked)
    return locked


# A lot, or its id as the API (int) or a form (str) gives it; None (no lot chosen) or an unknown id is a NotFound.
type LotRef = Lot | int | str | None


def _lot(consultation: Consultation, lot_id: Any) -> Lot:
    try:
        return consultation.lots.get(pk=int(getattr(lot_id, "pk", lot_id)))
    except (Lot.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("This lot is not in the consultation.")) from None


def _lines(consultation: Consultation, line_ids: Sequence[Any]) -> list[LotLine]:
    try:
        ids = {int(getattr(pk, "pk", pk)) for pk in line_ids}
    except (TypeError, ValueError):
        ids = set()
    lines = list(LotLine.objects.filter(lot__consultation=consultation, pk__in=ids).select_related("lot"))
    if not ids or len(lines) != len(ids):
        raise DomainError(_("Choose lines of this consultation."), code="bad_lines")
    return lines


def _title(title: Any) -> str:
    text = str(title or "").strip()
    if not text:
        raise DomainError(_("Give the lot a title."), code="bad_lot", details={"title": [_("Required.")]})
    if len(text) > MAX_TITLE:
        raise DomainError(
            _("At most 300 characters."), code="bad_lot", details={"title": [_("At most 300 characters.")]}
        )
    return text


def _renumber(consultation: Consultation) -> None:
    """Delete emptied lots, then number lots 1..n and each lot's lines 1..n, keeping their order. Numbers are first
    moved out of the way (above the current maximum) so that no intermediate state breaks the unique constraints."""
    lots = list(consultation.lots.order_by("number", "pk"))
    for lot in lots:
        if not lot.lines.exists():
            lot.delete()
    lots = list(consultation.lots.order_by("number", "pk"))
    offset = (max((lot.number for lot in lots), default=0)) + 1
    for index, lot in enumerate(lots):
        Lot.objects.filter(pk=lot.pk).update(number=offset + index)
    for number, lot in enumerate(lots, start=1):
        Lot.objects.filter(pk=lot.pk).update(number=number)
        lines = list(lot.lines.order_by("position", "pk"))
        top = (lot.lines.aggregate(top=Max("position"))["top"] or 0) + 1
        for index, line in enumerate(lines):
            LotLine.objects.filter(pk=line.pk).update(position=top + index)
        for position, line in enumerate(lines, start=1):
            LotLine.objects.filter(pk=line.pk).update(position=position)


def _append(lines: Sequence[LotLine], target: Lot) -> None:
    top = target.lines.aggregate(top=Max("position"))["top"] or 0
    for offset, line in enumerate(sorted(lines, key=lambda line: (line.lot.number, line.position)), start=1):
        line.lot = target
        line.position = top + offset
        line.save(update_fields=["lot", "position", "updated_at"])


def _emdn_of(lines: Iterable[LotLine]) -> EmdnCode | None:
    """The EMDN group code shared by all the lines (through their plan lines), else None."""
    codes = {group_of(line.plan_line.emdn.code) if line.plan_line and line.plan_line.emdn else "" for line in lines}
    if len(codes) != 1 or "" in codes:
        return None
    return EmdnCode.objects.filter(code=codes.pop()).first()


@transaction.atomic
def lot_rename(*, actor: Actor, consultation: Consultation, lot: LotRef, title: str) -> Lot:
    consultation = _draft(actor, consultation)
    target = _lot(consultation, lot)
    target.title = _title(title)
    target.save(update_fields=["title", "updated_at"])
    return target


@transaction.atomic
def lot_move_lines(*, actor: Actor, consultation: Consultation, lines: Sequence[Any], to_lot: LotRef) -> Lot:
    """Move lines (of any lots of the draft) to the end of another lot; a lot left empty is deleted."""
    consultation = _draft(actor, consultation)
    target = _lot(consultation, to_lot)
    moving = [line for line in _lines(consultation, lines) if line.lot_id != target.pk]
    _append(moving, target)
    _renumber(consultation)
    target.refresh_from_db()
    return target


@transaction.atomic
def lots_merge(*, actor: Actor, consultation: Consultation, lot: LotRef, into: LotRef) -> Lot:
    """Every line of `lot` moved to the end of `into`; `lot` is deleted."""
    consultation = _draft(actor, consultation)
    source, target = _lot(consultation, lot), _lot(consultation, into)
    if source.pk == target.pk:
        raise DomainError(_("Choose two different lots to merge."), code="bad_lot")
    _append(list(source.lines.select_related("lot")), target)
    if target.emdn_id and source.emdn_id != target.emdn_id:
        target.emdn = None  # a lot of mixed groups has no single code (it still invites each line's makers)
        target.save(update_fields=["emdn", "updated_at"])
    _renumber(consultation)
    target.refresh_from_db()
    return target


@transaction.atomic
def lot_split(*, actor: Actor, consultation: Consultation, lines: Sequence[Any], title: str) -> Lot:
    """A new lot, last, holding the given lines (taken from their lots)."""
    consultation = _draft(actor, consultation)
    clean_title = _title(title)
    moving = _lines(consultation, lines)
    top = consultation.lots.aggregate(top=Max("number"))["top"] or 0
    lot = Lot.objects.create(
        consultation=consultation,
        number=top + 1,
        title=clean_title,
        emdn=_emdn_of(LotLine.objects.filter(pk__in=[line.pk for line in moving]).select_related("plan_line__emdn")),
    )
    _append(moving, lot)
    _renumber(consultation)
    lot.refresh_from_db()
    return lot


def regroup(*, actor: Actor, consultation: Consultation, action: str, data: Mapping[str, Any]) -> Lot:
    """One regrouping named by `action` (the page's and the API's single entry point)."""
    if action == "rename":
        return lot_rename(actor=actor, consultation=consultation, lot=data.get("lot"), title=data.get("title", ""))
    if action == "move":
        return lot_move_lines(
            actor=actor, consultation=consultation, lines=data.get("lines") or [], to_lot=data.get("to_lot")
        )
    if action == "merge":
        return lots_merge(actor=actor, consultation=consultation, lot=data.get("lot"), into=data.get("into"))
    if action == "split":
        return lot_split(
            actor=actor, consultation=consultation, lines=data.get("lines") or [], title=data.get("title", "")
        )
    raise DomainError(_("Unknown regrouping."), code="bad_action")
