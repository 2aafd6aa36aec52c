"""Pages of the accounts app: log-in, profile and API tokens, organisations and their people, invitations,
cluster members and the audit trail. Thin: forms validate, services write, selectors read."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tawrid.accounts import policies, selectors, services
from tawrid.accounts.forms import (
    ApiTokenForm,
    AuditFilterForm,
    ClusterApplicationForm,
    ClusterMemberFilterForm,
    ClusterMembershipForm,
    EmailAuthenticationForm,
    InvitationAcceptForm,
    InvitationForm,
    MembershipRoleForm,
    OrganisationCreateForm,
    OrganisationForm,
    OrganisationPowersForm,
    ProfileForm,
)
from tawrid.accounts.models import ClusterMembershipStatus, Organisation, OrganisationKind, Role, User
from tawrid.core import permissions
from tawrid.core.errors import DomainError, Forbidden, NotFound
from tawrid.core.permissions import actor_for


def _me(request: HttpRequest) -> User:
    """The logged-in person (views using it are behind login_required)."""
    assert isinstance(request.user, User)
    return request.user


def _site_url(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _show_error(form: BaseForm, error: DomainError) -> None:
    """Put a service's refusal on the form: on its fields when it names them, otherwise on the whole form."""
    placed = False
    for field, field_messages in error.details.items():
        if field in form.fields:
            for message in field_messages:
                form.add_error(field, message)
            placed = True
    if not placed or not error.details:
        form.add_error(None, error.message)


def _set_language_cookie(response: HttpResponseBase, language: str) -> None:
    """Remember the person's preferred language the way Django's language switcher does."""
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )


class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        _set_language_cookie(response, form.get_user().preferred_language)
        return response


# Profile and API tokens ----------------------------------------------------------------------------------------


def _profile_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    actor = actor_for(request.user)
    context = {
        "memberships": selectors.my_memberships(actor=actor, user=_me(request)),
        "tokens": selectors.api_token_list(actor=actor, user=_me(request)),
        "profile_form": ProfileForm(
            initial={"full_name": request.user.full_name, "preferred_language": request.user.preferred_language}
        ),
        "token_form": ApiTokenForm(),
        "default_token_days": settings.API_TOKEN_DEFAULT_DAYS,
        "now_value": timezone.now(),
    }
    context.update(extra)
    return context


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                services.user_update_profile(actor=actor_for(request.user), user=_me(request), **form.cleaned_data)
            except DomainError as error:
                _show_error(form, error)
            else:
                if form.cleaned_data["preferred_language"]:
                    translation.activate(form.cleaned_data["preferred_language"])
                messages.success(request, _("Your profile has been saved."))
                response = redirect("accounts:profile")
                _set_language_cookie(response, form.cleaned_data["preferred_language"])
                return response
        return render(request, "accounts/profile.html", _profile_context(request, profile_form=form), status=400)
    return render(request, "accounts/profile.html", _profile_context(request))


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            token, secret = services.api_token_create(
                actor=actor_for(request.user),
                user=_me(request),
                name=form.cleaned_data["name"],
                days=form.cleaned_data["days"],
            )
        except DomainError as error:
            _show_error(form, error)
        else:
            # The secret is rendered in this response only; it is never stored nor shown again.
            return render(
                request, "accounts/profile.html", _profile_context(request, new_token=token, new_secret=secret)
            )
    return render(request, "accounts/profile.html", _profile_context(request, token_form=form), status=400)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    token = selectors.api_token_get(actor=actor, user=_me(request), token_id=token_id)
    services.api_token_revoke(actor=actor, token=token)
    messages.success(request, _("The token “%(name)s” has been revoked.") % {"name": token.name})
    return redirect("accounts:profile")


# Organisations and their people --------------------------------------------------------------------------------


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    memberships = selectors.my_memberships(actor=actor, user=_me(request)).annotate(
        people=Count("organisation__memberships", distinct=True)
    )
    can_create = actor.is_superuser or selectors.clusters_of(actor=actor).filter(pk__in=actor.admin_org_ids).exists()
    return render(request, "accounts/organisation_list.html", {"memberships": memberships, "can_create": can_create})


def _creatable_clusters(actor: permissions.Actor) -> Any:
    clusters = selectors.clusters_of(actor=actor)
    return clusters if actor.is_superuser else clusters.filter(pk__in=actor.admin_org_ids)


@login_required
def organisation_create(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    clusters = _creatable_clusters(actor)
    if not actor.is_superuser and not clusters.exists():
        raise Forbidden()
    form = OrganisationCreateForm(
        request.POST or None,
        clusters=clusters,
        operator=policies.can_set_powers(actor),
        initial={"cluster": clusters.first()},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            organisation = services.organisation_create(actor=actor, site_url=_site_url(request), **data)
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("%(name)s has been created.") % {"name": organisation.name})
            if data.get("first_admin_email"):
                messages.info(
                    request, _("An invitation has been sent to %(email)s.") % {"email": data["first_admin_email"]}
                )
            return redirect("accounts:organisation_detail", organisation_id=organisation.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/organisation_form.html", {"form": form, "creating": True}, status=status)


def _organisation_context(request: HttpRequest, organisation: Any, **extra: Any) -> dict[str, Any]:
    actor = actor_for(request.user)
    is_admin = policies.can_administer(actor, organisation.pk)
    context = {
        "organisation": organisation,
        "memberships": selectors.membership_list(actor=actor, organisation=organisation),
        "invitations": selectors.invitation_list(actor=actor, organisation=organisation),
        "is_admin": is_admin,
        "can_set_powers": policies.can_set_powers(actor),
        "roles": Role.choices,
        "invite_form": InvitationForm(),
        "my_role": actor.roles.get(organisation.pk),
        "cluster_memberships": selectors.cluster_membership_list(actor=actor).filter(member=organisation),
    }
    if policies.can_consent_for(actor, organisation.pk):
        context["cluster_proposals"] = [
            cm for cm in context["cluster_memberships"] if cm.status == ClusterMembershipStatus.PROPOSED
        ]
        clusters = _clusters_open_to(actor, organisation)
        context["cluster_application_form"] = ClusterApplicationForm(clusters=clusters) if clusters.exists() else None
    context.update(extra)
    return context


def _clusters_open_to(actor: permissions.Actor, organisation: Any) -> Any:
    """Clusters the organisation may apply to: those it can see and is not (or no longer) a member of."""
    current = organisation.cluster_memberships.exclude(status=ClusterMembershipStatus.LEFT).values("cluster_id")
    clusters = Organisation.objects.filter(kind=OrganisationKind.CLUSTER).exclude(pk=organisation.pk)
    return permissions.visible(actor, clusters).exclude(pk__in=current).order_by("name")


@login_required
@require_POST
def cluster_application_create(request: HttpRequest, organisation_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    organisation = selectors.organisation_get_private(actor=actor, organisation_id=organisation_id)
    if not policies.can_consent_for(actor, organisation.pk):
        raise Forbidden()
    form = ClusterApplicationForm(request.POST, clusters=_clusters_open_to(actor, organisation))
    if form.is_valid():
        cluster = form.cleaned_data["cluster"]
        try:
            services.cluster_membership_apply(actor=actor, member=organisation, cluster=cluster)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("%(name)s has applied to %(cluster)s.") % {"name": organisation, "cluster": cluster}
            )
    else:
        messages.error(request, _("Choose a cluster."))
    return redirect("accounts:organisation_detail", organisation_id=organisation.pk)


@login_required
@require_POST
def cluster_membership_answer(request: HttpRequest, cluster_membership_id: int, accept: bool) -> HttpResponse:
    actor = actor_for(request.user)
    membership = selectors.cluster_membership_get(actor=actor, cluster_membership_id=cluster_membership_id)
    member_id, cluster = membership.member_id, membership.cluster
    try:
        if accept:
            services.cluster_membership_accept(actor=actor, membership=membership)
            messages.success(request, _("You have joined %(cluster)s.") % {"cluster": cluster})
        else:
            services.cluster_membership_decline(actor=actor, membership=membership)
            messages.success(request, _("You have declined to join %(cluster)s.") % {"cluster": cluster})
    except Forbidden:
        raise
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("accounts:organisation_detail", organisation_id=member_id)


@login_required
def organisation_detail(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = selectors.organisation_get_private(actor=actor_for(request.user), organisation_id=organisation_id)
    return render(request, "accounts/organisation_detail.html", _organisation_context(request, organisation))


@login_required
def organisation_edit(request: HttpRequest, organisation_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    organisation = selectors.organisation_get_private(actor=actor, organisation_id=organisation_id)
    permissions.require_change(actor, organisation)
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        # The form has no operator-only field; one sent anyway goes to the service, which refuses a change.
        sent = {f: request.POST[f] for f in policies.OPERATOR_ONLY_FIELDS if f in request.POST}
        try:
            services.organisation_update(actor=actor, organisation=organisation, **form.cleaned_data, **sent)
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("The organisation has been saved."))
            return redirect("accounts:organisation_detail", organisation_id=organisation.pk)
    organisation.refresh_from_db()
    status = 400 if request.method == "POST" else 200
    return render(
        request, "accounts/organisation_form.html", {"form": form, "organisation": organisation}, status=status
    )


@login_required
def organisation_powers(request: HttpRequest, organisation_id: int) -> HttpResponse:
    """The platform operator's page for what an organisation is: kind, country, parent, demo flag."""
    actor = actor_for(request.user)
    organisation = selectors.organisation_get_private(actor=actor, organisation_id=organisation_id)
    if not policies.can_set_powers(actor):
        raise Forbidden(policies.operator_only_message())
    form = OrganisationPowersForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_set_powers(actor=actor, organisation=organisation, **form.cleaned_data)
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("The organisation has been saved."))
            return redirect("accounts:organisation_detail", organisation_id=organisation.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "accounts/organisation_powers.html", {"form": form, "organisation": organisation}, status=status
    )


@login_required
@require_POST
def membership_role(request: HttpRequest, membership_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    membership = selectors.membership_get(actor=actor, membership_id=membership_id)
    permissions.require_change(actor, membership)
    form = MembershipRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role from the list."))
    else:
        try:
            services.membership_change_role(actor=actor, membership=membership, role=form.cleaned_data["role"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The role of %(name)s has been changed.") % {"name": membership.user})
    return redirect("accounts:organisation_detail", organisation_id=membership.organisation_id)


@login_required
@require_POST
def membership_remove(request: HttpRequest, membership_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    membership = selectors.membership_get(actor=actor, membership_id=membership_id)
    permissions.require_change(actor, membership)
    try:
        services.membership_remove(actor=actor, membership=membership)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(name)s no longer belongs to %(organisation)s.")
            % {"name": membership.user, "organisation": membership.organisation},
        )
    if membership.user_id == request.user.pk:
        return redirect("accounts:organisation_list")
    return redirect("accounts:organisation_detail", organisation_id=membership.organisation_id)


@login_required
@require_POST
def invitation_create(request: HttpRequest, organisation_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    organisation = selectors.organisation_get_private(actor=actor, organisation_id=organisation_id)
    if not policies.can_administer(actor, organisation.pk):
        raise Forbidden()
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            services.invitation_create(
                actor=actor, organisation=organisation, site_url=_site_url(request), **form.cleaned_data
            )
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(
                request, _("An invitation has been sent to %(email)s.") % {"email": form.cleaned_data["email"]}
            )
            return redirect("accounts:organisation_detail", organisation_id=organisation.pk)
    return render(
        request,
        "accounts/organisation_detail.html",
        _organisation_context(request, organisation, invite_form=form),
        status=400,
    )


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    invitation = selectors.invitation_get(actor=actor, invitation_id=invitation_id)
    try:
        services.invitation_revoke(actor=actor, invitation=invitation)
    except DomainError as error:
        if error.status == 403:
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, _("The invitation to %(email)s has been revoked.") % {"email": invitation.email})
    return redirect("accounts:organisation_detail", organisation_id=invitation.organisation_id)


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The page an invitation e-mail links to; the token in the URL is the credential."""
    invitation = services.invitation_find(raw_token=token)
    try:
        services.invitation_check(invitation)
    except DomainError as error:
        return render(
            request, "accounts/invitation_accept.html", {"problem": error.message}, status=410 if invitation else 404
        )
    assert invitation is not None
    user = request.user if request.user.is_authenticated else None
    form = None if user else InvitationAcceptForm(request.POST or None, email=invitation.email)
    context: dict[str, Any] = {"invitation": invitation, "form": form}
    if user is not None and user.email.lower() != invitation.email.lower():
        context["problem"] = _("This invitation was sent to %(email)s: log in as that person to accept it.") % {
            "email": invitation.email
        }
    if request.method == "POST":
        if form is None or form.is_valid():
            try:
                membership = services.invitation_accept(
                    raw_token=token,
                    user=user,
                    full_name=form.cleaned_data["full_name"] if form else "",
                    password=form.cleaned_data["password1"] if form else "",
                )
            except DomainError as error:
                if form is None:
                    context["problem"] = error.message
                else:
                    _show_error(form, error)
            else:
                if user is None:
                    login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, _("Welcome to %(organisation)s.") % {"organisation": membership.organisation})
                return redirect("core:home")
        return render(request, "accounts/invitation_accept.html", context, status=400)
    return render(request, "accounts/invitation_accept.html", context)


# Cluster members ---------------------------------------------------------------------------------------------------


def _current_cluster(request: HttpRequest, actor: permissions.Actor) -> Any:
    clusters = selectors.clusters_of(actor=actor)
    if not clusters.exists():
        raise NotFound()
    chosen = request.GET.get("cluster") or request.POST.get("cluster")
    if chosen:
        cluster = clusters.filter(pk=chosen).first() if str(chosen).isdigit() else None
        if cluster is None:
            raise NotFound()
        return clusters, cluster
    return clusters, clusters.first()


@login_required
def cluster_members(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    clusters, cluster = _current_cluster(request, actor)
    filters = ClusterMemberFilterForm(request.GET or None)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    memberships = selectors.cluster_membership_list(
        actor=actor,
        cluster=cluster,
        status=criteria.get("status") or None,
        kind=criteria.get("kind") or None,
        q=criteria.get("q") or None,
    )
    counts = dict(
        selectors.cluster_membership_list(actor=actor, cluster=cluster)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    context = {
        "clusters": clusters,
        "cluster": cluster,
        "filters": filters,
        "memberships": memberships,
        "counts": [(value, label, counts.get(value, 0)) for value, label in ClusterMembershipStatus.choices],
        "can_manage": actor.is_superuser or actor.can_write_org(cluster.pk),
        "can_create": actor.is_superuser or actor.is_admin_of(cluster.pk),
    }
    template = "accounts/cluster_members.html#results" if request.htmx else "accounts/cluster_members.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
def cluster_membership_add(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    _clusters, cluster = _current_cluster(request, actor)
    if not (actor.is_superuser or actor.can_write_org(cluster.pk)):
        raise Forbidden()
    members = selectors.cluster_candidates(actor=actor, cluster=cluster).exclude(cluster_memberships__cluster=cluster)
    form = ClusterMembershipForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.cluster_membership_set(actor=actor, cluster=cluster, **form.cleaned_data)
        except DomainError as error:
            _show_error(form, error)
        else:
            if membership.status == ClusterMembershipStatus.PROPOSED:
                message = _("Membership has been proposed to %(name)s: it applies once its administrators accept.")
            else:
                message = _("%(name)s is now recorded as a member.")
            messages.success(request, message % {"name": membership.member})
            return redirect(f"{reverse('accounts:cluster_members')}?cluster={cluster.pk}")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/cluster_membership_form.html", {"form": form, "cluster": cluster}, status=status)


@login_required
def cluster_membership_edit(request: HttpRequest, cluster_membership_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    membership = selectors.cluster_membership_get(actor=actor, cluster_membership_id=cluster_membership_id)
    permissions.require_change(actor, membership)
    members = selectors.cluster_candidates(actor=actor, cluster=membership.cluster).filter(pk=membership.member_id)
    initial = {
        "member": membership.member,
        "status": membership.status,
        "joined_on": membership.joined_on,
        "left_on": membership.left_on,
        "notes": membership.notes,
    }
    form = ClusterMembershipForm(request.POST or None, members=members, initial=initial)
    form.fields["member"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["member"] = membership.member
        try:
            services.cluster_membership_set(actor=actor, cluster=membership.cluster, **data)
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("The membership of %(name)s has been saved.") % {"name": membership.member})
            return redirect(f"{reverse('accounts:cluster_members')}?cluster={membership.cluster_id}")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "accounts/cluster_membership_form.html",
        {"form": form, "cluster": membership.cluster, "membership": membership},
        status=status,
    )


# Audit trail ---------------------------------------------------------------------------------------------------


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    if not (actor.is_superuser or policies.audit_org_ids(actor) or policies.cluster_ids_of(actor)):
        raise Forbidden()
    filters = AuditFilterForm(request.GET or None)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    entries = selectors.audit_entries(
        actor=actor,
        object_type=criteria.get("object_type") or None,
        date_from=criteria.get("date_from"),
        date_to=criteria.get("date_to"),
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    rows = [
        {"entry": entry, "type": selectors.audit_object_type(entry), "changes": _changes(entry)}
        for entry in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filters": filters, "page": page, "rows": rows, "query": query.urlencode()}
    template = "accounts/audit_log.html#results" if request.htmx else "accounts/audit_log.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _changes(entry: Any) -> list[tuple[str, str, str]]:
    """(field, before, after) for each changed field, as people read them: field names, choice labels,
    related objects by name, local dates (django-auditlog's display form); empty for "nothing"."""
    rows = []
    for label, values in (entry.changes_display_dict or {}).items():
        before, after = ([*values, "", ""][:2]) if isinstance(values, list | tuple) else ("", values)
        rows.append(
            (str(label), "" if before in (None, "None") else str(before), "" if after in (None, "None") else str(after))
        )
    return rows
