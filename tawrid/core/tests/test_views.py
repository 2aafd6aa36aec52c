import pytest


@pytest.mark.django_db
def test_favicon_redirects_to_the_apps_own_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].endswith("tawrid/img/favicon.svg")


@pytest.mark.django_db
def test_admin_site_is_named_after_tawrid(client):
    response = client.get("/admin/login/", headers={"Accept-Language": "fr"})
    assert "Administration de Tawrid" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("status_page", ["/no-such-page/", "/jobs/999999/"])
def test_missing_pages_use_the_sites_layout(client, status_page):
    from tawrid.accounts.tests.factories import UserFactory

    client.force_login(UserFactory())
    response = client.get(status_page)
    assert response.status_code == 404
    assert 'class="site-header"' in response.content.decode()
