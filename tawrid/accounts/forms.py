"""Forms of the accounts app. Each one validates its input whether it comes from a page or from the API
(`validated` turns a refused form into the API's 422 error with its details)."""

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from tawrid.accounts.models import (
    ClusterMembershipStatus,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from tawrid.accounts.policies import OPERATOR_ONLY_KINDS
from tawrid.core.errors import DomainError, details_from_validation_error
from tawrid.core.mail import mail_queue
from tawrid.core.validators import PlausibleDateField

MAX_TOKEN_DAYS = 3650


class InvalidInput(DomainError):
    """Input refused by a form: the API answers 422 with the form's errors as details."""

    status = 422

    def __init__(self, form: forms.BaseForm) -> None:
        super().__init__(
            _("The data sent is not valid."),
            code="validation_error",
            details=details_from_validation_error(form.errors),
        )


# The codes of Django's own field checks: the input has not the documented shape (a 422). An error with another code
# (`unknown_code`, or none) comes from a rule of the form the document cannot state: a 400, like a service's refusal.
SHAPE_ERROR_CODES = frozenset(
    {
        "required",
        "invalid",
        "invalid_choice",
        "invalid_list",
        "invalid_pk_value",
        "max_length",
        "min_length",
        "max_value",
        "min_value",
        "step_size",
        "max_digits",
        "max_decimal_places",
        "max_whole_digits",
        "null_characters_not_allowed",
        "missing",
        "empty",
        "contradiction",
    }
)


def validated(form: forms.BaseForm) -> dict[str, Any]:
    """The cleaned data of a bound form; InvalidInput (422) when a field has not the documented shape, or a
    DomainError (400) when only the form's own rules refuse it (a code not in the nomenclature, dates in the wrong
    order), with the form's errors as details either way."""
    if form.is_valid():
        return form.cleaned_data
    refused = [error for errors in form.errors.as_data().values() for error in errors]
    if any(error.code in SHAPE_ERROR_CODES for error in refused):
        raise InvalidInput(form)
    codes = {error.code for error in refused if error.code}
    details = details_from_validation_error(form.errors)
    message = next(iter(next(iter(details.values()), [])), "") or _("The request was refused.")
    raise DomainError(message, code=codes.pop() if len(codes) == 1 else "refused", details=details)


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )


def _clean_country(value: str | None) -> str:
    country = (value or "").strip().upper()
    if len(country) != 2 or not country.isalpha():
        raise forms.ValidationError(_("Give the two-letter ISO 3166 code of the country, for example MA."))
    return country


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's password reset, its e-mail sent through the queue like every other (tawrid/core/mail.py).

    Django sends it inside the request: without a mail server the page answered 500.
    """

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        subject = render_to_string(subject_template_name, context)
        body = render_to_string(email_template_name, context)
        mail_queue(to=to_email, subject=subject, body=body, from_email=from_email)


class OrganisationForm(forms.ModelForm):
    """What an organisation's administrators change. Its kind, country, parent organisation and demo flag
    are the platform operator's (policies.OPERATOR_ONLY_FIELDS): see OrganisationPowersForm."""

    class Meta:
        model = Organisation
        fields = ["name", "legal_id", "city", "region", "website", "description", "is_public"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def clean_legal_id(self) -> str:
        legal_id = (self.cleaned_data.get("legal_id") or "").strip()
        if legal_id and (not legal_id.isdigit() or len(legal_id) != 15):
            raise forms.ValidationError(_("The ICE has exactly 15 digits."))
        return legal_id


class OrganisationCreateForm(OrganisationForm):
    """A new organisation: the operator gives any kind; a secretariat never an authority's nor a cluster's."""

    cluster = forms.ModelChoiceField(
        label=_("Member of the cluster"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("The new organisation joins this cluster as an active member."),
    )
    first_admin_email = forms.EmailField(
        label=_("E-mail of its first administrator"),
        required=False,
        help_text=_("This person receives an invitation to manage the organisation's people."),
    )

    class Meta(OrganisationForm.Meta):
        fields = ["name", "kind", "legal_id", "city", "region", "country", "website", "description", "is_public"]

    def __init__(
        self, *args: Any, clusters: QuerySet[Organisation] | None = None, operator: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cluster_field = self.fields["cluster"]
        assert isinstance(cluster_field, forms.ModelChoiceField)
        cluster_field.queryset = clusters if clusters is not None else Organisation.objects.none()
        if not operator:
            kind_field = self.fields["kind"]
            assert isinstance(kind_field, forms.ChoiceField)
            kind_field.choices = [(v, label) for v, label in OrganisationKind.choices if v not in OPERATOR_ONLY_KINDS]

    def clean_country(self) -> str:
        return _clean_country(self.cleaned_data.get("country"))


class OrganisationPowersForm(forms.Form):
    """The platform operator's form for what an organisation is (policies.OPERATOR_ONLY_FIELDS)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=OrganisationKind.choices)
    country = forms.CharField(label=_("Country"), max_length=2, help_text=_("ISO 3166 code."))
    parent = forms.ModelChoiceField(
        label=_("Parent organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("For example the hospital group a hospital belongs to."),
    )
    is_demo = forms.BooleanField(label=_("Demo organisation"), required=False)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the audit trail with the change."),
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "kind": organisation.kind,
                "country": organisation.country,
                "parent": organisation.parent_id,
                "is_demo": organisation.is_demo,
            },
        )
        super().__init__(*args, **kwargs)
        parent_field = self.fields["parent"]
        assert isinstance(parent_field, forms.ModelChoiceField)
        parent_field.queryset = Organisation.objects.exclude(pk=organisation.pk).order_by("name")

    def clean_country(self) -> str:
        return _clean_country(self.cleaned_data.get("country"))


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class InvitationAcceptForm(forms.Form):
    """For a person who has no account yet: their name and a password."""

    full_name = forms.CharField(
        label=_("Full name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters, not too common, not only digits."),
    )
    password2 = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args: Any, email: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_full_name(self) -> str:
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise forms.ValidationError(_("Give your full name."))
        return name

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            try:
                password_validation.validate_password(
                    first, User(email=self.email, full_name=cleaned.get("full_name", ""))
                )
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ClusterMembershipForm(forms.Form):
    member = forms.ModelChoiceField(label=_("Member organisation"), queryset=Organisation.objects.none())
    status = forms.ChoiceField(
        label=_("Status"),
        choices=ClusterMembershipStatus.choices,
        initial=ClusterMembershipStatus.PROPOSED,
        help_text=_(
            "A membership becomes active or suspended only once the organisation has agreed: it applied, or its "
            "administrators accepted your proposal."
        ),
    )
    joined_on = PlausibleDateField(label=_("Joined on"), required=False)
    left_on = PlausibleDateField(label=_("Left on"), required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, members: QuerySet[Organisation] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        member_field = self.fields["member"]
        assert isinstance(member_field, forms.ModelChoiceField)
        member_field.queryset = members if members is not None else Organisation.objects.none()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        joined, left = cleaned.get("joined_on"), cleaned.get("left_on")
        if joined and left and left < joined:
            self.add_error("left_on", _("The leaving date cannot be before the joining date."))
        if left and cleaned.get("status") != ClusterMembershipStatus.LEFT:
            self.add_error("left_on", _("A leaving date is only for a member whose status is “Left”."))
        return cleaned


class ClusterApplicationForm(forms.Form):
    cluster = forms.ModelChoiceField(label=_("Cluster"), queryset=Organisation.objects.none())

    def __init__(self, *args: Any, clusters: QuerySet[Organisation] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cluster_field = self.fields["cluster"]
        assert isinstance(cluster_field, forms.ModelChoiceField)
        cluster_field.queryset = clusters if clusters is not None else Organisation.objects.none()


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"),
        required=False,
        choices=[("", _("Browser's language")), *User._meta.get_field("preferred_language").choices],  # type: ignore[misc]
    )

    def clean_full_name(self) -> str:
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise forms.ValidationError(_("Give your full name."))
        return name


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"), max_length=100, help_text=_("What the token is for, e.g. “ERP export”.")
    )
    days = forms.IntegerField(
        label=_("Valid for (days)"),
        required=False,
        min_value=1,
        max_value=MAX_TOKEN_DAYS,
        help_text=_("Leave empty for the default lifetime."),
    )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the token a name."))
        return name


class ClusterMemberFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *ClusterMembershipStatus.choices]
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All")), *OrganisationKind.choices])
    q = forms.CharField(label=_("Name"), required=False, max_length=100)


AUDIT_OBJECT_TYPES = [
    ("organisation", _("Organisation")),
    ("membership", _("Membership")),
    ("invitation", _("Invitation")),
    ("clustermembership", _("Cluster membership")),
]


class AuditFilterForm(forms.Form):
    object_type = forms.ChoiceField(
        label=_("Object type"), required=False, choices=[("", _("All")), *AUDIT_OBJECT_TYPES]
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date cannot be before the start date."))
        return cleaned
