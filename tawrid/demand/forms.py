"""The forms of the plans. `PlanLineForm` validates one line whether it is typed on screen or read from a
spreadsheet row (the "demand.plan_lines" import binds it to each row)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tawrid.core.text import fold
from tawrid.demand.models import CertificateKind, PurchasePlan
from tawrid.demand.units import is_fractional_count

if TYPE_CHECKING:
    from tawrid.accounts.models import Organisation

_CERTIFICATE_WORDS: dict[str, str] = {
    "iso13485": CertificateKind.ISO13485,
    "iso 13485": CertificateKind.ISO13485,
    "13485": CertificateKind.ISO13485,
    "nm": CertificateKind.NM_IMANOR,
    "imanor": CertificateKind.NM_IMANOR,
    "nm imanor": CertificateKind.NM_IMANOR,
    "norme marocaine": CertificateKind.NM_IMANOR,
    "nm_imanor": CertificateKind.NM_IMANOR,
    "ce": CertificateKind.CE,
    "marquage ce": CertificateKind.CE,
    "dmp": CertificateKind.DMP_REGISTRATION,
    "homologation": CertificateKind.DMP_REGISTRATION,
    "enregistrement": CertificateKind.DMP_REGISTRATION,
    "enregistrement dmp": CertificateKind.DMP_REGISTRATION,
    "dmp_registration": CertificateKind.DMP_REGISTRATION,
    "amm": CertificateKind.DMP_REGISTRATION,
}

MONTHS = {
    "janvier": 1, "janv": 1, "jan": 1, "fevrier": 2, "fevr": 2, "fev": 2, "feb": 2, "mars": 3, "mar": 3,
    "avril": 4, "avr": 4, "apr": 4, "mai": 5, "may": 5, "juin": 6, "jun": 6, "juillet": 7, "juil": 7, "jul": 7,
    "aout": 8, "aug": 8, "septembre": 9, "sept": 9, "sep": 9, "octobre": 10, "oct": 10, "novembre": 11,
    "nov": 11, "decembre": 12, "dec": 12,
}  # fmt: skip


def _certificate_in(key: str) -> str | None:
    words = set(re.split(r"[\s:_-]+", key))
    if "13485" in key:
        return CertificateKind.ISO13485
    if words & {"imanor", "nm"}:
        return CertificateKind.NM_IMANOR
    if words & {"dmp", "homologation", "enregistrement", "amm"}:
        return CertificateKind.DMP_REGISTRATION
    if "ce" in words:
        return CertificateKind.CE
    return None


def parse_certificates(value: Any) -> list[str]:
    """`ISO 13485, CE; homologation DMP` → ["iso13485", "ce", "dmp_registration"]; raises ValidationError."""
    if isinstance(value, list | tuple):
        items = [str(v) for v in value]
    else:
        items = re.split(r"[,;/+\n]|\bet\b", str(value or ""))
    found: list[str] = []
    for item in items:
        key = fold(item).strip(" .-")
        if not key:
            continue
        kind = _CERTIFICATE_WORDS.get(key) or _CERTIFICATE_WORDS.get(key.replace("-", " ")) or _certificate_in(key)
        if kind is None:
            message = _("Unknown certificate “%(value)s”: write ISO 13485, NM (IMANOR), CE or DMP.")
            raise forms.ValidationError(message % {"value": item.strip()}, code="unknown_certificate")
        if str(kind) not in found:
            found.append(str(kind))
    return found


_PERIOD = re.compile(r"^(?:(t|q|trim|trimestre)\s*(\d)|(\d)\s*(?:er|e|eme|ème)?\s*trim(?:estre)?|(m)\s*(\d{1,2}))$")


def parse_schedule(text: str) -> dict[str, Any]:
    """`T1: 100; T3: 50`, `1er trimestre`, `janvier=10, juin=20`, `M3` → {"period": "quarter"|"month",
    "quantities": {"1": "100", …}} (a period without quantity has null). Raises ValidationError."""
    text = (text or "").strip()
    if not text:
        return {}
    period = ""
    quantities: dict[str, str | None] = {}
    for part in re.split(r"[;\n|]|,(?=\s*[^\W\d_])", text):
        part = part.strip()
        if not part:
            continue
        name, _sep, amount = part.partition("=") if "=" in part else part.partition(":")
        key = fold(name).strip(" .")
        this_period, number = "", 0
        match = _PERIOD.match(key)
        if match:
            if match.group(2) or match.group(3):
                this_period, number = "quarter", int(match.group(2) or match.group(3))
            else:
                this_period, number = "month", int(match.group(5))
        elif key in MONTHS:
            this_period, number = "month", MONTHS[key]
        limit = 4 if this_period == "quarter" else 12
        if not this_period or not 1 <= number <= limit:
            raise forms.ValidationError(
                _("“%(value)s” is not a delivery period: write T1…T4 or a month, e.g. “T1: 100; T3: 50”.")
                % {"value": part}
            )
        if period and this_period != period:
            raise forms.ValidationError(_("Give the delivery schedule in quarters or in months, not both."))
        period = this_period
        amount = (amount or "").strip()
        if amount:
            try:
                value = Decimal(amount.replace(" ", "").replace("\u00a0", "").replace(",", "."))
            except ArithmeticError:
                raise forms.ValidationError(
                    _("“%(value)s” is not a quantity to deliver.") % {"value": amount}
                ) from None
            if value <= 0:
                raise forms.ValidationError(_("A quantity to deliver must be above zero."))
            quantities[str(number)] = format(value.normalize(), "f")
        else:
            quantities[str(number)] = None
    return {"period": period, "quantities": quantities}


def format_schedule(schedule: dict[str, Any]) -> str:
    if not schedule:
        return ""
    prefix = "T" if schedule.get("period") == "quarter" else "M"
    parts = []
    for number, amount in (schedule.get("quantities") or {}).items():
        parts.append(f"{prefix}{number}: {amount}" if amount else f"{prefix}{number}")
    return "; ".join(parts)


class PlanLineForm(forms.Form):
    """One line of a plan: its screen and each spreadsheet row."""

    buyer_reference = forms.CharField(label=gettext_lazy("Buyer's reference"), max_length=80, required=False)
    designation = forms.CharField(label=gettext_lazy("Designation"), max_length=2000)
    designation_2 = forms.CharField(label=gettext_lazy("Designation (continued)"), max_length=2000, required=False)
    quantity = forms.DecimalField(
        label=gettext_lazy("Quantity"), max_digits=14, decimal_places=3, min_value=Decimal("0.001"), localize=True
    )
    unit = forms.CharField(label=gettext_lazy("Purchase unit"), max_length=40, required=False)
    unit_price = forms.DecimalField(
        label=gettext_lazy("Estimated unit price (MAD)"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
        localize=True,
    )
    required_certificates = forms.CharField(
        label=gettext_lazy("Required certificates"), required=False, help_text=gettext_lazy("e.g. ISO 13485, CE")
    )
    specification = forms.CharField(
        label=gettext_lazy("Technical specification"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    delivery_place = forms.CharField(label=gettext_lazy("Place of delivery"), max_length=200, required=False)
    delivery_schedule = forms.CharField(
        label=gettext_lazy("Delivery schedule"), required=False, help_text=gettext_lazy("e.g. T1: 100; T3: 50")
    )
    emdn_code = forms.CharField(label=gettext_lazy("EMDN code"), max_length=13, required=False)
    cpv_code = forms.CharField(label=gettext_lazy("CPV code"), max_length=10, required=False)

    def clean_designation(self) -> str:
        return re.sub(r"\s+", " ", self.cleaned_data["designation"]).strip()

    def clean_required_certificates(self) -> list[str]:
        return parse_certificates(self.cleaned_data.get("required_certificates"))

    def clean_delivery_schedule(self) -> dict[str, Any]:
        return parse_schedule(self.cleaned_data.get("delivery_schedule") or "")

    def clean_emdn_code(self) -> Any:
        from tawrid.nomenclature.models import EmdnCode

        code = (self.cleaned_data.get("emdn_code") or "").strip().upper()
        if not code:
            return None
        found = EmdnCode.objects.filter(code=code).first()
        if found is None:
            raise forms.ValidationError(_("Unknown EMDN code “%(code)s”.") % {"code": code}, code="unknown_code")
        return found

    def clean_cpv_code(self) -> Any:
        from tawrid.nomenclature.models import CpvCode

        code = (self.cleaned_data.get("cpv_code") or "").strip()
        if not code:
            return None
        found = CpvCode.objects.filter(code__startswith=code[:8]).order_by("code").first()
        if found is None:
            raise forms.ValidationError(_("Unknown CPV code “%(code)s”.") % {"code": code}, code="unknown_code")
        return found

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        second = (data.pop("designation_2", "") or "").strip()
        if second and data.get("designation"):
            data["designation"] = f"{data['designation']} {second}"
        quantity = data.get("quantity")
        if quantity is not None and is_fractional_count(quantity, data.get("unit")):
            # Boxes, pieces and packs are bought whole: 600.5 boxes is a typing or a conversion error.
            self.add_error("quantity", fractional_count_message(quantity, data.get("unit") or ""))
        return data


def fractional_count_message(quantity: Decimal, unit: str) -> str:
    return _(
        "%(quantity)s is not a whole number: a quantity in “%(unit)s” counts boxes, pieces or packs. "
        "Write a whole number, or use a measured unit (L, kg, m) for decimals."
    ) % {"quantity": number_format(quantity.normalize(), use_l10n=True), "unit": unit or _("units")}


class LineEditForm(PlanLineForm):
    """The screen's form: certificates as tick boxes, no second designation column."""

    required_certificates = forms.MultipleChoiceField(  # type: ignore[assignment]
        label=gettext_lazy("Required certificates"),
        choices=CertificateKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["designation_2"]


class PlanForm(forms.ModelForm):
    """A new plan. The buyer is a field of the form itself (no script reloads the page when it changes), limited
    to the buyers the person may make plans for; the sites offered are those of these buyers, and `clean` checks
    that the chosen site belongs to the chosen buyer."""

    buyer: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        label=gettext_lazy("Buyer"), queryset=None, empty_label=None
    )

    class Meta:
        model = PurchasePlan
        fields = ["buyer", "year", "site", "title", "disclose_buyer"]

    def __init__(self, *args: Any, buyers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from tawrid.accounts.models import Organisation

        buyer = self.fields["buyer"]
        assert isinstance(buyer, forms.ModelChoiceField)
        buyer.queryset = buyers
        buyer.error_messages["invalid_choice"] = _("Choose one of the buyers you make plans for.")
        if buyers.count() == 1:
            buyer.widget = forms.HiddenInput()
        site = self.fields["site"]
        assert isinstance(site, forms.ModelChoiceField)
        site.queryset = (
            Organisation.objects.filter(parent__in=buyers).select_related("parent").order_by("parent__name", "name")
        )
        if buyers.count() > 1:
            site.label_from_instance = lambda obj: f"{obj.parent.name} — {obj.name}"  # type: ignore[method-assign]
        site.required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        buyer, site = data.get("buyer"), data.get("site")
        if buyer is not None and site is not None and site.parent_id != buyer.pk:
            self.add_error("site", _("%(site)s is not a site of %(buyer)s.") % {"site": site.name, "buyer": buyer.name})
        return data

    def validate_constraints(self) -> None:
        """The service says when a plan of this scope exists, with a message that says what to do."""


class BuyerChangeForm(forms.Form):
    """Another buyer for a draft plan: one of those the person makes plans for."""

    buyer: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        label=gettext_lazy("New buyer"), queryset=None, empty_label=None
    )

    def __init__(self, *args: Any, buyers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["buyer"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = buyers
        field.error_messages["invalid_choice"] = _("Choose one of the buyers you make plans for.")


class PlanSettingsForm(forms.ModelForm):
    class Meta:
        model = PurchasePlan
        fields = ["title", "disclose_buyer"]


class CorrectAttributesForm(forms.Form):
    attributes = forms.CharField(
        label=gettext_lazy("Attributes"),
        required=False,
        help_text=gettext_lazy("name=value pairs separated by “;”, e.g. gauge=21 G; length=25 mm"),
    )
    reset = forms.BooleanField(label=gettext_lazy("Go back to what was read"), required=False)
