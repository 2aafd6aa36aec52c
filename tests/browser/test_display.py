"""The shared layout at a laptop's 1366 × 768 in French: the menu stays on one line, a wide table keeps its
action buttons in view (it scrolls sideways inside its box), and every kind of button is readable (contrast of at
least 4.5:1, WCAG AA, computed from the page's own styles)."""

import pytest

from tawrid.accounts.models import OrganisationKind, Role
from tawrid.accounts.tests.factories import TEST_PASSWORD, OrganisationFactory, person_in
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1366, "height": 768}

# The contrast of each element's text with the first opaque background behind it (WCAG 2 relative luminance).
CONTRAST = """(selector) => {
  const rgb = (text) => {
    const v = text.match(/[\\d.]+/g).map(Number);
    return {r: v[0], g: v[1], b: v[2], a: v.length > 3 ? v[3] : 1};
  };
  const channel = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  const luminance = (c) => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  const behind = (el) => {
    for (; el; el = el.parentElement) { const c = rgb(getComputedStyle(el).backgroundColor); if (c.a > 0.5) return c; }
    return {r: 255, g: 255, b: 255, a: 1};
  };
  return [...document.querySelectorAll(selector)].map((el) => {
    const text = luminance(rgb(getComputedStyle(el).color)), back = luminance(behind(el));
    return [el.outerHTML.slice(0, 80), (Math.max(text, back) + 0.05) / (Math.min(text, back) + 0.05)];
  });
}"""

VARIANTS = """() => {
  const main = document.querySelector("main");
  const box = document.createElement("div");
  box.className = "card";
  box.innerHTML = `<button data-variant>Enregistrer</button> <button class="secondary" data-variant>Filtrer</button>
    <button class="danger" data-variant>Retirer</button> <button class="link" data-variant>Annuler</button>
    <button class="link danger" data-variant>Supprimer</button> <a class="button" href="#" data-variant>Ouvrir</a>
    <a class="button secondary" href="#" data-variant>Exporter</a>
    <a class="button link" href="#" data-variant>Annuler cet import</a>
    <table class="table"><tbody><tr><td><button class="link" data-variant>Annuler</button></td></tr></tbody></table>`;
  main.prepend(box);
}"""


def _manufacturer_admin(**fields):
    maker = OrganisationFactory(name="Injecta Maroc", kind=OrganisationKind.MANUFACTURER)
    return maker, person_in(maker, Role.ADMIN, full_name="Karim Tazi", **fields)


def test_the_french_menu_is_one_line_at_1366(page):
    _maker, admin = _manufacturer_admin()
    page.set_viewport_size(LAPTOP)
    login(page, admin.email, TEST_PASSWORD)
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "fr"
    items = page.locator(".main-nav li")
    assert items.count() >= 8  # the manufacturer's menu, the longest
    tops = page.evaluate(
        "() => [...document.querySelectorAll('.main-nav li')].map((li) => li.getBoundingClientRect().top)"
    )
    assert max(tops) - min(tops) < 2, tops  # every entry on the same line
    height = page.evaluate("() => document.querySelector('.main-nav ul').getBoundingClientRect().height")
    line = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('.main-nav a')).lineHeight)")
    assert height < 1.5 * line, (height, line)
    assert page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_a_wide_tables_actions_stay_in_view(page):
    maker, admin = _manufacturer_admin()
    # An address of 140 unbreakable characters makes the people table wider than the page.
    person_in(maker, Role.MEMBER, full_name="Samira Longue", email="s" * 64 + "@" + "d" * 60 + ".example.ma")
    page.set_viewport_size(LAPTOP)
    login(page, admin.email, TEST_PASSWORD)
    page.goto(f"/accounts/organisations/{maker.pk}/")
    wrap = page.locator(".table-wrap", has=page.get_by_test_id("people"))
    assert wrap.evaluate("(el) => el.scrollWidth > el.clientWidth")  # the table is wider than its box
    assert page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    box = wrap.bounding_box()
    buttons = page.get_by_test_id("people").locator("button.danger")
    assert buttons.count() == 2
    for index in range(buttons.count()):
        button = buttons.nth(index).bounding_box()
        assert button["x"] >= box["x"] and button["x"] + button["width"] <= box["x"] + box["width"] + 1, (button, box)
        assert button["x"] + button["width"] <= LAPTOP["width"]
    # The button is the one on top at its own centre (not hidden under another cell): a click reaches it.
    hit = buttons.first.evaluate(
        "(el) => { const r = el.getBoundingClientRect();"
        " return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === el; }"
    )
    assert hit


def test_every_button_variant_is_readable(page):
    _maker, admin = _manufacturer_admin()
    page.set_viewport_size(LAPTOP)
    login(page, admin.email, TEST_PASSWORD)
    page.goto("/")
    page.evaluate(VARIANTS)
    measured = page.evaluate(CONTRAST, "[data-variant], .site-header button, .site-header a")
    assert len(measured) >= 12
    poor = [(html, round(ratio, 2)) for html, ratio in measured if ratio < 4.5]
    assert not poor, poor
