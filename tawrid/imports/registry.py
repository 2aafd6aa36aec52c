"""The import kinds: what an app declares so that its data can be imported from a spreadsheet.

An app (the catalogue, the purchase plans…) registers one `ImportKind` per thing it imports, from its
`AppConfig.ready()`::

    from tawrid.imports import parsing
    from tawrid.imports.registry import ColumnSpec, ImportKind, WriteSummary, register

    register(
        ImportKind(
            name="catalog.products",
            label=_("Products"),
            columns=[
                ColumnSpec("reference", _("Reference"), required=True, synonyms=("ref", "référence", "code article")),
                ColumnSpec("name", _("Name"), required=True, synonyms=("désignation", "libellé", "designation")),
                ColumnSpec("price", _("Unit price"), synonyms=("prix", "prix unitaire"), parser=parsing.parse_price),
            ],
            row_form=ProductRowForm,  # the SAME form the product screen uses
            natural_key=lambda cleaned: cleaned["reference"],
            write=write_products,  # (rows, context) -> WriteSummary, called in ONE transaction
            permission=lambda actor, organisation: actor.can_write_org(organisation.pk),
        )
    )

How one row goes through an import:

1. each mapped cell goes through its column's `parser` (tawrid.imports.parsing: numbers written the French
   or English way, dates, booleans, text), which turns the spreadsheet's value into a Python value or
   refuses it with a message (`ParseError`); parsers may add warnings (a currency sign removed…);
2. the parsed values go to `validate_row(values, context)` — by default the kind's `row_form`, a Django form
   bound to the values — so that the rules are the ones of the screen;
3. the row's `natural_key(cleaned)` (the organisation's own reference) must be unique within the file;
   `write` uses it to update what exists instead of creating a duplicate, so re-importing a file changes
   nothing;
4. when the kind has `check_rows`, the valid rows are checked together (e.g. the rows of one product must
   agree on the product's columns): a row it flags is in error like any other — the preview, "check every
   row" and the import itself all go through `tawrid.imports.checking`, so they report the same problems;
5. once every row is valid (or, when the user chose to keep valid rows, with the valid ones only),
   `write(rows, context)` is called once, inside one transaction: if it raises, nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext as _

from tawrid.core.errors import Forbidden, NotFound
from tawrid.core.text import fold
from tawrid.imports import parsing

if TYPE_CHECKING:
    from tawrid.accounts.models import Organisation, User
    from tawrid.core.permissions import Actor

NON_FIELD = "__all__"

CellParser = Callable[[Any], parsing.Parsed]
"""Turns one cell value (str, int, float, Decimal, bool, date, datetime or None) into `Parsed`, or raises
`parsing.ParseError` with a message for the user."""


@dataclass(frozen=True)
class ColumnSpec:
    """One column an import kind understands.

    `key` is the name the row form and `write` see; `label` is shown to the user (translated lazily);
    `synonyms` are the header names people write in their files (French, English, Arabic), compared after
    `tawrid.core.text.fold` (accents, case and spaces do not matter); `parser` turns a cell into a value.
    """

    key: str
    label: Any
    required: bool = False
    synonyms: Sequence[str] = ()
    parser: CellParser = parsing.parse_text
    help_text: Any = ""

    def header_names(self) -> set[str]:
        """Every folded header name this column answers to (its key, label and synonyms)."""
        names = {fold(self.key.replace("_", " ")), fold(str(self.label))}
        names.update(fold(s) for s in self.synonyms)
        names.discard("")
        return names


@dataclass
class RowResult:
    """What validating one row gives: `cleaned` values when `ok`, else `errors` by column key (or
    `NON_FIELD` for a rule about the whole row); `warnings` never stop a row."""

    ok: bool
    cleaned: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class WriteSummary:
    """What `write` did: rows created, updated, and left as they were (same values as in the database)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: WriteSummary) -> WriteSummary:
        return WriteSummary(
            self.created + other.created, self.updated + other.updated, self.unchanged + other.unchanged
        )


@dataclass(frozen=True)
class ImportContext:
    """Who imports, for which organisation, with which parameters of the kind (e.g. the plan's id)."""

    actor: Actor
    organisation: Organisation
    user: User | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    run_id: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)  # column key → its header as written in the file

    def column_name(self, kind: ImportKind, key: str) -> str:
        """The column as the user's file calls it (its header), else as the kind labels it."""
        return self.headers.get(key) or str(kind.column(key).label)


RowValidator = Callable[[dict[str, Any], ImportContext], RowResult]
# (row number, cleaned values) of every valid row → {row number: [(column key or NON_FIELD, message)]}
RowsCheck = Callable[[list[tuple[int, dict[str, Any]]], ImportContext], dict[int, list[tuple[str, str]]]]
Writer = Callable[[list[dict[str, Any]], ImportContext], WriteSummary]
PermissionCheck = Callable[["Actor", "Organisation"], bool]
ParamsCheck = Callable[[dict[str, str], "Actor", "Organisation"], dict[str, Any]]


def _allow_writers(actor: Actor, organisation: Organisation) -> bool:
    return actor.can_write_org(organisation.pk)


@dataclass(frozen=True)
class ImportKind:
    """Everything the import framework needs to know about one kind of import.

    - `name`: dotted, unique, used in URLs (`/imports/new/<name>/`) and stored on each run;
    - `columns`: the columns the kind understands (see `ColumnSpec`);
    - `row_form`: a Django form class whose fields are the column keys — the form of the screen;
      `row_form_kwargs(context)` gives extra keyword arguments for its constructor (e.g. the organisation);
    - `validate_row(values, context) -> RowResult`: instead of `row_form`, for rules a form cannot hold;
    - `check_rows(rows, context)`: rules across rows (rows that must agree with each other), given every
      valid row as (row number, cleaned values), returning the problems of the rows it refuses;
    - `natural_key(cleaned) -> str`: the row's identity for updates (the organisation's own reference);
    - `write(rows, context) -> WriteSummary`: creates or updates, called once, in one transaction; a row
      holds only the columns the file has (an unmapped column is absent: keep the stored value);
    - `permission(actor, organisation) -> bool`: may this person import this kind for this organisation
      (default: the organisation's administrators and members);
    - `params`: names of parameters the calling link passes (`/imports/new/demand.plan_lines/?plan=12`);
      `clean_params(raw, actor, organisation)` checks them and returns the values stored on the run (raise
      `DomainError` to refuse);
    - `result_url(context) -> str`: where the result page's "continue" link goes (e.g. the catalogue).
    """

    name: str
    label: Any
    columns: Sequence[ColumnSpec]
    write: Writer
    natural_key: Callable[[dict[str, Any]], str]
    row_form: type[forms.BaseForm] | None = None
    row_form_kwargs: Callable[[ImportContext], dict[str, Any]] | None = None
    validate_row: RowValidator | None = None
    check_rows: RowsCheck | None = None
    permission: PermissionCheck = _allow_writers
    description: Any = ""
    params: Sequence[str] = ()
    clean_params: ParamsCheck | None = None
    result_url: Callable[[ImportContext], str] | None = None

    def __post_init__(self) -> None:
        if (self.row_form is None) == (self.validate_row is None):
            raise ValueError(f"Import kind {self.name!r}: give either row_form or validate_row.")
        keys = [column.key for column in self.columns]
        if len(keys) != len(set(keys)) or not keys:
            raise ValueError(f"Import kind {self.name!r}: column keys must be given and unique.")

    @property
    def column_keys(self) -> list[str]:
        return [column.key for column in self.columns]

    @property
    def required_keys(self) -> list[str]:
        return [column.key for column in self.columns if column.required]

    def column(self, key: str) -> ColumnSpec:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(key)

    def check_row(self, values: dict[str, Any], context: ImportContext) -> RowResult:
        """Validate one row of parsed values, with `validate_row` or the kind's form."""
        if self.validate_row is not None:
            return self.validate_row(values, context)
        return validate_with_form(self, values, context)


def validate_with_form(kind: ImportKind, values: dict[str, Any], context: ImportContext) -> RowResult:
    """Bind the kind's form to one row's values: the same rules as the screen that form belongs to."""
    assert kind.row_form is not None
    kwargs = kind.row_form_kwargs(context) if kind.row_form_kwargs else {}
    data = {key: ("" if value is None else value) for key, value in values.items()}
    form = kind.row_form(data=data, **kwargs)
    if form.is_valid():
        # A column of the kind that the file does not have (not mapped) is left out, so that `write` can
        # leave the stored value alone instead of overwriting it with the form's empty value.
        cleaned = {k: v for k, v in form.cleaned_data.items() if k in values or k not in kind.column_keys}
        return RowResult(ok=True, cleaned=cleaned)
    errors: dict[str, list[str]] = {}
    for key, messages in form.errors.get_json_data().items():
        errors[key if key in values or key == NON_FIELD else NON_FIELD] = [m["message"] for m in messages]
    return RowResult(ok=False, errors=errors)


_KINDS: dict[str, ImportKind] = {}


def register(kind: ImportKind) -> ImportKind:
    """Make an import kind available to pages, the API and jobs. Registering the same name again replaces
    the previous kind (what a module reloaded in development does)."""
    _KINDS[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    _KINDS.pop(name, None)


def get_kind(name: str) -> ImportKind:
    """The kind registered under `name`, or NotFound (pages answer 404, the API 404)."""
    try:
        return _KINDS[name]
    except KeyError:
        raise NotFound(_("Unknown kind of import: %(kind)s.") % {"kind": name}) from None


def registered_kinds() -> list[ImportKind]:
    return [_KINDS[name] for name in sorted(_KINDS)]


def kind_params(kind: ImportKind, raw: Mapping[str, Any], actor: Actor, organisation: Organisation) -> dict[str, Any]:
    """The kind's parameters taken from a link or an API call, checked by the kind."""
    given = {name: str(raw[name]) for name in kind.params if raw.get(name) not in (None, "")}
    if kind.clean_params is not None:
        return kind.clean_params(given, actor, organisation)
    return given


def ensure_permission(kind: ImportKind, actor: Actor, organisation: Organisation) -> None:
    if not kind.permission(actor, organisation):
        raise Forbidden(
            _("You may not import %(kind)s for %(organisation)s.")
            % {"kind": str(kind.label).lower(), "organisation": organisation.name}
        )
