"""Forms of the catalogue. Each validates its input whether it comes from a page or from the API; the
services check the rules again (permissions, states, uniqueness) and raise DomainError."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tawrid.catalog import codes
from tawrid.catalog.models import (
    CertificateKind,
    CertificateStatus,
    DocumentKind,
    Product,
    ProductionSite,
    ProductStatus,
)
from tawrid.core.validators import PlausibleDateField, validate_past_or_today
from tawrid.nomenclature.models import CpvCode, EmdnCode, HsCode

PRODUCT_MODEL_FIELDS = [
    "reference",
    "name_fr",
    "name_ar",
    "name_en",
    "description_fr",
    "description_ar",
    "description_en",
    "site",
    "risk_class",
    "sterile",
    "single_use",
    "latex_free",
    "powder_free",
    "pvc_free",
    "implantable",
    "reusable",
    "units_per_box",
    "boxes_per_carton",
    "capacity_per_year",
    "minimum_order",
    "lead_time_days",
    "unit_price",
    "local_content_share",
]


class ProductForm(forms.ModelForm):
    """A product's fields; nomenclature codes are typed (EMDN required; CPV and HS suggested from EMDN)."""

    emdn_code = forms.CharField(label=_("EMDN code"), max_length=13, help_text=_("For example T010101."))
    cpv_code = forms.CharField(
        label=_("CPV code"), max_length=10, required=False, help_text=_("Left empty: suggested from the EMDN code.")
    )
    hs_code = forms.CharField(
        label=_("HS code"), max_length=6, required=False, help_text=_("Left empty: suggested from the EMDN code.")
    )

    class Meta:
        model = Product
        fields = PRODUCT_MODEL_FIELDS
        localized_fields = ["unit_price", "local_content_share"]  # "0,85" as French people write it
        widgets = {
            "description_fr": forms.Textarea(attrs={"rows": 3}),
            "description_ar": forms.Textarea(attrs={"rows": 3, "dir": "rtl", "lang": "ar"}),
            "description_en": forms.Textarea(attrs={"rows": 3, "lang": "en"}),
            "name_ar": forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
            "name_en": forms.TextInput(attrs={"lang": "en"}),
        }

    def __init__(self, *args: Any, sites: QuerySet[ProductionSite] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        site_field = self.fields["site"]
        assert isinstance(site_field, forms.ModelChoiceField)
        site_field.queryset = sites if sites is not None else ProductionSite.objects.none()
        instance = kwargs.get("instance")
        if instance is not None and instance.pk:
            self.initial.setdefault("emdn_code", instance.emdn.code if instance.emdn_id else "")
            self.initial.setdefault("cpv_code", instance.cpv.code if instance.cpv_id else "")
            self.initial.setdefault("hs_code", instance.hs.code if instance.hs_id else "")

    def clean_emdn_code(self) -> EmdnCode:
        code = (self.cleaned_data.get("emdn_code") or "").strip().upper()
        emdn = EmdnCode.objects.filter(code=code).first()
        if emdn is None:
            raise forms.ValidationError(_("Unknown EMDN code."), code="unknown_code")
        return emdn

    def clean_cpv_code(self) -> CpvCode | None:
        code = (self.cleaned_data.get("cpv_code") or "").strip()
        if not code:
            return None
        digits = code.split("-")[0]
        cpv = CpvCode.objects.filter(numeric_code=int(digits)).first() if digits.isdigit() else None
        if cpv is None:
            raise forms.ValidationError(_("Unknown CPV code."), code="unknown_code")
        return cpv

    def clean_hs_code(self) -> HsCode | None:
        code = (self.cleaned_data.get("hs_code") or "").strip().replace(".", "")
        if not code:
            return None
        hs = HsCode.objects.filter(code=code).first()
        if hs is None:
            raise forms.ValidationError(_("Unknown HS code."), code="unknown_code")
        return hs

    def service_fields(self) -> dict[str, Any]:
        """What the product services take: the model fields plus the resolved codes (suggested when empty)."""
        data = {name: self.cleaned_data.get(name) for name in PRODUCT_MODEL_FIELDS if name in self.cleaned_data}
        for name in ("name_ar", "name_en", "description_fr", "description_ar", "description_en", "risk_class"):
            data[name] = data.get(name) or ""
        emdn = self.cleaned_data["emdn_code"]
        cpv, hs = self.cleaned_data.get("cpv_code"), self.cleaned_data.get("hs_code")
        if cpv is None or hs is None:
            suggested_cpv, suggested_hs = codes.suggest(emdn)
            cpv = cpv or suggested_cpv
            hs = hs or suggested_hs
        data.update(emdn=emdn, cpv=cpv, hs=hs)
        return data


class ProductFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All"))] + ProductStatus.choices)
    category = forms.CharField(label=_("EMDN category"), required=False, max_length=1)


class VariantForm(forms.Form):
    reference = forms.CharField(label=_("Variant reference"), max_length=64)
    label = forms.CharField(label=_("Label"), max_length=120, help_text=_("For example “G21 25 mm” or “Size M”."))
    udi_di = forms.CharField(
        label=_("UDI device identifier (GTIN)"), max_length=14, required=False, help_text=_("14 digits (GS1 GTIN).")
    )
    capacity_per_year = forms.IntegerField(
        label=_("Production capacity per year (units)"),
        required=False,
        min_value=0,
        help_text=_("Leave empty to use the product's capacity."),
    )
    unit_price = forms.DecimalField(
        label=_("Indicative unit price (MAD)"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        localize=True,  # "12,50" as French people write it
        help_text=_("Leave empty to use the product's price."),
    )


def attribute_choices() -> list[tuple[str, str]]:
    from tawrid.specs import ATTRIBUTES

    return [("", "—")] + [(key, str(definition.label).capitalize()) for key, definition in ATTRIBUTES.items()]


def all_unit_choices() -> list[tuple[str, Any]]:
    from tawrid.specs import ATTRIBUTES, unit_choices

    seen: dict[str, str] = {}
    for key, definition in ATTRIBUTES.items():
        if definition.has_units:
            for code, symbol in unit_choices(key):
                seen.setdefault(code, symbol)
    return [("", _("(in the value or default)"))] + list(seen.items())


class SpecificationForm(forms.Form):
    """One specification of a variant: attribute, value as typed, and unit (UN/CEFACT Rec 20)."""

    attribute = forms.ChoiceField(label=_("Attribute"), required=False)
    value = forms.CharField(label=_("Value"), required=False, max_length=120)
    unit = forms.ChoiceField(label=_("Unit"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        attribute_field, unit_field = self.fields["attribute"], self.fields["unit"]
        assert isinstance(attribute_field, forms.ChoiceField) and isinstance(unit_field, forms.ChoiceField)
        attribute_field.choices = attribute_choices()
        unit_field.choices = all_unit_choices()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("value") and not data.get("attribute"):
            self.add_error("attribute", _("Choose the attribute of this value."))
        return data


class BaseSpecificationFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        seen: set[str] = set()
        for form in self.forms:
            attribute = form.cleaned_data.get("attribute") if hasattr(form, "cleaned_data") else None
            if attribute and form.cleaned_data.get("value"):
                if attribute in seen:
                    form.add_error("attribute", _("This attribute is given twice."))
                seen.add(attribute)

    def specifications(self) -> dict[str, tuple[str, str]]:
        return {
            f.cleaned_data["attribute"]: (f.cleaned_data["value"], f.cleaned_data.get("unit") or "")
            for f in self.forms
            if f.cleaned_data.get("attribute") and f.cleaned_data.get("value")
        }


SpecificationFormSet = forms.formset_factory(SpecificationForm, formset=BaseSpecificationFormSet, extra=3, max_num=30)


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    file = forms.FileField(label=_("File"), help_text=_("PDF, PNG or JPEG, 10 MB at most."))


class CertificateForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CertificateKind.choices)
    number = forms.CharField(label=_("Number"), max_length=80)
    issuer = forms.CharField(
        label=_("Issuer"), max_length=200, help_text=_("For example IMANOR or a certification body.")
    )
    notified_body = forms.CharField(
        label=_("Notified body"), max_length=200, required=False, help_text=_("For CE marking.")
    )
    issued_on = forms.DateField(
        label=_("Issue date"), widget=forms.DateInput(attrs={"type": "date"}), validators=[validate_past_or_today]
    )
    expires_on = PlausibleDateField(label=_("Expiry date"))
    products = forms.ModelMultipleChoiceField(
        label=_("Products covered"),
        queryset=Product.objects.none(),
        required=False,
        help_text=_("Leave empty when the certificate covers the whole organisation (ISO 13485)."),
    )
    file = forms.FileField(label=_("Certificate document"), required=False, help_text=_("PDF, PNG or JPEG."))

    def __init__(self, *args: Any, products: QuerySet[Product] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        products_field = self.fields["products"]
        assert isinstance(products_field, forms.ModelMultipleChoiceField)
        products_field.queryset = products if products is not None else Product.objects.none()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        issued, expires = data.get("issued_on"), data.get("expires_on")
        if issued and expires and expires <= issued:
            self.add_error("expires_on", _("Must come after the issue date."))
        return data


class CertificateDecisionForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("verify", _("Verify")),
            ("suspend", _("Suspend")),
            ("withdraw", _("Withdraw")),
            ("reinstate", _("Reinstate")),
        ],
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to suspend or withdraw."),
    )


class CertificateFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All"))] + CertificateStatus.choices)
    pending = forms.BooleanField(label=_("Not verified yet"), required=False)


class RegistrationApplyForm(forms.Form):
    notes = forms.CharField(label=_("Notes for the DMP"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    file = forms.FileField(label=_("Dossier document"), required=False, help_text=_("PDF, PNG or JPEG."))


class RegistrationDecisionForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Decision"),
        choices=[("start_review", _("Start the review")), ("approve", _("Approve")), ("refuse", _("Refuse"))],
    )
    number = forms.CharField(label=_("Registration number"), max_length=60, required=False)
    valid_from = PlausibleDateField(label=_("Valid from"), required=False)
    valid_until = PlausibleDateField(label=_("Valid until"), required=False)
    reason = forms.CharField(label=_("Reason for refusal"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class LabelApplyForm(forms.Form):
    local_content_share = forms.DecimalField(
        label=_("Local content share (%)"), min_value=0, max_value=100, max_digits=5, decimal_places=2, localize=True
    )
    file = forms.FileField(label=_("Evidence"), required=False, help_text=_("PDF, PNG or JPEG."))


class LabelDecisionForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("refuse", _("Refuse")), ("withdraw", _("Withdraw"))]
    )
    valid_until = PlausibleDateField(label=_("Valid until"), required=False)
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class DirectoryForm(forms.Form):
    """The public directory's search and facets: GET parameters, so every search is a shareable URL."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    category = forms.CharField(label=_("EMDN category"), required=False, max_length=1)
    certificate = forms.ChoiceField(
        label=_("Certificate"), required=False, choices=[("", _("Any"))] + CertificateKind.choices
    )
    label = forms.BooleanField(label=_("Made in Morocco label"), required=False)
    region = forms.CharField(label=_("Region"), required=False, max_length=100)
    city = forms.CharField(label=_("City"), required=False, max_length=100)

    def clean_category(self) -> str:
        return (self.cleaned_data.get("category") or "").strip().upper()[:1]


class SiteForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    region = forms.CharField(label=_("Region"), max_length=100, required=False)
