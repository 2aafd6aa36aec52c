"""A small import kind used only by the tests ("tests.people"): people of an organisation, imported with a
Django form like any real kind, written as users and memberships. Registered when this module is imported
(the imports tests' conftest and the browser test import it; the live server runs in the same process)."""

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models.functions import Lower

from tawrid.accounts.models import Membership, Role, User
from tawrid.imports import parsing
from tawrid.imports.registry import ColumnSpec, ImportContext, ImportKind, WriteSummary, register

KIND = "tests.people"


class PersonRowForm(forms.Form):
    """The form a screen would use to add one person: the same rules for a spreadsheet row."""

    email = forms.EmailField()
    full_name = forms.CharField(max_length=150)
    job_title = forms.CharField(max_length=120, required=False)
    quantity = forms.DecimalField(required=False, min_value=Decimal(0), max_digits=12, decimal_places=3)
    budget = forms.DecimalField(required=False, min_value=Decimal(0), max_digits=14, decimal_places=2)
    start_date = forms.DateField(required=False)
    active = forms.BooleanField(required=False)

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].lower()
        if email.endswith("@forbidden.test"):
            raise forms.ValidationError("Les adresses @forbidden.test sont refusées.")
        return email


def write_people(rows: list[dict[str, Any]], context: ImportContext) -> WriteSummary:
    created = updated = unchanged = 0
    for row in rows:
        user = User.objects.annotate(e=Lower("email")).filter(e=row["email"]).first()
        title = row.get("job_title") or ""
        if user is None:
            user = User.objects.create_user(email=row["email"], full_name=row["full_name"], password=None)
            Membership.objects.create(
                user=user, organisation=context.organisation, role=Role.READ_ONLY, job_title=title
            )
            created += 1
            continue
        membership, new = Membership.objects.get_or_create(
            user=user, organisation=context.organisation, defaults={"role": Role.READ_ONLY, "job_title": title}
        )
        changed = new
        if user.full_name != row["full_name"]:
            user.full_name = row["full_name"]
            user.save(update_fields=["full_name"])
            changed = True
        if "job_title" in row and membership.job_title != title:
            membership.job_title = title
            membership.save(update_fields=["job_title"])
            changed = True
        if changed:
            updated += 1
        else:
            unchanged += 1
    return WriteSummary(created=created, updated=updated, unchanged=unchanged)


PEOPLE = register(
    ImportKind(
        name=KIND,
        label="Personnes",
        columns=[
            ColumnSpec("email", "E-mail", required=True, synonyms=("courriel", "adresse e-mail", "mail")),
            ColumnSpec("full_name", "Nom complet", required=True, synonyms=("nom", "name", "nom et prénom")),
            ColumnSpec("job_title", "Fonction", synonyms=("poste", "job title")),
            ColumnSpec("quantity", "Quantité", synonyms=("qté", "qty", "quantite"), parser=parsing.parse_quantity),
            ColumnSpec("budget", "Budget", synonyms=("prix", "montant"), parser=parsing.parse_price),
            ColumnSpec("start_date", "Date d'arrivée", synonyms=("date", "start date"), parser=parsing.parse_date),
            ColumnSpec("active", "Actif", synonyms=("active",), parser=parsing.parse_bool),
        ],
        row_form=PersonRowForm,
        natural_key=lambda cleaned: cleaned["email"],
        write=write_people,
        result_url=lambda context: f"/accounts/organisations/{context.organisation.pk}/",
    )
)
