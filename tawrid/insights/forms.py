"""Forms of the insights pages: a trade file upload, the opportunity weights and filters, the crosswalk of one
HS code (its EMDN groups and shares). The services check the rules; the forms read and type the input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tawrid.insights import opportunities, tradefiles

HS_REVISION_CHOICES = [("", _("As the file says"))] + [(r, r.replace("HS", "HS ")) for r in tradefiles.HS_REVISIONS]


class TradeUploadForm(forms.Form):
    file = forms.FileField(label=_("Trade file (CSV)"), help_text=_("UN Comtrade export or CEPII BACI file."))
    name = forms.CharField(label=_("Name"), max_length=200, required=False, help_text=_("Defaults to the file name."))
    hs_revision = forms.ChoiceField(label=_("HS revision"), choices=HS_REVISION_CHOICES, required=False)
    illustrative = forms.BooleanField(label=_("Illustrative data (not real statistics)"), required=False)
    replace_existing = forms.BooleanField(label=_("Replace the years already loaded"), required=False)


class OpportunityForm(forms.Form):
    """The weights of the score (visible, adjustable) and the filters of the list."""

    category = forms.CharField(label=_("EMDN category"), max_length=1, required=False)
    trade_year = forms.TypedChoiceField(label=_("Year of imports"), coerce=int, required=False, empty_value=None)
    demand_year = forms.TypedChoiceField(label=_("Year of plans"), coerce=int, required=False, empty_value=None)

    def __init__(
        self, *args: Any, categories: list[tuple[str, str]], trade_years: list[int], demand_years: list[int], **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        self.fields["category"] = forms.ChoiceField(
            label=_("EMDN category"),
            required=False,
            choices=[("", _("All categories"))] + [(code, f"{code} — {term}") for code, term in categories],
        )
        for name, years in (("trade_year", trade_years), ("demand_year", demand_years)):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", _("Latest"))] + [(y, str(y)) for y in sorted(years, reverse=True)]
        for name in opportunities.COMPONENTS:
            self.fields[f"w_{name}"] = forms.IntegerField(
                label=opportunities.COMPONENT_LABELS[name],
                min_value=0,
                max_value=opportunities.MAX_WEIGHT,
                required=False,
                initial=opportunities.DEFAULT_WEIGHTS[name],
                widget=forms.NumberInput(attrs={"step": 5}),
            )

    def weights(self) -> opportunities.Weights:
        """The weights asked for (defaults for those left empty); call after is_valid()."""
        values: dict[str, int] = {}
        for name in opportunities.COMPONENTS:
            given = self.cleaned_data.get(f"w_{name}")
            values[name] = given if given is not None else opportunities.DEFAULT_WEIGHTS[name]
        return opportunities.Weights(**values)

    def weight_fields(self) -> list[forms.BoundField]:
        return [self[f"w_{name}"] for name in opportunities.COMPONENTS]


class CrosswalkLinkForm(forms.Form):
    group = forms.ChoiceField(label=_("EMDN group"), required=False)
    share_percent = forms.DecimalField(
        label=_("Share (%)"), max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, group_choices: list[tuple[str, str]] | None = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        field = self.fields["group"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—")] + list(group_choices or [])


CrosswalkLinkFormSet = forms.formset_factory(CrosswalkLinkForm, extra=2, max_num=40)


class CrosswalkAddForm(forms.Form):
    hs6 = forms.RegexField(
        label=_("HS 2022 code"), regex=r"^\d{6}$", error_messages={"invalid": _("Six digits, e.g. 901831.")}
    )
