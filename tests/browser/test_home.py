"""Log in as a person of each kind of organisation of the demo cluster and see the right home page and menu.

Menu items of pages a later release builds are left out of the menu (never dead links), so each case lists
every item that kind is entitled to and the test expects those whose page exists in this build.
"""

import re

import pytest
from django.urls import NoReverseMatch, reverse

from tawrid.demo.services import demo_seed
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MENU_URLS = {
    "home": "core:home",
    "directory": "catalog:directory",
    "nomenclature": "nomenclature:index",
    "products": "catalog:product_list",
    "demand": "demand:national",
    "plans": "demand:plan_list",
    "matching": "matching:index",
    "consultations": "sourcing:consultation_list",
    "cluster": "accounts:cluster_members",
    "insights": "insights:index",
    "opportunities": "insights:opportunities",
    "innovation": "innovation:index",
    "certification": "catalog:certificate_review",
    "registrations": "catalog:registration_review",
    "programmes": "programmes:index",
    "organisations": "accounts:organisation_list",
    "audit": "accounts:audit_log",
    "jobs": "core:job_list",
    "admin": "admin:index",
}


def _built(key: str) -> bool:
    try:
        reverse(MENU_URLS[key])
    except NoReverseMatch:
        return False
    return True


COMMON = ["home", "directory", "nomenclature"]
SIGNED_IN_ADMIN = ["organisations", "audit", "jobs"]

CASES = [
    pytest.param(
        "fabricant@demo.tawrid.ma",
        "Injecta Maroc (démo)",
        "supplier",
        {"products", "national-demand", "consultations", "facilities", "people"},
        COMMON + ["products", "demand", "matching", "consultations"] + SIGNED_IN_ADMIN,
        id="manufacturer",
    ),
    pytest.param(
        "startup@demo.tawrid.ma",
        "Nafas Tech (démo)",
        "supplier startup",
        {"products", "startup-support", "funding", "people"},
        COMMON + ["products", "demand", "matching", "consultations", "innovation"] + SIGNED_IN_ADMIN,
        id="startup",
    ),
    pytest.param(
        "acheteur@demo.tawrid.ma",
        "Groupe Santé Atlas (démo)",
        "buyer",
        {"plans", "matching", "consultations", "orders", "facilities", "people"},
        COMMON + ["plans", "matching", "consultations"] + SIGNED_IN_ADMIN,
        id="hospital-group",
    ),
    pytest.param(
        "hopital@demo.tawrid.ma",
        "CHU Oued Sebou — Fès (démo)",
        "buyer",
        {"plans", "matching", "consultations", "orders"},
        COMMON + ["plans", "matching", "consultations", "organisations", "jobs"],  # a member: no audit trail
        id="public-hospital",
    ),
    pytest.param(
        "secretariat@demo.tawrid.ma",
        "Cluster Dispositifs Médicaux du Maroc (démo)",
        "cluster",
        {"cluster-members", "aggregation", "innovation", "reports", "audit", "people"},
        COMMON + ["cluster", "matching", "insights", "innovation"] + SIGNED_IN_ADMIN,
        id="cluster-secretariat",
    ),
    pytest.param(
        "imanor@demo.tawrid.ma",
        "IMANOR — Institut marocain de normalisation (démo)",
        "imanor",
        {"certification", "directory", "people"},
        COMMON + ["certification"] + SIGNED_IN_ADMIN,
        id="imanor",
    ),
    pytest.param(
        "dmp@demo.tawrid.ma",
        "Ministère de la Santé — Direction du médicament et de la pharmacie (démo)",
        "ministry_health",
        {"registrations", "directory", "people"},
        COMMON + ["registrations"] + SIGNED_IN_ADMIN,
        id="dmp",
    ),
    pytest.param(
        "industrie@demo.tawrid.ma",
        "Ministère de l'Industrie et du Commerce — Industries de santé (démo)",
        "ministry_industry",
        {"programmes", "indicators", "people"},
        COMMON + ["programmes", "insights"] + SIGNED_IN_ADMIN,
        id="ministry-of-industry",
    ),
    pytest.param(
        "investisseur@demo.tawrid.ma",
        "Atlas Santé Capital (démo)",
        "investor",
        {"opportunities", "national-demand", "startups", "people"},
        COMMON + ["opportunities", "demand"] + SIGNED_IN_ADMIN,
        id="investor",
    ),
    pytest.param(
        "universite@demo.tawrid.ma",
        "Institut de génie biomédical de Rabat (démo)",
        "university",
        {"projects", "facilities", "funding", "people"},
        COMMON + ["innovation"] + SIGNED_IN_ADMIN,
        id="university",
    ),
]

# Cards that belong to one kind only: seeing one on another kind's page is a bug.
KIND_ONLY_CARDS = {"products", "plans", "cluster-members", "certification", "registrations", "programmes"}
KIND_ONLY_CARDS |= {"opportunities", "projects", "startup-support"}


@pytest.mark.parametrize(("email", "organisation", "groups", "cards", "menu"), CASES)
def test_each_kind_sees_its_home_page_and_menu(page, email, organisation, groups, cards, menu):
    demo_seed()
    login(page, email)
    page.goto("/")

    assert page.locator("[data-groups]").get_attribute("data-groups") == groups
    shown_cards = set(page.locator("[data-card]").evaluate_all("els => els.map(e => e.dataset.card)"))
    assert cards <= shown_cards
    assert not (KIND_ONLY_CARDS - cards) & shown_cards
    assert any(organisation in text for text in page.locator("[data-testid=membership]").all_inner_texts())

    shown_menu = page.locator(".main-nav [data-menu]").evaluate_all("els => els.map(e => e.dataset.menu)")
    assert shown_menu == [key for key in menu if _built(key)]

    # Cards of later releases say so and are not links; the others lead to a page that exists.
    for card in page.locator("[data-card]").all():
        link = card.locator("h4 a")
        if link.count():
            assert not card.locator(".badge").count()
        else:
            assert card.locator(".badge").inner_text().strip()

    figures = page.locator("[data-testid=cluster-figures]")
    if groups == "cluster":
        assert figures.count() == 1
        total = int(figures.locator("[data-testid=member-total]").inner_text())
        assert 38 <= total <= 45
        statuses = figures.locator("[data-status]").evaluate_all(
            "els => Object.fromEntries(els.map(e => [e.dataset.status, Number(e.textContent)]))"
        )
        assert statuses["applied"] == statuses["suspended"] == statuses["left"] == 1
        assert statuses["active"] == total - 3
        assert int(figures.locator("[data-kind=manufacturer]").inner_text()) >= 25
    else:
        assert figures.count() == 0


def test_the_platform_operator_sees_operation_cards_and_every_cluster(page):
    demo_seed()
    login(page, "admin@demo.tawrid.ma")
    page.goto("/")
    assert page.locator("[data-groups]").get_attribute("data-groups") == "operator"
    shown_menu = page.locator(".main-nav [data-menu]").evaluate_all("els => els.map(e => e.dataset.menu)")
    expected = COMMON + ["cluster", "matching", "insights", "innovation", "audit", "jobs", "admin"]
    assert shown_menu == [key for key in expected if _built(key)]
    assert page.locator("[data-testid=cluster-figures]").count() == 1
    page.locator('.main-nav [data-menu="admin"]').click()
    page.wait_for_url(re.compile(r"/admin/"))


def test_anonymous_visitors_see_the_public_home_page(page):
    demo_seed()
    page.goto("/")
    assert page.locator("[data-groups]").get_attribute("data-groups") == "public"
    shown_menu = page.locator(".main-nav [data-menu]").evaluate_all("els => els.map(e => e.dataset.menu)")
    assert shown_menu == [key for key in COMMON if _built(key)]
    assert page.locator("[data-testid=membership]").count() == 0
    page.locator('[data-card="login"] a').click()
    page.wait_for_url(re.compile(r"/accounts/login/"))


def test_a_read_only_person_has_no_people_card_and_no_audit_trail(page):
    demo_seed()
    login(page, "fabricant.lecture@demo.tawrid.ma")
    page.goto("/")
    assert page.locator("[data-groups]").get_attribute("data-groups") == "supplier"
    assert page.locator('[data-card="people"]').count() == 0
    assert page.locator('.main-nav [data-menu="audit"]').count() == 0
    membership = page.locator("[data-testid=membership]")
    assert membership.get_attribute("data-role") == "read_only"
    assert "Injecta Maroc (démo)" in membership.inner_text()
