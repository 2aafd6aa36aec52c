"""The language switcher in the header: French by default, Arabic right to left, English, and back."""

import re

import pytest

from tawrid.demo.services import demo_seed
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARABIC = re.compile("[\u0600-\u06ff]")


def _switch(page, code: str) -> None:
    page.locator(f'form.lang-switch button[value="{code}"]').click()
    page.wait_for_function(f"document.documentElement.lang === '{code}'")


def _html(page) -> tuple[str | None, str | None]:
    root = page.locator("html")
    return root.get_attribute("lang"), root.get_attribute("dir")


def test_switch_to_arabic_then_english_then_back_to_french(page):
    demo_seed()
    login(page, "secretariat@demo.tawrid.ma")
    page.goto("/")
    assert _html(page) == ("fr", "ltr")
    assert page.locator(".skip-link").inner_text() == "Aller au contenu"
    french_title = page.title()

    _switch(page, "ar")
    assert _html(page) == ("ar", "rtl")
    assert ARABIC.search(page.locator(".brand").inner_text())
    assert ARABIC.search(page.locator(".skip-link").inner_text())
    assert ARABIC.search(page.title())
    assert page.locator('form.lang-switch button[value="ar"]').get_attribute("aria-pressed") == "true"
    # The page lays out right to left; demo data stays French (it is data, not interface).
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert "Cluster Dispositifs Médicaux du Maroc (démo)" in page.locator("main").inner_text()
    # The choice sticks from page to page.
    page.goto("/nomenclatures/")
    assert _html(page) == ("ar", "rtl")

    _switch(page, "en")
    assert _html(page) == ("en", "ltr")
    assert page.locator(".skip-link").inner_text() == "Skip to content"
    assert not ARABIC.search(page.locator(".skip-link").inner_text())

    _switch(page, "fr")
    assert _html(page) == ("fr", "ltr")
    assert page.locator(".skip-link").inner_text() == "Aller au contenu"
    page.goto("/")
    assert page.title() == french_title


def test_anonymous_visitors_can_switch_language_too(page):
    page.goto("/")
    _switch(page, "ar")
    assert _html(page) == ("ar", "rtl")
    assert ARABIC.search(page.locator(".site-header").inner_text().replace("العربية", ""))
    _switch(page, "fr")
    assert _html(page) == ("fr", "ltr")
