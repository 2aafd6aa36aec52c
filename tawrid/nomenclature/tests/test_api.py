import pytest

pytestmark = pytest.mark.django_db

API = "/api/v1/nomenclature"


def test_emdn_code_with_parent_chain_and_children_anonymously(client, emdn):
    body = client.get(f"{API}/emdn/A0101010101").json()
    assert body["term"] == "HYPODERMIC SYRINGE NEEDLES, WITH SAFETY SYSTEMS"
    assert body["parent"] == "A01010101" and body["level"] == 6 and body["is_terminal"] is True
    assert [a["code"] for a in body["ancestors"]] == ["A", "A01", "A0101", "A010101", "A01010101"]
    parent = client.get(f"{API}/emdn/A01010101").json()
    assert "A0101010101" in [c["code"] for c in parent["children"]]


def test_unknown_code_is_404_in_the_common_format(client, emdn):
    response = client.get(f"{API}/emdn/Z999")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found" and response.json()["message"]
    assert client.get(f"{API}/hs/123456/concordances").status_code == 404


def test_search_with_limit_and_validation(client, emdn):
    body = client.get(f"{API}/emdn", {"q": "needles", "limit": 3}).json()
    assert body["count"] > 3 and len(body["results"]) == 3
    assert all("NEEDLE" in r["term"] for r in body["results"])
    assert client.get(f"{API}/emdn", {"q": "needles", "limit": 1000}).status_code == 422
    missing = client.get(f"{API}/emdn")
    assert missing.status_code == 422 and "query.q" in missing.json()["details"]


def test_cpv_lookup_and_french_search(client, cpv):
    body = client.get(f"{API}/cpv/33141110").json()
    assert body["code"] == "33141110-4" and body["label_fr"] == "Pansements" and body["parent"] == "33141000-0"
    found = client.get(f"{API}/cpv", {"q": "PANSEMENTS ADHESIFS"}).json()
    assert [r["code"] for r in found["results"]] == ["33141111-1"]


def test_hs_and_fda(client, db):
    from tawrid.nomenclature.services import reference_load

    reference_load(which=["hs", "fda"])
    hs = client.get(f"{API}/hs/901831").json()
    assert (
        hs["section"] == "XVIII" and hs["parent"] == "9018" and [a["code"] for a in hs["ancestors"]] == ["90", "9018"]
    )
    rows = client.get(f"{API}/hs/901831/concordances").json()
    assert rows[0] == {
        "code_after": "901831",
        "code_before": "901831",
        "relationship": "n:1",
        "adjustment": "2022 to 2017",
        "revision_after": "HS 2022",
        "revision_before": "HS 2017",
    }
    assert {r["revision_before"] for r in rows} >= {"HS 2017", "HS 1992"}
    assert client.get(f"{API}/hs", {"q": "9018"}).json()["results"][0]["code"] == "9018"
    fda = client.get(f"{API}/fda/brw").json()
    assert fda["device_name"] == "Protector, Dental" and fda["device_class"] == "1"
    assert client.get(f"{API}/fda", {"q": "dental protector"}).json()["count"] >= 1
