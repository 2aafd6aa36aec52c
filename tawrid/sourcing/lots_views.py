"""The buyer's regrouping of a draft consultation's lots, from the consultation page (tawrid.sourcing.lotting):
one form per lot, its buttons naming the change (rename, merge into another lot, move the ticked lines, make a new
lot of the ticked lines). Refusals come back as a message, as for the page's other one-button steps."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tawrid.core import permissions
from tawrid.core.errors import DomainError
from tawrid.core.permissions import actor_for
from tawrid.sourcing import evaluation_lines, lotting, selectors
from tawrid.sourcing.models import LotLine

DONE = {
    "rename": gettext_lazy("Lot renamed."),
    "move": gettext_lazy("Lines moved."),
    "merge": gettext_lazy("Lots merged."),
    "split": gettext_lazy("New lot made of the ticked lines."),
}


@login_required
@require_POST
def lots_regroup(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    consultation = selectors.consultation_detail(actor, pk)
    action = request.POST.get("action", "")
    data = {
        "lot": request.POST.get("lot"),
        "into": request.POST.get("into"),
        "to_lot": request.POST.get("to_lot"),
        "lines": request.POST.getlist("lines"),
        "title": request.POST.get("new_title" if action == "split" else "title", ""),
    }
    try:
        lotting.regroup(actor=actor, consultation=consultation, action=action, data=data)
    except DomainError as error:
        if error.status in (403, 404):
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, str(DONE.get(action, _("Lots changed."))))
    return redirect("sourcing:consultation_detail", pk=consultation.pk)


@login_required
@require_POST
def award_line(request: HttpRequest, pk: int) -> HttpResponse:
    """Award one line of a lot evaluated per line (the report's button next to the offer the gate allows)."""
    actor = actor_for(request.user)
    lot_line = get_object_or_404(permissions.visible(actor, LotLine.objects.select_related("lot__consultation")), pk=pk)
    consultation = lot_line.lot.consultation
    offer = lot_line.lot.offers.filter(pk=request.POST.get("offer") or 0).first()
    if offer is None:
        raise Http404()
    try:
        evaluation_lines.award_line_make(actor=actor, lot_line=lot_line, offer=offer)
    except DomainError as error:
        if error.status in (403, 404):
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, _("Line awarded; the bidders on it are notified."))
    return redirect("sourcing:evaluation_report", pk=consultation.pk)
