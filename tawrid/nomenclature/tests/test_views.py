import pytest
from django.urls import reverse

from tawrid.accounts.tests.factories import UserFactory
from tawrid.core.models import Job, JobStatus
from tawrid.nomenclature.models import EmdnCode, ReferenceDataset

pytestmark = pytest.mark.django_db


def test_index_lists_the_four_nomenclatures_with_counts_and_provenance(client, emdn):
    response = client.get(reverse("nomenclature:index"))
    html = response.content.decode()
    assert response.status_code == 200
    for key in ("emdn", "cpv", "hs", "fda"):
        assert f'data-nomenclature="{key}"' in html
    assert 'data-testid="count-emdn">8' in html and "454<" in html  # 8 454, grouped by the French locale
    assert 'data-testid="count-cpv">0<' in html
    assert "DG SANTE" in html and "ODC-PDDL" in html
    assert reverse("nomenclature:reload") not in html  # the reload button is for platform staff only


def test_reload_button_runs_the_job_for_a_superuser(client, emdn, django_capture_on_commit_callbacks):
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    assert reverse("nomenclature:reload") in client.get(reverse("nomenclature:index")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("nomenclature:reload"), {"force": "1"})
    job = Job.objects.get(kind="nomenclature.load_reference")
    assert response.status_code == 302 and response["Location"] == reverse("core:job_detail", args=[job.pk])
    assert job.status == JobStatus.SUCCEEDED, job.error  # the immediate back-end of the tests ran it
    assert job.result["emdn"]["unchanged"] == 8454 and job.result["cpv"]["created"] == 9454
    assert job.progress_done == job.progress_total == 8
    assert ReferenceDataset.objects.count() == 4


def test_reload_is_refused_to_other_people(client):
    client.force_login(UserFactory())
    assert client.post(reverse("nomenclature:reload")).status_code == 403
    assert not Job.objects.exists()
    client.logout()
    assert client.post(reverse("nomenclature:reload")).status_code == 302  # to the log-in page
    assert not Job.objects.exists()


def test_emdn_tree_shows_the_categories_and_expands_in_place(client, emdn):
    html = client.get(reverse("nomenclature:emdn_tree")).content.decode()
    assert 'data-code="A"' in html and 'data-code="Z"' in html and 'data-code="A01"' not in html
    assert 'hx-get="/nomenclatures/emdn/A/node/?open=1"' in html and 'aria-expanded="false"' in html
    opened = client.get(reverse("nomenclature:emdn_node", args=["A"]), {"open": "1"}, HTTP_HX_REQUEST="true")
    part = opened.content.decode()
    assert "<html" not in part and 'data-code="A01"' in part and 'aria-expanded="true"' in part
    assert 'hx-get="/nomenclatures/emdn/A/node/"' in part  # the same button now closes it
    closed = client.get(reverse("nomenclature:emdn_node", args=["A"])).content.decode()
    assert 'data-code="A01"' not in closed


def test_emdn_detail_has_breadcrumbs_and_children(client, emdn):
    html = client.get(reverse("nomenclature:emdn_detail", args=["A0101010101"])).content.decode()
    assert "HYPODERMIC SYRINGE NEEDLES, WITH SAFETY SYSTEMS" in html
    for ancestor in ("A", "A01", "A0101", "A010101", "A01010101"):
        assert f'href="/nomenclatures/emdn/{ancestor}/"' in html
    parent = client.get(reverse("nomenclature:emdn_detail", args=["A01010101"])).content.decode()
    assert 'data-code="A0101010101"' in parent
    assert client.get(reverse("nomenclature:emdn_detail", args=["A9898"])).status_code == 404


def test_search_page_finds_french_labels_and_paginates(client, cpv, emdn):
    html = client.get(reverse("nomenclature:search"), {"n": "cpv", "q": "pansements adhesifs"}).content.decode()
    assert "Pansements adhésifs" in html and 'href="/nomenclatures/cpv/33141111-1/"' in html
    many = client.get(reverse("nomenclature:search"), {"n": "emdn", "q": "needles"})
    assert many.context["page"].paginator.count > 50 and len(many.context["results"]) == 50
    assert "page=2" in many.content.decode()
    none = client.get(reverse("nomenclature:search"), {"n": "emdn", "q": "xyzzy"})
    assert none.context["page"].paginator.count == 0


def test_other_trees_and_pages(client, db):
    from tawrid.nomenclature.services import reference_load

    reference_load(which=["hs", "fda", "cpv"])
    hs = client.get(reverse("nomenclature:hs_tree")).content.decode()
    assert 'data-code="XVIII"' in hs and 'data-code="99"' in hs
    section = client.get(reverse("nomenclature:hs_section_node", args=["XVIII"]), {"open": "1"}).content.decode()
    assert 'data-code="90"' in section
    detail = client.get(reverse("nomenclature:hs_detail", args=["901831"]))
    html = detail.content.decode()
    assert "syringes, with or without needles" in html and 'href="/nomenclatures/hs/9018/"' in html
    assert [step[0:2] for step in detail.context["concordance_steps"]][0] == ("HS 2022", "HS 2017")
    fda = client.get(reverse("nomenclature:fda_tree")).content.decode()
    assert 'href="/nomenclatures/fda/panel/AN/"' in fda and 'href="/nomenclatures/fda/panel/none/"' in fda
    panel = client.get(reverse("nomenclature:fda_panel_node", args=["AN"]), {"open": "1"}).content.decode()
    assert 'data-code="BRW"' in panel
    assert "Protector, Dental" in client.get(reverse("nomenclature:fda_detail", args=["BRW"])).content.decode()
    assert client.get(reverse("nomenclature:fda_panel", args=["QQ"])).status_code == 404
    cpv = client.get(reverse("nomenclature:cpv_tree")).content.decode()
    assert 'data-code="33000000-0"' in cpv
    cpv_page = client.get(reverse("nomenclature:cpv_detail", args=["33141110-4"])).content.decode()
    assert "Pansements" in cpv_page and "Dressings" in cpv_page and 'href="/nomenclatures/cpv/33141000-0/"' in cpv_page


def test_pages_query_count_does_not_grow_with_children(client, emdn, django_assert_max_num_queries):
    assert EmdnCode.objects.get(code="A").children.count() > 10
    with django_assert_max_num_queries(12):
        client.get(reverse("nomenclature:emdn_node", args=["A"]), {"open": "1"})


def test_pages_are_french_by_default_and_translated_into_arabic(client, emdn):
    french = client.get(reverse("nomenclature:emdn_tree")).content.decode()
    assert "Nomenclature européenne des dispositifs médicaux" in french and "Parcourir" in french
    assert 'aria-label="Déplier A"' in french
    client.cookies["tawrid_language"] = "ar"
    arabic = client.get(reverse("nomenclature:emdn_tree")).content.decode()
    assert 'dir="rtl"' in arabic and "التصنيف الأوروبي للأجهزة الطبية" in arabic
    assert "DEVICES FOR ADMINISTRATION, WITHDRAWAL AND COLLECTION" in arabic  # the data keeps its own language
