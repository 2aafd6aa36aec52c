import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_anonymous_home_is_french_and_serves_its_own_assets(page):
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("html").get_attribute("dir") == "ltr"
    # No CDN: every asset the page loads comes from the app itself.
    base = page.url.split("/", 3)[:3]
    assert requests and all(url.split("/", 3)[:3] == base for url in requests)
    assert page.evaluate("typeof htmx") == "object"
