"""The demo cluster: `demo_plan(seed)` draws it (pure, deterministic), `demo_seed(seed=…)` writes it.

Writing is idempotent: organisations are keyed by slug, people by e-mail, memberships by their pair; what
exists is left exactly as it is, so a second run creates nothing and changes nothing.
"""

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from tawrid.accounts.models import ClusterMembership, ClusterMembershipStatus, Membership, Organisation, User
from tawrid.core.text import fold
from tawrid.demo import data

_KIND_FAMILY = {
    "manufacturer": "supplier",
    "startup": "supplier",
    "hospital_group": "buyer",
    "hospital": "buyer",
    "cluster": "cluster",
    "imanor": "authority",
    "ministry_health": "authority",
    "ministry_industry": "authority",
}


@dataclass(frozen=True)
class PersonPlan:
    email: str
    full_name: str
    is_staff: bool = False
    is_superuser: bool = False


@dataclass(frozen=True)
class MembershipPlan:
    email: str
    org: str
    role: str
    job_title: str


@dataclass(frozen=True)
class ClusterMembershipPlan:
    member: str
    status: str
    joined_on: date | None
    left_on: date | None
    notes: str


@dataclass(frozen=True)
class DemoPlan:
    seed: int
    organisations: tuple[data.OrgSeed, ...]
    people: tuple[PersonPlan, ...]
    memberships: tuple[MembershipPlan, ...]
    cluster_memberships: tuple[ClusterMembershipPlan, ...]


@dataclass
class SeedReport:
    """What one `demo_seed` run created (nothing when the demo data was already present)."""

    seed: int
    organisations: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    memberships: int = 0
    cluster_memberships: int = 0

    @property
    def created(self) -> int:
        return len(self.organisations) + len(self.people) + self.memberships + self.cluster_memberships


def _random_date(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


class _NameDrawer:
    """Distinct plausible Moroccan names, never one of the named logins' names."""

    def __init__(self, rng: random.Random, taken: Iterable[str]) -> None:
        self.rng = rng
        self.taken = set(taken)

    def draw(self) -> str:
        while True:
            first = self.rng.choice(data.FEMALE_FIRST_NAMES if self.rng.random() < 0.5 else data.MALE_FIRST_NAMES)
            name = f"{first} {self.rng.choice(data.LAST_NAMES)}"
            if name not in self.taken:
                self.taken.add(name)
                return name


def demo_plan(seed: int = data.DEFAULT_SEED) -> DemoPlan:
    """Everything the demo holds for `seed`: the same seed always gives the same plan."""
    rng = random.Random(seed)
    names = _NameDrawer(rng, (login.full_name for login in data.NAMED_LOGINS))
    people: list[PersonPlan] = []
    memberships: list[MembershipPlan] = []
    named_roles: set[tuple[str, str]] = set()
    for login in data.NAMED_LOGINS:
        people.append(PersonPlan(login.email, login.full_name, login.is_staff, login.is_superuser))
        for m in login.memberships:
            memberships.append(MembershipPlan(login.email, m.org, m.role, m.job_title))
            named_roles.add((m.org, m.role))

    for org in data.ORGANISATIONS:
        titles = data.JOB_TITLES[_KIND_FAMILY.get(org.kind, "other")]
        wanted = ["admin"]
        if org.slug in data.ALWAYS_MEMBER or rng.random() < 0.35:
            wanted.append("member")
        if org.slug in data.ALWAYS_READ_ONLY or rng.random() < 0.2:
            wanted.append("read_only")
        for role in wanted:
            if (org.slug, role) in named_roles and role == "admin":
                continue  # a named login is this organisation's administrator
            email = f"{data.ROLE_EMAIL_PREFIX[role]}.{org.slug}@{data.EMAIL_DOMAIN}"
            title = rng.choice(getattr(titles, role))
            people.append(PersonPlan(email, names.draw()))
            memberships.append(MembershipPlan(email, org.slug, role, title))

    cluster_memberships: list[ClusterMembershipPlan] = []
    for org in data.ORGANISATIONS:
        if not org.cluster_status:
            continue
        joined: date | None = _random_date(rng, data.JOINED_FROM, data.JOINED_UNTIL)
        left: date | None = None
        if org.cluster_status == "applied":
            joined = None
        elif org.cluster_status == "left" and joined is not None:
            left = min(joined + timedelta(days=rng.randint(240, 1200)), data.LEFT_UNTIL)
        cluster_memberships.append(ClusterMembershipPlan(org.slug, org.cluster_status, joined, left, org.cluster_notes))

    return DemoPlan(seed, data.ORGANISATIONS, tuple(people), tuple(memberships), tuple(cluster_memberships))


def _organisation(seed: data.OrgSeed, parent: Organisation | None) -> Organisation:
    return Organisation(
        name=seed.name,
        slug=seed.slug,
        kind=seed.kind,
        parent=parent,
        city=seed.city,
        region=seed.region,
        country="MA",
        description=seed.description,
        is_public=seed.is_public,
        is_demo=True,
        search_text=fold(f"{seed.name} {seed.city} {seed.description}"),
    )


@transaction.atomic
def demo_seed(*, seed: int = data.DEFAULT_SEED) -> SeedReport:
    """Write the demo cluster for `seed`; rows that already exist are left untouched."""
    plan = demo_plan(seed)
    report = SeedReport(seed=seed)

    orgs = {o.slug: o for o in Organisation.objects.filter(slug__in=[s.slug for s in plan.organisations])}
    # Parents first: hospitals point at their group.
    for wave in ([s for s in plan.organisations if not s.parent], [s for s in plan.organisations if s.parent]):
        new = [_organisation(s, orgs.get(s.parent)) for s in wave if s.slug not in orgs]
        for org in Organisation.objects.bulk_create(new):
            orgs[org.slug] = org
            report.organisations.append(org.name)

    emails = [p.email for p in plan.people]
    users = {u.email.lower(): u for u in User.objects.filter(email__in=emails)}
    missing = [p for p in plan.people if p.email not in users]
    if missing:
        password = make_password(data.DEMO_PASSWORD)  # hashed once: every demo login shares it
        new_users = [
            User(
                email=p.email,
                full_name=p.full_name,
                password=password,
                is_staff=p.is_staff,
                is_superuser=p.is_superuser,
                is_demo=True,
            )
            for p in missing
        ]
        for user in User.objects.bulk_create(new_users):
            users[user.email] = user
            report.people.append(user.email)

    existing_pairs = set(
        Membership.objects.filter(user__in=users.values(), organisation__in=orgs.values()).values_list(
            "user_id", "organisation_id"
        )
    )
    new_memberships = [
        Membership(user=users[m.email], organisation=orgs[m.org], role=m.role, job_title=m.job_title)
        for m in plan.memberships
        if (users[m.email].pk, orgs[m.org].pk) not in existing_pairs
    ]
    report.memberships = len(Membership.objects.bulk_create(new_memberships))

    cluster = orgs[data.CLUSTER.slug]
    existing_members = set(ClusterMembership.objects.filter(cluster=cluster).values_list("member_id", flat=True))
    consented_at = timezone.now()
    new_cluster_memberships = [
        ClusterMembership(
            cluster=cluster,
            member=orgs[c.member],
            status=c.status,
            joined_on=c.joined_on,
            left_on=c.left_on,
            notes=c.notes,
            # The demo's members agreed to their cluster (oversight needs it); those who left withdrew it.
            member_consented_at=None if c.status == ClusterMembershipStatus.LEFT else consented_at,
        )
        for c in plan.cluster_memberships
        if orgs[c.member].pk not in existing_members
    ]
    report.cluster_memberships = len(ClusterMembership.objects.bulk_create(new_cluster_memberships))

    from tawrid.demo.catalog_seed import catalogue_seed

    catalogue_seed(seed=seed)  # products, certificates, registrations and labels of the demo manufacturers
    from tawrid.demo.demand_seed import demand_seed

    demand_seed(seed=seed)  # the purchase plans of the demo hospital groups and public hospitals
    from tawrid.demo.sourcing_seed import sourcing_seed

    sourcing_seed(seed=seed)  # a consultation open for offers, a draft, direct orders and deliveries
    from tawrid.demo.trade_seed import trade_seed

    trade_seed(seed=seed)  # ILLUSTRATIVE trade flows and exchange rates (flagged as such on every page)
    return report


@dataclass(frozen=True)
class LoginRow:
    email: str
    organisation: str
    kind: str  # an OrganisationKind value, or "" for the platform operator
    role: str  # a Role value, or "" for the platform operator


def demo_logins() -> list[LoginRow]:
    """The named demo logins, one row per (person, organisation), in the documented order."""
    names = {org.slug: org for org in data.ORGANISATIONS}
    rows: list[LoginRow] = []
    for login in data.NAMED_LOGINS:
        if not login.memberships:
            rows.append(LoginRow(login.email, "", "", ""))
        for m in login.memberships:
            rows.append(LoginRow(login.email, names[m.org].name, names[m.org].kind, m.role))
    return rows
