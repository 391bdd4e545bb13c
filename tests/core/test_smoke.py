import pytest


@pytest.mark.django_db
def test_it_creates_reads_and_updates_an_ai_system_with_etags(api):
    client = api("ai_manager")
    made = client.post("/api/v1/ai-systems", {"name": "Credit scoring"}, content_type="application/json")
    assert made.status_code == 201, made.content
    path = f"/api/v1/ai-systems/{made.json()['id']}"
    got = client.get(path)
    etag = got.headers["ETag"]
    ok = client.patch(path, {"description": "first"}, content_type="application/json", HTTP_IF_MATCH=etag)
    assert ok.status_code == 200 and ok.json()["description"] == "first"
    stale = client.patch(path, {"description": "second"}, content_type="application/json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert api("mallory").get(path).status_code == 404
