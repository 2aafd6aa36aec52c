"""The buyer's order under awards per line (`tawrid.sourcing.line_orders`): from the evaluation report, per
supplier, a quantity for each line of the lot awarded to it whose standstill has passed; the lines still in
their standstill are shown with its end. Sent once (the form's one-time token), as the other create forms."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from tawrid.accounts.models import Organisation
from tawrid.core import permissions
from tawrid.core.errors import DomainError, Forbidden
from tawrid.core.idempotency import form_once
from tawrid.core.permissions import actor_for
from tawrid.sourcing import line_orders, policies
from tawrid.sourcing.forms import QuantitiesForm
from tawrid.sourcing.models import Lot
from tawrid.sourcing.views import _form_token, _once_done


@login_required
def order_lines_create(request: HttpRequest, pk: int, supplier_pk: int) -> HttpResponse:
    """An order to one supplier (`supplier_pk`) of the lines of a lot (`pk`) awarded to it, at its line prices."""
    actor = actor_for(request.user)
    lot = get_object_or_404(permissions.visible(actor, Lot.objects.select_related("consultation")), pk=pk)
    if not policies.can_edit_consultation(actor, lot.consultation):
        raise Forbidden(_("Only the buyer's administrators and members place its orders."))
    supplier = get_object_or_404(Organisation.objects.filter(awards__lot=lot).distinct(), pk=supplier_pk)
    rows = line_orders.supplier_lines(actor, lot, supplier.pk)
    orderable = [row for row in rows if row["final"] and row["left"] > 0]
    choices = [(row["line"].pk, _("Line %(line)s") % {"line": row["label"]}, row["left"]) for row in orderable]
    form = QuantitiesForm(request.POST or None, lines=choices)
    if request.method == "POST" and form.is_valid():
        wanted = [{"lot_line": line_pk, "quantity": quantity} for line_pk, quantity in form.quantities().items()]
        try:
            outcome = form_once(
                request,
                lambda: reverse(
                    "sourcing:order_detail",
                    args=[
                        line_orders.order_create_from_line_awards(
                            actor=actor, lot=lot, supplier=supplier, lines=wanted
                        ).pk
                    ],
                ),
            )
        except DomainError as error:
            if error.status in (403, 404):
                raise
            fields = [f"quantity_{entry['lot_line']}" for entry in wanted]
            for key, texts in error.details.items():
                index = key.split(".")[1] if key.startswith("lines.") else ""
                field = fields[int(index)] if index.isdigit() and int(index) < len(fields) else None
                for text in texts:
                    form.add_error(field if key.endswith(".quantity") else None, text)
            if not error.details:
                form.add_error(None, error.message)
        else:
            return _once_done(request, outcome, _("Order placed."))
    return render(
        request,
        "sourcing/order_lines_form.html",
        {
            "lot": lot,
            "supplier": supplier,
            "rows": rows,
            "pending": [row for row in rows if not row["final"]],
            "form": form,
            "can_order": bool(orderable),
            "form_token": _form_token(request),
        },
    )
