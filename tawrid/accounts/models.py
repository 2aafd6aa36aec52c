"""People, organisations, their roles, cluster membership, invitations and personal API tokens."""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tawrid.core.models import TimeStampedModel


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: object) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> "User":
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. They log in with their e-mail address; what they may do comes from their memberships."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=5,
        blank=True,
        choices=[("fr", "Français"), ("ar", "العربية"), ("en", "English")],
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("platform staff (admin site)"), default=False)
    is_demo = models.BooleanField(_("demo account"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["full_name", "email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique")]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class OrganisationKind(models.TextChoices):
    MANUFACTURER = "manufacturer", _("Manufacturer")
    STARTUP = "startup", _("Start-up")
    HOSPITAL_GROUP = "hospital_group", _("Hospital group")
    HOSPITAL = "hospital", _("Hospital")
    CLUSTER = "cluster", _("Cluster secretariat")
    MINISTRY_INDUSTRY = "ministry_industry", _("Ministry of Industry")
    IMANOR = "imanor", _("IMANOR (standards and certification)")
    MINISTRY_HEALTH = "ministry_health", _("Ministry of Health / DMP")
    INVESTOR = "investor", _("Investor")
    UNIVERSITY = "university", _("University or research centre")
    OTHER = "other", _("Other")


# Kinds grouped by what their people come to do; the home page and the menus follow these groups.
SUPPLIER_KINDS = frozenset({OrganisationKind.MANUFACTURER, OrganisationKind.STARTUP})
BUYER_KINDS = frozenset({OrganisationKind.HOSPITAL_GROUP, OrganisationKind.HOSPITAL})
AUTHORITY_KINDS = frozenset(
    {OrganisationKind.MINISTRY_INDUSTRY, OrganisationKind.IMANOR, OrganisationKind.MINISTRY_HEALTH}
)


class Organisation(TimeStampedModel):
    """A legal body using Tawrid: a manufacturer, a hospital group, an authority, a cluster…

    A cluster is itself an organisation (kind `cluster`): its people are the cluster's secretariat, and
    other organisations belong to it through `ClusterMembership`.
    """

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=OrganisationKind.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text=_("For example the hospital group a hospital belongs to."),
    )
    legal_id = models.CharField(_("ICE (company identifier)"), max_length=15, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="MA", help_text=_("ISO 3166 code."))
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    is_public = models.BooleanField(
        _("listed in the public directory"), default=True, help_text=_("Name, city and description only.")
    )
    is_demo = models.BooleanField(_("demo organisation"), default=False)
    search_text = models.TextField(editable=False, blank=True, default="")

    # Not a column: the operator's reason for changing an operator-only field, set by
    # `services.organisation_set_powers` just before saving so that the audit entry carries it.
    audit_reason: str = ""

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in OrganisationKind]), name="accounts_org_kind_valid"
            ),
            models.CheckConstraint(condition=~Q(parent=models.F("pk")), name="accounts_org_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict[str, int | str | None]:
        """What the audit trail files this change under (read by django-auditlog), with the operator's reason
        when `services.organisation_set_powers` changes an operator-only field (kept with the entry itself)."""
        data: dict[str, int | str | None] = {"organisation_id": self.pk}
        if self.audit_reason:
            data["reason"] = self.audit_reason
        return data

    @property
    def is_established_in_morocco(self) -> bool:
        return self.country == "MA"


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    MEMBER = "member", _("Member")
    READ_ONLY = "read_only", _("Read-only")


class Membership(TimeStampedModel):
    """A person's place in an organisation. A person may belong to several organisations."""

    user = models.ForeignKey(User, verbose_name=_("person"), on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organisation__name", "user__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="accounts_membership_unique"),
            models.CheckConstraint(
                condition=Q(role__in=[r.value for r in Role]), name="accounts_membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.organisation} ({self.get_role_display()})"

    def get_additional_data(self) -> dict[str, int | None]:
        return {"organisation_id": self.organisation_id}


class ClusterMembershipStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed by the cluster")
    APPLIED = "applied", _("Applied")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    LEFT = "left", _("Left")


class ClusterMembership(TimeStampedModel):
    """An organisation's membership of a cluster, with its status and dates."""

    cluster = models.ForeignKey(
        Organisation,
        verbose_name=_("cluster"),
        on_delete=models.PROTECT,
        related_name="cluster_members",
        limit_choices_to={"kind": OrganisationKind.CLUSTER},
    )
    member = models.ForeignKey(
        Organisation, verbose_name=_("member"), on_delete=models.CASCADE, related_name="cluster_memberships"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ClusterMembershipStatus.choices, default=ClusterMembershipStatus.ACTIVE
    )
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # The member organisation's consent (its administrator applied or accepted the cluster's proposal): only
    # a consented, active membership gives the secretariat oversight (tawrid.core.permissions.actor_for).
    member_consented_at = models.DateTimeField(_("member consented at"), null=True, blank=True, editable=False)
    member_consented_by = models.ForeignKey(
        User,
        verbose_name=_("member consented by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        verbose_name = _("cluster membership")
        verbose_name_plural = _("cluster memberships")
        ordering = ["cluster__name", "member__name"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "member"], name="accounts_clustermembership_unique"),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(joined_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="accounts_clustermembership_dates_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(cluster=models.F("member")), name="accounts_clustermembership_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} ∈ {self.cluster}"

    def get_additional_data(self) -> dict[str, int | None]:
        return {"organisation_id": self.member_id, "cluster_id": self.cluster_id}


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REVOKED = "revoked", _("Revoked")


class Invitation(TimeStampedModel):
    """An invitation by e-mail to join an organisation with a role. Only the token's hash is stored."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    invited_by = models.ForeignKey(
        User, verbose_name=_("invited by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=InvitationStatus.choices, default=InvitationStatus.PENDING
    )
    expires_at = models.DateTimeField(_("expires at"))
    accepted_by = models.ForeignKey(
        User, verbose_name=_("accepted by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "organisation",
                condition=Q(status="pending"),
                name="accounts_invitation_one_pending_per_email",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"

    def get_additional_data(self) -> dict[str, int | None]:
        return {"organisation_id": self.organisation_id}


class ApiToken(TimeStampedModel):
    """A personal API token. The secret is shown once; only its SHA-256 hash is kept."""

    user = models.ForeignKey(User, verbose_name=_("person"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
