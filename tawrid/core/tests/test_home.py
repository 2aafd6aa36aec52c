"""Home page cards and menus per kind of organisation, and the secretariat's figures.

Some tests route URLs through this module (`ROOT_URLCONF = __name__`): every page a card or a menu item
may point at exists there, so what each kind sees does not depend on which apps this release ships.
"""

import re

import pytest
from django.http import HttpResponse
from django.test import override_settings
from django.urls import include, path

from tawrid.accounts.tests.factories import (
    ClusterMembershipFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    person_in,
)
from tawrid.core import home, navigation
from tawrid.core.permissions import ANONYMOUS, Actor, actor_for


def _view(request):
    return HttpResponse("ok")


def _namespace(name: str, *url_names: str):
    return path(f"{name}/", include(([path(f"{u}/", _view, name=u) for u in url_names], name)))


ALL_PAGES = {
    "core": ("home", "job_list"),
    "nomenclature": ("index",),
    "accounts": ("login", "organisation_list", "cluster_members", "audit_log"),
    "catalog": ("directory", "product_list", "certificate_review", "registration_review"),
    "demand": ("national", "plan_list"),
    "matching": ("index",),
    "sourcing": ("consultation_list", "order_list"),
    "insights": ("index", "opportunities", "reports"),
    "innovation": ("index", "facility_list", "startup_list", "funding_list"),
    "programmes": ("index",),
    "admin": ("index",),
}
urlpatterns = [_namespace(name, *names) for name, names in ALL_PAGES.items()]
all_pages = override_settings(ROOT_URLCONF=__name__)


def actor_of(*kinds: str, role: str = "admin", **fields) -> Actor:
    return Actor(
        user_id=1,
        roles={i: role for i, _ in enumerate(kinds, start=10)},
        kinds=dict(enumerate(kinds, start=10)),
        **fields,
    )


GROUPS_BY_KIND = [
    ("manufacturer", ["supplier"]),
    ("startup", ["supplier", "startup"]),
    ("hospital_group", ["buyer"]),
    ("hospital", ["buyer"]),
    ("cluster", ["cluster"]),
    ("imanor", ["imanor"]),
    ("ministry_health", ["ministry_health"]),
    ("ministry_industry", ["ministry_industry"]),
    ("investor", ["investor"]),
    ("university", ["university"]),
]


@pytest.mark.parametrize(("kind", "groups"), GROUPS_BY_KIND)
def test_groups_follow_the_kind_of_the_organisation(kind, groups):
    assert home.groups_for(actor_of(kind)) == groups


def test_groups_of_anonymous_staff_and_people_without_organisation():
    assert home.groups_for(ANONYMOUS) == ["public"]
    assert home.groups_for(Actor(user_id=1)) == ["public"]
    assert home.groups_for(Actor(user_id=1, is_staff=True, is_superuser=True)) == ["operator"]
    # Several organisations: their groups in a fixed order, each once.
    assert home.groups_for(actor_of("hospital", "university", "hospital_group", "cluster")) == [
        "cluster",
        "buyer",
        "university",
    ]


CARDS_BY_KIND = {
    "manufacturer": {"products", "national-demand", "consultations", "facilities"},
    "startup": {"products", "startup-support", "funding"},
    "hospital_group": {"plans", "matching", "consultations", "orders", "facilities"},
    "hospital": {"plans", "matching", "orders"},
    "cluster": {"cluster-members", "aggregation", "innovation", "reports", "audit"},
    "imanor": {"certification", "directory"},
    "ministry_health": {"registrations", "directory"},
    "ministry_industry": {"programmes", "indicators"},
    "investor": {"opportunities", "national-demand", "startups"},
    "university": {"projects", "facilities", "funding"},
}


@pytest.mark.parametrize(("kind", "expected"), CARDS_BY_KIND.items())
def test_cards_follow_the_kind_and_only_that_kind(kind, expected):
    keys = {card.key for card in home.cards_for(actor_of(kind, role="member"))}
    assert expected <= keys
    assert "nomenclatures" in keys and "people" not in keys and "login" not in keys
    held = home.groups_for(actor_of(kind))
    own = {card.key for group in held for card in home.GROUPS[group].cards}
    foreign = {card.key for group in home.GROUPS.values() if group.key not in held for card in group.cards} - own
    assert not keys & foreign, keys & foreign


def test_administrators_get_the_people_card_and_readers_do_not():
    assert "people" in {c.key for c in home.cards_for(actor_of("manufacturer", role="admin"))}
    assert "people" not in {c.key for c in home.cards_for(actor_of("manufacturer", role="read_only"))}


def test_a_card_offered_by_two_groups_is_shown_once():
    sections = home.sections_for(actor_of("manufacturer", "hospital"))
    keys = [card.key for section in sections for card in section.cards]
    assert keys.count("consultations") == 1 and keys.count("facilities") == 1
    assert [s.key for s in sections] == ["supplier", "buyer"]


def test_anonymous_visitors_see_the_public_cards():
    assert [c.key for c in home.cards_for(ANONYMOUS)] == ["directory", "login", "nomenclatures"]


def test_a_card_whose_page_is_not_built_yet_has_no_link():
    with override_settings(ROOT_URLCONF="config.urls"):
        card = home.Card("x", "X", "X", "nowhere:page")
        assert card.url == ""
    with all_pages:
        assert home.Card("x", "X", "X", "catalog:product_list").url == "/catalog/product_list/"


MENU_BY_KIND = {
    "manufacturer": ["products", "demand", "matching", "consultations"],
    "startup": ["products", "demand", "matching", "consultations", "innovation"],
    "hospital_group": ["plans", "matching", "consultations"],
    "hospital": ["plans", "matching", "consultations"],
    "cluster": ["cluster", "matching", "insights", "innovation"],
    "imanor": ["certification"],
    "ministry_health": ["registrations"],
    "ministry_industry": ["programmes", "insights"],
    "investor": ["opportunities", "demand"],
    "university": ["innovation"],
}


@all_pages
@pytest.mark.parametrize(("kind", "specific"), MENU_BY_KIND.items())
def test_menus_per_kind(kind, specific):
    keys = [item.key for item in navigation.menu_for(actor_of(kind, role="admin"))]
    assert keys == ["home", "directory", "nomenclature", *specific, "organisations", "audit", "jobs"]
    reader = [item.key for item in navigation.menu_for(actor_of(kind, role="read_only"))]
    assert "audit" not in reader or kind == "cluster"
    assert "organisations" in reader


@all_pages
def test_menus_of_anonymous_visitors_and_the_operator():
    assert [i.key for i in navigation.menu_for(ANONYMOUS)] == ["home", "directory", "nomenclature"]
    operator = Actor(user_id=1, is_staff=True, is_superuser=True)
    assert [i.key for i in navigation.menu_for(operator)] == [
        "home",
        "directory",
        "nomenclature",
        "cluster",
        "matching",
        "insights",
        "innovation",
        "audit",
        "jobs",
        "admin",
    ]


def test_menu_items_of_later_releases_are_left_out_not_dead_links():
    with override_settings(ROOT_URLCONF="config.urls"):
        items = navigation.menu_for(actor_of("manufacturer"))
    assert all(item.url and item.url != "#" for item in items)
    entitled = {item.key for item in navigation.menu_items_for(actor_of("manufacturer"))}
    assert {"home", "nomenclature", "jobs"} <= {item.key for item in items} <= entitled


@pytest.mark.django_db
def test_cluster_figures_count_members_by_status_and_kind_for_the_secretariat_only():
    cluster = OrganisationFactory(kind="cluster", name="Cluster A")
    other = OrganisationFactory(kind="cluster", name="Cluster B")
    for kind, status in [
        ("manufacturer", "active"),
        ("manufacturer", "active"),
        ("manufacturer", "suspended"),
        ("startup", "applied"),
        ("hospital_group", "left"),
    ]:
        ClusterMembershipFactory(cluster=cluster, member=OrganisationFactory(kind=kind), status=status)
    ClusterMembershipFactory(cluster=other, member=OrganisationFactory(kind="investor"), status="active")

    secretariat = actor_for(person_in(cluster, role="read_only"))
    [figures] = home.cluster_figures(actor=secretariat)
    assert figures.cluster == cluster and figures.total == 5
    counts = {f.key: f.count for f in figures.by_status}
    assert counts == {"proposed": 0, "applied": 1, "active": 2, "suspended": 1, "left": 1}
    assert [(f.key, f.count) for f in figures.by_kind] == [("manufacturer", 3), ("startup", 1), ("hospital_group", 1)]

    member_org = cluster.cluster_members.first().member
    assert home.cluster_figures(actor=actor_for(person_in(member_org, role="admin"))) == []
    assert home.cluster_figures(actor=ANONYMOUS) == []
    operator = actor_for(UserFactory(is_superuser=True, is_staff=True))
    assert [(f.cluster.name, f.total) for f in home.cluster_figures(actor=operator)] == [
        ("Cluster A", 5),
        ("Cluster B", 1),
    ]


def _keys(html: str, attribute: str) -> list[str]:
    return re.findall(rf'{attribute}="([^"]*)"', html)


@pytest.mark.django_db
def test_home_page_of_a_secretariat_administrator(client):
    cluster = OrganisationFactory(kind="cluster", name="Cluster Santé (démo)")
    ClusterMembershipFactory(cluster=cluster, member=OrganisationFactory(kind="manufacturer"), status="active")
    ClusterMembershipFactory(cluster=cluster, member=OrganisationFactory(kind="startup"), status="applied")
    user = person_in(cluster, role="admin", full_name="Nadia Berrada")
    client.force_login(user)
    html = client.get("/").content.decode()
    assert _keys(html, "data-groups") == ["cluster"]
    assert 'data-testid="cluster-figures"' in html
    assert re.search(r'data-status="active">1<', html) and re.search(r'data-status="applied">1<', html)
    assert re.search(r'data-kind="startup">1<', html)
    assert 'data-card="people"' in html
    assert "Cluster Santé (démo)" in html


@pytest.mark.django_db
def test_home_page_of_a_read_only_supplier_shows_no_figures_and_no_people_card(client):
    org = OrganisationFactory(kind="manufacturer", name="Injecta Maroc (démo)")
    client.force_login(person_in(org, role="read_only"))
    html = client.get("/").content.decode()
    assert _keys(html, "data-groups") == ["supplier"]
    assert 'data-testid="cluster-figures"' not in html
    assert 'data-card="people"' not in html
    assert 'data-card="products"' in html
    assert 'data-role="read_only"' in html and 'data-kind="manufacturer"' in html


@pytest.mark.django_db
def test_home_page_of_an_anonymous_visitor(client):
    html = client.get("/").content.decode()
    assert _keys(html, "data-groups") == ["public"]
    assert 'data-card="directory"' in html and 'data-card="login"' in html
    assert 'data-testid="membership"' not in html and 'data-testid="cluster-figures"' not in html
    # A card whose page is not built yet says so, without a link; a built one links to its page.
    directory = html[html.index('data-card="directory"') :].split("</li>")[0]
    url = home.GROUPS["public"].cards[0].url
    if url:
        assert f'href="{url}"' in directory and "badge" not in directory
    else:
        assert "href" not in directory and 'class="badge"' in directory


@pytest.mark.django_db
def test_home_page_cost_does_not_grow_with_memberships(client, django_assert_max_num_queries):
    user = UserFactory()
    for kind in ("manufacturer", "hospital", "cluster", "investor"):
        MembershipFactory(user=user, organisation=OrganisationFactory(kind=kind), role="admin")
    client.force_login(user)
    with django_assert_max_num_queries(12):
        response = client.get("/")
    assert response.status_code == 200


def test_current_menu_item_is_the_longest_matching_prefix():
    from tawrid.core.context_processors import current_key
    from tawrid.core.navigation import HOME, JOBS, NOMENCLATURES

    menu = [HOME, NOMENCLATURES, JOBS]
    assert current_key(menu, "/") == "home"
    assert current_key(menu, "/jobs/12/") == "jobs"
    assert current_key(menu, "/nomenclatures/emdn/A01/") == "nomenclature"
    assert current_key(menu, "/accounts/profile/") == ""
