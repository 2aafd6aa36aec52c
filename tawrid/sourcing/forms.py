"""Forms of the consultations' pages: they only shape what was typed; the services check everything (terms,
deadlines, prices) and their DomainError details are put back under the fields (tawrid.sourcing.views)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tawrid.catalog.models import CertificateKind
from tawrid.sourcing.models import MAX_NATIONAL_PREFERENCE, Consultation, EvaluationBasis, EvaluationMethod, Lot
from tawrid.sourcing.services import TERMS_FIELDS

DATETIME_INPUT = "%Y-%m-%dT%H:%M"


def percent_of(rate: Any) -> Decimal | None:
    """A stored fraction (0.150) as the percentage people type (15)."""
    if rate is None:
        return None
    value = Decimal(rate) * 100
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def _moment(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=[DATETIME_INPUT, "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT),
        help_text=_("Casablanca time."),
    )


def variant_field(label: Any, choices: list[tuple[int, str]], testid: str, initial: int | None = None) -> forms.Field:
    """A line's optional variant among the supplier's own (the services refuse any other)."""
    return forms.TypedChoiceField(
        label=label,
        choices=[("", _("— not specified —")), *choices],
        coerce=int,
        empty_value=None,
        required=False,
        initial=initial,
        widget=forms.Select(attrs={"data-testid": testid}),
    )


def line_error_field(
    form: forms.Form, key: str, lines: Sequence[Any], fields: Mapping[str, Callable[[int], str]]
) -> str | None:
    """The form field a service error key is about: `lines.<index>.<name>` is the field `fields[name]` of the
    index-th line given to the service; any other key is a field of that name, or none (a form-wide error)."""
    parts = key.split(".")
    if len(parts) == 3 and parts[0] == "lines" and parts[1].isdigit() and int(parts[1]) < len(lines):
        field = fields.get(parts[2])
        if field is not None:
            return field(lines[int(parts[1])].pk)
    return key if key in form.fields else None


class ConsultationForm(forms.Form):
    """The terms of a consultation (a draft's, while it can be changed)."""

    reference = forms.CharField(label=_("Reference"), max_length=60)
    title = forms.CharField(label=_("Object"), max_length=300)
    delivery_terms = forms.CharField(
        label=_("Delivery terms"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    required_certificates = forms.MultipleChoiceField(
        label=_("Required certificates"),
        choices=CertificateKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Left empty when creating: those the plan lines ask for."),
    )
    evaluation_method = forms.ChoiceField(label=_("Evaluation"), choices=EvaluationMethod.choices)
    price_weight = forms.IntegerField(
        label=_("Price weight (%)"), required=False, help_text=_("For a weighted evaluation only.")
    )
    # Typed as a percentage (15 for 15 %), stored and sent to the services as a fraction (0.15).
    national_preference_rate = forms.DecimalField(
        label=_("National preference rate (%)"),
        initial=percent_of(MAX_NATIONAL_PREFERENCE),
        min_value=0,
        max_value=percent_of(MAX_NATIONAL_PREFERENCE),
        decimal_places=1,
        help_text=_("From 0 to 15 %, as the law allows."),
        widget=forms.NumberInput(attrs={"step": "0.1"}),
    )
    partial_offers = forms.BooleanField(
        label=_("Partial offers allowed"),
        required=False,
        help_text=_("A maker may price only the lines of a lot it makes (at least one)."),
    )
    evaluation_basis = forms.ChoiceField(
        label=_("Evaluation basis"),
        choices=EvaluationBasis.choices,
        initial=EvaluationBasis.LOT,
        required=False,
        help_text=_(
            "Per line: each line goes to its best offer, possibly to different suppliers. Per lot: only offers "
            "pricing every line are compared."
        ),
    )
    questions_deadline = _moment(_("Deadline for questions"))
    submission_deadline = _moment(_("Deadline for offers"))
    opening_at = _moment(_("Opening"))
    open_to_all = forms.BooleanField(
        label=_("Open to every eligible manufacturer"),
        required=False,
        help_text=_("Otherwise only the suppliers the matching proposed are invited."),
    )

    @staticmethod
    def initial_from(consultation: Consultation) -> dict[str, Any]:
        initial = {field: getattr(consultation, field) for field in TERMS_FIELDS}
        initial["national_preference_rate"] = percent_of(consultation.national_preference_rate)
        return initial

    def terms(self) -> dict[str, Any]:
        data = {field: self.cleaned_data.get(field) for field in TERMS_FIELDS}
        if data["price_weight"] is None:
            data.pop("price_weight")
        data["evaluation_basis"] = data.get("evaluation_basis") or EvaluationBasis.LOT
        rate = data.get("national_preference_rate")
        if rate is not None:
            data["national_preference_rate"] = (Decimal(rate) / 100).quantize(Decimal("0.001"))
        return data


class ConsultationCreateForm(ConsultationForm):
    lines = forms.TypedMultipleChoiceField(
        label=_("Plan lines"), coerce=int, widget=forms.CheckboxSelectMultiple, required=False
    )
    grouping = forms.ChoiceField(
        label=_("Lots"),
        required=False,
        initial="emdn_group",
        choices=[
            ("emdn_group", _("One lot per EMDN group (needles, gloves, compresses…)")),
            ("emdn_code", _("One lot per EMDN code (finer)")),
        ],
        help_text=_("Lines without an EMDN code get a lot of their own. You can regroup the lots before publishing."),
    )

    field_order = ["lines", "grouping", *TERMS_FIELDS]

    def __init__(self, *args: Any, line_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lines"].choices = line_choices  # type: ignore[attr-defined]


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("Your question"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason (sent to the suppliers)"), widget=forms.Textarea(attrs={"rows": 2}))


class VersionForm(forms.Form):
    """The version the page was showing: a change made meanwhile in another window is refused."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class OfferForm(forms.Form):
    """A price in MAD and a delivery time for each line of a lot; the prices are checked by the service (so
    `12,50` and `12.50` both work) and sealed at once."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    documents = forms.CharField(
        label=_("Documents (one name per line)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self,
        *args: Any,
        lot: Lot,
        variants: dict[int, tuple[list[tuple[int, str]], int | None]] | None = None,
        partial: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # Partial offers allowed: a line left without price and delay is not offered (the service wants one at least).
        self.partial = partial
        self.lot_lines = list(lot.lines.order_by("position"))
        for line in self.lot_lines:
            choices, proposed = (variants or {}).get(line.pk, ([], None))
            self.fields[self.variant_field(line.pk)] = variant_field(
                _("Variant offered, line %(position)s") % {"position": line.position},
                choices,
                f"offer-variant-{line.pk}",
                initial=proposed,
            )
            self.fields[self.price_field(line.pk)] = forms.CharField(
                label=_("Unit price (MAD), line %(position)s") % {"position": line.position},
                max_length=30,
                required=not partial,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "data-testid": f"offer-price-{line.pk}"}),
            )
            self.fields[self.days_field(line.pk)] = forms.CharField(
                label=_("Delivery time (days), line %(position)s") % {"position": line.position},
                max_length=10,
                required=not partial,
                widget=forms.TextInput(attrs={"inputmode": "numeric", "data-testid": f"offer-days-{line.pk}"}),
            )

    @staticmethod
    def price_field(line_id: int) -> str:
        return f"price_{line_id}"

    @staticmethod
    def days_field(line_id: int) -> str:
        return f"days_{line_id}"

    @staticmethod
    def variant_field(line_id: int) -> str:
        return f"variant_{line_id}"

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "line": line,
                "price": self[self.price_field(line.pk)],
                "days": self[self.days_field(line.pk)],
                "variant": self[self.variant_field(line.pk)],
            }
            for line in self.lot_lines
        ]

    def offered_lines(self) -> list[Any]:
        """The lot lines the offer prices: all of them, or (partial offers) those given a price or a delay."""
        if not self.partial:
            return self.lot_lines
        return [
            line
            for line in self.lot_lines
            if (self.cleaned_data.get(self.price_field(line.pk)) or "").strip()
            or (self.cleaned_data.get(self.days_field(line.pk)) or "").strip()
        ]

    def offer_lines(self) -> list[dict[str, Any]]:
        return [
            {
                "lot_line": line.pk,
                "unit_price": self.cleaned_data.get(self.price_field(line.pk)),
                "delivery_days": self.cleaned_data.get(self.days_field(line.pk)),
                "variant": self.cleaned_data.get(self.variant_field(line.pk)),
            }
            for line in self.offered_lines()
        ]

    def document_names(self) -> list[str]:
        return [name.strip() for name in (self.cleaned_data.get("documents") or "").splitlines() if name.strip()]

    def field_for(self, key: str) -> str | None:
        """The form field a service error key (`lines.<index>.unit_price`) is about."""
        fields = {"unit_price": self.price_field, "delivery_days": self.days_field, "variant": self.variant_field}
        return line_error_field(self, key, self.offered_lines(), fields)


class QuantitiesForm(forms.Form):
    """A quantity per line (an order under an award: per lot line; a delivery: per order line), each optional:
    the services check what is left to order or receive."""

    def __init__(self, *args: Any, lines: list[tuple[int, str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for pk, label, left in lines:
            self.fields[f"quantity_{pk}"] = forms.DecimalField(
                label=label,
                required=False,
                min_value=0,
                max_digits=14,
                decimal_places=3,
                help_text=_("At most %(left)s.") % {"left": left},
            )

    def quantities(self) -> dict[int, Any]:
        return {
            int(name.removeprefix("quantity_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("quantity_") and value
        }


class DirectOrderForm(forms.Form):
    """A direct order (without consultation) against the lines of one plan: per line a quantity, a unit price in
    MAD and optionally one of the supplier's variants. The numbers stay text: the service reads `12,50` and
    `12.50` alike and says what is wrong under the field. Only the lines given a quantity are ordered."""

    def __init__(self, *args: Any, lines: list[Any], variants: dict[int, list[tuple[int, str]]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan_lines = list(lines)
        for line in self.plan_lines:
            self.fields[self.quantity_field(line.pk)] = forms.CharField(
                label=_("Quantity, line %(number)s") % {"number": line.line_number},
                required=False,
                max_length=30,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "data-testid": f"order-quantity-{line.pk}"}),
            )
            self.fields[self.price_field(line.pk)] = forms.CharField(
                label=_("Unit price (MAD), line %(number)s") % {"number": line.line_number},
                required=False,
                max_length=30,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "data-testid": f"order-price-{line.pk}"}),
            )
            self.fields[self.variant_field(line.pk)] = variant_field(
                _("Variant, line %(number)s") % {"number": line.line_number},
                variants.get(line.pk, []),
                f"order-variant-{line.pk}",
            )
        self.ordered_lines: list[Any] = []

    @staticmethod
    def quantity_field(line_id: int) -> str:
        return f"quantity_{line_id}"

    @staticmethod
    def price_field(line_id: int) -> str:
        return f"unit_price_{line_id}"

    @staticmethod
    def variant_field(line_id: int) -> str:
        return f"variant_{line_id}"

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "line": line,
                "quantity": self[self.quantity_field(line.pk)],
                "price": self[self.price_field(line.pk)],
                "variant": self[self.variant_field(line.pk)],
            }
            for line in self.plan_lines
        ]

    def order_lines(self) -> list[dict[str, Any]]:
        """The entries for `services.order_create_direct`, in the plan's order; `ordered_lines` keeps which plan
        line each entry is, to put the service's `lines.<index>.<field>` errors back under the right field."""
        self.ordered_lines = [
            line for line in self.plan_lines if (self.cleaned_data.get(self.quantity_field(line.pk)) or "").strip()
        ]
        return [
            {
                "plan_line": line.pk,
                "quantity": self.cleaned_data[self.quantity_field(line.pk)].strip(),
                "unit_price": (self.cleaned_data.get(self.price_field(line.pk)) or "").strip(),
                "variant": self.cleaned_data.get(self.variant_field(line.pk)),
            }
            for line in self.ordered_lines
        ]

    def field_for(self, key: str) -> str | None:
        """The form field a service error key (`lines.<index>.unit_price`) is about."""
        fields = {"quantity": self.quantity_field, "unit_price": self.price_field, "variant": self.variant_field}
        return line_error_field(self, key, self.ordered_lines, fields)
