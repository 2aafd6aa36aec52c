from datetime import date

import pytest
from django.contrib.auth import authenticate

from tawrid.accounts.models import (
    ClusterMembership,
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from tawrid.core.text import fold
from tawrid.demo import data, services

NAMED = {
    "admin@demo.tawrid.ma",
    "secretariat@demo.tawrid.ma",
    "fabricant@demo.tawrid.ma",
    "fabricant.lecture@demo.tawrid.ma",
    "startup@demo.tawrid.ma",
    "acheteur@demo.tawrid.ma",
    "hopital@demo.tawrid.ma",
    "imanor@demo.tawrid.ma",
    "dmp@demo.tawrid.ma",
    "industrie@demo.tawrid.ma",
    "investisseur@demo.tawrid.ma",
    "universite@demo.tawrid.ma",
}


def _snapshot() -> dict:
    """Every row the demo writes, field by field: a second run must leave it identical."""
    return {
        "orgs": list(Organisation.objects.order_by("pk").values()),
        "users": list(User.objects.order_by("pk").values()),
        "memberships": list(Membership.objects.order_by("pk").values()),
        "cluster": list(ClusterMembership.objects.order_by("pk").values()),
    }


def test_the_plan_of_a_seed_is_the_same_every_time():
    first, second = services.demo_plan(2026), services.demo_plan(2026)
    assert first == second
    other = services.demo_plan(7)
    # What the seed draws differs; what is documented (the named logins, the organisations) does not.
    assert [p.full_name for p in other.people] != [p.full_name for p in first.people]
    assert [c.joined_on for c in other.cluster_memberships] != [c.joined_on for c in first.cluster_memberships]
    assert other.organisations == first.organisations
    named_people = {p for p in first.people if p.email in NAMED}
    assert named_people == {p for p in other.people if p.email in NAMED}


def test_the_plan_draws_distinct_people_and_never_reuses_a_named_login_name():
    plan = services.demo_plan(2026)
    emails = [p.email for p in plan.people]
    names = [p.full_name for p in plan.people]
    assert len(emails) == len(set(emails))
    assert len(names) == len(set(names))
    assert set(emails) >= NAMED


@pytest.mark.django_db
def test_seed_writes_exactly_the_plan():
    report = services.demo_seed(seed=2026)
    plan = services.demo_plan(2026)
    assert {u.email: u.full_name for u in User.objects.all()} == {p.email: p.full_name for p in plan.people}
    assert set(Membership.objects.values_list("user__email", "organisation__slug", "role")) == {
        (m.email, m.org, m.role) for m in plan.memberships
    }
    assert set(ClusterMembership.objects.values_list("member__slug", "status", "joined_on", "left_on")) == {
        (c.member, c.status, c.joined_on, c.left_on) for c in plan.cluster_memberships
    }
    assert len(report.organisations) == Organisation.objects.count() == len(data.ORGANISATIONS)
    assert len(report.people) == User.objects.count()
    assert report.memberships == Membership.objects.count()
    assert report.cluster_memberships == ClusterMembership.objects.count()


@pytest.mark.django_db
def test_a_second_run_creates_nothing_and_changes_nothing():
    assert services.demo_seed(seed=2026).created > 0
    before = _snapshot()
    report = services.demo_seed(seed=2026)
    assert report.created == 0
    assert (report.organisations, report.people, report.memberships, report.cluster_memberships) == ([], [], 0, 0)
    assert _snapshot() == before


@pytest.mark.django_db
def test_seed_keeps_rows_that_exist_and_fills_in_what_is_missing():
    services.demo_seed(seed=2026)
    renamed = Organisation.objects.get(slug="injecta-maroc")
    renamed.name = "Injecta Maroc SA (démo)"
    renamed.save()
    Membership.objects.filter(user__email="fabricant.lecture@demo.tawrid.ma").delete()
    report = services.demo_seed(seed=2026)
    assert report.memberships == 1 and report.created == 1
    assert Organisation.objects.get(slug="injecta-maroc").name == "Injecta Maroc SA (démo)"
    assert Membership.objects.get(user__email="fabricant.lecture@demo.tawrid.ma").role == Role.READ_ONLY


@pytest.mark.django_db
def test_the_demo_cluster_has_about_forty_members_with_every_status():
    services.demo_seed(seed=2026)
    cluster = Organisation.objects.get(kind=OrganisationKind.CLUSTER)
    members = ClusterMembership.objects.filter(cluster=cluster)
    assert 38 <= members.count() <= 45
    statuses = [m.status for m in members]
    assert statuses.count("applied") == 1 and statuses.count("suspended") == 1 and statuses.count("left") == 1
    assert statuses.count("active") == members.count() - 3
    for membership in members:
        if membership.status == "applied":
            assert membership.joined_on is None
            continue
        assert date(2016, 1, 1) <= membership.joined_on <= date(2025, 12, 31)
        if membership.status == "left":
            assert membership.left_on is not None and membership.left_on >= membership.joined_on
        else:
            assert membership.left_on is None
    member_kinds = set(members.values_list("member__kind", flat=True))
    assert {"manufacturer", "startup", "hospital_group", "hospital", "investor", "university"} <= member_kinds
    assert members.filter(member__kind="manufacturer").count() >= 25


@pytest.mark.django_db
def test_every_kind_is_present_with_plausible_moroccan_organisations():
    services.demo_seed(seed=2026)
    orgs = list(Organisation.objects.all())
    kinds = {o.kind for o in orgs}
    assert kinds == {k.value for k in OrganisationKind} - {OrganisationKind.OTHER}
    assert sum(o.kind == "startup" for o in orgs) == 2
    assert sum(o.kind == "hospital_group" for o in orgs) == 3
    for group in Organisation.objects.filter(kind="hospital_group"):
        assert group.children.filter(kind="hospital").count() >= 2
    public_hospitals = [o for o in orgs if o.kind == "hospital" and o.parent_id is None]
    assert 3 <= len(public_hospitals) <= 4
    assert all(o.name.startswith(("CHU", "CHR")) for o in public_hospitals)
    regions = {o.region for o in orgs}
    assert {"Casablanca-Settat", "Rabat-Salé-Kénitra", "Tanger-Tétouan-Al Hoceïma", "Fès-Meknès"} <= regions
    assert {"Marrakech-Safi", "Souss-Massa", "Oriental"} <= regions
    for org in orgs:
        assert org.is_demo and org.name.endswith("(démo)"), org.name
        assert org.country == "MA" and org.city and data.REGION_OF_CITY[org.city] == org.region
        assert org.search_text == fold(f"{org.name} {org.city} {org.description}")
        assert org.description
    # Every manufacturer and start-up carries a product specialty the catalogue can be seeded from.
    for seed in data.MANUFACTURERS + data.STARTUPS:
        specialty = data.SPECIALTIES[seed.specialty]
        assert specialty.emdn and specialty.lines
        assert all(line == line.upper() for line, _unit in specialty.lines)
    specialties = {s.specialty for s in data.MANUFACTURERS}
    assert {"gants", "seringues_aiguilles", "compresses_pansements", "textiles_chirurgicaux"} <= specialties
    assert {"mobilier_hospitalier", "respiratoire", "diagnostic_in_vitro", "dentaire", "sutures"} <= specialties
    assert {"catheters_perfusion", "orthopedie"} <= specialties


@pytest.mark.django_db
def test_the_descriptions_are_found_by_accent_free_search():
    services.demo_seed(seed=2026)
    found = Organisation.objects.filter(search_text__contains=fold("SERINGUES"))
    assert "injecta-maroc" in set(found.values_list("slug", flat=True))
    assert Organisation.objects.filter(search_text__contains="berrechid").count() >= 3


@pytest.mark.django_db
def test_people_have_every_role_and_every_organisation_an_administrator():
    services.demo_seed(seed=2026)
    for org in Organisation.objects.all():
        assert org.memberships.filter(role=Role.ADMIN).exists(), org.slug
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == {Role.ADMIN, Role.MEMBER, Role.READ_ONLY}
    assert Membership.objects.filter(role=Role.MEMBER).count() >= 5
    assert Membership.objects.filter(role=Role.READ_ONLY).count() >= 3
    assert all(User.objects.values_list("is_demo", flat=True))
    assert all(email.endswith("@demo.tawrid.ma") for email in User.objects.values_list("email", flat=True))


@pytest.mark.django_db
def test_every_demo_login_authenticates_with_the_demo_password():
    services.demo_seed(seed=2026)
    emails = list(User.objects.values_list("email", flat=True))
    assert set(emails) >= NAMED
    for email in emails:
        assert authenticate(username=email, password="tawrid-demo") is not None, email
    assert authenticate(username="fabricant@demo.tawrid.ma", password="wrong-password") is None


@pytest.mark.django_db
def test_the_named_logins_are_who_the_documentation_says():
    services.demo_seed(seed=2026)

    def orgs_of(email):
        return {(m.organisation.kind, m.role) for m in Membership.objects.filter(user__email=email)}

    operator = User.objects.get(email="admin@demo.tawrid.ma")
    assert operator.is_superuser and operator.is_staff and not operator.memberships.exists()
    assert not User.objects.filter(is_superuser=True).exclude(pk=operator.pk).exists()
    assert orgs_of("secretariat@demo.tawrid.ma") == {("cluster", "admin")}
    assert orgs_of("fabricant@demo.tawrid.ma") == {("manufacturer", "admin")}
    assert orgs_of("fabricant.lecture@demo.tawrid.ma") == {("manufacturer", "read_only")}
    fabricant = Membership.objects.get(user__email="fabricant@demo.tawrid.ma").organisation
    assert fabricant == Membership.objects.get(user__email="fabricant.lecture@demo.tawrid.ma").organisation
    assert "seringues" in fabricant.description.lower()
    assert orgs_of("startup@demo.tawrid.ma") == {("startup", "admin")}
    assert ("hospital_group", "admin") in orgs_of("acheteur@demo.tawrid.ma")
    hopital = Membership.objects.get(user__email="hopital@demo.tawrid.ma")
    assert hopital.role == "member" and hopital.organisation.kind == "hospital"
    assert hopital.organisation.parent is None  # a public hospital
    assert orgs_of("imanor@demo.tawrid.ma") == {("imanor", "admin")}
    assert orgs_of("dmp@demo.tawrid.ma") == {("ministry_health", "admin")}
    assert orgs_of("industrie@demo.tawrid.ma") == {("ministry_industry", "admin")}
    assert orgs_of("investisseur@demo.tawrid.ma") == {("investor", "admin")}
    assert orgs_of("universite@demo.tawrid.ma") == {("university", "admin")}


def test_demo_logins_list_the_documented_accounts_in_order():
    rows = services.demo_logins()
    assert rows[0] == services.LoginRow("admin@demo.tawrid.ma", "", "", "")
    assert {row.email for row in rows} == NAMED
    assert services.LoginRow("fabricant@demo.tawrid.ma", "Injecta Maroc (démo)", "manufacturer", "admin") in rows


@pytest.mark.django_db
def test_seeding_an_empty_database_twice_gives_the_same_demo():
    def contents():
        return (
            sorted(User.objects.values_list("email", "full_name", "is_staff", "is_superuser")),
            sorted(Organisation.objects.values_list("slug", "name", "kind", "parent__slug", "city", "region")),
            sorted(Membership.objects.values_list("user__email", "organisation__slug", "role", "job_title")),
            sorted(ClusterMembership.objects.values_list("member__slug", "status", "joined_on", "left_on")),
        )

    services.demo_seed(seed=31)
    first = contents()
    ClusterMembership.objects.all().delete()
    Membership.objects.all().delete()
    User.objects.all().delete()
    Organisation.objects.filter(parent__isnull=False).delete()
    Organisation.objects.all().delete()
    services.demo_seed(seed=31)
    assert contents() == first
