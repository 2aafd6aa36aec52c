"""Forms of the imports pages and API: the upload, and the column mapping of one file."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tawrid.accounts.models import Organisation
from tawrid.imports import readers
from tawrid.imports.models import ImportRun
from tawrid.imports.registry import ImportKind

IGNORE = ""


class UploadForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none())
    file = forms.FileField(
        label=_("File"),
        help_text=_("xlsx, xls or csv; the first sheet whose columns match is read."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xlsm,.xls,.csv,.txt"}),
    )
    sheet = forms.CharField(
        label=_("Sheet"), required=False, max_length=200, help_text=_("Leave empty to let Tawrid find it.")
    )
    header_row = forms.IntegerField(
        label=_("Header row"), required=False, min_value=1, help_text=_("Leave empty to let Tawrid find it.")
    )
    confirm_reimport = forms.BooleanField(
        label=_("Import this file again"),
        required=False,
        help_text=_("Rows already imported are matched on their reference and left as they are."),
    )

    def __init__(
        self, *args: Any, organisations: QuerySet[Organisation], file_kept: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations
        if organisations.count() == 1:
            field.initial = organisations.first()
        if file_kept:  # the file sent before is kept on the server: choosing one again is optional
            self.fields["file"].required = False

    def clean_file(self) -> Any:
        uploaded = self.cleaned_data["file"]
        if uploaded and uploaded.size > readers.max_bytes():
            # Refused before the file is read into memory.
            raise forms.ValidationError(readers.too_large_message(uploaded.size))
        return uploaded


class MappingForm(forms.Form):
    """One select per header of the file (which column of the import it is), the sheet and header row, and
    the options of the import."""

    sheet = forms.ChoiceField(label=_("Sheet"))
    header_row = forms.IntegerField(label=_("Header row"), min_value=1)
    remember = forms.BooleanField(label=_("Remember this mapping for next time"), required=False, initial=True)
    keep_valid_rows = forms.BooleanField(
        label=_("Keep the valid rows"),
        required=False,
        help_text=_("Import the valid rows even if others are in error. By default, nothing is imported then."),
    )

    def __init__(self, *args: Any, run: ImportRun, kind: ImportKind, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {"sheet": run.sheet_name, "header_row": run.header_row, "keep_valid_rows": run.keep_valid_rows},
        )
        super().__init__(*args, **kwargs)
        self.run = run
        sheet_field = self.fields["sheet"]
        assert isinstance(sheet_field, forms.ChoiceField)
        sheet_field.choices = [(name, name) for name in (run.sheets or [run.sheet_name])]
        choices = [(IGNORE, _("— ignore this column —"))] + [
            (c.key, f"{c.label}{' *' if c.required else ''}") for c in kind.columns
        ]
        self.header_fields: list[tuple[str, str]] = []
        for index, header in enumerate(run.headers):
            if not header:
                continue
            name = f"col_{index}"
            self.fields[name] = forms.ChoiceField(
                label=header, choices=choices, required=False, initial=run.mapping.get(header) or IGNORE
            )
            self.header_fields.append((name, header))

    def mapping(self) -> dict[str, str | None]:
        return {header: (self.cleaned_data.get(name) or None) for name, header in self.header_fields}

    def column_fields(self) -> list[forms.BoundField]:
        return [self[name] for name, _header in self.header_fields]
